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

# exp(709.78) is the largest finite float64. Clamping the argument here changes sigmoid(z)
# only for z < -709, where the true value is below 1.2e-308 anyway: no overflow, ever.
_SIGMOID_FLOOR = -709.0


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Numerically stable logistic function, elementwise; never overflows.

    z: any shape. out: optional array of the same shape to write into (may be z itself).
    Computed as 1 / (1 + exp(-max(z, -709))), accurate to a few ulp relative to the true
    value over the whole float64 range, including tiny values for very negative z.
    """
    out = np.maximum(z, _SIGMOID_FLOOR, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def sigmoid_of_negated(neg_z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sigmoid(z) from -z: 1 / (1 + exp(min(-z, 709))), the same arithmetic as sigmoid(z)
    (negation is exact), one pass fewer. The forward pass gets -z straight from its matrix
    product by negating the sigmoid gates' weights once (lstm.py)."""
    out = np.minimum(neg_z, -_SIGMOID_FLOOR, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def sigmoid_grad_from_output(s: np.ndarray) -> np.ndarray:
    """d sigmoid / dz given s = sigmoid(z): s * (1 - s)."""
    return s * (1.0 - s)


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Hyperbolic tangent (NumPy's tanh never overflows)."""
    return np.tanh(z, out=out)


def tanh_grad_from_output(y: np.ndarray) -> np.ndarray:
    """d tanh / dz given y = tanh(z): 1 - y**2."""
    return 1.0 - y * y
