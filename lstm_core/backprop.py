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

from .activations import tanh_grad_from_output
from .interventions import clamp_table
from .params import GATE_ORDER, gate_slice
from .trace import LSTMTrace, RNNTrace


def norm_last_axis(a: np.ndarray) -> np.ndarray:
    """Euclidean norm over the last axis, scaled so that tiny values (1e-200) don't underflow."""
    with np.errstate(under="ignore"):
        m = np.max(np.abs(a), axis=-1, keepdims=True)
        safe = np.where(m > 0, m, 1.0)
        return (m * np.sqrt(np.sum((a / safe) ** 2, axis=-1, keepdims=True)))[..., 0]


def _clip_columns(dh: np.ndarray, max_norm: float | None) -> np.ndarray:
    """Rescale each sequence's dh (a column of the (H, B) array) to norm max_norm where larger."""
    if max_norm is None:
        return dh
    n = norm_last_axis(dh.T)
    over = n > max_norm
    if not over.any():
        return dh
    dh = dh.copy()
    dh[:, over] *= max_norm / n[over]
    return dh


def _bth(a: np.ndarray) -> np.ndarray:
    return a.transpose(0, 2, 1)


@dataclass(frozen=True, eq=False)
class LSTMGrads:
    """Gradients of a loss for an LSTM run. Parameter gradients have the parameters' shapes;
    per-step gradients are read as (T, B, H) through dh and dc (views of the stored columns)."""

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
    dhT: np.ndarray     # (T, H, B)  dL/dh_t, total
    dcT: np.ndarray     # (T, H, B)  dL/dC_t, total

    @property
    def dh(self) -> np.ndarray:   # (T, B, H)
        return _bth(self.dhT)

    @property
    def dc(self) -> np.ndarray:   # (T, B, H)
        return _bth(self.dcT)

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
    dhT: np.ndarray     # (T, H, B) dL/dh_t, total
    dzT: np.ndarray     # (T, H, B)

    @property
    def dh(self) -> np.ndarray:   # (T, B, H)
        return _bth(self.dhT)

    @property
    def dz(self) -> np.ndarray:
        return _bth(self.dzT)

    def params(self) -> dict[str, np.ndarray]:
        return {"dW": self.dW, "db": self.db}

    def grad_h_norm(self) -> np.ndarray:
        return norm_last_axis(self.dh)


def _final_grad(dh_T, B: int, H: int) -> np.ndarray:
    """dL/dh_T as (H, B) columns from None (ones: L = sum of h_T), (H,) or (B, H)."""
    if dh_T is None:
        return np.ones((H, B))
    return np.broadcast_to(np.asarray(dh_T, dtype=np.float64), (B, H)).T.copy()


