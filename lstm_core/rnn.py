"""The vanilla RNN the lesson starts from:

    h_t = tanh(W · [h_{t-1}, x_t] + b)

Its one weight matrix multiplies the previous hidden state at every step; that repeated
product is why its gradient vanishes (or explodes) over long sequences.
"""
from __future__ import annotations

import numpy as np

from .activations import tanh
from .lstm import as_batch, initial_state
from .params import RNNParams
from .trace import RNNTrace


def rnn_step_forward(x_t, h_prev, params: RNNParams) -> dict[str, np.ndarray]:
    """One step for one sequence. x_t: (D,), h_prev: (H,). Returns z (H,) and h (H,)."""
    hx = np.concatenate([np.asarray(h_prev, np.float64), np.asarray(x_t, np.float64)])
    z = params.W @ hx + params.b
    return dict(z=z, h=tanh(z))


def rnn_forward(params: RNNParams, x, h0=None) -> RNNTrace:
    """Run the RNN over x (T, D) or (T, B, D) and record z_t and h_t at every step."""
    x, batched = as_batch(x, params.input_size)
    T, B, D = x.shape
    H = params.hidden_size
    W_h, W_x, b = params.packed()                      # (H, H), (H, D), (H,)
    h0 = initial_state(h0, params.h0, B, "h0")
    with np.errstate(under="ignore"):
        z = np.ascontiguousarray(np.matmul(W_x, x.transpose(0, 2, 1)))   # (T, H, B)
        z += b[:, None]
        h = np.empty((T, H, B))
        h_prev = h0.T
        for t in range(T):
            z[t] += W_h @ h_prev
            tanh(z[t], out=h[t])
            h_prev = h[t]
    return RNNTrace(params=params, x=x, zT=z, hT=h, h0=h0, batched=batched)
