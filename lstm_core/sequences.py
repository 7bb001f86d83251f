"""Input sequences a student can pick: each returns an array (T, D), float64.

    step   0 until a quarter of the way, then 1
    pulse  a single 1 at step T//5 + 1 in the first feature, 0 elsewhere
    sine   sin(2 pi t / period), each further feature shifted by a quarter period
    noise  standard normal numbers, seeded
    cue    a value pulse early in the first feature and a cue pulse late in the last one
           (with one feature, both pulses are in it)
"""
from __future__ import annotations

import numpy as np

SEQUENCES = {
    "step": "0, then 1 from a quarter of the way on",
    "pulse": "one pulse of 1 early on, then zeros",
    "sine": "a sine wave (period 20 steps)",
    "noise": "random numbers from a normal distribution (seeded)",
    "cue": "a value pulse early on, then a cue pulse near the end",
}
MAX_T = 500


def make_sequence(kind: str, T: int, D: int = 1, seed: int = 0, period: float = 20.0) -> np.ndarray:
    """The input preset `kind` (a key of SEQUENCES) of length T with D features."""
    if kind not in SEQUENCES:
        raise ValueError(f"unknown sequence {kind!r}; choose one of {', '.join(SEQUENCES)}")
    if not (1 <= T and 1 <= D):
        raise ValueError(f"need T >= 1 and D >= 1, got T={T}, D={D}")
    t = np.arange(1, T + 1, dtype=np.float64)
    x = np.zeros((T, D))
    if kind == "step":
        x[t > T / 4] = 1.0
    elif kind == "pulse":
        x[pulse_step(T) - 1, 0] = 1.0
    elif kind == "sine":
        for d in range(D):
            x[:, d] = np.sin(2 * np.pi * t / period + d * np.pi / 2)
    elif kind == "noise":
        x[:] = np.random.default_rng(seed).standard_normal((T, D))
    elif kind == "cue":
        x[pulse_step(T) - 1, 0] = 1.0
        x[cue_step(T) - 1, D - 1] = 1.0
    return x


def pulse_step(T: int) -> int:
    """The step (from 1) at which the pulse and cue sequences put their first pulse."""
    return T // 5 + 1


def cue_step(T: int) -> int:
    """The step (from 1) of the cue in the cue sequence."""
    return max(pulse_step(T) + 1, (4 * T) // 5) if T > 1 else 1
