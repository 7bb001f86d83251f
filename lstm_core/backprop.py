"""Exact backpropagation through time for the LSTM and the RNN.

Given dL/dh_T (and optionally dL/dh_t at every step), walk back from t = T to 1:

LSTM, with dh = dL/dh_t and dc_next = dL/dC_{t+1} * f_{t+1} carried back from step t+1:
    dC_t  = dc_next + dh * o_t * (1 - tanh(C_t)**2)       total dL/dC_t
    dz_o  = dh   * tanh(C_t) * o_t (1 - o_t)
    dz_f  = dC_t * C_{t-1}   * f_t (1 - f_t)
    dz_i  = dC_t * C~_t      * i_t (1 - i_t)
    dz_c  = dC_t * i_t       * (1 - C~_t**2)
    dh_{t-1} = W_h^T dz_t   (the h-columns of the four W's)     dC_{t-1} path: dC_t * f_t
    dW_g += dz_g ⊗ [h_{t-1}, x_t],   db_g += dz_g,   dx_t = W_x^T dz_t

Along the cell state the gradient is multiplied by f_t at each step and nothing else: that is
why it survives when the forget gate is near 1. The RNN's is multiplied by W^T diag(1 - h_t**2):

RNN:  dz_t = dh * (1 - h_t**2);  dh_{t-1} = W_h^T dz_t.

All per-step gradients are recorded: dh[t] = dL/dh_t, dc[t] = dL/dC_t (total derivatives).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid_grad_from_output, tanh_grad_from_output
from .interventions import clamp_table
from .params import GATE_ORDER, gate_slice
from .trace import LSTMTrace, RNNTrace


def norm_last_axis(a: np.ndarray) -> np.ndarray:
    """Euclidean norm over the last axis, scaled so that tiny values (1e-200) don't underflow."""
    with np.errstate(under="ignore"):
        m = np.max(np.abs(a), axis=-1, keepdims=True)
        safe = np.where(m > 0, m, 1.0)
        return (m * np.sqrt(np.sum((a / safe) ** 2, axis=-1, keepdims=True)))[..., 0]


def _clip_rows(dh: np.ndarray, max_norm: float | None) -> np.ndarray:
    """Rescale each sequence's dh (B, H) to norm max_norm where it is larger."""
    if max_norm is None:
        return dh
    n = norm_last_axis(dh)[:, None]
    return np.where(n > max_norm, dh * (max_norm / np.where(n > 0, n, 1.0)), dh)


@dataclass(frozen=True, eq=False)
class LSTMGrads:
    """Gradients of a loss for an LSTM run. Parameter gradients have the parameters' shapes."""

    dW_f: np.ndarray
    dW_i: np.ndarray
    dW_c: np.ndarray
    dW_o: np.ndarray
    db_f: np.ndarray
    db_i: np.ndarray
    db_c: np.ndarray
    db_o: np.ndarray
    dx: np.ndarray      # (T, B, D)  dL/dx_t
    dh0: np.ndarray     # (B, H)     dL/dh_0
    dc0: np.ndarray     # (B, H)     dL/dC_0
    dh: np.ndarray      # (T, B, H)  dL/dh_t, total
    dc: np.ndarray      # (T, B, H)  dL/dC_t, total
    dz: np.ndarray      # (T, B, 4H) dL/d(pre-activations), packed in GATE_ORDER

    def params(self) -> dict[str, np.ndarray]:
        """The parameter gradients, keyed dW_f ... db_o (as in param_grads.json)."""
        return {k: getattr(self, k) for k in
                ("dW_f", "dW_i", "dW_c", "dW_o", "db_f", "db_i", "db_c", "db_o")}

    def grad_h_norm(self) -> np.ndarray:   # (T, B)
        return norm_last_axis(self.dh)

    def grad_c_norm(self) -> np.ndarray:   # (T, B)
        return norm_last_axis(self.dc)


@dataclass(frozen=True, eq=False)
class RNNGrads:
    dW: np.ndarray      # (H, H + D)
    db: np.ndarray      # (H,)
    dx: np.ndarray      # (T, B, D)
    dh0: np.ndarray     # (B, H)
    dh: np.ndarray      # (T, B, H) dL/dh_t, total
    dz: np.ndarray      # (T, B, H)

    def params(self) -> dict[str, np.ndarray]:
        return {"dW": self.dW, "db": self.db}

    def grad_h_norm(self) -> np.ndarray:
        return norm_last_axis(self.dh)


def _final_grad(dh_T, shape):
    if dh_T is None:
        return np.ones(shape)          # L = sum of h_T
    dh_T = np.asarray(dh_T, dtype=np.float64)
    return np.broadcast_to(dh_T, shape).copy()


