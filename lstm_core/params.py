"""The weights of an LSTM and of a vanilla RNN, in the notation of the lesson.

Every weight matrix acts on the concatenation [h_{t-1}, x_t], hidden state first:

    W_f, W_i, W_c, W_o : (H, H + D)    first H columns multiply h_{t-1}, last D multiply x_t
    b_f, b_i, b_c, b_o : (H,)
    h0, c0             : (H,)          the initial state (zeros unless given)

For speed the four gates are packed side by side into one matrix. The order of that packing
is named here, once, and nowhere else: GATE_ORDER. (PyTorch packs i, f, g, o; other code
uses i, f, o, g or f, i, c, o. Mixing them up is the classic silent bug.)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Packing order of the gates inside `packed` matrices. The three sigmoid gates come first (one
# sigmoid call covers them), and f, i, c sit side by side, because backpropagation multiplies
# exactly those three by dL/dC_t (one call again).
GATE_ORDER = ("o", "f", "i", "c")
GATE_NAMES = {"f": "forget gate", "i": "input gate", "c": "candidate", "o": "output gate"}


def gate_slice(gate: str, H: int) -> slice:
    """Rows of gate `gate` ('f', 'i', 'o' or 'c') along a packed axis of length 4H."""
    k = GATE_ORDER.index(gate)
    return slice(k * H, (k + 1) * H)


def _as_matrix(a, rows: int, cols: int, name: str) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    if a.shape != (rows, cols):
        raise ValueError(f"{name} has shape {a.shape}, expected ({rows}, {cols})")
    return a


def _as_vector(a, n: int, name: str) -> np.ndarray:
    a = np.zeros(n) if a is None else np.array(a, dtype=np.float64)
    if a.shape != (n,):
        raise ValueError(f"{name} has shape {a.shape}, expected ({n},)")
    return a


@dataclass(frozen=True, eq=False)
class LSTMParams:
    """Weights of an LSTM layer (float64). Shapes as in the module docstring."""

    W_f: np.ndarray
    W_i: np.ndarray
    W_c: np.ndarray
    W_o: np.ndarray
    b_f: np.ndarray
    b_i: np.ndarray
    b_c: np.ndarray
    b_o: np.ndarray
    h0: np.ndarray = None
    c0: np.ndarray = None
    _packed: dict = field(default_factory=dict, repr=False, compare=False)

    model = "lstm"

    def __post_init__(self):
        shape = np.shape(self.W_f)
        H, D = (shape[0], shape[1] - shape[0]) if len(shape) == 2 else (0, 0)
        if H < 1 or D < 1:
            raise ValueError(f"W_f has shape {np.shape(self.W_f)}: need H rows and H + D columns, H >= 1, D >= 1")
        for g in "fico":
            object.__setattr__(self, f"W_{g}", _as_matrix(getattr(self, f"W_{g}"), H, H + D, f"W_{g}"))
            object.__setattr__(self, f"b_{g}", _as_vector(getattr(self, f"b_{g}"), H, f"b_{g}"))
        object.__setattr__(self, "h0", _as_vector(self.h0, H, "h0"))
        object.__setattr__(self, "c0", _as_vector(self.c0, H, "c0"))
        for name in ("W_f", "W_i", "W_c", "W_o", "b_f", "b_i", "b_c", "b_o", "h0", "c0"):
            getattr(self, name).flags.writeable = False

    @property
    def hidden_size(self) -> int:
        return self.W_f.shape[0]

    @property
    def input_size(self) -> int:
        return self.W_f.shape[1] - self.W_f.shape[0]

    def packed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(W_h, W_x, b): the four gates stacked row-wise in GATE_ORDER.
        W_h (4H, H) multiplies h_{t-1}, W_x (4H, D) multiplies x_t, b (4H,).
        Computed once per parameter object."""
        if not self._packed:
            H = self.hidden_size
            W = np.concatenate([getattr(self, f"W_{g}") for g in GATE_ORDER], axis=0)  # (4H, H+D)
            self._packed["W_h"] = np.ascontiguousarray(W[:, :H])
            self._packed["W_x"] = np.ascontiguousarray(W[:, H:])
            self._packed["b"] = np.concatenate([getattr(self, f"b_{g}") for g in GATE_ORDER])
        return self._packed["W_h"], self._packed["W_x"], self._packed["b"]

    def stacked(self) -> np.ndarray:
        """[W | b]: the four gates' weights and biases stacked row-wise in GATE_ORDER,
        (4H, H + D + 1), so that one product with [h_{t-1}, x_t, 1] gives every gate's
        pre-activation W · [h_{t-1}, x_t] + b. Computed once per parameter object."""
        if "Wb" not in self._packed:
            W_h, W_x, b = self.packed()
            self._packed["Wb"] = np.concatenate([W_h, W_x, b[:, None]], axis=1)
        return self._packed["Wb"]

    def to_dict(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in
                ("W_f", "W_i", "W_c", "W_o", "b_f", "b_i", "b_c", "b_o", "h0", "c0")}

    def replace(self, **changes) -> "LSTMParams":
        d = self.to_dict()
        d.update(changes)
        return LSTMParams(**d)


@dataclass(frozen=True, eq=False)
class RNNParams:
    """Weights of a vanilla RNN: h_t = tanh(W · [h_{t-1}, x_t] + b).

    W: (H, H + D), b: (H,), h0: (H,)."""

    W: np.ndarray
    b: np.ndarray
    h0: np.ndarray = None

    model = "rnn"

    def __post_init__(self):
        W = np.array(self.W, dtype=np.float64)
        if W.ndim != 2 or W.shape[1] <= W.shape[0] or W.shape[0] < 1:
            raise ValueError(f"W has shape {W.shape}: need H rows and H + D columns, H >= 1, D >= 1")
        H = W.shape[0]
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", _as_vector(self.b, H, "b"))
        object.__setattr__(self, "h0", _as_vector(self.h0, H, "h0"))
        for name in ("W", "b", "h0"):
            getattr(self, name).flags.writeable = False

    @property
    def hidden_size(self) -> int:
        return self.W.shape[0]

    @property
    def input_size(self) -> int:
        return self.W.shape[1] - self.W.shape[0]

    def packed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(W_h, W_x, b): W_h (H, H) multiplies h_{t-1}, W_x (H, D) multiplies x_t, b (H,)."""
        H = self.hidden_size
        return np.ascontiguousarray(self.W[:, :H]), np.ascontiguousarray(self.W[:, H:]), self.b

    def to_dict(self) -> dict[str, np.ndarray]:
        return {"W": self.W, "b": self.b, "h0": self.h0}

    def replace(self, **changes) -> "RNNParams":
        d = self.to_dict()
        d.update(changes)
        return RNNParams(**d)
