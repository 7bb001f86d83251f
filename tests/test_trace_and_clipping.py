"""Traces as tables, and the two kinds of gradient clipping."""
import numpy as np
import pytest

from lstm_core import clip_grad_norm, lstm_backward, lstm_forward, rnn_backward, rnn_forward, to_dataframe
from lstm_core.presets import random_lstm, random_rnn

pytestmark = pytest.mark.usefixtures("strict_numerics")


def test_dataframe_of_one_sequence():
    p = random_lstm(2, 3, seed=1)
    x = np.random.default_rng(0).standard_normal((5, 2))
    tr = lstm_forward(p, x)
    df = to_dataframe(tr)
    assert list(df.columns) == ["t", "unit", "forget_gate", "input_gate", "candidate", "output_gate",
                                "cell_state", "hidden_state"]
    assert len(df) == 5 * 3
    assert df["t"].tolist() == [t for t in range(1, 6) for _ in range(3)]
    assert df["unit"].tolist() == [0, 1, 2] * 5
    np.testing.assert_array_equal(df["hidden_state"].to_numpy(), tr.h[:, 0, :].reshape(-1))
    np.testing.assert_array_equal(df["forget_gate"].to_numpy(), tr.f[:, 0, :].reshape(-1))


def test_dataframe_of_a_batch_with_extras():
    p = random_lstm(2, 2, seed=1)
    x = np.random.default_rng(0).standard_normal((4, 3, 2))
    tr = lstm_forward(p, x)
    df = to_dataframe(tr, extra=True)
    assert len(df) == 3 * 4 * 2
    assert {"sequence", "x1", "x2", "z_f", "z_i", "z_c", "z_o"} <= set(df.columns)
    for b in range(3):
        part = df[df["sequence"] == b]
        np.testing.assert_array_equal(part["cell_state"].to_numpy(), tr.c[:, b, :].reshape(-1))
        np.testing.assert_array_equal(part["x2"].to_numpy(), np.repeat(x[:, b, 1], 2))
        # the recorded pre-activation is W_f · [h_{t-1}, x_t] + b_f, recomputed by hand here
        hx = np.concatenate([tr.h_prev[:, b, :], x[:, b, :]], axis=1)
        np.testing.assert_allclose(part["z_f"].to_numpy(), (hx @ p.W_f.T + p.b_f).reshape(-1), rtol=1e-13, atol=1e-14)
    rnn = rnn_forward(random_rnn(2, 2, seed=3), x)
    assert list(to_dataframe(rnn).columns) == ["t", "unit", "hidden_state", "sequence"]


def test_clipping_the_backward_message_caps_every_step():
    p = random_rnn(1, 16, seed=0, scale=3.5, input_scale=0.01)
    x = np.random.default_rng(0).standard_normal((60, 1))
    tr = rnn_forward(p, x)
    free = rnn_backward(tr).grad_h_norm()[:, 0]
    assert free[0] > 1e6 * free[-1]                     # the exploding case
    clipped = rnn_backward(tr, clip_step=10.0).grad_h_norm()[:, 0]
    assert np.all(clipped <= 10.0 * (1 + 1e-12))
    assert np.isclose(clipped.max(), 10.0)
    np.testing.assert_allclose(clipped[free <= 10.0][-1:], free[free <= 10.0][-1:])   # below the cap: untouched
    lstm = lstm_forward(random_lstm(1, 4, seed=1, scale=3.0), x)
    capped = lstm_backward(lstm, dh_T=np.full(4, 100.0), clip_step=1.0).grad_h_norm()[:, 0]
    assert np.all(capped <= 1.0 * (1 + 1e-12))


def test_clip_grad_norm_scales_all_gradients_together():
    g = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0, 4.0]])}
    clipped, total = clip_grad_norm(g, 1.0)
    assert total == 5.0
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0])
    np.testing.assert_allclose(clipped["b"], [[0.0, 0.8]])
    same, total = clip_grad_norm(g, 10.0)
    assert total == 5.0 and same["a"] is g["a"]
