"""figures/heatmaps.py and figures/lines.py: the figures carry lstm_core's numbers exactly,
one frame per step with its cursor at its step, small frames, a valid Plotly figure."""
import base64
import csv
import json
import math
import os
import xml.etree.ElementTree as ET

import numpy as np
import plotly.graph_objects as go
import pytest

from conftest import CASES_DIR
from figures.colors import COLORS, DIVERGING, sequential
from figures.conveyor import belt_traces
from figures.heatmaps import (QUANTITIES, belt_series, belt_steps, belt_values, gates_over_time_figure,
                              heatmap_values)
from figures.lines import unit_lines_figure
from lstm_core import inputs_from_csv, lstm_forward, params_from_json
from lstm_core.presets import PRESETS, random_lstm
from lstm_core.sequences import make_sequence, pulse_step
from plotly_data import checked_json, decode, figure_json

pytestmark = pytest.mark.usefixtures("strict_numerics")

ATTR = {"f": "f", "i": "i", "c_tilde": "c_tilde", "o": "o", "c": "c", "h": "h"}
N = len(QUANTITIES)


def latch(T=60):
    p = PRESETS["latch"]
    return lstm_forward(p.params(), p.inputs(T))


def random_run(D=2, H=3, T=17, seed=4):
    return lstm_forward(random_lstm(D, H, seed=seed, scale=1.5, forget_bias=0.5),
                        make_sequence("noise", T, D, seed=seed))


@pytest.fixture(scope="module")
def latch_fig():
    tr = latch()
    return tr, figure_json(gates_over_time_figure(tr, 0))


def test_heatmap_z_is_the_trace_exactly(latch_fig):
    tr, fig = latch_fig
    for r, key in enumerate(QUANTITIES):
        hm = fig["data"][r]
        assert hm["type"] == "heatmap"
        z = decode(hm["z"])
        expected = getattr(tr, ATTR[key])[:, 0, :].T            # (H, T)
        assert z.dtype == np.float64 and z.shape == expected.shape
        assert np.array_equal(z, expected), key                 # bit for bit
        # t runs 1..T across, units 0..H-1 down: the numbering of the trace CSV
        assert (hm["x0"], hm["dx"], hm["y0"], hm["dy"]) == (1, 1, 0, 1)


def test_heatmaps_of_a_bigger_model_and_a_hand_computation():
    tr = random_run(D=2, H=3, T=17)
    fig = figure_json(gates_over_time_figure(tr, 2))
    for r, key in enumerate(QUANTITIES):
        assert np.array_equal(decode(fig["data"][r]["z"]), getattr(tr, ATTR[key])[:, 0, :].T)
    # the latch by hand: before the pulse nothing is written; at the pulse
    # C = sigmoid(20 * 1 - 10) * tanh(3 * 1), and the forget gate sigmoid(20) keeps it
    tr = latch(60)
    z = heatmap_values(tr)
    k = pulse_step(60) - 1
    sig = lambda v: 1 / (1 + math.exp(-v))
    c_pulse = sig(10) * math.tanh(3)
    assert np.all(np.abs(z["c"][0, :k]) < 1e-3)
    assert z["c"][0, k] == pytest.approx(c_pulse, rel=1e-12)
    assert z["i"][0, k] == pytest.approx(sig(10), rel=1e-12)
    assert z["f"][0, k] == pytest.approx(sig(20), rel=1e-12)
    assert z["h"][0, k] == pytest.approx(sig(10) * math.tanh(c_pulse), rel=1e-12)
    assert z["c"][0, -1] == pytest.approx(c_pulse * sig(20) ** (59 - k), rel=1e-3)   # still held at T


