"""figures.gradients and ui.cache_gradient: the figure carries lstm_core's gradient norms exactly,
zeros (underflow) stay off the log axis, the animation reveals the gradient backwards in order,
and the equations the page shows hold for lstm_core's numbers."""
import json

import numpy as np
import pytest

from figures.gradients import (FRAME_POINT_BUDGET, MIN_FRAMES, dropped_notes, fmt_norm, frame_steps,
                               gradient_figure, log_safe, steps_back)
from lstm_core import lstm_backward, lstm_forward, rnn_backward, rnn_forward
from lstm_core.presets import random_lstm, random_rnn
from lstm_core.sequences import make_sequence
from tests.plotly_data import checked_json, decode, figure_json
from lstm_core.backprop import forget_gate_product
from ui.cache_gradient import SCENARIOS, Settings, compute_gradient_curves, per_step_factor


def core_norms(T=100, H=16, scale=1.0, input_scale=1.0, forget_bias=3.0, kind="noise", seed=0, clip=None):
    """The norms straight from lstm_core, as a reader of the page would compute them."""
    x = make_sequence(kind, T, 1, seed)
    lt = lstm_forward(random_lstm(1, H, seed, scale, input_scale, forget_bias), x)
    rt = rnn_forward(random_rnn(1, H, seed, scale, input_scale), x)
    lg, rg = lstm_backward(lt), rnn_backward(rt)
    out = dict(rnn_h=rg.grad_h_norm()[:, 0], lstm_h=lg.grad_h_norm()[:, 0], lstm_c=lg.grad_c_norm()[:, 0],
               f=lt.f[:, 0, :], lstm_trace=lt, rnn_trace=rt, lstm_grads=lg, rnn_grads=rg)
    if clip is not None:
        out["rnn_h_clipped"] = rnn_backward(rt, clip_step=clip).grad_h_norm()[:, 0]
    return out


def hand_forget_product(f):
    """f_T * ... * f_{t+1} for every t, by a plain loop."""
    T, H = f.shape
    P = np.ones((T, H))
    for t in range(T - 2, -1, -1):
        P[t] = P[t + 1] * f[t + 1]
    return P


def series(fig):
    """name -> (x, y, customdata) of each trace, decoded from the figure's JSON."""
    out = {}
    for tr in figure_json(fig)["data"]:
        out[tr["name"]] = (decode(tr["x"]), decode(tr["y"]), decode(tr["customdata"]))
    return out


def same_with_gaps(drawn, values):
    """drawn equals values exactly where values is drawable, and is NaN where it is not."""
    ok = np.isfinite(values) & (values > 0)
    return np.array_equal(drawn[ok], values[ok]) and bool(np.all(np.isnan(drawn[~ok])))


def figure_for(c, clip=None):
    return gradient_figure(c["rnn_h"], c["lstm_h"], c["lstm_c"], forget_gate_product(c["f"]).mean(axis=1),
                           c.get("rnn_h_clipped"), clip)


def test_figure_carries_core_norms_exactly(strict_numerics):
    c = core_norms()
    fig = figure_for(c)
    data = figure_json(fig)["data"]
    assert [tr["name"] for tr in data][:4] == ["RNN ‖dL/dh<sub>t</sub>‖", "LSTM ‖dL/dh<sub>t</sub>‖",
                                               "LSTM ‖dL/dC<sub>t</sub>‖",
                                               "LSTM forget gates f<sub>T</sub>·…·f<sub>t+1</sub>, mean over units"]
    expected = [c["rnn_h"], c["lstm_h"], c["lstm_c"], hand_forget_product(c["f"]).mean(axis=1)]
    for tr, values in zip(data, expected):
        x, y, t = decode(tr["x"]), decode(tr["y"]), decode(tr["customdata"])
        assert y.dtype == np.float64
        np.testing.assert_array_equal(x, np.arange(100))            # steps back
        np.testing.assert_array_equal(t, 100 - np.arange(100))      # the step t
        if "forget" in tr["name"]:
            np.testing.assert_allclose(y, values[::-1], rtol=1e-12)  # same products, other order
        else:
            np.testing.assert_array_equal(y, values[::-1])          # bit for bit
    # the loss L = sum of h_T: dL/dh_T is all ones, norm sqrt(H), at 0 steps back
    assert decode(data[0]["y"])[0] == decode(data[1]["y"])[0] == 4.0
    layout = figure_json(fig)["layout"]
    assert layout["yaxis"]["type"] == "log" and layout["yaxis2"]["type"] == "log"
    assert layout["xaxis"]["range"][0] > layout["xaxis"]["range"][1]  # reversed: step T at the right


