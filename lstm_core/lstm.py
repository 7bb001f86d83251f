"""The LSTM, written as the equations of the lesson.

    f_t  = sigmoid(W_f · [h_{t-1}, x_t] + b_f)        forget gate
    i_t  = sigmoid(W_i · [h_{t-1}, x_t] + b_i)        input gate
    C~_t = tanh   (W_c · [h_{t-1}, x_t] + b_c)        candidate
    o_t  = sigmoid(W_o · [h_{t-1}, x_t] + b_o)        output gate
    C_t  = f_t * C_{t-1} + i_t * C~_t                 cell state
    h_t  = o_t * tanh(C_t)                            hidden state

`lstm_step_forward` is one step, spelled out gate by gate: read it to learn the cell.
`lstm_forward` runs a whole (batch of) sequence(s) with the same arithmetic, the four gates
packed into one matrix product per step for speed, and records everything in an LSTMTrace.
"""
from __future__ import annotations

import numpy as np

from .activations import sigmoid, sigmoid_of_negated_unchecked, tanh
from .interventions import clamp_table
from .memory import empty_populated
from .params import LSTMParams, gate_slice
from .trace import LSTMTrace


def lstm_step_forward(x_t, h_prev, c_prev, params: LSTMParams) -> dict[str, np.ndarray]:
    """One LSTM step for one sequence.

    x_t: (D,), h_prev: (H,), c_prev: (H,). Returns a dict of (H,) arrays:
    z_f, z_i, z_c, z_o (pre-activations), f, i, c_tilde, o, c, h.
    """
    hx = np.concatenate([np.asarray(h_prev, np.float64), np.asarray(x_t, np.float64)])  # [h_{t-1}, x_t]
    p = params
    z_f = p.W_f @ hx + p.b_f
    z_i = p.W_i @ hx + p.b_i
    z_c = p.W_c @ hx + p.b_c
    z_o = p.W_o @ hx + p.b_o
    with np.errstate(under="ignore"):
        f = sigmoid(z_f)
        i = sigmoid(z_i)
        c_tilde = tanh(z_c)
        o = sigmoid(z_o)
        c = f * c_prev + i * c_tilde
        h = o * tanh(c)
    return dict(z_f=z_f, z_i=z_i, z_c=z_c, z_o=z_o, f=f, i=i, c_tilde=c_tilde, o=o, c=c, h=h)


def as_batch(x, input_size: int) -> tuple[np.ndarray, bool]:
    """Inputs (T, D) or (T, B, D) as a float64 (T, B, D) array, and whether a batch axis was given."""
    x = np.asarray(x, dtype=np.float64)
    batched = x.ndim == 3
    if x.ndim == 2:
        x = x[:, None, :]
    if x.ndim != 3 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"inputs must have shape (T, D) or (T, B, D) with T >= 1, not {x.shape}")
    if x.shape[2] != input_size:
        raise ValueError(f"inputs have {x.shape[2]} features per step, the model expects input_size = {input_size}")
    return x, batched


def initial_state(given, default: np.ndarray, B: int, name: str) -> np.ndarray:
    """An initial state of shape (B, H) from None (use default), (H,) or (B, H)."""
    s = default if given is None else np.asarray(given, dtype=np.float64)
    H = default.shape[0]
    if s.shape == (H,):
        return np.broadcast_to(s, (B, H)).copy()
    if s.shape == (B, H):
        return s.copy()
    raise ValueError(f"{name} must have shape ({H},) or ({B}, {H}), not {s.shape}")


def lstm_forward(params: LSTMParams, x, h0=None, c0=None, clamps=()) -> LSTMTrace:
    """Run the LSTM over x (T, D) or (T, B, D) and record every gate and state.

    h0, c0: optional (H,) or (B, H); default params.h0 / params.c0 (zeros unless given).
    clamps: Clamps (see interventions) holding gates at fixed values on chosen steps.

    One Python loop over time; units and batch are vectorised. The batch runs as columns:
    hx[t] is the (H + D + 1, B) stack [h_{t-1}; x_t; 1] of step t, and one matrix product
    [W | b] @ hx[t] gives all four gates' pre-activations. h_t is written straight into
    hx[t + 1], where the next step reads it, and each gate's block of rows is contiguous.
    The sigmoid gates' weight rows are negated once, so the product gives -z for them and
    sigmoid(z) = 1 / (1 + exp(-z)) needs no negation per step (the same numbers: negation is
    exact). The product goes to a small buffer that stays in the processor's cache (writing
    fresh memory straight from the matrix product was the slowest part of a long run); the
    activations read it and write the record. The record's memory is mapped before the loop
    (memory.empty_populated).
    """
    x, batched = as_batch(x, params.input_size)
    T, B, D = x.shape
    H = params.hidden_size
    h0 = initial_state(h0, params.h0, B, "h0")
    c0 = initial_state(c0, params.c0, B, "c0")
    clamps = tuple(clamps)
    held = {k: (gate_slice(k, H), v) for k, v in clamp_table(clamps, T).items()}
    sig, cand = slice(0, 3 * H), gate_slice("c", H)   # GATE_ORDER puts the sigmoid gates first
    sf, si, so = gate_slice("f", H), gate_slice("i", H), gate_slice("o", H)
    Wb = params.stacked().copy()                      # (4H, H + D + 1), gates in GATE_ORDER
    Wb[sig] *= -1.0                                   # the sigmoid gates' rows give -z (see below)

    hx = empty_populated((T + 1, H + D + 1, B))       # [h_{t-1}; x_t; 1] for t = 1..T (+ h_T)
    hx[0, :H] = h0.T
    hx[:T, H:H + D] = x.transpose(0, 2, 1)
    hx[:, H + D] = 1.0
    g = empty_populated((T, 4 * H, B))                # gates, packed in GATE_ORDER
    c = empty_populated((T, H, B))
    s = np.empty((4 * H, B))                          # this step's pre-activations, a buffer that stays in cache
    s_sig, s_cand = s[sig], s[cand]
    tmp = np.empty((H, B))
    c_prev = c0.T
    # underflow to 0 is the right answer; so is exp(-z) = inf for z < -709.78, where sigmoid(z) = 0
    with np.errstate(under="ignore", over="ignore"):
        for t in range(T):
            np.matmul(Wb, hx[t], out=s)               # W · [h_{t-1}, x_t] + b: -z for f, i, o; z for C~
            g_t = g[t]
            sigmoid_of_negated_unchecked(s_sig, out=g_t[sig])   # f_t, i_t, o_t = 1 / (1 + exp(-z)), recorded
            tanh(s_cand, out=g_t[cand])               # C~_t, recorded
            for rows, values in held.values():
                if values[t] == values[t]:            # not NaN: this gate is held on this step
                    g_t[rows] = values[t]
            f_t, i_t, o_t, cand_t = g_t[sf], g_t[si], g_t[so], g_t[cand]
            c_t = c[t]
            np.multiply(f_t, c_prev, out=c_t)                     # f_t * C_{t-1}
            np.multiply(i_t, cand_t, out=tmp)
            c_t += tmp                                            #  + i_t * C~_t
            tanh(c_t, out=tmp)
            np.multiply(o_t, tmp, out=hx[t + 1, :H])              # h_t = o_t * tanh(C_t)
            c_prev = c_t
    return LSTMTrace(params=params, x=x, gT=g, cT=c, hx=hx, h0=h0, c0=c0, clamps=clamps, batched=batched)