@pytest.mark.parametrize("case", ["case09_lstm_D1_H5_T24", "case07_lstm_D2_H4_T109"])
def test_heatmaps_match_the_pytorch_reference(case):
    d = os.path.join(CASES_DIR, case)
    with open(os.path.join(d, "weights.json"), "rb") as fh:
        params = params_from_json(fh.read())
    with open(os.path.join(d, "inputs.csv"), "rb") as fh:
        x, _ = inputs_from_csv(fh.read(), params.input_size)
    with open(os.path.join(d, "trace.csv")) as fh:
        rows = list(csv.reader(fh))
    header, table = rows[0], np.array([[float(v) for v in r] for r in rows[1:]])
    tr = lstm_forward(params, x)
    T, H = tr.T, tr.hidden_size
    fig = figure_json(gates_over_time_figure(tr, H - 1))
    column = {"f": "forget_gate", "i": "input_gate", "c_tilde": "candidate", "o": "output_gate",
              "c": "cell_state", "h": "hidden_state"}
    for r, key in enumerate(QUANTITIES):
        expected = table[:, header.index(column[key])].reshape(T, H).T     # rows (t, unit) -> (H, T)
        np.testing.assert_allclose(decode(fig["data"][r]["z"]), expected, rtol=1e-9, atol=1e-12)


def test_one_frame_per_step_with_its_cursor_at_its_step(latch_fig):
    tr, fig = latch_fig
    T = tr.T
    frames = fig["frames"]
    assert len(frames) == T
    cursors = list(range(N, 2 * N))
    for k, fr in enumerate(frames):
        t = k + 1
        assert fr["name"] == str(t)
        assert fr["traces"][:N] == cursors
        for d in fr["data"][:N]:
            assert d["type"] == "bar" and list(d["x"]) == [t]
    # the figure as first drawn is step 1; the cursor is one step wide over every unit
    for j in cursors:
        bar = fig["data"][j]
        assert list(bar["x"]) == [1] and bar["width"] == 1.0 and bar["base"] == -0.5
        assert list(bar["y"]) == [tr.hidden_size]
    # every frame moves the clock axis, so plotly.js redraws instead of wiping the heatmaps
    clock = [k for k, v in fig["layout"].items() if k.startswith("yaxis") and v.get("domain") == [0.0, 0.001]]
    assert len(clock) == 1
    ranges = [fr["layout"][clock[0]]["range"] for fr in frames]
    assert ranges == [[0, t] for t in range(1, T + 1)]
    assert fig["layout"][clock[0]]["range"] not in ranges
    slider = fig["layout"]["sliders"][0]
    assert [s["args"][0] for s in slider["steps"]] == [[str(t)] for t in range(1, T + 1)]
    play, pause = fig["layout"]["updatemenus"][0]["buttons"]
    assert play["method"] == "animate" and play["args"][0] is None
    assert pause["args"][0] == [None]


def _apply(base: dict, update: dict) -> dict:
    out = dict(base)
    for k, v in update.items():
        out[k] = v
    return out


@pytest.mark.parametrize("make,unit", [(latch, 0), (random_run, 1)])
def test_each_frame_puts_the_belt_of_its_step(make, unit):
    """After frame t, every belt trace is exactly what figures.conveyor draws for lstm_core's
    values of that unit at step t."""
    tr = make()
    fig = figure_json(gates_over_time_figure(tr, unit))
    n_fixed = 2 * N
    n_belt = len(belt_traces(belt_values(tr, 0, unit)))
    base = fig["data"][n_fixed:n_fixed + n_belt]
    for k, fr in enumerate(fig["frames"]):
        state = [dict(b) for b in base]
        for idx, upd in zip(fr["traces"][N:], fr["data"][N:]):
            assert n_fixed <= idx < n_fixed + n_belt
            state[idx - n_fixed] = _apply(state[idx - n_fixed], upd)
        want = json.loads(go.Figure(data=belt_traces(belt_values(tr, k, unit))).to_json())["data"]
        assert len(want) == len(state)
        for got, exp in zip(state, want):
            got = {key: v for key, v in got.items() if key not in ("xaxis", "yaxis")}
            exp = {key: v for key, v in exp.items() if key not in ("xaxis", "yaxis")}
            assert got == exp, (k, exp.get("name"))


