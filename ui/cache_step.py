"""Cached computations for page 1 (one step of the cell). Hashable primitives in, tuples out."""
from __future__ import annotations

import numpy as np
import streamlit as st

from lstm_core import LSTMParams, lstm_step_forward
from lstm_core.activations import tanh

GATES = ("f", "i", "c", "o")


@st.cache_data(max_entries=512, show_spinner=False)
def lstm_step(W: tuple, b: tuple, x: tuple, h_prev: tuple, c_prev: tuple) -> dict[str, tuple]:
    """One LSTM step by lstm_core.lstm_step_forward (float64).

    W: four tuples (gates f, i, c, o), each H rows of H + D floats (h_{t-1} columns first);
    b: four tuples of H floats; x: D floats; h_prev, c_prev: H floats.
    Returns tuples of H floats: z_f, z_i, z_c, z_o, f, i, c_tilde, o, c, h, and
    tanh_c = tanh(C_t), fc = f_t * C_{t-1}, ic = i_t * C~_t (the two terms of C_t).
    """
    params = LSTMParams(**{f"W_{g}": np.array(w, dtype=np.float64) for g, w in zip(GATES, W)},
                        **{f"b_{g}": np.array(v, dtype=np.float64) for g, v in zip(GATES, b)})
    c0 = np.array(c_prev, dtype=np.float64)
    s = lstm_step_forward(np.array(x, dtype=np.float64), np.array(h_prev, dtype=np.float64), c0, params)
    with np.errstate(under="ignore"):
        extra = {"tanh_c": tanh(s["c"]), "fc": s["f"] * c0, "ic": s["i"] * s["c_tilde"]}
    return {k: tuple(float(a) for a in arr) for k, arr in {**s, **extra}.items()}