def _previous(first: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """(T, H, B) of the value at t-1: `first` (B, H) at t = 1, then seq[:-1]."""
    return np.concatenate([first.T[None], seq[:-1]], axis=0)


def _weight_grads(dzT, prevT, x, W_x):
    """Sums over steps and batch: dW_h = sum dz_t h_{t-1}^T, dW_x = sum dz_t x_t^T, db, dx."""
    dW_h = np.tensordot(dzT, prevT, axes=([0, 2], [0, 2]))        # (K, H)
    dW_x = np.tensordot(dzT, x, axes=([0, 2], [0, 1]))            # (K, D)
    db = dzT.sum(axis=(0, 2))
    dx = np.matmul(W_x.T, dzT).transpose(0, 2, 1)                 # (T, B, D)
    return dW_h, dW_x, db, dx


CHUNK_VALUES = 1 << 15   # values in one block of per-step derivatives (256 KB: stays in cache)


def lstm_backward(trace: LSTMTrace, dh_T=None, dc_T=None, dh_seq=None,
                  clip_step: float | None = None) -> LSTMGrads:
    """Backpropagation through time over a recorded LSTM run.

    dh_T:   (B, H) or (H,) dL/dh_T from the loss; default ones (L = sum of h_T).
    dc_T:   optional (B, H) dL/dC_T from outside (default 0).
    dh_seq: optional (T, B, H) extra dL/dh_t at every step (a loss on every output).
    clip_step: if given, dL/dh_t of each sequence is rescaled to this norm whenever it is
            larger, at every step, before it travels further back (clipping the message).
    With clamps in the trace, clamped gates pass no gradient to their pre-activations.

    The steps are taken from T back to 1 in blocks. For a block, everything that does not
    depend on the gradient arriving from later steps (the gates' slopes, C_{t-1}, tanh(C_t))
    is combined for all its steps at once; then the loop over its steps does only what must
    be sequential; then the block's weight gradients are summed in one product. Blocks hold
    CHUNK_VALUES numbers, so they stay in the processor's cache at any size.
    """
    T, H, B = trace.hT.shape
    W_h, W_x, _ = trace.params.packed()                  # (4H, H), (4H, D)
    D = W_x.shape[1]
    sf, si, so, sc = (gate_slice(g, H) for g in ("f", "i", "o", "c"))
    sig = slice(0, 3 * H)                                # f, i, o: the sigmoid gates
    fic = slice(sf.start, sc.stop)                       # f, i, C~: multiplied by dC_t (GATE_ORDER)
    assert (sf.stop, si.stop) == (si.start, sc.start) and so.stop <= 3 * H, "GATE_ORDER changed"
    g, c, hx = trace.gT, trace.cT, trace.hx
    held = [(gate_slice(k, H), ~np.isnan(v)) for k, v in clamp_table(trace.clamps, T).items()]
    extra = None if dh_seq is None else np.asarray(dh_seq, dtype=np.float64).transpose(0, 2, 1)
    c0 = trace.c0.T
    K = max(1, min(T, CHUNK_VALUES // (4 * H * B)))      # steps per block

    dh_all = np.empty((T, H, B))
    dc_all = np.empty((T, H, B))
    dx = np.empty_like(trace.x)                          # (T, B, D)
    dWb = np.zeros((4 * H, H + D + 1))                   # [dW_h | dW_x | db], as params.stacked()
    M = np.empty((K, 4 * H, B))      # per step: dz_t = M[o] * dh, M[f, i, C~] * dC_t (gate by gate)
    A = np.empty((K, H, B))          # per step: dC_t gets A * dh from the output h_t = o_t tanh(C_t)
    dz = np.empty((K, 4 * H, B))     # dL/dz_t of the block's steps
    dh_next = _final_grad(dh_T, B, H)
    dc_next = np.zeros((H, B)) if dc_T is None else _final_grad(dc_T, B, H)
    with np.errstate(under="ignore"):
        for stop in range(T, 0, -K):
            start = max(0, stop - K)
            n = stop - start
            gb, Mb, Ab, dzb = g[start:stop], M[:n], A[:n], dz[:n]
            tc = np.tanh(c[start:stop])                                   # tanh(C_t)
            c_prev = c[start - 1:stop - 1] if start else np.concatenate([c0[None], c[:stop - 1]])
            np.multiply(tc, tc, out=Ab)
            np.subtract(1.0, Ab, out=Ab)
            Ab *= gb[:, so]                                               # o_t (1 - tanh(C_t)**2)
            np.subtract(1.0, gb[:, sig], out=Mb[:, sig])                  # s (1 - s) for f, i, o
            Mb[:, sig] *= gb[:, sig]
            for rows, when in held:
                Mb[when[start:stop], rows] = 0.0                          # a held gate has no slope
            Mb[:, so] *= tc                                               # dz_o = dh * tanh(C_t) o'
            Mb[:, sf] *= c_prev                                           # dz_f = dC * C_{t-1} f'
            Mb[:, si] *= gb[:, sc]                                        # dz_i = dC * C~_t i'
            np.multiply(gb[:, sc], gb[:, sc], out=Mb[:, sc])              # dz_c = dC * i_t (1 - C~_t**2)
            np.subtract(1.0, Mb[:, sc], out=Mb[:, sc])
            Mb[:, sc] *= gb[:, si]
            for t in range(stop - 1, start - 1, -1):
                k = t - start
                dh = dh_next if extra is None else dh_next + extra[t]
                dh = _clip_columns(dh, clip_step)
                dh_all[t] = dh
                dC = dc_all[t]                           # dC_t = dc_next + dh * o_t (1 - tanh(C_t)**2)
                np.multiply(dh, Ab[k], out=dC)
                dC += dc_next
                dz_t = dzb[k]
                np.multiply(Mb[k, so], dh, out=dz_t[so])
                np.multiply(Mb[k, fic].reshape(3, H, B), dC, out=dz_t[fic].reshape(3, H, B))
                dh_next = W_h.T @ dz_t                   # dL/dh_{t-1}
                dc_next = dC * gb[k, sf]                 # dL/dC_{t-1} along the belt: times f_t
            dWb += np.tensordot(dzb, hx[start:stop], axes=([0, 2], [0, 2]))   # sum dz_t [h_{t-1}, x_t, 1]^T
            dx[start:stop] = np.matmul(W_x.T, dzb).transpose(0, 2, 1)        # dL/dx_t
    grads = {}
    for gate in GATE_ORDER:
        s_ = gate_slice(gate, H)
        grads[f"dW_{gate}"] = dWb[s_, :H + D]            # (H, H+D)
        grads[f"db_{gate}"] = dWb[s_, H + D]
    return LSTMGrads(**grads, dx=dx, dh0=dh_next.T, dc0=dc_next.T, dhT=dh_all, dcT=dc_all)


def rnn_backward(trace: RNNTrace, dh_T=None, dh_seq=None, clip_step: float | None = None) -> RNNGrads:
    """Backpropagation through time over a recorded RNN run (arguments as lstm_backward)."""
    T, H, B = trace.hT.shape
    W_h, W_x, _ = trace.params.packed()
    extra = None if dh_seq is None else np.asarray(dh_seq, dtype=np.float64).transpose(0, 2, 1)
    with np.errstate(under="ignore"):
        slope = tanh_grad_from_output(trace.hT)                        # (T, H, B) tanh'(z_t)
        dz = np.empty((T, H, B))
        dh_all = np.empty((T, H, B))
        dh_next = _final_grad(dh_T, B, H)
        for t in range(T - 1, -1, -1):
            dh = dh_next if extra is None else dh_next + extra[t]
            dh = _clip_columns(dh, clip_step)
            dh_all[t] = dh
            np.multiply(dh, slope[t], out=dz[t])
            dh_next = W_h.T @ dz[t]
        dW_h, dW_x, db, dx = _weight_grads(dz, _previous(trace.h0, trace.hT), trace.x, W_x)
    return RNNGrads(dW=np.concatenate([dW_h, dW_x], axis=1), db=db, dx=dx, dh0=dh_next.T, dhT=dh_all, dzT=dz)


def forget_gate_product(f: np.ndarray) -> np.ndarray:
    """The factor the cell state alone applies to the gradient on its way back from step T.

    f: (T, H) forget gates f_1..f_T of one sequence (row 0 is step t = 1).
    Returns P (T, H) with P[t-1] = f_T * f_{T-1} * ... * f_{t+1}, unit by unit: the empty
    product 1 at t = T, f_T at t = T-1, and so on. Along the cell state ("the belt") the LSTM's
    backward pass is dL/dC_{t-1} = f_t * dL/dC_t + (paths through h_{t-1}), so the part of
    dL/dC_t that came along the belt alone from step T is P[t-1] * dL/dC_T.
    Products below 1e-308 underflow to 0 (that is the right answer in float64).
    """
    f = np.asarray(f, dtype=np.float64)
    P = np.ones_like(f)
    if f.shape[0] > 1:
        with np.errstate(under="ignore"):
            # reversed running product over f_T, f_{T-1}, ..., f_2, then back in time order
            P[:-1] = np.cumprod(f[:0:-1], axis=0)[::-1]
    return P


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