def test_belt_values_are_lstm_cores():
    tr = random_run(D=2, H=3, T=9)
    series = belt_series(tr, 2)
    assert len(series) == 9
    for k, v in enumerate(series):
        assert v["f"] == tr.f[k, 0, 2] and v["c"] == tr.c[k, 0, 2] and v["h"] == tr.h[k, 0, 2]
        assert v["c_prev"] == (tr.c[k - 1, 0, 2] if k else 0.0)
        assert v["h_prev"] == (tr.h[k - 1, 0, 2] if k else 0.0)
        assert v["x"] == tr.x[k, 0, 0] and v["x2"] == tr.x[k, 0, 1]
        assert v["tanh_c"] == tr.tanh_c[k, 0, 2]
    assert belt_series(latch(5), 0)[0]["x2"] is None


def test_frames_are_small_and_the_figure_fits_the_budget(latch_fig):
    tr, fig = latch_fig
    sizes = [len(json.dumps(fr)) for fr in fig["frames"]]
    assert max(sizes) < 6_000                       # a cursor move and one belt, not a heatmap
    assert len(json.dumps(fig)) < 300_000           # the page's default figure
    # frames do not grow with T: the same belt at T = 240
    big = figure_json(gates_over_time_figure(latch(240), 0))
    assert max(len(json.dumps(fr)) for fr in big["frames"]) < 6_000
    _, changing, _ = belt_steps(tr, 0)
    assert len(changing) < len(belt_traces(belt_values(tr, 0, 0)))      # static belt parts stay out


@pytest.mark.parametrize("D,H,T", [(1, 1, 1), (2, 3, 7), (1, 16, 4)])
def test_figure_passes_plotlys_own_checks(D, H, T):
    tr = lstm_forward(random_lstm(D, H, seed=1), make_sequence("sine", T, D))
    fig = gates_over_time_figure(tr, H - 1)
    checked = go.Figure(fig.to_dict())              # raises on any invalid attribute, frames included
    assert len(checked.frames) == T
    assert checked_json(fig) == json.loads(fig.to_json())
    lines = unit_lines_figure(tr, H - 1)
    assert checked_json(lines) == json.loads(lines.to_json())


SVG = "{http://www.w3.org/2000/svg}"


def test_colour_scales_and_labels():
    tr = random_run()
    fig = figure_json(gates_over_time_figure(tr, 0))
    bar_labels = [a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "colour bar"]
    assert len(bar_labels) == N                                 # every colour bar says what it shows
    images = {im["name"]: im for im in fig["layout"]["images"]}
    doms = [fig["layout"]["yaxis" if r == 0 else f"yaxis{r + 1}"]["domain"] for r in range(N)]
    for r, key in enumerate(QUANTITIES):
        hm = fig["data"][r]
        # the colour bar is a picture beside its row (plotly.js's own colour bar is switched off):
        # the heatmap's colour scale from zmin (bottom) to zmax (top), labelled at both ends
        assert hm["showscale"] is False and "colorbar" not in hm
        im = images["colour bar " + key]
        assert (im["xref"], im["yref"], im["y"], im["yanchor"]) == ("paper", "paper", doms[r][1], "top")
        assert im["sizey"] == pytest.approx(doms[r][1] - doms[r][0]) and im["layer"] == "below"
        svg = ET.fromstring(base64.b64decode(im["source"].split(",", 1)[1]))
        stops = [(float(e.get("offset")), e.get("stop-color")) for e in svg.iter(SVG + "stop")]
        assert [list(st) for st in stops] == hm["colorscale"]
        top, bottom = [e.text for e in svg.iter(SVG + "text")]
        assert [bottom, top] == (["0 shut", "1 open"] if key in "fio" else
                                 [f"\u2212{hm['zmax']:.3g}", f"+{hm['zmax']:.3g}"])
        if key in ("f", "i", "o"):
            assert hm["colorscale"] == sequential(key) and (hm["zmin"], hm["zmax"]) == (0.0, 1.0)
        else:
            assert hm["colorscale"] == DIVERGING
            if key == "c":                                      # symmetric about 0, from the data
                m = float(np.max(np.abs(tr.c)))
                assert (hm["zmin"], hm["zmax"]) == (-m, m)
            else:
                assert (hm["zmin"], hm["zmax"]) == (-1.0, 1.0)
    titles = " ".join(a["text"] for a in fig["layout"]["annotations"])
    for words in ("forget gate", "input gate", "candidate", "output gate", "cell state", "hidden state", "σ(W"):
        assert words in titles


