"""Every gradient of the backward pass against central finite differences."""
import numpy as np
import pytest

from lstm_core import Clamp, LSTMParams, RNNParams, lstm_backward, lstm_forward, rnn_backward, rnn_forward
from lstm_core.losses import Readout, cross_entropy, mse, sum_final_h
from lstm_core.presets import random_lstm, random_rnn

pytestmark = pytest.mark.usefixtures("strict_numerics")
EPS = 1e-6


def numeric_grad(f, a):
    """Central differences of the scalar f() with respect to every entry of array a (in place)."""
    g = np.zeros_like(a)
    it = np.nditer(a, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = a[i]
        a[i] = old + EPS
        up = f()
        a[i] = old - EPS
        down = f()
        a[i] = old
        g[i] = (up - down) / (2 * EPS)
    return g


def close(analytic, numeric):
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def lstm_arrays(D=3, H=4, seed=1):
    p = random_lstm(D, H, seed=seed, scale=1.2, forget_bias=0.5)
    rng = np.random.default_rng(seed + 100)
    arrays = {k: np.array(v) for k, v in p.to_dict().items()}
    arrays["h0"] = rng.standard_normal(H) * 0.5
    arrays["c0"] = rng.standard_normal(H) * 0.5
    return arrays


@pytest.mark.parametrize("batched", [False, True])
def test_lstm_every_gradient_sum_loss(batched):
    arrays = lstm_arrays()
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 2, 3) if batched else (6, 3))

    def loss():
        tr = lstm_forward(LSTMParams(**arrays), x)
        return sum_final_h(tr.h[-1])[0]

    g = lstm_backward(lstm_forward(LSTMParams(**arrays), x))
    for k in ("W_f", "W_i", "W_c", "W_o", "b_f", "b_i", "b_c", "b_o"):
        close(getattr(g, "d" + k), numeric_grad(loss, arrays[k]))
    close(g.dh0.sum(axis=0), numeric_grad(loss, arrays["h0"]))
    close(g.dc0.sum(axis=0), numeric_grad(loss, arrays["c0"]))
    close(g.dx if batched else g.dx[:, 0], numeric_grad(loss, x))


def test_lstm_per_step_gradients_are_total_derivatives():
    """dL/dh_t and dL/dC_t: perturb the state at step t and rerun the steps after it.
    Perturbing C_t also changes h_t = o_t tanh(C_t): every path counts."""
    p = random_lstm(2, 3, seed=4, scale=1.5)
    x = np.random.default_rng(5).standard_normal((7, 2))
    tr = lstm_forward(p, x)
    g = lstm_backward(tr)

    def loss_from(t, h_t, c_t):
        if t + 1 == len(x):
            return float(np.sum(h_t))
        return float(np.sum(lstm_forward(p, x[t + 1:], h0=h_t, c0=c_t).h[-1]))

    for t in (0, 3, 6):
        h_t, c_t = tr.h[t, 0].copy(), tr.c[t, 0].copy()
        close(g.dh[t, 0], numeric_grad(lambda: loss_from(t, h_t, tr.c[t, 0]), h_t))
        close(g.dc[t, 0], numeric_grad(lambda: loss_from(t, tr.o[t, 0] * np.tanh(c_t), c_t), c_t))


@pytest.mark.parametrize("batched", [False, True])
def test_rnn_every_gradient(batched):
    p = random_rnn(2, 5, seed=3, scale=1.3)
    W, b, h0 = np.array(p.W), np.array(p.b) + 0.1, np.random.default_rng(0).standard_normal(5) * 0.3
    x = np.random.default_rng(1).standard_normal((8, 3, 2) if batched else (8, 2))

    def loss():
        return float(np.sum(rnn_forward(RNNParams(W, b, h0), x).h[-1]))

    g = rnn_backward(rnn_forward(RNNParams(W, b, h0), x))
    close(g.dW, numeric_grad(loss, W))
    close(g.db, numeric_grad(loss, b))
    close(g.dh0.sum(axis=0), numeric_grad(loss, h0))
    close(g.dx if batched else g.dx[:, 0], numeric_grad(loss, x))