def test_reference_case_gradients_match_core():
    """lstm_core's grad_h_norm / grad_c_norm, which the page plots, against the reference files."""
    import os

    from lstm_core.formats import inputs_from_csv, params_from_json
    root = os.path.join(os.path.dirname(__file__), "fixtures", "reference-cases")
    for case in ("case01_lstm_D2_H1_T27", "case02_rnn_D1_H2_T27"):
        d = os.path.join(root, case)
        params = params_from_json(open(os.path.join(d, "weights.json")).read())
        x, _ = inputs_from_csv(open(os.path.join(d, "inputs.csv")).read(), params.input_size)
        ref = np.genfromtxt(os.path.join(d, "gradients.csv"), delimiter=",", names=True)
        if params.model == "lstm":
            g = lstm_backward(lstm_forward(params, x))
            np.testing.assert_allclose(g.grad_c_norm()[:, 0], ref["grad_c_norm"], rtol=1e-9)
        else:
            g = rnn_backward(rnn_forward(params, x))
        np.testing.assert_allclose(g.grad_h_norm()[:, 0], ref["grad_h_norm"], rtol=1e-9)


def test_forget_gate_product_by_hand(strict_numerics):
    f = np.array([[0.5, 0.9], [0.25, 0.8], [0.5, 1.0], [0.1, 0.5]])
    P = forget_gate_product(f)
    # P[t-1] = f_T ... f_{t+1}; T = 4
    np.testing.assert_array_equal(P, [[0.25 * 0.5 * 0.1, 0.8 * 1.0 * 0.5],
                                      [0.5 * 0.1, 1.0 * 0.5],
                                      [0.1, 0.5],
                                      [1.0, 1.0]])
    assert forget_gate_product(f[:1]).tolist() == [[1.0, 1.0]]
    # long products underflow to 0 quietly, as they should
    tiny = forget_gate_product(np.full((400, 1), 0.01))
    assert tiny[0, 0] == 0.0 and tiny[-2, 0] == 0.01


def test_forget_product_is_the_belt_factor(strict_numerics):
    """With no gradient arriving through h (o_t = 0 exactly, held by a clamp) the LSTM's dL/dC_t is
    exactly the forget-gate product times dL/dC_T: the dotted line is the belt."""
    from lstm_core import Clamp
    T = 30
    params = random_lstm(1, 3, seed=4, forget_bias=2.0)
    x = make_sequence("noise", T, 1, 4)
    trace = lstm_forward(params, x, clamps=(Clamp("o", 0.0, 1, T),))
    dc_T = np.array([1.0, -2.0, 0.5])
    g = lstm_backward(trace, dh_T=np.zeros(3), dc_T=dc_T)
    P = forget_gate_product(trace.f[:, 0, :])
    np.testing.assert_allclose(g.dc[:, 0, :], P * dc_T, rtol=1e-13, atol=0)


def test_rnn_equation_on_the_page_holds(strict_numerics):
    """dL/dh_{t-1} = W_h^T diag(1 - h_t^2) dL/dh_t, and the bound with sigma_max, for core's numbers."""
    c = core_norms(T=40, H=8, scale=1.5)
    rt, rg = c["rnn_trace"], c["rnn_grads"]
    H = 8
    W_h = rt.params.W[:, :H]
    sigma = np.linalg.norm(W_h, 2)
    for t in range(39, 0, -1):
        slope = 1 - rt.h[t, 0] ** 2
        np.testing.assert_allclose(rg.dh[t - 1, 0], W_h.T @ (slope * rg.dh[t, 0]), rtol=1e-10, atol=1e-300)
        assert np.linalg.norm(rg.dh[t - 1, 0]) <= sigma * slope.max() * np.linalg.norm(rg.dh[t, 0]) * (1 + 1e-12)


