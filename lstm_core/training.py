"""Training an LSTM or an RNN with a linear readout on h_T: Adam, gradient clipping,
mini-batches, a fixed seed.

    y = W_y · h_T + b_y;  loss: mean squared error (regression) or cross-entropy (classes)
    gradients: the core's backpropagation through time (backprop.py), all parameters
    clipping: the global norm of all gradients is capped at `clip` (as clip_grad_norm_)
    Adam:     m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g**2;
              p -= lr * (m / (1 - b1**k)) / (sqrt(v / (1 - b2**k)) + eps)
    init:     "chrono" (default; Tallec & Ollivier 2018): b_f = log(u), u ~ U(1, T - 1), b_i = -b_f,
              so the units start remembering over 1..T steps with their input gates mostly shut;
              "forget_bias": b_f = forget_bias, b_i = 0 (then the cells add up every input)

A Trainer owns its state (weights, Adam moments, the batch generator, the history) and
advances in increments (`train(steps=...)` or `train(seconds=...)`), so an app can run it a
little at a time and a benchmark can give it a wall-clock budget. Models trained "side by
side" get batch streams with the same seed: they see the same sequences in the same order.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .backprop import clip_grad_norm, lstm_backward, rnn_backward
from .losses import Readout, cross_entropy, mse
from .lstm import lstm_forward
from .params import LSTMParams, RNNParams
from .presets import random_lstm, random_rnn
from .tasks import SOLVED_TOLERANCE, TASKS, evaluation_set, make_batch


@dataclass(frozen=True)
class TrainConfig:
    task: str = "adding"          # a key of tasks.TASKS
    T: int = 50                   # sequence length
    hidden_size: int = 8
    lr: float = 0.01              # Adam's step size
    batch_size: int = 32          # sequences per update
    clip: float = 1.0             # cap on the global gradient norm
    seed: int = 0                 # weights and batches
    forget_bias: float = 1.0      # LSTM: initial b_f (remember by default), with init="forget_bias"
    init: str = "chrono"          # LSTM gate biases: "chrono" or "forget_bias" (see the module docstring)
    chrono_T: float | None = None # chrono's T_max; None: the sequence length T
    init_scale: float = 1.0       # recurrent weights' scale (see presets.random_lstm)
    betas: tuple = (0.9, 0.999)   # Adam's decay rates
    eps: float = 1e-8             # Adam's denominator guard


@dataclass
class History:
    sequences: list = field(default_factory=list)   # sequences seen when each point was taken
    loss: list = field(default_factory=list)        # training loss (mean over the recent batches)
    score: list = field(default_factory=list)       # fraction solved (adding) / accuracy (classes)
    seconds: list = field(default_factory=list)     # training wall time so far
    grad_h_norm: list = field(default_factory=list) # per-step ||dL/dh_t|| of the latest batch (mean over it)
    # evaluations on the fixed test set (record_test), taken less often than the points above
    test_sequences: list = field(default_factory=list)  # sequences seen at each evaluation
    test_loss: list = field(default_factory=list)       # test MSE (adding) / cross-entropy (classes)
    test_score: list = field(default_factory=list)      # test fraction solved (adding) / accuracy


class Trainer:
    """Trains one model ("lstm" or "rnn") on config.task. Not shared between sessions."""

    def __init__(self, model: str, config: TrainConfig):
        if model not in ("lstm", "rnn"):
            raise ValueError(f"model must be 'lstm' or 'rnn', not {model!r}")
        task = TASKS[config.task]
        self.model, self.config, self.task = model, config, task
        D, H, K = task.input_size, config.hidden_size, task.outputs
        if model == "lstm":
            if config.init not in ("forget_bias", "chrono"):
                raise ValueError(f"init must be 'forget_bias' or 'chrono', not {config.init!r}")
            chrono = (config.chrono_T or config.T) if config.init == "chrono" else None
            p = random_lstm(D, H, seed=config.seed, scale=config.init_scale, forget_bias=config.forget_bias,
                            chrono=chrono)
        else:
            p = random_rnn(D, H, seed=config.seed, scale=config.init_scale)
        rng = np.random.default_rng([config.seed, 1])
        self.weights = {k: np.array(v) for k, v in p.to_dict().items() if k[0] in "Wb"}   # trained arrays
        self.weights["W_y"] = rng.standard_normal((K, H)) / np.sqrt(H)
        self.weights["b_y"] = np.zeros(K)
        self.m = {k: np.zeros_like(v) for k, v in self.weights.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.weights.items()}
        self.updates = 0
        self.sequences = 0
        self.seconds = 0.0
        self.batches = np.random.default_rng([config.seed, 2])           # same stream for both models
        self.history = History()
        self._recent = []

    # -------------------------------------------------------------- model pieces

    def params(self) -> LSTMParams | RNNParams:
        w = self.weights
        if self.model == "lstm":
            return LSTMParams(**{k: w[k] for k in ("W_f", "W_i", "W_c", "W_o", "b_f", "b_i", "b_c", "b_o")})
        return RNNParams(W=w["W"], b=w["b"])

    def readout(self) -> Readout:
        return Readout(self.weights["W_y"], self.weights["b_y"])

    def run(self, x):
        """The trace of the model over x (T, B, D)."""
        from .rnn import rnn_forward
        return (lstm_forward if self.model == "lstm" else rnn_forward)(self.params(), x)

    def predict(self, x) -> np.ndarray:
        """Readout outputs (B, K) for inputs x (T, B, D)."""
        return self.readout()(self.run(x).h[-1])

    def loss_and_grads(self, x, target):
        """(loss, gradients of every trained array, backward result) for one batch."""
        trace = self.run(x)
        h_T = trace.h[-1]
        fn = mse if self.task.kind == "regression" else cross_entropy
        L, dh_T, dread, _ = fn(self.readout(), h_T, target)
        back = (lstm_backward if self.model == "lstm" else rnn_backward)(trace, dh_T=dh_T)
        grads = {k[1:]: v for k, v in back.params().items()}               # dW_f -> W_f
        grads["W_y"], grads["b_y"] = dread["dW_y"], dread["db_y"]
        return L, grads, back

    # -------------------------------------------------------------- training

    def step(self):
        """One update on the next batch of the stream. Returns (loss, backward result)."""
        c = self.config
        x, target = make_batch(c.task, c.T, c.batch_size, self.batches)
        L, grads, back = self.loss_and_grads(x, target)
        grads, _ = clip_grad_norm(grads, c.clip)
        self.updates += 1
        b1, b2 = c.betas
        k = self.updates
        for name, g in grads.items():
            m, v = self.m[name], self.v[name]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            self.weights[name] -= c.lr * (m / (1 - b1 ** k)) / (np.sqrt(v / (1 - b2 ** k)) + c.eps)
        self.sequences += c.batch_size
        return L, back

    def train(self, steps: int | None = None, seconds: float | None = None, record_every: int = 10):
        """Train for `steps` updates or `seconds` of wall time (whichever is given/first).
        Appends to the history every `record_every` updates."""
        if steps is None and seconds is None:
            raise ValueError("give steps or seconds")
        start = last = time.perf_counter()
        done = 0
        while (steps is None or done < steps) and (seconds is None or time.perf_counter() - start < seconds):
            L, back = self.step()
            self._recent.append(L)
            done += 1
            if self.updates % record_every == 0:
                now = time.perf_counter()
                self.seconds += now - last
                last = now
                self._record(back)
        self.seconds += time.perf_counter() - last
        return self

    def _record(self, back):
        h = self.history
        h.sequences.append(self.sequences)
        h.loss.append(float(np.mean(self._recent)))
        self._recent = []
        h.seconds.append(self.seconds)
        h.grad_h_norm.append(back.grad_h_norm().mean(axis=1))
        h.score.append(None)

    # -------------------------------------------------------------- evaluation

    def evaluate(self, n: int = 1000, seed: int = 12345, chunk: int = 64) -> dict:
        """Scores on a fixed test set of n sequences: for the adding problem the mean
        squared error and the fraction solved (absolute error < 0.04); for classes the
        cross-entropy and the accuracy. The sequences run `chunk` at a time, so the memory
        a long test set takes stays that of one chunk's trace."""
        x, target = evaluation_set(self.config.task, self.config.T, n, seed)
        h_T = np.concatenate([self.run(x[:, a:a + chunk]).h[-1] for a in range(0, x.shape[1], chunk)])
        if self.task.kind == "regression":
            err = self.readout()(h_T)[:, 0] - target[:, 0]
            return {"mse": float(np.mean(err ** 2)), "solved": float(np.mean(np.abs(err) < SOLVED_TOLERANCE))}
        L, _, _, y = cross_entropy(self.readout(), h_T, target)
        return {"loss": L, "accuracy": float(np.mean(np.argmax(y, axis=1) == target))}

    def record_test(self, n: int = 1000, seed: int = 12345) -> dict:
        """evaluate(n, seed), appended to the history (test_sequences, test_loss, test_score)."""
        e = self.evaluate(n, seed)
        loss, score = (e["mse"], e["solved"]) if self.task.kind == "regression" else (e["loss"], e["accuracy"])
        h = self.history
        h.test_sequences.append(self.sequences)
        h.test_loss.append(loss)
        h.test_score.append(score)
        return e


def chance_levels(task: str) -> dict:
    """What guessing scores on `task`: {"loss": ..., "score": ...}.

    adding: the best constant guess is 1.0 (the mean of the sum of two uniform values); its
    MSE is the variance of that sum, 1/6, and it is within a of the sum with probability
    2a - a**2 (the sum's density is the triangle 1 - |s - 1|): 0.0784 for a = 0.04.
    classes: guessing uniformly gives cross-entropy ln K and accuracy 1/K (K = 4 or 2)."""
    t = TASKS[task]
    if t.kind == "regression":
        a = SOLVED_TOLERANCE
        return {"loss": t.chance, "score": 2 * a - a * a}
    return {"loss": float(np.log(t.outputs)), "score": t.chance}
