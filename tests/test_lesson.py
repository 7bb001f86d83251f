"""The guided lesson's data and computations (ui/lesson.py) and its chart (figures/lesson.py):
seven steps in the story's order, and every revealed answer equal to an independent computation
(a hand formula, or lstm_core run step by step with lstm_step_forward / rnn_step_forward)."""
import math
import re

import numpy as np
import pytest

from figures.lesson import GUESS_NAME, steps_figure
from lstm_core import lstm_backward, lstm_forward, lstm_step_forward, rnn_backward, rnn_forward
from lstm_core.presets import PRESETS, random_lstm, random_rnn
from lstm_core.sequences import make_sequence
from tests.plotly_data import decode, figure_json
from ui import lesson as L

# The story of the seed article, in its order (see /work/shared/seed/README.md).
STORY = ("rnn", "belt", "forget", "input", "output", "sequence", "gradient")


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?=\s|$)", text.strip()))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# ---------------------------------------------------------------- the steps as data

def test_seven_steps_in_the_story_order():
    assert L.N_STEPS == 7
    assert L.STEP_KEYS == STORY
    titles = [s.title.lower() for s in L.STEPS]
    for words, title in zip((("rnn", "forget"), ("cell state", "belt"), ("forget",), ("input", "candidate"),
                             ("output",), ("sequence",), ("gradient",)), titles):
        assert all(w in title for w in words), (words, title)


@pytest.mark.parametrize("step", L.STEPS, ids=STORY)
def test_each_step_is_complete_and_short(step):
    assert 2 <= sentences(step.text) <= 5, step.text
    assert step.equations and all(eq.strip() for eq in step.equations)
    assert 1 <= len(step.controls) <= 2
    for c in step.controls:
        if c.options:
            assert c.default in c.options
        else:
            assert c.lo <= c.default <= c.hi and c.step > 0
    assert step.answer_kind in ("number", "choice")
    assert (step.answer_kind == "choice") == bool(step.choices)


def test_misconceptions_stated_where_they_belong():
    notes = {s.key: " ".join(t + " " + b for t, b in s.notes) for s in L.STEPS}
    forget, output = notes["forget"], notes["output"]
    assert "between 0 and 1" in forget and "−1, 0 and 1" in forget and "sigmoid" in forget
    assert "dot product" in forget and "H \\times (H + D)" in forget and "stacking" in forget
    assert "o_t = \\sigma(W_o\\,[h_{t-1}, x_t] + b_o)" in output and "h_t = o_t * \\tanh(C_t)" in output
    assert {k for k, v in notes.items() if v} == {"forget", "output"}
    # and the equations of every gate use the stacked vector times a matrix
    for s in L.STEPS[2:6]:
        assert any("[h_{t-1}, x_t]" in eq for eq in s.equations), s.key


def test_out_of_range_values_are_refused():
    with pytest.raises(ValueError, match="outside"):
        L.step_result("forget", {"f": 1.5, "c0": 1.0})
    with pytest.raises(ValueError, match="outside"):
        L.step_result("rnn", {"w": float("nan")})
    with pytest.raises(ValueError, match="not one of"):
        L.step_result("sequence", {"preset": "nonsense", "T": 20})


# ---------------------------------------------------------------- answers, independently

@pytest.mark.parametrize("w", [0.0, 0.3, 0.8, 1.0])
def test_rnn_answer_is_the_pulse_after_29_more_steps(w):
    r = L.step_result("rnn", {"w": w})
    h = math.tanh(2.0)                       # the pulse: u * x_1 = 2
    first = [h]
    for _ in range(L.RNN_FAR - 1):
        h = math.tanh(w * h)
        first.append(h)
    assert r["h1"] == pytest.approx(math.tanh(2.0), rel=1e-15)
    assert r["answer"] == pytest.approx(h, rel=1e-12, abs=1e-300)
    np.testing.assert_allclose(r["h"], first[:L.RNN_SHOW], rtol=1e-12)
    assert r["answer"] <= w ** (L.RNN_FAR - 1) * r["h1"] + 1e-300   # tanh only shrinks
    assert r["bound"] == pytest.approx(w ** (L.RNN_FAR - 1) * math.tanh(2.0), rel=1e-12)