def test_unit_out_of_range_is_refused():
    tr = latch(5)
    with pytest.raises(ValueError, match="units 0..0"):
        gates_over_time_figure(tr, 1)
    with pytest.raises(ValueError, match="units 0..0"):
        unit_lines_figure(tr, 3)


def test_line_chart_carries_one_units_values():
    tr = random_run(D=2, H=3, T=17)
    fig = figure_json(unit_lines_figure(tr, 1))
    data = fig["data"]
    keys = ("f", "i", "o", "c_tilde", "c", "h")
    assert len(data) == len(keys) + 2
    for tr_json, key in zip(data, keys):
        assert np.array_equal(decode(tr_json["y"]), getattr(tr, key)[:, 0, 1])
        assert np.array_equal(decode(tr_json["x"]), np.arange(1, 18, dtype=float))
        assert tr_json["line"]["color"] == COLORS[key]
        assert tr_json["name"]
    for d in range(2):
        assert np.array_equal(decode(data[6 + d]["y"]), tr.x[:, 0, d])
        assert data[6 + d]["line"]["color"] == COLORS["x"]


# ---------------------------------------------------------------- text on the time axis, held gates

from figures.heatmaps import char_label, char_ticks, held_label  # noqa: E402
from lstm_core import Clamp  # noqa: E402
from lstm_core.textseq import encode  # noqa: E402


def text_run(text='a <b>&"x"', H=2, seed=3, clamps=()):
    e = encode(text, "embedding")
    return e, lstm_forward(random_lstm(e.x.shape[1], H, seed=seed), e.x, clamps=clamps)


def test_characters_label_every_time_axis_and_every_hover():
    e, tr = text_run()
    fig = figure_json(gates_over_time_figure(tr, 1, chars=e.chars))
    labels = ["a", "\u2423", "&lt;", "b", "&gt;", "&amp;", '"', "x", '"']   # escaped: no tags from text
    assert [char_label(ch) for ch in e.chars] == labels
    ax = fig["layout"]["xaxis"]
    assert ax["tickvals"] == list(range(1, 10)) and ax["ticktext"] == labels
    assert "character" in ax["title"]["text"]
    for r in range(N):                                           # each cell's hover names its character
        hm = fig["data"][r]
        assert hm["customdata"] == [labels] * 2
        assert "%{customdata}" in hm["hovertemplate"]
        assert np.array_equal(decode(hm["z"]), getattr(tr, ATTR[QUANTITIES[r]])[:, 0, :].T)
    assert [s["label"] for s in fig["layout"]["sliders"][0]["steps"]] == [f"{t} {lab}" for t, lab in
                                                                         zip(range(1, 10), labels)]
    lines = figure_json(unit_lines_figure(tr, 1, chars=e.chars, features=e.features))
    assert lines["layout"]["xaxis"]["ticktext"] == labels
    ch = [t for t in lines["data"] if t["name"] == "character"]
    assert len(ch) == 1 and ch[0]["customdata"] == labels and "%{customdata}" in ch[0]["hovertemplate"]
    assert [t["name"] for t in lines["data"][6:10]] == [f"input x_t,{d} = sin(√{p}·n)"
                                                       for d, p in zip(range(1, 5), (2, 3, 5, 7))]
    for f in (gates_over_time_figure(tr, 0, chars=e.chars), unit_lines_figure(tr, 0, chars=e.chars)):
        go.Figure(f.to_dict())                                   # plotly.py's own checks


