"""Interventions on page 3: an LSTM gate held by hand (lstm_core.Clamp) over a range of steps.

The numbers the page shows are checked against the equations of the backward pass,
    dL/dC_{t-1} = f_t * dL/dC_t + o_{t-1} * (1 - tanh^2 C_{t-1}) * dL/dh_{t-1},
for the three clamps the page offers (f = 1, f = 0, i = 0) and for the 1997 LSTM (f = 1 on every
step), and through the page itself (AppTest)."""
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from figures.colors import COLORS, rgba
from figures.gradients import fmt_norm, gradient_figure
from lstm_core import Clamp, lstm_backward, lstm_forward
from lstm_core.presets import random_lstm
from lstm_core.sequences import make_sequence
from tests.plotly_data import checked_json, decode, figure_json, chart_elements
from tests.test_page_vanishing_gradient import K, PAGE, assert_page_shows_core, settings_of
from ui.cache_gradient import (INTERVENTIONS, Settings, clamp_spec, clamp_text, compute_gradient_curves)

S = Settings()
BASE = (S.T, S.hidden_size, S.scale, S.input_scale, S.forget_bias, S.sequence, S.seed, None)


def run_lstm(clamp, T=S.T, H=S.hidden_size, forget_bias=S.forget_bias, seed=S.seed):
    """lstm_core directly: trace and gradients of one sequence, (T, H) arrays."""
    params = random_lstm(1, H, seed, S.scale, S.input_scale, forget_bias)
    x = make_sequence(S.sequence, T, 1, seed)
    clamps = () if clamp is None else (Clamp(*clamp),)
    tr = lstm_forward(params, x, clamps=clamps)
    g = lstm_backward(tr)
    return params, tr, g


def h_path(tr, g, t):
    """o_{t} * (1 - tanh^2 C_{t}) * dL/dh_{t} for step t (from 1): what joins the belt at C_t."""
    return tr.o[t - 1, 0] * (1.0 - np.tanh(tr.c[t - 1, 0]) ** 2) * g.dh[t - 1, 0]


def test_clamp_spec_and_text():
    assert clamp_spec("none", (40, 60), 100) is None
    assert clamp_spec("f1", (40, 60), 100) == ("f", 1.0, 40, 60)
    assert clamp_spec("f0", (60, 40), 100) == ("f", 0.0, 40, 60)
    assert clamp_spec("i0", (40, 60), 50) == ("i", 0.0, 40, 50)           # cut to T
    assert clamp_spec("1997", (40, 60), 77) == ("f", 1.0, 1, 77)          # every step
    assert clamp_text(("f", 0.0, 5, 5)) == "f held at 0 on step 5"
    assert clamp_text(("i", 0.0, 3, 9)) == "i held at 0 on steps 3–9"
    assert set(INTERVENTIONS) == {"none", "f1", "f0", "i0", "1997"}


@pytest.mark.parametrize("s", [1, 2, 37, 100])
def test_forget_gate_at_zero_cuts_the_belt(strict_numerics, s):
    """f_s = 0: the belt carries nothing from C_s to C_{s-1}; dL/dC_{s-1} is the h path alone."""
    clamp = ("f", 0.0, s, s)
    _, tr, g = run_lstm(clamp)
    assert np.all(tr.f[s - 1] == 0.0)
    c = compute_gradient_curves(*BASE, clamp)
    assert c["across"]["belt_factor_mean"] == 0.0 and c["across"]["belt_out"] == 0.0
    if s >= 2:
        rest = h_path(tr, g, s - 1)
        np.testing.assert_allclose(g.dc[s - 2, 0], rest, rtol=1e-14, atol=0)
        assert c["lstm_c"][s - 2] == pytest.approx(np.linalg.norm(rest), rel=1e-14)
        assert c["across"]["dc_out"] == c["lstm_c"][s - 2]
    else:                                   # C_0: nothing but the belt leads there
        assert np.all(g.dc0 == 0.0) and c["across"]["dc_out"] == 0.0
    assert c["across"]["dc_in"] == c["lstm_c"][s - 1]
    # the page's curves are lstm_core's, bit for bit
    np.testing.assert_array_equal(c["lstm_c"], g.grad_c_norm()[:, 0])
    np.testing.assert_array_equal(c["lstm_h"], g.grad_h_norm()[:, 0])