def _latch_c(T: int) -> np.ndarray:
    p = PRESETS["latch"].params()
    h, c, out = np.zeros(1), np.zeros(1), []
    for t in range(T):
        s = lstm_step_forward(np.array([1.0 if t == L.BELT_PULSE - 1 else 0.0]), h, c, p)
        h, c = s["h"], s["c"]
        out.append(float(c[0]))
    return np.array(out)


@pytest.mark.parametrize("t", [1, L.BELT_PULSE, L.BELT_T])
def test_belt_answer_is_the_latch_at_step_100(t):
    r = L.step_result("belt", {"t": t})
    c = _latch_c(L.BELT_FAR)
    assert r["written"] == pytest.approx(c[L.BELT_PULSE - 1], rel=1e-12)
    assert r["answer"] == pytest.approx(c[-1], rel=1e-12)
    # by hand: the latch writes sigmoid(10) * tanh(3) and then keeps it with f = sigmoid(20)
    assert r["written"] == pytest.approx(sigmoid(10) * math.tanh(3), rel=1e-9)
    assert r["answer"] == pytest.approx(r["written"] * sigmoid(20) ** (L.BELT_FAR - L.BELT_PULSE), rel=1e-9)
    assert r["answer_index"] == 2 == L.belt_choice(c[-1] / c[L.BELT_PULSE - 1])
    assert r["belt"]["c"] == pytest.approx(c[t - 1], rel=1e-12)    # the belt shows step t


def test_belt_choice_bins():
    assert [L.belt_choice(r) for r in (0.0, 0.05, 0.1, 0.5, 0.89, 0.9, 1.0, 1.1, 1.2, 30.0, float("nan"))] == \
        [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 0]
    assert len(L.CHOICES_BELT) == 4


@pytest.mark.parametrize("f, c0", [(0.8, 1.0), (0.1, 1.0), (0.5, -2.0), (0.0, 1.5), (1.0, 0.7), (0.95, 2.0)])
def test_forget_answer_is_f_to_the_fifth_times_c0(f, c0):
    r = L.step_result("forget", {"f": f, "c0": c0})
    assert r["answer"] == pytest.approx(f ** 5 * c0, rel=1e-12, abs=0)
    np.testing.assert_allclose(r["c"], [f ** k * c0 for k in range(6)], rtol=1e-12, atol=0)
    assert r["belt"]["f"] == f and r["belt"]["c_prev"] == c0 and r["belt"]["i"] == 0.0
    if 0 < f < 1:
        assert sigmoid(r["z"]) == pytest.approx(f, rel=1e-12)
        assert "A sigmoid gives" in r["aside"]
    else:
        assert math.isinf(r["z"]) and "No finite" in r["aside"]


@pytest.mark.parametrize("i, x", [(0.5, 1.0), (1.0, -2.0), (0.0, 0.3), (0.25, 2.0)])
def test_input_answer_is_three_writes_added(i, x):
    r = L.step_result("input", {"i": i, "x": x})
    assert r["c_tilde"] == pytest.approx(math.tanh(x), rel=1e-15)
    assert r["c1"] == pytest.approx(i * math.tanh(x), rel=1e-15, abs=0)
    assert r["answer"] == pytest.approx(3 * i * math.tanh(x), rel=1e-12, abs=0)


@pytest.mark.parametrize("c, o", [(1.5, 0.5), (-3.0, 1.0), (0.2, 0.0), (3.0, 0.35)])
def test_output_answer_is_o_times_tanh_c(c, o):
    r = L.step_result("output", {"c": c, "o": o})
    assert r["answer"] == pytest.approx(o * math.tanh(c), rel=1e-12, abs=0)
    np.testing.assert_array_equal(r["h"][:L.OUTPUT_SHUT], 0.0)        # hidden while the gate is shut
    assert r["belt"]["c"] == c and r["belt"]["o"] == 0.0 and r["belt"]["h"] == 0.0


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("T", [10, 20, 50])
def test_sequence_answer_is_the_cell_run_step_by_step_over_2T(preset, T):
    r = L.step_result("sequence", {"preset": preset, "T": T})
    p = PRESETS[preset]
    params, x = p.params(), p.inputs(2 * T)
    h, c = params.h0, params.c0
    with np.errstate(under="ignore"):
        for t in range(2 * T):
            s = lstm_step_forward(x[t], h, c, params)
            h, c = s["h"], s["c"]
    assert r["answer"] == pytest.approx(float(c[0]), rel=1e-12, abs=1e-300)
    assert r["trace"].T == T and r["c_T"] == float(r["trace"].c[-1, 0, 0])