def test_long_texts_label_every_kth_step_and_numbers_have_no_labels():
    assert char_ticks("x" * 50)["tickvals"] == list(range(1, 51))
    ticks = char_ticks("ab" * 100)
    assert ticks["tickvals"] == list(range(1, 201, 4)) and ticks["ticktext"] == ["a"] * 50
    fig = figure_json(gates_over_time_figure(latch(12), 0))
    assert "ticktext" not in fig["layout"]["xaxis"] and "customdata" not in fig["data"][0]
    with pytest.raises(ValueError, match="chars has 3 characters but the trace 12 steps"):
        gates_over_time_figure(latch(12), 0, chars="abc")


def held_shapes(fig: dict) -> list[dict]:
    return [s for s in fig["layout"].get("shapes", []) if s.get("name") == "held"]


def test_belt_fixed_parts_are_shapes_on_the_belt_axes():
    """The belt's pipes, bus, boxes and valve bodies are layout shapes on the belt's own axes,
    under its traces; a second input adds its pipe."""
    from figures.conveyor import belt_shapes
    fig = figure_json(gates_over_time_figure(latch(12), 0))
    belt = [s for s in fig["layout"]["shapes"] if s.get("name") != "held"]
    assert belt == belt_shapes("x2", f"y{N + 1}") and all(s["layer"] == "below" for s in belt)
    tr = lstm_forward(random_lstm(2, 3, seed=1), make_sequence("sine", 7, 2))
    two = [s for s in figure_json(gates_over_time_figure(tr, 1))["layout"]["shapes"] if s.get("name") != "held"]
    assert two == belt_shapes("x2", f"y{N + 1}", two_inputs=True) != belt


def test_held_gates_are_framed_and_labelled():
    held = (("f", 1.0, 3, 7), ("i", 0.0, 3, 7))
    e, tr = text_run("hello world", H=3, clamps=tuple(Clamp(*h) for h in held))
    fig = figure_json(gates_over_time_figure(tr, 2, chars=e.chars, held=held))
    shapes = held_shapes(fig)
    assert [(s["yref"], s["x0"], s["x1"], s["y0"], s["y1"]) for s in shapes] == [
        ("y", 2.5, 7.5, -0.5, 2.5), ("y2", 2.5, 7.5, -0.5, 2.5)]          # rows f and i, steps 3..7
    assert [s["label"]["text"] for s in shapes] == ["f held at 1 on steps 3\u20137: nothing forgotten",
                                                    "i held at 0 on steps 3\u20137: nothing written"]
    f, c = decode(fig["data"][0]["z"]), decode(fig["data"][4]["z"])
    assert np.all(f[:, 2:7] == 1.0) and np.all(decode(fig["data"][1]["z"])[:, 2:7] == 0.0)
    assert np.all(c[:, 2:7] == c[:, [1]])                                  # C_t = C_{t-1}: the belt is frozen
    lines = figure_json(unit_lines_figure(tr, 2, chars=e.chars, held=held))
    assert [(s["x0"], s["x1"], s["label"]["text"]) for s in lines["layout"]["shapes"]] == [
        (2.5, 7.5, shapes[0]["label"]["text"]), (2.5, 7.5, shapes[1]["label"]["text"])]
    for fg in (gates_over_time_figure(tr, 2, held=held), unit_lines_figure(tr, 2, held=held)):
        go.Figure(fg.to_dict())
    # steps beyond the sequence are cut; a range wholly beyond it draws nothing
    short = figure_json(gates_over_time_figure(latch(5), 0, held=(("f", 1.0, 4, 40), ("i", 0.0, 9, 12))))
    assert [(s["x0"], s["x1"]) for s in held_shapes(short)] == [(3.5, 5.5)]
    assert held_label("f", 0.0, 2, 2) == "f held at 0 on step 2: everything forgotten"
    assert held_shapes(figure_json(gates_over_time_figure(latch(5), 0))) == []


