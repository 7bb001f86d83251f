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

from lstm_core import Clamp, lstm_backward, lstm_forward, rnn_backward, rnn_forward
from lstm_core.backprop import forget_gate_product, norm_last_axis
from lstm_core.presets import random_lstm, random_rnn
from lstm_core.sequences import make_sequence

INPUT_SIZE = 1          # one input feature: the sequence the student picks
MAX_T = 500             # longest sequence on this page (lstm_core.sequences.MAX_T)
MAX_HIDDEN = 64         # widest hidden state on this page


# ---- interventions: an LSTM gate held by hand (lstm_core.Clamp) -------------------------------

# key -> (the gate held, its value, what the page calls it). "1997" holds f at 1 on every step:
# the LSTM of 1997 had no forget gate. The others hold the gate on a range of steps.
INTERVENTIONS = {
    "none": (None, None, "No gate held"),
    "f1": ("f", 1.0, "Forget gate held at 1"),
    "f0": ("f", 0.0, "Forget gate held at 0"),
    "i0": ("i", 0.0, "Input gate shut (held at 0)"),
    "1997": ("f", 1.0, "f = 1 on every step (the 1997 LSTM)"),
}


def clamp_spec(kind: str, steps: tuple, T: int) -> tuple | None:
    """The clamp the page's settings ask for, as hashable (gate, value, start, stop), steps
    counted from 1 and inclusive, or None. The range is cut to 1..T; "1997" holds all steps."""
    gate, value, _ = INTERVENTIONS[kind]
    if gate is None:
        return None
    if kind == "1997":
        return (gate, value, 1, int(T))
    a, b = sorted(int(s) for s in steps)
    a, b = min(max(a, 1), T), min(max(b, 1), T)
    return (gate, value, a, b)


def clamp_text(clamp: tuple | None) -> str:
    """'f held at 1 on steps 40–60' (plain text) or '' without a clamp."""
    if clamp is None:
        return ""
    gate, value, a, b = clamp
    where = f"on step {a}" if a == b else f"on steps {a}–{b}"
    return f"{gate} held at {value:g} {where}"


def _across(f: np.ndarray, dc: np.ndarray, dc0: np.ndarray, a: int, b: int) -> dict:
    """What the gradient does across steps a..b (from 1): f (T, H) and dc (T, H) of one sequence,
    dc0 (H,) = dL/dC_0. Norms as lstm_core takes them (norm_last_axis: no underflow for tiny
    vectors), so dc_in is the page's curve at step b exactly. Going back from C_b to C_{a-1}
    the belt multiplies by f_b * ... * f_a:
      dc_in      ||dL/dC_b||, the gradient arriving at the range from later steps
      dc_out     ||dL/dC_{a-1}||, all of it, just before the range (C_0 when a = 1)
      belt_out   ||(f_a * ... * f_b) * dL/dC_b||: the part of dc_out carried by the belt alone
      belt_factor_mean  f_a * ... * f_b, mean over units."""
    with np.errstate(under="ignore"):
        prod = np.prod(f[a - 1:b], axis=0)
        belt = prod * dc[b - 1]
    out = dc[a - 2] if a >= 2 else dc0
    return dict(dc_in=float(norm_last_axis(dc[b - 1])), dc_out=float(norm_last_axis(out)),
                belt_out=float(norm_last_axis(belt)), belt_factor_mean=float(prod.mean()))