@pytest.mark.parametrize("T, bf", [(50, 3.0), (10, -2.0), (150, 6.0)])
def test_gradient_answer_is_the_rnn_over_2T(T, bf):
    r = L.step_result("gradient", {"T": T, "bf": bf})

    def lost(n):
        x = make_sequence("noise", n, 1, 0)
        g = rnn_backward(rnn_forward(random_rnn(1, L.GRAD_H, 0, 1.0, 1.0), x)).grad_h_norm()[:, 0]
        return math.log10(g[-1] / g[0])

    with np.errstate(under="ignore"):
        assert r["lost"] == pytest.approx(lost(T), rel=1e-9)
        assert r["answer"] == pytest.approx(lost(2 * T), rel=1e-9)
        x = make_sequence("noise", 2 * T, 1, 0)
        gc = lstm_backward(lstm_forward(random_lstm(1, L.GRAD_H, 0, 1.0, 1.0, bf), x)).grad_c_norm()[:, 0]
    assert r["lstm_lost"] == pytest.approx(math.log10(gc[-1] / gc[0]), rel=1e-9, abs=1e-9)
    assert r["answer"] > r["lost"] > 0          # twice the steps lose more


def test_powers_lost_handles_underflow():
    assert L.powers_lost([1e-5, 1.0]) == pytest.approx(5.0)
    assert L.powers_lost([0.0, 1.0]) == math.inf


@pytest.mark.parametrize("key", STORY)
def test_question_and_explanation_quote_the_computed_answer(key):
    r = L.step_result(key, L.step_defaults(key))
    assert "**" in r["question"] and r["explain"]
    if key == "gradient":
        assert f"{r['answer']:.1f}" in r["explain"]
    else:
        assert L.fmt_tex(r["answer"]) in r["explain"]


def test_verdict():
    r = {"answer": 0.32768, "rel_tol": 0.1, "abs_tol": 0.01}
    assert L.verdict(0.33, r)[0] and L.verdict(0.3, r)[0]
    close, text = L.verdict(0.0, r)
    assert not close and "too low" in text
    close, text = L.verdict(1.0, r)
    assert not close and "too high" in text
    assert L.verdict(0.005, {"answer": 0.0, "rel_tol": 0.1, "abs_tol": 0.01})[0]
    assert not L.verdict(1.0, {"answer": math.inf, "rel_tol": 0.1, "abs_tol": 0.01})[0]


# ---------------------------------------------------------------- the chart

def test_steps_figure_carries_the_values_and_the_guess(strict_numerics):
    c = np.array([1.0, 0.8, 0.64, 0.512, 0.4096, 0.32768])
    fig = figure_json(steps_figure(np.arange(6), c, "cell state C_t", "c", "C", "C<sub>t</sub>",
                                   guess=0.5, guess_t=5))
    line, guess = fig["data"]
    np.testing.assert_array_equal(decode(line["y"]), c)
    np.testing.assert_array_equal(decode(line["x"]), np.arange(6))
    assert guess["name"] == GUESS_NAME
    assert decode(guess["x"]).tolist() == [5.0] and decode(guess["y"]).tolist() == [0.5]
    assert fig["layout"]["yaxis"]["rangemode"] == "tozero"


def test_steps_figure_without_guess_and_with_marks(strict_numerics):
    r = L.step_result("rnn", {"w": 0.5})
    fig = figure_json(steps_figure(r["t"], r["h"], "RNN", "rnn", "h", "h", guess=float("nan"), guess_t=3,
                                   marks=((1, "the pulse"),), y_range=(-0.05, 1.05)))
    assert len(fig["data"]) == 1
    np.testing.assert_array_equal(decode(fig["data"][0]["y"]), r["h"])
    assert fig["layout"]["annotations"][0]["text"] == "the pulse"
    assert fig["layout"]["annotations"][0]["y"] == r["h"][0]
    with pytest.raises(ValueError):
        steps_figure([1, 2], [1.0], "x", "c", "x", "x")