def test_forget_gate_at_zero_over_a_range_cuts_the_gradient():
    c = compute_gradient_curves(*BASE, ("f", 0.0, 40, 60))
    free = compute_gradient_curves(*BASE)
    assert c["lstm_c"][0] / free["lstm_c"][0] < 1e-15            # cut: step 1 gets almost nothing
    # forward: the cell forgets everything on the held steps, C_t = i_t * C~_t
    _, tr, _ = run_lstm(("f", 0.0, 40, 60))
    np.testing.assert_array_equal(tr.c[39:60, 0], tr.i[39:60, 0] * tr.c_tilde[39:60, 0])


@pytest.mark.parametrize("a,b", [(40, 60), (1, 100), (1, 1), (100, 100), (10, 11)])
def test_forget_gate_at_one_passes_the_gradient_unchanged(strict_numerics, a, b):
    """f_t = 1 on a..b: dL/dC_{t-1} - (h path) = dL/dC_t on every held step, and the belt alone
    carries dL/dC_b to C_{a-1} exactly unchanged."""
    clamp = ("f", 1.0, a, b)
    _, tr, g = run_lstm(clamp)
    for t in range(max(a, 2), b + 1):
        np.testing.assert_allclose(g.dc[t - 2, 0] - h_path(tr, g, t - 1), g.dc[t - 1, 0], rtol=1e-12, atol=1e-15)
    if a == 1:
        np.testing.assert_array_equal(g.dc0[0], g.dc[0, 0])      # C_0 gets dL/dC_1 times f_1 = 1
    c = compute_gradient_curves(*BASE, clamp)
    acr = c["across"]
    assert acr["belt_factor_mean"] == 1.0
    assert acr["belt_out"] == acr["dc_in"] == c["lstm_c"][b - 1]
    assert acr["dc_out"] == pytest.approx(np.linalg.norm(g.dc[a - 2, 0] if a >= 2 else g.dc0[0]), rel=1e-14)
    # forward: nothing is forgotten, C_t = C_{t-1} + i_t * C~_t
    prev = tr.c[a - 2, 0] if a >= 2 else np.zeros(S.hidden_size)
    np.testing.assert_array_equal(tr.c[a - 1, 0], prev + tr.i[a - 1, 0] * tr.c_tilde[a - 1, 0])


def test_input_gate_shut_writes_nothing_and_cuts_the_candidate_paths(strict_numerics):
    """i_t = 0 on a..b: C_t = f_t * C_{t-1}; the belt term is unchanged (times f_t); dL/dh_{t-1}
    comes only through the forget and output gates: W_f,h^T dz_f + W_o,h^T dz_o."""
    a, b, H = 40, 60, S.hidden_size
    params, tr, g = run_lstm(("i", 0.0, a, b))
    assert np.all(tr.i[a - 1:b] == 0.0)
    np.testing.assert_array_equal(tr.c[a - 1:b, 0], tr.f[a - 1:b, 0] * tr.c[a - 2:b - 1, 0])
    Wf, Wo = params.W_f[:, :H], params.W_o[:, :H]
    for t in range(a, b + 1):
        f, o, c, c_prev = tr.f[t - 1, 0], tr.o[t - 1, 0], tr.c[t - 1, 0], tr.c[t - 2, 0]
        dh, dc = g.dh[t - 1, 0], g.dc[t - 1, 0]
        dz_f = dc * c_prev * f * (1 - f)
        dz_o = dh * np.tanh(c) * o * (1 - o)
        np.testing.assert_allclose(g.dh[t - 2, 0], Wf.T @ dz_f + Wo.T @ dz_o, rtol=1e-10, atol=1e-300)
        # and the equation of the belt still holds with the free forget gate
        np.testing.assert_allclose(g.dc[t - 2, 0], f * dc + h_path(tr, g, t - 1), rtol=1e-12, atol=1e-300)
    c = compute_gradient_curves(*BASE, ("i", 0.0, a, b))
    prod = np.prod(tr.f[a - 1:b, 0], axis=0)
    assert c["across"]["belt_factor_mean"] == pytest.approx(prod.mean(), rel=1e-12)
    assert c["across"]["belt_out"] == pytest.approx(np.linalg.norm(prod * g.dc[b - 1, 0]), rel=1e-12)