def compute_gradient_curves(T: int, hidden_size: int, scale: float, input_scale: float,
                            forget_bias: float, sequence: str, seed: int,
                            clip_value: float | None, clamp: tuple | None = None) -> dict:
    """Run both models on one sequence and backpropagate L = sum of h_T through each.

    clamp: None, or (gate, value, start, stop) holding one LSTM gate at value on steps
    start..stop (lstm_core.Clamp, in the forward and the backward pass). The RNN is never held.

    Returns a dict; arrays are (T,) in time order (index 0 is step t = 1):
      rnn_h, lstm_h, lstm_c         ||dL/dh_t|| (RNN, LSTM) and ||dL/dC_t|| (LSTM, with the clamp)
      rnn_h_clipped                 RNN's ||dL/dh_t|| with the backward message clipped to
                                    norm clip_value at every step (None when clip_value is None)
      forget_product_mean/min/max   forget_gate_product over the H units: mean, min, max
    and floats describing the factors of one backward step:
      rnn_sigma_max       largest singular value of the RNN's recurrent weights W_h
      rnn_slope_mean      mean of tanh'(z_t) = 1 - h_t**2 over steps and units
      rnn_slope_max       largest tanh'(z_t)
      lstm_f_mean         mean forget gate over steps and units
      finite              False if any norm overflowed (inf or NaN)
    With a clamp, also: clamp (as given), free (lstm_h, lstm_c, forget_product_mean and
    lstm_f_mean of the same LSTM with no gate held) and across / free_across (see _across: the
    gradient across the held steps, with and without the clamp).
    """
    T, H = int(T), int(hidden_size)
    x = make_sequence(sequence, T, INPUT_SIZE, int(seed))
    rnn_params = random_rnn(INPUT_SIZE, H, int(seed), float(scale), float(input_scale))
    lstm_params = random_lstm(INPUT_SIZE, H, int(seed), float(scale), float(input_scale),
                              float(forget_bias))
    clamps = ()
    if clamp is not None:
        gate, value, a, b = clamp
        clamps = (Clamp(str(gate), float(value), int(a), int(b)),)
    # Overflow cannot happen with this page's sliders (the largest norm they reach is far
    # below 1e308), but if it ever did the page reports it instead of crashing. lstm_core's
    # clipping also divides by tiny (underflowed) norms in the branch it then discards.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        rnn_trace = rnn_forward(rnn_params, x)
        lstm_trace = lstm_forward(lstm_params, x, clamps=clamps)
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
        extra = {}
        if clamps:
            free_trace = lstm_forward(lstm_params, x)
            free_grads = lstm_backward(free_trace)
            free_P = forget_gate_product(free_trace.f[:, 0, :])
            extra = dict(
                clamp=tuple(clamp),
                free=dict(lstm_h=free_grads.grad_h_norm()[:, 0], lstm_c=free_grads.grad_c_norm()[:, 0],
                          forget_product_mean=free_P.mean(axis=1),
                          lstm_f_mean=float(free_trace.f.mean())),
                across=_across(lstm_trace.f[:, 0, :], lstm_grads.dc[:, 0, :], lstm_grads.dc0[0], a, b),
                free_across=_across(free_trace.f[:, 0, :], free_grads.dc[:, 0, :], free_grads.dc0[0],
                                    a, b))
    W_h = rnn_params.W[:, :H]
    curves = [rnn_h, lstm_h, lstm_c] + ([] if rnn_h_clipped is None else [rnn_h_clipped])
    if extra:
        curves += [extra["free"]["lstm_h"], extra["free"]["lstm_c"]]
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
        clamp=None, free=None, across=None, free_across=None,
    ) | extra


@st.cache_data(max_entries=64, show_spinner=False)
def gradient_curves(T: int, hidden_size: int, scale: float, input_scale: float,
                    forget_bias: float, sequence: str, seed: int,
                    clip_value: float | None, clamp: tuple | None = None) -> dict:
    """compute_gradient_curves, cached per setting (hashable primitives only)."""
    return compute_gradient_curves(T, hidden_size, scale, input_scale, forget_bias, sequence,
                                   seed, clip_value, clamp)


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
    clamp: str = "none"          # an LSTM gate held by hand: a key of INTERVENTIONS
    clamp_steps: tuple = (40, 60)  # the steps it is held on (from 1, inclusive; not for "1997")

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
    Scenario("Cut the belt: f = 0",
             "The forget gate held at 0 on steps 40–60: dL/dC_{t-1} = 0 * dL/dC_t + (h path), so "
             "nothing travels back along the belt past step 40, and the LSTM's gradient at step 1 "
             "falls by more than 15 orders of magnitude.",
             Settings(clamp="f0")),
    Scenario("The 1997 LSTM: f = 1",
             "The first LSTM (1997) had no forget gate: f = 1 on every step. With the forget bias "
             "at 0, where the free LSTM's gradient vanishes, the belt carries dL/dC_T back to "
             "step 1 unchanged.",
             Settings(forget_bias=0.0, clamp="1997")),
)
