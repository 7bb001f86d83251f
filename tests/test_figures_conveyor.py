"""The conveyor belt (figures/conveyor.py) and the step's text (figures/step.py)."""
import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from figures import conveyor
from figures.colors import COLORS, DIVERGING
from figures.conveyor import belt_axes, conveyor_figure, valve_shutters
from figures.conveyor import belt_traces as belt_dicts
from figures.step import (fmt_html, fmt_tex, fmt_text, gate_matrix_latex, gate_numbers_text,
                          gate_symbols_latex, matrix_symbols_latex, state_numbers_text, state_symbols_latex,
                          text_table)
from lstm_core import LSTMParams, lstm_step_forward
from lstm_core.presets import random_lstm
from tests.plotly_data import checked_json, decode, figure_json


def belt_traces(v, **kw):
    """The belt's traces (plain dicts) as validated go.Scatter objects: Plotly's validation
    accepts every one of them."""
    return [go.Scatter(t) for t in belt_dicts(v, **kw)]


KEYS = ("c_prev", "f", "i", "c_tilde", "o", "c", "h", "h_prev", "x")


def step_values(seed=0, H=1, D=1, unit=0, x=None, h=None, c=None):
    p = random_lstm(D, H, seed=seed, scale=2.0, input_scale=2.0)
    rng = np.random.default_rng(seed + 100)
    x = rng.uniform(-2, 2, D) if x is None else np.asarray(x, float)
    h = rng.uniform(-1, 1, H) if h is None else np.asarray(h, float)
    c = rng.uniform(-2, 2, H) if c is None else np.asarray(c, float)
    s = lstm_step_forward(x, h, c, p)
    v = {k: float(s[k][unit]) for k in ("f", "i", "c_tilde", "o", "c", "h")}
    v.update(c_prev=float(c[unit]), h_prev=float(h[unit]), x=float(x[0]))
    return v, s


def by_name(fig_or_traces):
    data = figure_json(fig_or_traces)["data"] if hasattr(fig_or_traces, "to_json") else fig_or_traces
    return {(t.get("name") if isinstance(t, dict) else t.name): t for t in data}


def fig_of(v):
    return figure_json(conveyor_figure(v))


def test_flow_and_gate_traces_carry_lstm_core_numbers(strict_numerics):
    v, s = step_values(seed=3, H=2, D=2, unit=1)
    t = by_name(fig_of(v)["data"])
    expect = {"c_prev": v["c_prev"], "fc": v["f"] * v["c_prev"], "c_tilde": v["c_tilde"],
              "ic": v["i"] * v["c_tilde"], "c": v["c"], "tanh_c": math.tanh(v["c"]), "h": v["h"],
              "h_prev": v["h_prev"], "x": v["x"], "f": v["f"], "i": v["i"], "o": v["o"]}
    for key, val in expect.items():
        cd = decode(t[key]["customdata"])
        assert len(cd) >= 2 and np.all(cd == val), key
    # the belt's pieces are lstm_core's: C_t = f*C_{t-1} + i*C~ and h = o*tanh(C)
    assert decode(t["c"]["customdata"])[0] == s["c"][1]
    assert decode(t["h"]["customdata"])[0] == s["h"][1]
    assert decode(t["fc"]["customdata"])[0] + decode(t["ic"]["customdata"])[0] == pytest.approx(s["c"][1], abs=1e-15)


def test_number_labels_show_rounded_values():
    v, _ = step_values(seed=1)
    lab = by_name(fig_of(v)["data"])["numbers"]
    texts = lab["text"]
    cd = decode(lab["customdata"])
    keys = conveyor.LABEL_KEYS
    assert len(texts) == len(keys) == len(cd)
    for k, txt, val in zip(keys, texts, cd):
        want = {"fc": v["f"] * v["c_prev"], "ic": v["i"] * v["c_tilde"], "tanh_c": math.tanh(v["c"])}.get(k, v.get(k))
        assert val == want, k
        assert txt.endswith("= " + fmt_html(want)), (k, txt)
    assert any("0." in t or "−" in t for t in texts)


def test_overrides_from_caller_are_used():
    v, _ = step_values(seed=2)
    v2 = dict(v, fc=0.123, ic=-0.456, tanh_c=0.789)
    t = by_name(belt_traces(v2))
    assert t["fc"].customdata[0] == 0.123 and t["ic"].customdata[0] == -0.456 and t["tanh_c"].customdata[0] == 0.789


