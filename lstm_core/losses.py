"""Losses on the final hidden state h_T, each returning (L, dL/dh_T, readout gradients).

    sum_final_h:   L = sum of h_T                                   (the gradient pages' loss)
    readout:       y = W_y · h_T + b_y          W_y (K, H), b_y (K,)
    mse:           L = mean over batch and outputs of (y - target)**2
    cross_entropy: L = mean over batch of -log softmax(y)[class]

The training issue builds on these: lstm_backward(trace, dh_T=dh_T) then gives every other
gradient.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Readout:
    """A linear layer on h_T: y = W_y · h_T + b_y."""

    W_y: np.ndarray   # (K, H)
    b_y: np.ndarray   # (K,)

    def __call__(self, h_T: np.ndarray) -> np.ndarray:     # (B, H) -> (B, K)
        return h_T @ self.W_y.T + self.b_y


def sum_final_h(h_T: np.ndarray):
    """L = sum of h_T over units (and sequences). Returns (L, dL/dh_T)."""
    return float(np.sum(h_T)), np.ones_like(h_T)


def mse(readout: Readout, h_T: np.ndarray, target: np.ndarray):
    """Mean squared error of the readout. target: (B, K) or (B,) when K = 1.
    Returns (L, dL/dh_T (B, H), {"dW_y", "db_y"}, y (B, K))."""
    y = readout(h_T)
    target = np.asarray(target, dtype=np.float64).reshape(y.shape)
    err = y - target
    L = float(np.mean(err * err))
    dy = 2.0 * err / err.size
    return L, dy @ readout.W_y, {"dW_y": dy.T @ h_T, "db_y": dy.sum(axis=0)}, y


def log_softmax(y: np.ndarray) -> np.ndarray:
    m = np.max(y, axis=-1, keepdims=True)
    s = y - m
    return s - np.log(np.sum(np.exp(s), axis=-1, keepdims=True))


def cross_entropy(readout: Readout, h_T: np.ndarray, classes: np.ndarray):
    """Softmax cross-entropy of the readout's K logits. classes: (B,) integers in [0, K).
    Returns (L, dL/dh_T (B, H), {"dW_y", "db_y"}, y (B, K) logits)."""
    y = readout(h_T)
    classes = np.asarray(classes, dtype=np.int64)
    B = y.shape[0]
    with np.errstate(under="ignore"):
        logp = log_softmax(y)
        L = float(-np.mean(logp[np.arange(B), classes]))
        dy = np.exp(logp)
    dy[np.arange(B), classes] -= 1.0
    dy /= B
    return L, dy @ readout.W_y, {"dW_y": dy.T @ h_T, "db_y": dy.sum(axis=0)}, y