def test_lstm_equation_on_the_page_holds(strict_numerics):
    """dL/dC_{t-1} = f_t * dL/dC_t + o_{t-1} * (1 - tanh^2 C_{t-1}) * dL/dh_{t-1}, for core's numbers."""
    c = core_norms(T=40, H=5)
    lt, lg = c["lstm_trace"], c["lstm_grads"]
    for t in range(39, 0, -1):
        rhs = lt.f[t, 0] * lg.dc[t, 0] + lt.o[t - 1, 0] * (1 - np.tanh(lt.c[t - 1, 0]) ** 2) * lg.dh[t - 1, 0]
        np.testing.assert_allclose(lg.dc[t - 1, 0], rhs, rtol=1e-12, atol=1e-300)


def test_zero_and_overflow_handling(strict_numerics):
    T = 6
    rnn_h = np.array([0.0, 0.0, 1e-300, 1e-10, 1.0, 2.0])       # time order: underflowed at t = 1, 2
    lstm_h = np.array([np.inf, 5.0, 4.0, 3.0, 2.0, 1.0])         # overflowed at t = 1
    lstm_c = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    prod = np.array([5e-324, 1e-3, 1e-2, 0.1, 0.5, 1.0])
    fig = gradient_figure(rnn_h, lstm_h, lstm_c, prod)
    s = series(fig)
    y = s["RNN ‖dL/dh<sub>t</sub>‖"][1]
    assert np.isnan(y[-2:]).all() and np.array_equal(y[:-2], rnn_h[::-1][:-2])
    y = s["LSTM ‖dL/dh<sub>t</sub>‖"][1]
    assert np.isnan(y[-1]) and np.array_equal(y[:-1], lstm_h[::-1][:-1])
    y = s["LSTM forget gates f<sub>T</sub>·…·f<sub>t+1</sub>, mean over units"][1]
    assert y[-1] == 5e-324                                       # subnormal but not 0: drawn
    layout = figure_json(fig)["layout"]
    assert all(np.isfinite(layout["yaxis"]["range"]))
    assert layout["yaxis"]["range"][0] < np.log10(5e-324) and layout["yaxis"]["range"][1] > np.log10(5.0)
    text = " ".join(a["text"] for a in layout["annotations"])
    assert "2 of 6 steps are exactly 0 (from 4 steps back on)" in text and "underflow" in text
    assert "1 steps overflowed" in text
    # the underflow marker points at the last drawn value (3 steps back, 1e-300), in log10 units
    marker = [a for a in layout["annotations"] if a["text"].startswith("then exactly 0")]
    assert len(marker) == 1 and marker[0]["x"] == 3 and marker[0]["y"] == pytest.approx(-300)
    notes = dropped_notes({"rnn_h": rnn_h, "lstm_h": lstm_h, "lstm_c": lstm_c, "forget_product": prod})
    assert len(notes) == 2 and notes[0].startswith("RNN ‖dL/dh_t‖: 2 of 6")
    np.testing.assert_array_equal(log_safe([0.0, -1.0, np.nan, np.inf, 3.0])[:4], [np.nan] * 4)
    assert fmt_norm(0.0) == "0 (underflow)" and fmt_norm(np.inf) == "overflow" and fmt_norm(3.53e-21) == "3.53e-21"
    assert steps_back(np.arange(T)).tolist() == [5, 4, 3, 2, 1, 0]


def test_real_underflow_from_core_is_left_out():
    """T = 500 with a small recurrent scale: the RNN's gradient underflows to exactly 0 in lstm_core,
    and the figure leaves exactly those steps out."""
    c = core_norms(T=500, scale=0.1)
    assert (c["rnn_h"] == 0).sum() > 100                         # the scenario really underflows
    s = series(figure_for(c))
    x, y, _ = s["RNN ‖dL/dh<sub>t</sub>‖"]
    assert same_with_gaps(y, c["rnn_h"][::-1])
    assert np.isnan(y).sum() == (c["rnn_h"] == 0).sum()