def test_the_1997_lstm_keeps_the_gradient_where_the_free_one_vanishes():
    """No forget gate (f = 1 on every step): the belt carries dL/dC_T back to C_0 unchanged, so
    with forget bias 0 (f near 0.5) the gradient at step 1 no longer vanishes."""
    T = S.T
    clamp = clamp_spec("1997", (40, 60), T)
    c = compute_gradient_curves(S.T, S.hidden_size, S.scale, S.input_scale, 0.0, S.sequence, S.seed, None, clamp)
    assert np.all(c["forget_product_mean"] == 1.0)
    assert c["across"]["belt_out"] == c["across"]["dc_in"] == c["lstm_c"][T - 1]
    assert c["across"]["dc_out"] == c["lstm_c"][0]               # C_0 gets dL/dC_1 times 1
    assert c["free"]["lstm_c"][0] / c["free"]["lstm_c"][-1] < 1e-15
    assert c["lstm_c"][0] / c["lstm_c"][-1] > 1.0
    _, tr, g = run_lstm(clamp, forget_bias=0.0)
    np.testing.assert_array_equal(c["lstm_c"], g.grad_c_norm()[:, 0])
    np.testing.assert_array_equal(c["free"]["lstm_c"], run_lstm(None, forget_bias=0.0)[2].grad_c_norm()[:, 0])


def test_clamp_leaves_the_rnn_and_the_free_lstm_alone():
    free = compute_gradient_curves(*BASE)
    c = compute_gradient_curves(*BASE, ("f", 1.0, 40, 60))
    np.testing.assert_array_equal(c["rnn_h"], free["rnn_h"])
    np.testing.assert_array_equal(c["free"]["lstm_h"], free["lstm_h"])
    np.testing.assert_array_equal(c["free"]["lstm_c"], free["lstm_c"])
    np.testing.assert_array_equal(c["free"]["forget_product_mean"], free["forget_product_mean"])
    assert free["clamp"] is None and free["free"] is None and c["clamp"] == ("f", 1.0, 40, 60)


def test_figure_with_a_held_gate(strict_numerics):
    clamp = ("f", 0.0, 40, 60)
    c = compute_gradient_curves(*BASE, clamp)
    fig = gradient_figure(c["rnn_h"], c["lstm_h"], c["lstm_c"], c["forget_product_mean"], free=c["free"], held=clamp)
    js = figure_json(fig)
    names = [t["name"] for t in js["data"]]
    assert names[-2:] == ["LSTM ‖dL/dh<sub>t</sub>‖, no gate held", "LSTM ‖dL/dC<sub>t</sub>‖, no gate held"]
    by = {t["name"]: t for t in js["data"]}
    np.testing.assert_array_equal(decode(by[names[-1]]["y"]), c["free"]["lstm_c"][::-1])
    np.testing.assert_array_equal(decode(by["LSTM ‖dL/dC<sub>t</sub>‖"]["y"]), c["lstm_c"][::-1])
    assert by[names[-1]]["xaxis"] == "x2" and by[names[-1]]["line"]["dash"] == "dash"
    band = [s for s in js["layout"]["shapes"] if s["type"] == "rect"]
    assert len(band) == 1
    # steps 40..60 are 60..40 steps back from T = 100: the band covers exactly those
    assert band[0]["x0"] == 100 - 60 - 0.5 and band[0]["x1"] == 100 - 40 + 0.5 and band[0]["xref"] == "x2"
    assert band[0]["fillcolor"] == rgba(COLORS["f"], 0.12)
    texts = [a["text"] for a in js["layout"]["annotations"]]
    assert any("held at 0 on steps 40–60" in t for t in texts) and "f = 0" in texts
    # the held gradient travels back in the animation; the free lines stay whole, as a reference
    assert all(f["traces"] == list(range(4)) for f in js["frames"])
    # the forget-gate product is exactly 0 before step 60 because f_60 = 0, not by an underflow
    prod = decode(by["LSTM forget gates f<sub>T</sub>·…·f<sub>t+1</sub>, mean over units"]["y"])
    assert np.all(np.isnan(prod[100 - 59:])) and not np.any(np.isnan(prod[:100 - 59]))
    note = " ".join(texts).replace("<br>", " ")
    assert "59 of 100 steps are exactly 0 (from 41 steps back on): the forget gate is held at 0 on steps" in note
    assert "then exactly 0<br>(f held at 0)" in texts and "underflow" not in note
    # plotly.py's full validation accepts the figure and changes nothing
    assert checked_json(fig) == js


