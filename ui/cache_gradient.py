"""Cached computations for page 3, "The vanishing gradient".

The same input sequence goes through a vanilla RNN and an LSTM built from the same seed,
hidden size and recurrent weight scale (lstm_core.presets.random_rnn / random_lstm). The loss
is L = sum of h_T (FORMATS.md, "Gradients"); lstm_core's exact backpropagation through time
gives the norms of dL/dh_t (both models) and dL/dC_t (the LSTM) at every step.

Everything here takes hashable primitives and returns plain NumPy arrays and floats, so the
page only wires widgets to `gradient_curves` and hands the result to figures.gradients.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import streamlit as st

from lstm_core import lstm_backward, lstm_forward, rnn_backward, rnn_forward
from lstm_core.backprop import forget_gate_product
from lstm_core.presets import random_lstm, random_rnn
from lstm_core.sequences import make_sequence

INPUT_SIZE = 1          # one input feature: the sequence the student picks
MAX_T = 500             # longest sequence on this page (lstm_core.sequences.MAX_T)
MAX_HIDDEN = 64         # widest hidden state on this page


def compute_gradient_curves(T: int, hidden_size: int, scale: float, input_scale: float,
                            forget_bias: float, sequence: str, seed: int,
                            clip_value: float | None) -> dict:
    """Run both models on one sequence and backpropagate L = sum of h_T through each.

    Returns a dict; arrays are (T,) in time order (index 0 is step t = 1):
      rnn_h, lstm_h, lstm_c         ||dL/dh_t|| (RNN, LSTM) and ||dL/dC_t|| (LSTM)
      rnn_h_clipped                 RNN's ||dL/dh_t|| with the backward message clipped to
                                    norm clip_value at every step (None when clip_value is None)
      forget_product_mean/min/max   forget_gate_product over the H units: mean, min, max
    and floats describing the factors of one backward step:
      rnn_sigma_max       largest singular value of the RNN's recurrent weights W_h
      rnn_slope_mean      mean of tanh'(z_t) = 1 - h_t**2 over steps and units
      rnn_slope_max       largest tanh'(z_t)
      lstm_f_mean         mean forget gate over steps and units
      finite              False if any norm overflowed (inf or NaN)
    """
    T, H = int(T), int(hidden_size)
    x = make_sequence(sequence, T, INPUT_SIZE, int(seed))
    rnn_params = random_rnn(INPUT_SIZE, H, int(seed), float(scale), float(input_scale))
    lstm_params = random_lstm(INPUT_SIZE, H, int(seed), float(scale), float(input_scale),
                              float(forget_bias))
    # Overflow cannot happen with this page's sliders (the largest norm they reach is far
    # below 1e308), but if it ever did the page reports it instead of crashing. lstm_core's
    # clipping also divides by tiny (underflowed) norms in the branch it then discards.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        rnn_trace = rnn_forward(rnn_params, x)
        lstm_trace = lstm_forward(lstm_params, x)
        rnn_grads = rnn_backward(rnn_trace)
        lstm_grads = lstm_backward(lstm_trace)
        rnn_h = rnn_grads.grad_h_norm()[:, 0]
        lstm_h = lstm_grads.grad_h_norm()[:, 0]
        lstm_c = lstm_grads.grad_c_norm()[:, 0]
        rnn_h_clipped = None
        if clip_value is not None:
            rnn_h_clipped = rnn_backward(rnn_trace, clip_step=float(clip_value)).grad_h_norm()[:, 0]
        P = forget_gate_product(lstm_trace.f[:, 0, :])
        slope = 1.0 - rnn_trace.h[:, 0, :] ** 2
    W_h = rnn_params.W[:, :H]
    curves = [rnn_h, lstm_h, lstm_c] + ([] if rnn_h_clipped is None else [rnn_h_clipped])
    return dict(
        T=T, hidden_size=H,
        rnn_h=rnn_h, lstm_h=lstm_h, lstm_c=lstm_c, rnn_h_clipped=rnn_h_clipped,
        clip_value=None if clip_value is None else float(clip_value),
        forget_product_mean=P.mean(axis=1), forget_product_min=P.min(axis=1),
        forget_product_max=P.max(axis=1),
        rnn_sigma_max=float(np.linalg.norm(W_h, 2)),
        rnn_slope_mean=float(slope.mean()), rnn_slope_max=float(slope.max()),
        lstm_f_mean=float(lstm_trace.f.mean()),
        finite=bool(all(np.all(np.isfinite(c)) for c in curves)),
    )


@st.cache_data(max_entries=64, show_spinner=False)
def gradient_curves(T: int, hidden_size: int, scale: float, input_scale: float,
                    forget_bias: float, sequence: str, seed: int,
                    clip_value: float | None) -> dict:
    """compute_gradient_curves, cached per setting (hashable primitives only)."""
    return compute_gradient_curves(T, hidden_size, scale, input_scale, forget_bias, sequence,
                                   seed, clip_value)


def per_step_factor(norms: np.ndarray) -> float | None:
    """The average factor by which a norm changed per step back: the geometric mean
    (||g_1|| / ||g_T||) ** (1 / (T - 1)). None when T = 1 or an end is 0 or not finite."""
    norms = np.asarray(norms, dtype=np.float64)
    first, last = float(norms[0]), float(norms[-1])
    if norms.shape[0] < 2 or not (0 < first < np.inf and 0 < last < np.inf):
        return None
    return float(np.exp((np.log(first) - np.log(last)) / (norms.shape[0] - 1)))


# ---- scenarios ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """Every setting of the page (the widgets' values)."""

    T: int = 100                 # sequence length
    hidden_size: int = 16        # units in each model
    scale: float = 1.0           # recurrent weight scale (about the spectral radius)
    input_scale: float = 1.0     # input weight scale
    forget_bias: float = 3.0     # b_f of the LSTM
    sequence: str = "noise"      # lstm_core.sequences kind
    seed: int = 0                # one seed for the weights of both models and the noise
    clip: bool = False           # show the RNN with its backward message clipped
    clip_value: float = 10.0     # the clipping norm

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Scenario:
    label: str
    claim: str                   # what the scenario shows; tests check it numerically
    settings: Settings


SCENARIOS = (
    Scenario("Vanishing (default)",
             "The RNN's gradient shrinks by about 20 orders of magnitude over 100 steps; the "
             "LSTM's dL/dC_t, with its forget gates near 1 (bias 3), stays of order 1.",
             Settings()),
    Scenario("Forget gate half shut",
             "Forget bias 0 puts f_t near 0.5: the product of forget gates collapses and the "
             "LSTM's gradient vanishes too. The belt only helps when f_t is near 1.",
             Settings(forget_bias=0.0)),
    Scenario("Long memory, 500 steps",
             "Forget bias 6 holds f_t near 0.995: across 500 steps the LSTM's dL/dC_t stays "
             "within a factor 100 of where it started, while the RNN's falls below 1e-100.",
             Settings(T=500, forget_bias=6.0)),
    Scenario("Exploding RNN",
             "Recurrent scale 3.5 with small input weights (0.01): each step back multiplies "
             "the RNN's gradient by more than 1 on average; it grows by over 10 orders of magnitude.",
             Settings(scale=3.5, input_scale=0.01)),
    Scenario("Exploding RNN, clipped",
             "The same exploding RNN with its backward message clipped to norm 10 at every "
             "step: the clipped gradient never exceeds 10.",
             Settings(scale=3.5, input_scale=0.01, clip=True, clip_value=10.0)),
)