def test_frames_reveal_the_gradient_backwards_in_order(strict_numerics):
    c = core_norms()
    fig = figure_for(c)
    js = figure_json(fig)
    data, frames = js["data"], js["frames"]
    ks = [int(f["name"]) for f in frames]
    assert ks == frame_steps(100, 4).tolist()
    assert ks[0] == 0 and ks[-1] == 99 and all(a < b for a, b in zip(ks, ks[1:]))
    for frame, k in zip(frames, ks):
        assert frame["traces"] == [0, 1, 2, 3]
        for tr, fr in zip(data, frame["data"]):
            y = decode(fr["y"])
            assert set(fr) == {"type", "y"}                      # only the y values change
            assert y.shape == (k + 1,)                           # steps T, T-1, ..., T-k
            np.testing.assert_array_equal(y, decode(tr["y"])[:k + 1])
    # the frame at k = 0 shows only step T: 4 = sqrt(16) for both models
    assert decode(frames[0]["data"][0]["y"]).tolist() == [4.0]
    # slider steps go to the frames in the same order; it starts at the full curve
    slider = js["layout"]["sliders"][0]
    assert [s["args"][0][0] for s in slider["steps"]] == [str(k) for k in ks]
    assert slider["active"] == len(ks) - 1
    buttons = js["layout"]["updatemenus"][0]["buttons"]
    assert buttons[0]["method"] == "animate" and buttons[0]["args"][0] is None
    assert not buttons[0]["args"][1]["frame"]["redraw"]


def test_frame_steps_and_payload():
    for T in (1, 2, 3, 7, 50, 100, 333, 500):
        for n in (4, 5):
            ks = frame_steps(T, n)
            assert ks[0] == 0 and ks[-1] == T - 1 and np.all(np.diff(ks) > 0)
            assert n * int(np.sum(ks + 1)) <= FRAME_POINT_BUDGET or len(ks) <= MIN_FRAMES + 1
            assert len(ks) >= min(T, MIN_FRAMES)
    assert len(frame_steps(50, 4)) == 50                          # short sequences: every step
    s = Settings()
    c = compute_gradient_curves(s.T, s.hidden_size, s.scale, s.input_scale, s.forget_bias, s.sequence, s.seed, None)
    fig = gradient_figure(c["rnn_h"], c["lstm_h"], c["lstm_c"], c["forget_product_mean"])
    assert len(fig.to_json()) < 300_000
    assert len(fig.frames) == 34
    no_anim = gradient_figure(c["rnn_h"], c["lstm_h"], c["lstm_c"], c["forget_product_mean"], animate=False)
    assert not no_anim.frames and "sliders" not in figure_json(no_anim)["layout"]


def test_clipped_curve_and_clip_line(strict_numerics):
    c = core_norms(scale=3.5, input_scale=0.01, clip=10.0)
    fig = figure_for(c, clip=10.0)
    s = series(fig)
    clipped = s["RNN ‖dL/dh<sub>t</sub>‖, clipped at 10"][1]
    np.testing.assert_array_equal(clipped, c["rnn_h_clipped"][::-1])
    assert clipped.max() <= 10.0 * (1 + 1e-12)
    unclipped = s["RNN ‖dL/dh<sub>t</sub>‖"][1]
    assert unclipped[-1] / unclipped[0] > 1e10                    # it explodes without clipping
    layout = figure_json(fig)["layout"]
    assert layout["shapes"][0]["y0"] == 10.0
    assert [f["traces"] for f in figure_json(fig)["frames"]][0] == [0, 1, 2, 3, 4]