def test_trace_structure_does_not_depend_on_values(strict_numerics):
    """The animation contract: same number, order, types and names of traces for any values."""
    cases = [step_values(seed=s)[0] for s in range(4)]
    cases.append(dict(c_prev=0.0, f=0.0, i=0.0, c_tilde=0.0, o=0.0, c=0.0, h=0.0, h_prev=0.0, x=0.0))
    cases.append(dict(c_prev=-50.0, f=1.0, i=1.0, c_tilde=-1.0, o=1e-300, c=-51.0, h=-1e-300, h_prev=2.0,
                      x=-2.0, x2=2.0))
    cases.append(dict(cases[0], x2=None))
    sigs = []
    for v in cases:
        tr = belt_traces(v)
        sigs.append([(type(t).__name__, t.type, t.name, t.mode, t.fill) for t in tr])
    assert all(s == sigs[0] for s in sigs)
    assert [n for _, _, n, _, _ in sigs[0]] == list(conveyor.FLOW_KEYS) + list(conveyor.GATE_KEYS) + [
        f"shutters {g}" for g in conveyor.GATE_KEYS] + ["symbols", "numbers"]


def test_valve_opening_equals_gate_value():
    for g in (0.0, 0.137, 0.5, 0.999, 1.0):
        for gate in ("f", "i", "o"):
            xs, ys = valve_shutters(gate, g)
            cut = xs.index(None)
            (cx, cy), d = conveyor._VALVES[gate]
            across = ys if d == "h" else xs
            a, b = across[:cut], across[cut + 1:]
            gap = min(a) - max(b)   # shutter 1 above / right of the axis, shutter 2 below / left
            assert gap == pytest.approx(2 * conveyor.VALVE_A * g, abs=1e-12)
    # in the figure, the shutters follow the gate's value
    v, _ = step_values(seed=5)
    t = by_name(belt_traces(v))
    assert list(t["shutters f"].x) == valve_shutters("f", v["f"])[0]
    assert list(t["shutters f"].y) == valve_shutters("f", v["f"])[1]


def test_width_and_colour_follow_value():
    base = dict(c_prev=0.1, f=0.5, i=0.5, c_tilde=0.2, o=0.5, c=0.2, h=0.1, h_prev=0.1, x=0.1)
    small = by_name(belt_traces(base))
    big = by_name(belt_traces(dict(base, c_prev=2.0, x=-1.5, f=0.95)))
    assert big["c_prev"].line.width > small["c_prev"].line.width
    assert big["x"].line.width > small["x"].line.width
    assert big["f"].line.width > small["f"].line.width
    # sign: positive values take the red end of DIVERGING, negative the blue end
    assert conveyor.value_color(5.0) == conveyor.value_color(1.0)
    r = tuple(int(DIVERGING[-1][1][k:k + 2], 16) for k in (1, 3, 5))
    b = tuple(int(DIVERGING[0][1][k:k + 2], 16) for k in (1, 3, 5))
    assert conveyor.value_color(1.0) == "rgb({},{},{})".format(*r)
    assert conveyor.value_color(-1.0) == "rgb({},{},{})".format(*b)
    assert big["x"].line.color == conveyor.value_color(-1.5) != big["c_prev"].line.color
    # gate lines in the gate's colour
    assert small["f"].line.color == COLORS["f"] and small["o"].line.color == COLORS["o"]


def test_second_input_line():
    v, _ = step_values(seed=4)
    one = by_name(belt_traces(v))
    assert len(one["x2"].x) == 0
    two = by_name(belt_traces(dict(v, x2=-0.75)))
    assert len(two["x2"].x) == 2 and two["x2"].customdata[0] == -0.75
    assert two["numbers"].text[conveyor.LABEL_KEYS.index("x")] == f"x<sub>t</sub> = ({fmt_html(v['x'])}, {fmt_html(-0.75)})"


