"""Weights to start from: seeded random initialisers and hand-wired cells.

Random: every weight is drawn from a normal distribution. The recurrent columns (those that
multiply h_{t-1}) have standard deviation scale / sqrt(H), so that `scale` is roughly how much
the recurrent matrix stretches a vector (its spectral radius); the input columns have
input_scale / sqrt(D). Biases are 0, except the forget gate's, which is `forget_bias`
(a positive forget bias starts the cell remembering).

Hand-wired presets each show one behaviour a teacher can explain. A weight of +-20 on a
0/1 input with a bias of -10 makes a gate a switch: sigmoid(-10) = 0.00005, sigmoid(10) = 0.99995.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .params import LSTMParams, RNNParams
from .sequences import make_sequence


def random_lstm(input_size: int, hidden_size: int, seed: int = 0, scale: float = 1.0,
                input_scale: float = 1.0, forget_bias: float = 1.0,
                chrono: float | None = None) -> LSTMParams:
    """Seeded random LSTM weights (see the module docstring for the distribution).

    chrono: if given (a time scale T_max >= 2), the chrono initialisation of Tallec & Ollivier
    (2018), in place of forget_bias: b_f = log(u), u ~ U(1, T_max - 1) per unit, and
    b_i = -b_f, so each unit starts remembering over about u steps with its input gate
    mostly closed. The weights are the same draws as without it."""
    D, H = int(input_size), int(hidden_size)
    rng = np.random.default_rng(seed)
    W = {}
    for g in "fico":                                   # one draw per gate, in this fixed order
        w = rng.standard_normal((H, H + D))
        w[:, :H] *= scale / np.sqrt(H)
        w[:, H:] *= input_scale / np.sqrt(D)
        W[f"W_{g}"] = w
    b = {f"b_{g}": np.zeros(H) for g in "fico"}
    b["b_f"] = np.full(H, float(forget_bias))
    if chrono is not None:
        if not chrono >= 2:
            raise ValueError(f"chrono needs a time scale T_max >= 2, not {chrono}")
        b["b_f"] = np.log(rng.uniform(1.0, float(chrono) - 1.0, size=H))   # drawn after the weights
        b["b_i"] = -b["b_f"]
    return LSTMParams(**W, **b)


def random_rnn(input_size: int, hidden_size: int, seed: int = 0, scale: float = 1.0,
               input_scale: float = 1.0) -> RNNParams:
    """Seeded random RNN weights, drawn like random_lstm's (one matrix, zero bias)."""
    D, H = int(input_size), int(hidden_size)
    w = np.random.default_rng(seed).standard_normal((H, H + D))
    w[:, :H] *= scale / np.sqrt(H)
    w[:, H:] *= input_scale / np.sqrt(D)
    return RNNParams(W=w, b=np.zeros(H))


def _cell(D, *, f=(0.0, 0.0, 0.0), i=(0.0, 0.0, 0.0), c=(0.0, 0.0, 0.0), o=(0.0, 0.0, 0.0)) -> LSTMParams:
    """A one-unit cell. Each gate is (weight on h_{t-1}, weights on x_t..., bias) as a tuple
    of 1 + D + 1 numbers."""
    kw = {}
    for g, spec in zip("fico", (f, i, c, o)):
        spec = tuple(spec) + (0.0,) * (D + 2 - len(spec))
        kw[f"W_{g}"] = np.array([spec[:1 + D]])
        kw[f"b_{g}"] = np.array([spec[1 + D]])
    return LSTMParams(**kw)


@dataclass(frozen=True)
class Preset:
    name: str
    description: str                      # one line, for the app and the CLI
    input_size: int
    sequence: str                         # the input sequence (sequences.py) that shows it
    build: Callable[[], LSTMParams]

    def params(self) -> LSTMParams:
        return self.build()

    def inputs(self, T: int) -> np.ndarray:
        return make_sequence(self.sequence, T, self.input_size)


PRESETS = {p.name: p for p in (
    Preset("latch", "Stores a pulse and holds it: the input gate opens only for the pulse, "
           "the forget gate stays at 1.", 1, "pulse",
           lambda: _cell(1, f=(0, 0, 20), i=(0, 20, -10), c=(0, 3, 0), o=(0, 0, 10))),
    Preset("forgetful", "Forgets everything at every step: the forget gate is 0, so C_t is "
           "just the newest candidate.", 1, "sine",
           lambda: _cell(1, f=(0, 0, -12), i=(0, 0, 12), c=(0, 2, 0), o=(0, 0, 10))),
    Preset("hidden_until_cue", "Stores the early pulse (input 1) but the output gate keeps it "
           "hidden until the cue (input 2) opens it.", 2, "cue",
           lambda: _cell(2, f=(0, 0, 0, 20), i=(0, 20, 0, -10), c=(0, 3, 0, 0), o=(0, 0, 20, -10))),
    Preset("latch_with_reset", "Stores the pulse on input 1 and forgets it when input 2 fires: "
           "the forget gate closes on the reset.", 2, "cue",
           lambda: _cell(2, f=(0, 0, -40, 20), i=(0, 20, 0, -10), c=(0, 3, 0, 0), o=(0, 0, 0, 10))),
    Preset("accumulator", "Adds up its inputs: forget gate and input gate both at 1, so "
           "C_t = C_{t-1} + tanh(0.5 x_t).", 1, "step",
           lambda: _cell(1, f=(0, 0, 20), i=(0, 0, 20), c=(0, 0.5, 0), o=(0, 0, 10))),
)}


def preset(name: str) -> LSTMParams:
    """The hand-wired preset `name` (a key of PRESETS)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name].params()