def test_compute_gradient_curves_matches_core():
    c = compute_gradient_curves(60, 7, 1.3, 0.5, 2.0, "sine", 3, 5.0)
    ref = core_norms(T=60, H=7, scale=1.3, input_scale=0.5, forget_bias=2.0, kind="sine", seed=3, clip=5.0)
    for key in ("rnn_h", "lstm_h", "lstm_c", "rnn_h_clipped"):
        np.testing.assert_array_equal(c[key], ref[key])
    P = hand_forget_product(ref["f"])
    np.testing.assert_allclose(c["forget_product_mean"], P.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(c["forget_product_min"], P.min(axis=1), rtol=1e-12)
    assert c["rnn_sigma_max"] == pytest.approx(np.linalg.svd(ref["rnn_trace"].params.W[:, :7])[1][0])
    assert c["lstm_f_mean"] == pytest.approx(ref["f"].mean())
    assert c["finite"]
    f = per_step_factor(ref["rnn_h"])
    assert f == pytest.approx((ref["rnn_h"][0] / ref["rnn_h"][-1]) ** (1 / 59))
    assert per_step_factor(np.array([0.0, 1.0])) is None and per_step_factor(np.array([2.0])) is None


def test_extreme_settings_compute_cleanly(strict_numerics):
    """The page's slider ends give finite numbers, and strict numerics never trip."""
    for args in [(500, 64, 4.0, 2.0, 8.0, "noise", 0, 0.5), (500, 64, 0.1, 0.001, -4.0, "pulse", 9999, 1000.0),
                 (2, 1, 4.0, 0.001, 8.0, "cue", 0, 0.5), (500, 1, 4.0, 0.001, -4.0, "step", 5, 10.0)]:
        c = compute_gradient_curves(*args)
        assert c["finite"]
        fig = gradient_figure(c["rnn_h"], c["lstm_h"], c["lstm_c"], c["forget_product_mean"],
                              c["rnn_h_clipped"], c["clip_value"])
        json.loads(fig.to_json())


# ---- each scenario shows what it claims -------------------------------------------------------

def scenario_curves(label):
    s = next(sc for sc in SCENARIOS if sc.label == label).settings
    return s, compute_gradient_curves(s.T, s.hidden_size, s.scale, s.input_scale, s.forget_bias, s.sequence,
                                      s.seed, s.clip_value if s.clip else None)


def test_scenario_vanishing_default():
    s, c = scenario_curves("Vanishing (default)")
    assert s == Settings()
    assert c["rnn_h"][0] / c["rnn_h"][-1] < 1e-18                  # about 20 orders of magnitude
    assert 0.1 < c["lstm_c"][0] / c["lstm_c"][-1] < 10              # of order 1


def test_scenario_forget_gate_half_shut():
    _, c = scenario_curves("Forget gate half shut")
    assert 0.4 < c["lstm_f_mean"] < 0.6
    assert c["lstm_c"][0] / c["lstm_c"][-1] < 1e-15                 # the LSTM vanishes too
    assert c["forget_product_mean"][0] < 1e-20


def test_scenario_long_memory():
    s, c = scenario_curves("Long memory, 500 steps")
    assert s.T == 500 and c["lstm_f_mean"] > 0.99
    assert c["lstm_c"][0] / c["lstm_c"][-1] > 1e-2
    assert c["rnn_h"][0] < 1e-100


def test_scenario_exploding_and_clipped():
    _, c = scenario_curves("Exploding RNN")
    assert c["rnn_h"][0] / c["rnn_h"][-1] > 1e10
    assert per_step_factor(c["rnn_h"]) > 1
    s, c = scenario_curves("Exploding RNN, clipped")
    assert s.clip and s.clip_value == 10.0
    assert c["rnn_h"][0] / c["rnn_h"][-1] > 1e10
    assert c["rnn_h_clipped"].max() <= 10.0 * (1 + 1e-12)
    assert c["rnn_h_clipped"].max() > 9.99                          # and the cap is actually reached


def test_full_validation_accepts_the_figure_and_changes_nothing():
    """The figure is built without plotly.py's validation (for speed); validating it must accept
    every property and change nothing that is sent, for each shape the page makes."""
    import plotly.graph_objects as go
    from _plotly_utils.utils import to_typed_array_spec

    from figures.gradients import typed_array
    cases = [(100, 16, 1.0, 1.0, 3.0, "noise", 0, None, None),
             (100, 16, 3.5, 0.01, 3.0, "noise", 0, 10.0, None),
             (500, 64, 0.1, 0.001, -4.0, "pulse", 9, 1000.0, ("f", 0.0, 1, 500)),
             (2, 1, 4.0, 2.0, 8.0, "cue", 3, 0.5, ("i", 0.0, 2, 2)),
             (60, 7, 1.3, 0.5, 0.0, "sine", 3, None, ("f", 1.0, 1, 60))]
    for *args, clamp in cases:
        c = compute_gradient_curves(*args, clamp)
        fig = gradient_figure(c["rnn_h"], c["lstm_h"], c["lstm_c"], c["forget_product_mean"], c["rnn_h_clipped"],
                              c["clip_value"], free=c["free"], held=c["clamp"])
        sent = figure_json(fig)
        assert checked_json(fig) == sent
        assert checked_json(sent) == sent
        assert len(sent["frames"]) == len(fig.frames) >= 2
    for a in (np.array([1.5]), np.array([np.nan, 1e-300, 0.0, 5e-324]), np.linspace(0, 1, 101)):
        assert typed_array(a) == to_typed_array_spec(a)