def test_axes_and_box():
    tr = belt_traces(step_values(seed=6)[0], xaxis="x7", yaxis="y7")
    assert all(t.xaxis == "x7" and t.yaxis == "y7" for t in tr)
    for t in tr:
        xs = [p for p in (t.x or ()) if p is not None]
        ys = [p for p in (t.y or ()) if p is not None]
        assert all(0 <= p <= 10 for p in xs) and all(0 <= p <= 6 for p in ys), t.name
    # the fixed parts are shapes under the traces, in the same box, on the same axes
    shapes = conveyor.belt_shapes("x7", "y7", two_inputs=True)
    assert [sh["name"] for sh in shapes] == ["pipes", "[h_{t-1}, x_t]"] + ["box"] * 5 + ["valve f", "valve i", "valve o"]
    for sh in shapes:
        assert (sh["xref"], sh["yref"], sh["layer"]) == ("x7", "y7", "below")
        if sh["type"] == "rect":
            assert 0 <= sh["x0"] < sh["x1"] <= 10 and 0 <= sh["y0"] < sh["y1"] <= 6
        else:
            pts = [tuple(map(float, p[1:].split(","))) for p in sh["path"].split()]
            assert all(0 <= x <= 10 and 0 <= y <= 6 for x, y in pts), sh["name"]
    one = conveyor.belt_shapes("x7", "y7")[0]["path"]
    assert shapes[0]["path"].count("M") == one.count("M") + 1         # the second input's pipe
    ax = belt_axes("x7")
    assert ax["xaxis"]["range"] == [0.0, 10.0] and ax["yaxis"]["range"] == [0.0, 6.0]
    assert "scaleanchor" not in ax["yaxis"]
    assert belt_axes("x7", equal_aspect=True)["yaxis"]["scaleanchor"] == "x7"
    fig = figure_json(conveyor_figure(step_values(seed=6)[0], title="unit 1"))
    assert fig["layout"]["shapes"] == conveyor.belt_shapes("x", "y")
    assert fig["layout"]["xaxis"]["range"] == [0, 10]
    assert len(fig["layout"]["title"]["text"]) > 0


def test_number_formats():
    assert fmt_text(0.4378) == "0.438"
    assert fmt_text(-0.7616) == "\u22120.762"
    assert fmt_text(0.0123456) == "0.0123"
    assert fmt_text(12.3456) == "12.346"
    assert fmt_text(0.0) == "0"
    # a gate never shows as exactly 1 (or 0) when it is not
    assert fmt_text(0.99995) == "0.99995"
    s = 1.0 / (1.0 + math.exp(-25.0))
    assert s < 1.0 and fmt_text(s).startswith("1 \u2212 1.39e")
    assert fmt_tex(s).startswith(r"1 - 1.39 \times 10^{-11}")
    assert fmt_tex(1.0 / (1.0 + math.exp(25.0))) == r"1.39 \times 10^{-11}"
    assert fmt_html(2e-9) == "2.00×10<sup>\u22129</sup>"
    assert fmt_tex(-0.25) == "-0.250"


def test_equations_substitute_lstm_core_numbers():
    p = LSTMParams(W_f=[[0.5, -1.2]], W_i=[[0, 1]], W_c=[[1, 1]], W_o=[[1, 0]],
                   b_f=[0.8], b_i=[0], b_c=[0], b_o=[0])
    s = lstm_step_forward(np.array([1.0]), np.array([0.3]), np.array([0.0]), p)
    text = gate_numbers_text("f", [0.5, -1.2], [0.3, 1.0], 0.8, s["z_f"][0], s["f"][0])
    # f = sigma(0.5*0.3 + (-1.2)*1 + 0.8) = sigma(-0.25) = 0.438, by hand
    assert text == "= σ(0.500 · 0.300 + (\u22121.200) · 1.000 + 0.800) = σ(\u22120.250) = **0.438**"
    assert s["f"][0] == pytest.approx(1 / (1 + math.exp(0.25)), rel=1e-15)
    sym = gate_symbols_latex("f", 0, 1, 1)
    assert sym == r"f_t = \sigma\big(W_f{[0,0]}\,h_{t-1} + W_f{[0,1]}\,x_t + b_f\big)"
    assert gate_numbers_text("c", [1.0], [-0.5], 0.0, -0.5, math.tanh(-0.5)).startswith("= tanh(1.000 · (\u22120.500) + 0)")
    m = gate_matrix_latex("f", [[0.5, -1.2]], [0.3, 1.0], [0.8], s["z_f"], s["f"], 1, 1)
    assert "pmatrix" in m and "[h_{t-1},\\,x_t]" in m
    ms = matrix_symbols_latex("f", 2, 1)
    assert r"W_f{[0,0]} & W_f{[0,1]} & W_f{[0,2]} \\ W_f{[1,0]}" in ms and r"2 \times 3" in ms
    c_num, h_num = state_numbers_text(s["f"][0], 0.0, s["i"][0], s["c_tilde"][0], s["c"][0], s["o"][0],
                                      math.tanh(s["c"][0]), s["h"][0])
    assert c_num.endswith(f"= **{fmt_text(s['c'][0])}**") and h_num.endswith(f"= **{fmt_text(s['h'][0])}**")
    assert f"tanh({fmt_text(s['c'][0])})" in h_num
    # C_t = f * C_{t-1} + i * C~ and h_t = o * tanh(C_t), by hand
    assert s["c"][0] == pytest.approx(s["i"][0] * s["c_tilde"][0], rel=1e-15)
    assert s["h"][0] == pytest.approx(s["o"][0] * math.tanh(s["c"][0]), rel=1e-15)
    assert state_symbols_latex(0, 1) == (r"C_t = f_t * C_{t-1} + i_t * \tilde C_t", r"h_t = o_t * \tanh(C_t)")