@pytest.mark.parametrize("kind", ["mse", "cross_entropy"])
def test_readout_losses(kind):
    arrays = lstm_arrays(D=2, H=3, seed=9)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 4, 2))
    K = 1 if kind == "mse" else 3
    W_y, b_y = rng.standard_normal((K, 3)), rng.standard_normal(K)
    target = rng.standard_normal((4, 1)) if kind == "mse" else np.array([0, 2, 1, 2])
    fn = mse if kind == "mse" else cross_entropy

    def loss():
        tr = lstm_forward(LSTMParams(**arrays), x)
        return fn(Readout(W_y, b_y), tr.h[-1], target)[0]

    tr = lstm_forward(LSTMParams(**arrays), x)
    L, dh_T, dread, _ = fn(Readout(W_y, b_y), tr.h[-1], target)
    g = lstm_backward(tr, dh_T=dh_T)
    for k in ("W_f", "W_i", "W_c", "W_o", "b_f", "b_o"):
        close(getattr(g, "d" + k), numeric_grad(loss, arrays[k]))
    close(dread["dW_y"], numeric_grad(loss, W_y))
    close(dread["db_y"], numeric_grad(loss, b_y))


def test_clamped_gate_gradients():
    arrays = lstm_arrays(D=2, H=3, seed=11)
    x = np.random.default_rng(3).standard_normal((9, 2))
    clamps = (Clamp("f", 1.0, 2, 4), Clamp("i", 0.0, 3, 6), Clamp("f", 0.0, 8, 8), Clamp("o", 0.5, 1, 2))

    def loss():
        return float(np.sum(lstm_forward(LSTMParams(**arrays), x, clamps=clamps).h[-1]))

    tr = lstm_forward(LSTMParams(**arrays), x, clamps=clamps)
    g = lstm_backward(tr)
    for k in ("W_f", "W_i", "W_c", "W_o", "b_f", "b_i", "b_c", "b_o", "c0", "h0"):
        num = numeric_grad(loss, arrays[k])
        got = getattr(g, "d" + k) if k[0] in "Wb" else getattr(g, "d" + k)[0]
        close(got, num)
    close(g.dx[:, 0], numeric_grad(loss, x))
    # forget gate held at 0 on step 8: nothing before step 8 reaches C_8 through the belt
    assert np.all(tr.f[7] == 0.0)


def test_clamp_forget_one_and_input_zero_keeps_cell_constant():
    p = random_lstm(1, 3, seed=2)
    x = np.random.default_rng(0).standard_normal((50, 1))
    c0 = np.array([0.3, -0.7, 1.2])
    tr = lstm_forward(p, x, c0=c0, clamps=(Clamp("f", 1.0, 1, 50), Clamp("i", 0.0, 1, 50)))
    assert np.all(tr.c[:, 0, :] == c0)
    g = lstm_backward(tr)
    # along a belt with f = 1 and nothing written, dL/dC_t is the same at every step after it's set
    np.testing.assert_allclose(g.dc0[0], g.dc[0, 0] * 1.0)


@pytest.mark.parametrize("steps_per_block", [1, 2, 3, 7])
def test_backward_in_blocks_equals_backward_in_one_block(monkeypatch, steps_per_block):
    """lstm_backward works through the steps in blocks; where the blocks end changes nothing."""
    import lstm_core.backprop as bp

    p = random_lstm(2, 3, seed=8, scale=1.3)
    x = np.random.default_rng(4).standard_normal((10, 2, 2))
    clamps = (Clamp("f", 1.0, 3, 5), Clamp("i", 0.0, 6, 9))
    tr = lstm_forward(p, x, clamps=clamps)
    whole = lstm_backward(tr, clip_step=0.5)
    monkeypatch.setattr(bp, "CHUNK_VALUES", 4 * 3 * 2 * steps_per_block)
    blocks = lstm_backward(tr, clip_step=0.5)
    for k, v in whole.params().items():
        np.testing.assert_allclose(blocks.params()[k], v, rtol=1e-13, atol=1e-15, err_msg=k)
    for name in ("dx", "dh0", "dc0", "dh", "dc"):
        np.testing.assert_allclose(getattr(blocks, name), getattr(whole, name), rtol=1e-13, atol=1e-15, err_msg=name)