def lstm_backward(trace: LSTMTrace, dh_T=None, dc_T=None, dh_seq=None,
                  clip_step: float | None = None) -> LSTMGrads:
    """Backpropagation through time over a recorded LSTM run.

    dh_T:   (B, H) or (H,) dL/dh_T from the loss; default ones (L = sum of h_T).
    dc_T:   optional (B, H) dL/dC_T from outside (default 0).
    dh_seq: optional (T, B, H) extra dL/dh_t at every step (a loss on every output).
    clip_step: if given, dL/dh_t of each sequence is rescaled to this norm whenever it is
            larger, at every step, before it travels further back (clipping the message).
    With clamps in the trace, clamped gates pass no gradient to their pre-activations.
    """
    T, B, H = trace.h.shape
    W_h, W_x, _ = trace.params.packed()
    sf, si, so, sc = (gate_slice(g, H) for g in ("f", "i", "o", "c"))
    gates = trace.gates
    c_prev = trace.c_prev
    with np.errstate(under="ignore"):
        # Per-step local derivatives, all steps at once: M[t] holds, gate by gate, what dC_t
        # (or dh for the output gate) is multiplied by to give dz_t.
        M = np.empty_like(gates)                                       # (T, B, 4H)
        M[..., :3 * H] = sigmoid_grad_from_output(gates[..., :3 * H])  # f', i', o' (GATE_ORDER)
        for gate, values in clamp_table(trace.clamps, T).items():
            held = ~np.isnan(values)
            M[held, :, gate_slice(gate, H)] = 0.0                      # a held gate has no slope
        M[..., sf] *= c_prev
        M[..., si] *= trace.c_tilde
        M[..., so] *= trace.tanh_c
        M[..., sc] = trace.i * tanh_grad_from_output(trace.c_tilde)
        A = trace.o * tanh_grad_from_output(trace.tanh_c)              # dh_t -> dC_t
        f = trace.f

        dz = np.empty_like(gates)
        dh_all = np.empty((T, B, H))
        dc_all = np.empty((T, B, H))
        dh_next = _final_grad(dh_T, (B, H))
        dc_next = np.zeros((B, H)) if dc_T is None else _final_grad(dc_T, (B, H))
        for t in range(T - 1, -1, -1):
            dh = dh_next if dh_seq is None else dh_next + dh_seq[t]
            dh = _clip_rows(dh, clip_step)
            dh_all[t] = dh
            dC = dc_all[t]
            np.multiply(dh, A[t], out=dC)
            dC += dc_next                                              # total dL/dC_t
            dz_t = dz[t]
            np.multiply(M[t].reshape(B, 4, H), dC[:, None, :], out=dz_t.reshape(B, 4, H))
            np.multiply(M[t, :, so], dh, out=dz_t[:, so])              # output gate sees dh
            dh_next = dz_t @ W_h.T                                     # dL/dh_{t-1}
            dc_next = dC * f[t]                                        # dL/dC_{t-1} via the belt

        # Parameter gradients: sums over steps and batch, as two matrix products.
        flat = dz.reshape(T * B, 4 * H)
        dW_h = trace.h_prev.reshape(T * B, H).T @ flat                # (H, 4H)
        dW_x = trace.x.reshape(T * B, -1).T @ flat                    # (D, 4H)
        db = flat.sum(axis=0)
        dx = (flat @ W_x.T).reshape(T, B, -1)
    grads = {}
    for g in GATE_ORDER:
        s = gate_slice(g, H)
        grads[f"dW_{g}"] = np.concatenate([dW_h[:, s], dW_x[:, s]], axis=0).T   # (H, H+D)
        grads[f"db_{g}"] = db[s]
    return LSTMGrads(**grads, dx=dx, dh0=dh_next, dc0=dc_next, dh=dh_all, dc=dc_all, dz=dz)


def rnn_backward(trace: RNNTrace, dh_T=None, dh_seq=None, clip_step: float | None = None) -> RNNGrads:
    """Backpropagation through time over a recorded RNN run (arguments as lstm_backward)."""
    T, B, H = trace.h.shape
    W_h, W_x, _ = trace.params.packed()
    with np.errstate(under="ignore"):
        slope = tanh_grad_from_output(trace.h)                          # (T, B, H) tanh'(z_t)
        dz = np.empty((T, B, H))
        dh_all = np.empty((T, B, H))
        dh_next = _final_grad(dh_T, (B, H))
        for t in range(T - 1, -1, -1):
            dh = dh_next if dh_seq is None else dh_next + dh_seq[t]
            dh = _clip_rows(dh, clip_step)
            dh_all[t] = dh
            np.multiply(dh, slope[t], out=dz[t])
            dh_next = dz[t] @ W_h.T
        flat = dz.reshape(T * B, H)
        dW_h = trace.h_prev.reshape(T * B, H).T @ flat
        dW_x = trace.x.reshape(T * B, -1).T @ flat
        db = flat.sum(axis=0)
        dx = (flat @ W_x.T).reshape(T, B, -1)
    dW = np.concatenate([dW_h, dW_x], axis=0).T
    return RNNGrads(dW=dW, db=db, dx=dx, dh0=dh_next, dh=dh_all, dz=dz)


def backward(trace, **kw):
    """lstm_backward or rnn_backward, by the trace's model."""
    return lstm_backward(trace, **kw) if trace.model == "lstm" else rnn_backward(trace, **kw)


def clip_grad_norm(grads: dict[str, np.ndarray], max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients together so their global Euclidean norm is at most max_norm
    (as torch.nn.utils.clip_grad_norm_). Returns (clipped grads, norm before clipping)."""
    total = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    if total <= max_norm or total == 0.0:
        return dict(grads), total
    k = max_norm / total
    return {name: g * k for name, g in grads.items()}, total
