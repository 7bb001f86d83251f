"""Page 1 · One step of the cell (pages/one_step.py), run with Streamlit's AppTest.

Every check compares what the page shows with lstm_core.lstm_step_forward run here, in the
test, on the settings read back from the page's sliders."""
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from figures.step import fmt_tex, fmt_text, gate_symbols_latex
from lstm_core import LSTMParams, lstm_step_forward
from tests.plotly_data import decode, figure_json, chart_elements

P = "keep.one_step."
GATES = "fico"
TAB = "one_step.gate_tab"          # which gate's weight tab is open (only that one writes its sliders)
TAB_TITLES = {"f": "Forget gate f", "i": "Input gate i", "c": "Candidate C̃", "o": "Output gate o"}
ROWS = ("f", "i", "c_tilde", "o", "c", "h")


def open_page():
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.run()
    at.switch_page("pages/one_step.py")
    at.run()
    assert_ok(at)
    return at


def assert_ok(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def sizes(at):
    return at.radio(key=P + "H").value, at.radio(key=P + "D").value


def srcs(H, D):
    return [f"h{m}" for m in range(H)] + [f"x{d}" for d in range(D)]


def open_tab(at, g):
    """Open gate g's weight tab, as a click on it does."""
    at.session_state[TAB] = TAB_TITLES[g]
    at.run()
    assert_ok(at)
    return at


def slider_value(at, k):
    """A slider's value: from the slider when its tab is open, else from the session state that
    keeps it (rounded to the slider's step, as the page reads it)."""
    shown = [s for s in at.slider if s.key == P + k]
    return shown[0].value if shown else round(at.session_state[P + k], 1)


def numbers_table(at) -> dict:
    """The page's table of numbers (a markdown table): column name -> the cells, top to bottom."""
    tables = [m.value for m in at.markdown if m.value.startswith("| | unit 0")]
    assert len(tables) == 1
    lines = tables[0].splitlines()
    cols = [c.strip() for c in lines[0].strip("|").split("|")][1:]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]
    return {col: [r[n + 1] for r in rows] for n, col in enumerate(cols)}


def settings(at):
    """The step's inputs as the page's sliders hold them."""
    H, D = sizes(at)
    sl = lambda k: slider_value(at, k)  # noqa: E731
    W = {g: np.array([[sl(f"W_{g}.{j}.{s}") for s in srcs(H, D)] for j in range(H)]) for g in GATES}
    b = {g: np.array([sl(f"b_{g}.{j}") for j in range(H)]) for g in GATES}
    x = np.array([sl(f"x.{d}") for d in range(D)])
    h = np.array([sl(f"h.{j}") for j in range(H)])
    c = np.array([sl(f"c.{j}") for j in range(H)])
    return W, b, x, h, c


def expected(at):
    W, b, x, h, c = settings(at)
    p = LSTMParams(**{f"W_{g}": W[g] for g in GATES}, **{f"b_{g}": b[g] for g in GATES})
    return lstm_step_forward(x, h, c, p), (W, b, x, h, c)


def belt(at):
    charts = chart_elements(at)
    assert len(charts) == 1
    return {t["name"]: t for t in figure_json(charts[0])["data"]}


def shown_unit(at):
    H, _ = sizes(at)
    return at.radio(key=P + "unit").value if H > 1 else 0      # units are counted from 0


def check_numbers(at):
    """Table, belt and equations carry lstm_core's numbers for the current sliders."""
    assert_ok(at)
    s, (W, b, x, h, c) = expected(at)
    H, D = sizes(at)
    # the table: one column per unit, the rounded values of lstm_core's numbers
    table = numbers_table(at)
    assert list(table) == [f"unit {j}" for j in range(H)]
    for j in range(H):
        assert table[f"unit {j}"] == [fmt_text(s[k][j]) for k in ROWS]
    # the belt of the chosen unit: exact values in customdata
    u = shown_unit(at)
    t = belt(at)
    exact = {"f": s["f"][u], "i": s["i"][u], "o": s["o"][u], "c_tilde": s["c_tilde"][u], "c": s["c"][u],
             "h": s["h"][u], "c_prev": c[u], "h_prev": h[u], "x": x[0], "fc": s["f"][u] * c[u],
             "ic": s["i"][u] * s["c_tilde"][u], "tanh_c": np.tanh(s["c"][u])}
    for key, val in exact.items():
        assert decode(t[key]["customdata"])[0] == val, key
    if D == 2:
        assert decode(t["x2"]["customdata"])[0] == x[1]
    else:
        assert len(decode(t["x2"]["x"])) == 0
    # the equations: the chosen unit's gates in symbols, then with the numbers substituted
    text = "\n".join(m.value for m in at.markdown)
    for g, z, val in (("f", "z_f", "f"), ("i", "z_i", "i"), ("c", "z_c", "c_tilde"), ("o", "z_o", "o")):
        assert f"${gate_symbols_latex(g, u, H, D)}$" in text, g
        fn = "tanh" if g == "c" else "σ"
        assert f"= {fn}({fmt_text(s[z][u])}) = **{fmt_text(s[val][u])}**" in text, g
        w0 = fmt_text(W[g][u][0])
        assert f"= {fn}(" + (f"({w0})" if w0.startswith("\u2212") else w0) + " · " in text
    assert f" = **{fmt_text(s['c'][u])}**" in text and f" = **{fmt_text(s['h'][u])}**" in text
    return s