# ---- through the page ---------------------------------------------------------------------------

@pytest.fixture
def at():
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.run()
    at.switch_page(PAGE)
    at.run()
    return at


def table(at):
    df = at.table[0].value
    return {col: list(df[col]) for col in df.columns}


@pytest.mark.parametrize("kind", ["f1", "f0", "i0", "1997"])
def test_page_shows_each_intervention(at, kind):
    at.radio(key=K + "clamp").set_value("f1").run()
    at.slider(key=K + "clamp_steps").set_value((30, 70)).run()
    at.radio(key=K + "clamp").set_value(kind).run()
    s = settings_of(at)
    assert s.clamp == kind and s.clamp_steps == (30, 70)
    fig, expected = assert_page_shows_core(at, s)     # the held LSTM and the free one, lstm_core's numbers
    clamp = clamp_spec(kind, s.clamp_steps, s.T)
    c = compute_gradient_curves(*BASE, clamp)
    rows = ("dc_in", "belt_factor_mean", "belt_out", "dc_out")
    assert table(at) == {"no gate held": [fmt_norm(c["free_across"][k]) for k in rows],
                         clamp_text(clamp): [fmt_norm(c["across"][k]) for k in rows]}
    text = " ".join(m.value for m in at.markdown)
    tex = "\n".join(x.value for x in at.latex)
    assert r"\frac{\partial L}{\partial C_{t-1}} = f_t * \frac{\partial L}{\partial C_t}" in tex
    assert at.slider(key=K + "clamp_steps").disabled == (kind == "1997")
    if kind == "1997":
        assert "1997" in text and "no forget gate" in text and "unchanged" in text
        assert clamp == ("f", 1.0, 1, 100)
    elif kind == "f1":
        assert "unchanged" in text and c["across"]["belt_out"] == c["across"]["dc_in"]
    elif kind == "f0":
        assert "nothing" in text and c["across"]["belt_out"] == 0.0
    else:
        assert "nothing is written" in text


def test_range_slider_ends_and_a_shorter_sequence(at):
    at.radio(key=K + "clamp").set_value("f0").run()
    for steps in [(1, 1), (100, 100), (1, 100)]:
        at.slider(key=K + "clamp_steps").set_value(steps).run()
        assert_page_shows_core(at, settings_of(at))
    at.slider(key=K + "clamp_steps").set_value((50, 90)).run()
    at.slider(key=K + "T").set_value(60).run()          # the held steps are cut to the sequence
    s = settings_of(at)
    assert s.clamp_steps == (50, 60) and at.slider(key=K + "clamp_steps").max == 60
    assert_page_shows_core(at, s)
    at.slider(key=K + "T").set_value(2).run()
    s = settings_of(at)
    assert s.clamp_steps == (2, 2)
    assert_page_shows_core(at, s)


def test_no_gate_held_shows_no_comparison(at):
    assert settings_of(at).clamp == "none"
    assert not at.table
    assert at.slider(key=K + "clamp_steps").disabled
    names = [t["name"] for t in figure_json(chart_elements(at)[0])["data"]]
    assert not any("no gate held" in n for n in names)
