"""The two squashing functions of the lesson and their derivatives.

    sigmoid(z) = 1 / (1 + exp(-z))      values in (0, 1): how far a gate is open
    tanh(z)                              values in (-1, 1): a signed amount

The derivatives are written in terms of the output, as autograd does:
    sigmoid'(z) = s * (1 - s)      with s = sigmoid(z)
    tanh'(z)    = 1 - y**2         with y = tanh(z)
so a saturated unit (s == 1.0 or y == +-1.0 in float64) has a derivative of exactly 0.
"""
from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Numerically stable logistic function, elementwise; never warns.

    z: any shape. out: optional array of the same shape to write into (may be z itself).
    Computed as 1 / (1 + exp(-z)), accurate to a few ulp relative to the true value down to
    the smallest normal float64. For z < -709.78, exp(-z) is inf and the result is exactly 0:
    the true value there is below 2.3e-308 (no overflow warning: that inf is the intended step).
    """
    out = np.negative(z, out=out)
    return sigmoid_of_negated(out, out=out)


def sigmoid_of_negated(neg_z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sigmoid(z) from -z: 1 / (1 + exp(-z)), the same arithmetic as sigmoid(z) (negation is
    exact), one pass fewer. The forward pass gets -z straight from its matrix product by
    negating the sigmoid gates' weights once (lstm.py)."""
    with np.errstate(over="ignore", under="ignore"):  # exp(-z) = inf gives 1 / inf = 0: no warning
        return sigmoid_of_negated_unchecked(neg_z, out=out)


def sigmoid_of_negated_unchecked(neg_z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sigmoid_of_negated for a caller that has already set np.errstate(over="ignore",
    under="ignore") around a loop: entering errstate at every step of a short sequence cost
    more than the arithmetic."""
    out = np.exp(neg_z, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def sigmoid_grad_from_output(s: np.ndarray) -> np.ndarray:
    """d sigmoid / dz given s = sigmoid(z): s * (1 - s)."""
    return s * (1.0 - s)


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Hyperbolic tangent (NumPy's tanh never overflows)."""
    return np.tanh(z, out=out)


def tanh_grad_from_output(y: np.ndarray) -> np.ndarray:
    """d tanh / dz given y = tanh(z): 1 - y**2."""
    return 1.0 - y * y