def test_defaults_match_hand_computation():
    at = open_page()
    assert sizes(at) == (1, 1)
    assert len(at.slider) == 3 + 3          # the inputs, and the open tab's weights (forget gate)
    s = check_numbers(at)
    # by hand: f = sigma(W_f[0,0] h + W_f[0,1] x + b_f) with the default sliders
    _, (W, b, x, h, c) = expected(at)
    z = W["f"][0, 0] * h[0] + W["f"][0, 1] * x[0] + b["f"][0]
    f = 1.0 / (1.0 + math.exp(-z))
    assert s["f"][0] == pytest.approx(f, rel=1e-15)
    text = "\n".join(m.value for m in at.markdown)
    assert f"σ({fmt_text(z)}) = **{fmt_text(f)}**" in text
    # the defaults show something: gates well inside (0, 1), a candidate that lowers the belt
    assert 0.1 < s["f"][0] < 0.95 and 0.1 < s["i"][0] < 0.95 and 0.1 < s["o"][0] < 0.95
    assert s["c_tilde"][0] < 0 < s["c"][0] < c[0]
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "between 0 and 1" in text and "rounded" in text
    assert r"o_t = \sigma(W_o\,[h_{t-1}, x_t] + b_o)" in "\n".join(l.value for l in at.latex)
    assert "pmatrix" in "\n".join(l.value for l in at.latex)


def test_matrix_form_is_written_when_opened():
    """The expander of all four gates in matrix form writes its equations only when open (the
    browser would otherwise redraw four large equations at every move), and then shows every
    gate with the current numbers."""
    at = open_page()
    tex = lambda: [l.value for l in at.latex if r"\begin{pmatrix}" in l.value]  # noqa: E731
    assert len(tex()) == 1                                # only W_f's, in "three things to get right"
    at.session_state["one_step.matrices"] = True
    at.run()
    assert_ok(at)
    s, (W, b, x, h, c) = expected(at)
    found = tex()
    assert len(found) == 1 + 4
    for g, key in (("f", "f"), ("i", "i"), ("c", "c_tilde"), ("o", "o")):
        assert any(fmt_tex(s[key][0]) in t and f"W_{g}" in t for t in found[1:]), g


def test_each_slider_at_both_ends():
    at = open_page()
    tested = set()
    for g in GATES:                              # every weight tab in turn
        open_tab(at, g)
        keys = [s.key for s in at.slider if s.key not in tested]
        assert len(keys) == (3 if g == "f" else 0) + 3
        for key in keys:
            sl = at.slider(key=key)
            lo, hi, start = sl.min, sl.max, sl.value
            assert (lo, hi) in ((-5.0, 5.0), (-2.0, 2.0))
            for end in (lo, hi):
                at.slider(key=key).set_value(end).run()
                assert at.slider(key=key).value == end
                check_numbers(at)
            at.slider(key=key).set_value(start).run()
        tested.update(keys)
    assert len(tested) == 3 + 4 * 3


def test_all_sliders_at_the_ends_with_three_units_and_two_inputs():
    at = open_page()
    at.radio(key=P + "H").set_value(3)
    at.radio(key=P + "D").set_value(2).run()
    assert_ok(at)
    assert len(at.slider) == 2 + 3 + 3 + 3 * (3 + 2 + 1)      # the inputs, and one gate's weights
    for pick in ("min", "max", "alternate"):
        for g in GATES:
            open_tab(at, g)
            for n, sl in enumerate(at.slider):
                v = {"min": sl.min, "max": sl.max, "alternate": sl.min if n % 2 else sl.max}[pick]
                sl.set_value(v)
            at.run()
        s = check_numbers(at)
        assert np.all((s["f"] > 0) & (s["f"] <= 1))
        if pick == "max":   # z_f = 5 * 2 * 5 + 5 = 55: float64 rounds sigmoid(55) to exactly 1
            assert np.all(s["f"] == 1.0) and s["z_f"][0] == 55.0
            text = " ".join(m.value for m in at.markdown)
            assert "stores exactly 1" in text and fmt_tex(math.exp(-55) / (1 + math.exp(-55))) in text