def test_figures_encode_arrays_as_plotly_does():
    """PlotlySpec turns NumPy arrays into plotly.js typed arrays itself; the encoding must be
    plotly.py's own (to_typed_array_spec), for every dtype and shape the figures use."""
    from _plotly_utils.utils import to_typed_array_spec

    from figures.sending import typed_array
    for a in (np.arange(6.0).reshape(2, 3), np.array([np.nan, 1e-300, -0.0, 5e-324]), np.arange(5, dtype=np.int32),
              np.arange(12.0).reshape(3, 4)[:, ::2], np.array([1, 2], dtype=np.int64), np.float32([0.5, 2.0])):
        assert typed_array(a) == to_typed_array_spec(a), a
    assert typed_array(np.zeros(0)).size == 0


# ---- the stacked layout, for a chart narrower than NARROW_BELOW px ----

def _px(fig, frac):
    """Paper y (fraction of the plot area) -> px from the top of the plot area."""
    lay = fig["layout"]
    area = lay["height"] - lay["margin"]["t"] - lay["margin"]["b"]
    return (1 - frac) * area


@pytest.mark.parametrize("width,H", [(200, 1), (350, 3), (550, 2), (750, 16)])
def test_a_narrow_chart_gets_the_belt_under_the_heatmaps(width, H):
    from figures.heatmaps import BELT_ASPECT, BOTTOM_PX, MARGIN_L, MARGIN_R, NARROW_BELOW
    tr = random_run(H=H, T=9)
    wide, narrow = (figure_json(gates_over_time_figure(tr, H - 1, held=(("f", 1.0, 2, 4),), width=w))
                    for w in (None, width))
    # the same data, frames and colour bars' pictures: only where things go changes
    assert narrow["data"] == wide["data"] and narrow["frames"] == wide["frames"]
    assert ([i["source"] for i in narrow["layout"]["images"]] == [i["source"] for i in wide["layout"]["images"]])
    lay = narrow["layout"]
    rows = [lay["yaxis" if r == 0 else f"yaxis{r + 1}"]["domain"] for r in range(N)]
    belt = lay[f"yaxis{N + 1}"]["domain"]
    assert lay["xaxis2"]["domain"] == [0.0, 1.0] and lay["xaxis"]["domain"][1] <= 0.8   # full width below
    assert all(a[0] > b[1] for a, b in zip(rows, rows[1:]))                     # rows top to bottom
    # between the last heatmap and the belt: the t axis and the player's row, then the belt's title
    assert _px(narrow, belt[1]) - _px(narrow, rows[-1][0]) >= BOTTOM_PX
    # the belt's box has the belt's own proportions at this width: nothing left empty around it
    belt_h = _px(narrow, belt[0]) - _px(narrow, belt[1])
    assert belt_h == pytest.approx((width - MARGIN_L - MARGIN_R) * BELT_ASPECT, abs=0.5)
    # Play/Pause and the scrubber sit under the heatmaps and span the chart
    slider, menu = lay["sliders"][0], lay["updatemenus"][0]
    assert slider["y"] == menu["y"] == rows[-1][0] and slider["x"] + slider["len"] == pytest.approx(1.0)
    # the belt's title over the belt, its colour bar under it
    title = next(a for a in lay["annotations"] if "conveyor belt" in a["text"])
    assert title["y"] == belt[1] and title["x"] == 0.5
    legend = lay["images"][-1]
    assert legend["name"] == "colour bar" and legend["y"] == belt[0] and legend["yanchor"] == "top"
    # the wide figure keeps the belt beside the heatmaps, the player under them
    assert wide["layout"]["xaxis2"]["domain"] == [0.58, 1.0]
    assert wide["layout"]["sliders"][0]["y"] == 0.0
    go.Figure(narrow)                                # a valid figure for plotly
    with pytest.raises(ValueError, match="stacked"):
        gates_over_time_figure(tr, 0, width=NARROW_BELOW)