def test_numbers_table_is_one_markdown_table():
    md = text_table(["unit 0", "unit 1"], [("f_t  forget gate", ["0.5", "\u22120.25"]), ("h_t", ["1", "2"])])
    assert md.splitlines() == ["| | unit 0 | unit 1 |", "|---|---:|---:|",
                               "| f_t  forget gate | 0.5 | \u22120.25 |", "| h_t | 1 | 2 |"]


def test_figure_is_valid_plotly():
    """The builders skip Plotly's slow validation; validating the figure must change nothing."""
    import plotly.graph_objects as go
    for v in (step_values(seed=7)[0], dict(step_values(seed=8)[0], x2=0.4)):
        fig = conveyor_figure(v, title="unit 2 of 3")
        assert checked_json(fig) == figure_json(fig)   # go.Figure validates every property
        for t in belt_dicts(v, xaxis="x3", yaxis="y3"):
            # validation accepts the plain dict and changes nothing that is sent
            assert json.loads(go.Scatter(t).to_json()) == json.loads(json.dumps(t))


def test_inputs_and_units_are_counted_from_zero():
    """With two inputs the belt names them x_{t,0} and x_{t,1}, as the gates page and the CSV count
    (units and inputs from 0); the equations index matrix rows and columns from 0 too."""
    from figures.step import hx_labels
    v, _ = step_values(seed=4)
    two = by_name(belt_traces(dict(v, x2=-0.75)))
    assert two["x"].hovertemplate.startswith("x<sub>t,0</sub> = ")
    assert two["x2"].hovertemplate.startswith("x<sub>t,1</sub> = ")
    assert by_name(belt_traces(v))["x"].hovertemplate.startswith("x<sub>t</sub> = ")   # one input: x_t
    assert hx_labels(2, 2) == ["h_{t-1,0}", "h_{t-1,1}", "x_{t,0}", "x_{t,1}"]
    assert hx_labels(1, 1) == ["h_{t-1}", "x_t"]
    tex = gate_symbols_latex("o", 1, 2, 2)
    assert r"W_o{[1,0]}\,h_{t-1,0}" in tex and r"W_o{[1,3]}\,x_{t,1}" in tex and "o_t^{[1]}" in tex
    assert "[2," not in tex and ",4]" not in tex
    st = " ".join(state_symbols_latex(0, 2))
    assert "C_t^{[0]}" in st and "h_t^{[0]}" in st


def test_colour_bar_is_a_picture_of_the_same_mapping():
    """The flows' colour bar is an SVG picture (plotly.js's own colour bar measures its labels in
    the page at every redraw): its gradient is value_color itself, labelled at -1 .. 1."""
    import base64
    import xml.etree.ElementTree as ET
    from figures.conveyor import BAR_TICKS, COLOR_CAP, value_color
    from figures.heatmaps import gates_over_time_figure
    from lstm_core import lstm_forward
    from lstm_core.presets import PRESETS
    svg_ns = "{http://www.w3.org/2000/svg}"
    p = PRESETS["latch"]
    figs = {"belt": figure_json(conveyor_figure(step_values(seed=3)[0])),
            "gates": figure_json(gates_over_time_figure(lstm_forward(p.params(), p.inputs(12)), 0))}
    for where, fig in figs.items():
        assert not any(t.get("name") == "colour bar" for t in fig["data"]), where
        bars = [im for im in fig["layout"]["images"] if im["name"] == "colour bar"]
        assert len(bars) == 1 and bars[0]["sizing"] == "contain", where
        svg = ET.fromstring(base64.b64decode(bars[0]["source"].split(",", 1)[1]))
        stops = [(float(e.get("offset")), e.get("stop-color")) for e in svg.iter(svg_ns + "stop")]
        assert stops == [(k / 20, value_color(COLOR_CAP * (2 * k / 20 - 1))) for k in range(21)], where
        texts = [e.text for e in svg.iter(svg_ns + "text")]
        assert all(label in texts for _, label in BAR_TICKS) and any("value on" in t for t in texts), where
    # the vertical bar sits in conveyor_figure's right margin
    im = figs["belt"]["layout"]["images"][0]
    assert im["x"] > 1.0 and im["xanchor"] == "left" and figs["belt"]["layout"]["margin"]["r"] >= 80
