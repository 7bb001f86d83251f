"""Long-time-lag tasks, generated on the fly from a seed, each with its chance level.

    adding        Hochreiter & Schmidhuber (1997), experiment 4, with values in [0, 1]:
                  input (value, marker) at each step; values uniform in [0, 1]; exactly two
                  steps are marked (1.0), the first among the first 10 steps, the second among
                  the first T/2 - 1 (as in 1997), never the same step. Target at the last step:
                  the sum of the two marked values. Solved: absolute error < 0.04. A constant
                  guess (1.0) has a mean squared error of 1/6 = 0.167.
    temporal_order  experiment 6a: symbols one-hot over {X, Y, a, b, c, d, B, E}; B first, E
                  last, distractors a..d elsewhere, except X or Y at one step in [0.1 T, 0.2 T]
                  and one in [0.5 T, 0.6 T]. Class = which order: XX, XY, YX, YY. Chance 25%.
    first_sign    "was the first input positive?": x_t ~ N(0, 1); class 1 when x_1 > 0,
                  answered at the end. Chance 50%.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SOLVED_TOLERANCE = 0.04   # the 1997 criterion for the adding problem


@dataclass(frozen=True)
class Task:
    name: str
    title: str
    input_size: int
    outputs: int          # readout size: 1 (regression) or the number of classes
    kind: str             # "regression" or "classification"
    chance: float         # MSE of the best constant guess, or the accuracy of guessing
    description: str
    min_T: int


TASKS = {t.name: t for t in (
    Task("adding", "Adding problem", 2, 1, "regression", 1 / 6,
         "Add the two marked numbers of a long sequence; answer at the end.", 5),
    Task("temporal_order", "Temporal order", 8, 4, "classification", 0.25,
         "Which came first, X or Y, and which second? Four classes among distractors.", 10),
    Task("first_sign", "Was the first input positive?", 1, 2, "classification", 0.5,
         "Remember the sign of the very first number until the end.", 2),
)}

SYMBOLS = ("X", "Y", "a", "b", "c", "d", "B", "E")


def make_batch(task: str, T: int, batch_size: int, rng: np.random.Generator):
    """One batch of `task`: inputs (T, B, D) float64 and targets (B, 1) floats for
    regression, (B,) integer classes for classification."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    if T < TASKS[task].min_T:
        raise ValueError(f"{TASKS[task].title} needs T >= {TASKS[task].min_T}, not {T}")
    return _MAKERS[task](T, batch_size, rng)


def _adding(T, B, rng):
    x = np.zeros((T, B, 2))
    x[:, :, 0] = rng.random((T, B))
    first = rng.integers(0, min(10, T - 1), size=B)                # among the first 10 steps
    last_pos = max(T // 2 - 1, 2)                                  # among the first T/2 - 1
    second = rng.integers(0, last_pos - 1, size=B)
    second = np.where(second >= first, second + 1, second)         # never the same step
    cols = np.arange(B)
    x[first, cols, 1] = 1.0
    x[second, cols, 1] = 1.0
    y = (x[first, cols, 0] + x[second, cols, 0])[:, None]
    return x, y


def _temporal_order(T, B, rng):
    idx = rng.integers(2, 6, size=(T, B))                          # distractors a, b, c, d
    idx[0] = 6                                                     # B
    idx[-1] = 7                                                    # E
    lo1, hi1 = max(1, int(0.1 * T)), max(2, int(0.2 * T))
    lo2, hi2 = max(hi1 + 1, int(0.5 * T)), max(hi1 + 2, int(0.6 * T))
    t1 = rng.integers(lo1, hi1 + 1, size=B)
    t2 = rng.integers(lo2, min(hi2, T - 2) + 1, size=B)
    s1, s2 = rng.integers(0, 2, size=B), rng.integers(0, 2, size=B)   # 0 = X, 1 = Y
    cols = np.arange(B)
    idx[t1, cols] = s1
    idx[t2, cols] = s2
    x = np.zeros((T, B, 8))
    np.put_along_axis(x, idx[:, :, None], 1.0, axis=2)
    return x, 2 * s1 + s2                                          # XX=0, XY=1, YX=2, YY=3


def _first_sign(T, B, rng):
    x = rng.standard_normal((T, B, 1))
    return x, (x[0, :, 0] > 0).astype(np.int64)


_MAKERS = {"adding": _adding, "temporal_order": _temporal_order, "first_sign": _first_sign}


def evaluation_set(task: str, T: int, n: int = 1000, seed: int = 12345):
    """A fixed test set: the same n sequences for every model and run with this seed."""
    return make_batch(task, T, n, np.random.default_rng([seed, T, 7]))
