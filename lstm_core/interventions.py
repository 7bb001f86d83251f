"""Gates held fixed by hand: the experiments a teacher runs to show what each gate does.

A Clamp overrides one gate's value for every unit over a range of steps, e.g.
    Clamp("f", 1.0, 1, 50)   forget gate held at 1 (nothing forgotten) on steps 1..50
    Clamp("i", 0.0, 10, 20)  input gate shut (nothing written) on steps 10..20
Holding the forget gate at 1 everywhere gives the LSTM of 1997, which had no forget gate.

A clamped gate no longer depends on its weights, so no gradient flows into its
pre-activation on those steps; the clamped value itself still multiplies the signals
(C_t = f_t * C_{t-1} + i_t * C~_t), forward and backward.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLAMPABLE = ("f", "i", "o")


@dataclass(frozen=True)
class Clamp:
    gate: str     # "f", "i" or "o"
    value: float  # the value the gate is held at, in [0, 1]
    start: int    # first step held, t counted from 1
    stop: int     # last step held (inclusive)

    def __post_init__(self):
        if self.gate not in CLAMPABLE:
            raise ValueError(f"a clamp holds one of the gates {CLAMPABLE}, not {self.gate!r}")
        if not 0.0 <= float(self.value) <= 1.0:
            raise ValueError(f"a gate is held at a value in [0, 1], not {self.value}")
        if not 1 <= int(self.start) <= int(self.stop):
            raise ValueError(f"clamp steps run from start >= 1 to stop >= start, not {self.start}..{self.stop}")


def clamp_table(clamps, T: int) -> dict[str, np.ndarray]:
    """Per gate, a (T,) array holding the clamped value at each step, NaN where free.
    Later clamps win where ranges overlap; steps beyond T are ignored."""
    table = {}
    for cl in clamps:
        arr = table.setdefault(cl.gate, np.full(T, np.nan))
        arr[cl.start - 1:min(cl.stop, T)] = float(cl.value)
    return {g: a for g, a in table.items() if not np.all(np.isnan(a))}