def test_switching_units_inputs_and_shown_unit():
    at = open_page()
    at.radio(key=P + "D").set_value(2).run()
    check_numbers(at)
    at.radio(key=P + "H").set_value(2).run()
    check_numbers(at)
    assert list(numbers_table(at)) == ["unit 0", "unit 1"]
    at.radio(key=P + "H").set_value(3).run()
    at.radio(key=P + "unit").set_value(2).run()
    s = check_numbers(at)
    assert decode(belt(at)["c"]["customdata"])[0] == s["c"][2]
    assert "unit 2 (of units 0–2)" in figure_json(chart_elements(at)[0])["layout"]["title"]["text"]
    # a shown unit that no longer exists falls back to unit 0
    at.radio(key=P + "H").set_value(2).run()
    assert at.radio(key=P + "unit").value == 0
    check_numbers(at)
    at.radio(key=P + "H").set_value(1)
    at.radio(key=P + "D").set_value(1).run()
    check_numbers(at)
    assert len(at.slider) == 6


def test_try_this_buttons_and_reset():
    at = open_page()
    at.radio(key=P + "H").set_value(2).run()
    defaults = {s.key: s.value for s in at.slider}
    at.button(key="one_step.try_remember").click().run()
    s = check_numbers(at)
    _, (W, b, x, h, c) = expected(at)
    assert np.all(s["f"] > 0.99) and np.all(s["i"] < 0.01)
    assert np.allclose(s["c"], c, atol=0.03)
    at.button(key="one_step.try_overwrite").click().run()
    s = check_numbers(at)
    assert np.all(s["f"] < 0.01) and np.all(s["i"] > 0.99)
    assert np.allclose(s["c"], s["c_tilde"], atol=0.03)
    at.button(key="one_step.try_hide").click().run()
    s = check_numbers(at)
    assert np.all(np.abs(s["h"]) < 0.01) and np.any(np.abs(s["c"]) > 0.3)
    at.button(key="one_step.try_limit").click().run()
    s = check_numbers(at)
    assert np.all(s["f"] < 1.0) and np.all(s["f"] > 1 - 1e-10) and np.all(s["z_f"] == 25.0)
    forget_row = [cells[0] for cells in numbers_table(at).values()]
    assert all(v.startswith("1 \u2212 ") for v in forget_row)   # "1 − 1.39e−11", never "1.000"
    at.button(key="one_step.reset").click().run()
    check_numbers(at)
    assert {s.key: s.value for s in at.slider} == defaults


def test_page_takes_kept_values():
    """Every widget uses a keep-key and takes its value from the session state (ui.state),
    not from a value= argument."""
    at = open_page()
    widgets = list(at.slider) + list(at.radio)
    assert widgets and all(w.key.startswith(P) for w in widgets)
    at.session_state[P + "H"] = 2
    at.session_state[P + "unit"] = 1
    at.session_state[P + "W_o.1.x0"] = -3.3
    at.session_state[P + "c.1"] = 1.7
    at.session_state[TAB] = TAB_TITLES["o"]
    at.run()
    assert sizes(at) == (2, 1)
    assert at.slider(key=P + "W_o.1.x0").value == -3.3 and at.slider(key=P + "c.1").value == 1.7
    s = check_numbers(at)
    assert decode(belt(at)["c_prev"]["customdata"])[0] == 1.7
    assert decode(belt(at)["c"]["customdata"])[0] == s["c"][1]
    # every slider and radio of the page, at any size, has a keep-key
    at.radio(key=P + "H").set_value(3)
    at.radio(key=P + "D").set_value(2).run()
    assert all(w.key.startswith(P) for w in list(at.slider) + list(at.radio))


def test_values_kept_across_page_switch():
    at = open_page()
    at.radio(key=P + "H").set_value(2).run()
    at.radio(key=P + "unit").set_value(1).run()
    open_tab(at, "o")
    at.slider(key=P + "W_o.1.x0").set_value(-3.3).run()
    at.switch_page("pages/home.py")
    at.run()
    assert_ok(at)
    assert not at.slider
    at.switch_page("pages/one_step.py")
    at.run()
    assert sizes(at) == (2, 1) and at.radio(key=P + "unit").value == 1
    open_tab(at, "o")
    assert at.slider(key=P + "W_o.1.x0").value == -3.3
    check_numbers(at)
