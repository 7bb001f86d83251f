"""What a forward pass records: every gate and state at every step, as typed arrays.

All arrays a reader sees are indexed [t, b, unit] with t = 0..T-1 standing for the steps
t = 1..T of the equations, b the sequence in the batch and unit the hidden unit: (T, B, H).
A single sequence of shape (T, D) is run as a batch of one (B = 1; `batched` is False).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import LSTMParams, RNNParams, gate_slice


def _bth(a: np.ndarray) -> np.ndarray:
    """A (T, K, B) array as a (T, B, K) view."""
    return a.transpose(0, 2, 1)


class _Sizes:
    """What both traces share: sizes read off the inputs x (T, B, D), and h_{t-1}."""

    @property
    def T(self) -> int:
        return self.x.shape[0]

    @property
    def batch_size(self) -> int:
        return self.x.shape[1]

    @property
    def input_size(self) -> int:
        return self.x.shape[2]

    @property
    def h_prev(self) -> np.ndarray:   # (T, B, H) h_{t-1}
        return np.concatenate([self.h0[None], self.h[:-1]], axis=0)


@dataclass(frozen=True, eq=False)
class LSTMTrace(_Sizes):
    """Recorded LSTM run.

    Read it through the named properties, each (T, B, H): f, i, c_tilde, o, c, h, and on
    demand tanh_c and the pre-activations z_f, z_i, z_c, z_o. Underneath, the arrays are
    stored one column per sequence, (T, 4H, B) and (T, H, B), so that each gate's block is
    contiguous in memory during the run; the properties are views of them, no copies.
    tanh(C_t) and the pre-activations are recomputed from what is stored, with the same
    formulas (W · [h_{t-1}, x_t] + b), rather than kept: for long batched runs that halves
    the memory a run writes, which is most of its time.
    """

    params: LSTMParams
    x: np.ndarray          # (T, B, D)   inputs x_t
    gT: np.ndarray         # (T, 4H, B)  gates (after any clamp), packed in GATE_ORDER
    cT: np.ndarray         # (T, H, B)   cell state C_t
    hx: np.ndarray         # (T+1, H+D+1, B) [h_{t-1}; x_t; 1] per step; hx[T, :H] = h_T
    h0: np.ndarray         # (B, H)      h_0
    c0: np.ndarray         # (B, H)      C_0
    clamps: tuple = ()     # the Clamps applied
    batched: bool = False  # True when the input had a batch axis

    model = "lstm"

    def _gate(self, a: np.ndarray, g: str) -> np.ndarray:
        return _bth(a[:, gate_slice(g, self.hidden_size), :])

    @property
    def f(self) -> np.ndarray:        # (T, B, H) forget gate f_t
        return self._gate(self.gT, "f")

    @property
    def i(self) -> np.ndarray:        # (T, B, H) input gate i_t
        return self._gate(self.gT, "i")

    @property
    def c_tilde(self) -> np.ndarray:  # (T, B, H) candidate C~_t
        return self._gate(self.gT, "c")

    @property
    def o(self) -> np.ndarray:        # (T, B, H) output gate o_t
        return self._gate(self.gT, "o")

    @property
    def c(self) -> np.ndarray:        # (T, B, H) cell state C_t
        return _bth(self.cT)

    @property
    def tanh_c(self) -> np.ndarray:   # (T, B, H) tanh(C_t), recomputed
        return np.tanh(self.c)

    @property
    def hT(self) -> np.ndarray:       # (T, H, B) hidden state h_t, as columns
        return self.hx[1:, :self.hidden_size]

    @property
    def h(self) -> np.ndarray:        # (T, B, H) hidden state h_t
        return _bth(self.hT)

    @property
    def zT(self) -> np.ndarray:       # (T, 4H, B) pre-activations, recomputed as in the run
        with np.errstate(under="ignore"):
            return np.matmul(self.params.stacked(), self.hx[:-1])

    @property
    def z_f(self) -> np.ndarray:      # (T, B, H) W_f · [h_{t-1}, x_t] + b_f
        return self._gate(self.zT, "f")

    @property
    def z_i(self) -> np.ndarray:
        return self._gate(self.zT, "i")

    @property
    def z_c(self) -> np.ndarray:
        return self._gate(self.zT, "c")

    @property
    def z_o(self) -> np.ndarray:
        return self._gate(self.zT, "o")

    @property
    def gates(self) -> np.ndarray:    # (T, B, 4H) all four gates, packed in GATE_ORDER
        return _bth(self.gT)

    @property
    def z(self) -> np.ndarray:        # (T, B, 4H) all pre-activations, packed in GATE_ORDER
        return _bth(self.zT)

    @property
    def c_prev(self) -> np.ndarray:   # (T, B, H) C_{t-1}
        return np.concatenate([self.c0[None], self.c[:-1]], axis=0)

    @property
    def hidden_size(self) -> int:
        return self.cT.shape[1]

    def columns(self) -> dict[str, np.ndarray]:
        """The trace-format columns (after t and unit), each (T, B, H)."""
        return {"forget_gate": self.f, "input_gate": self.i, "candidate": self.c_tilde,
                "output_gate": self.o, "cell_state": self.c, "hidden_state": self.h}


@dataclass(frozen=True, eq=False)
class RNNTrace(_Sizes):
    """Recorded vanilla-RNN run: h_t = tanh(z_t), z_t = W · [h_{t-1}, x_t] + b.
    Properties z, h are (T, B, H) views of the stored (T, H, B) arrays."""

    params: RNNParams
    x: np.ndarray      # (T, B, D)
    zT: np.ndarray     # (T, H, B) pre-activations
    hT: np.ndarray     # (T, H, B) hidden state h_t
    h0: np.ndarray     # (B, H)
    batched: bool = False

    model = "rnn"

    @property
    def z(self) -> np.ndarray:
        return _bth(self.zT)

    @property
    def h(self) -> np.ndarray:
        return _bth(self.hT)

    @property
    def hidden_size(self) -> int:
        return self.hT.shape[1]

    def columns(self) -> dict[str, np.ndarray]:
        return {"hidden_state": self.h}


def to_dataframe(trace, extra: bool = False):
    """The trace as a long table, one row per (t, unit), ordered by t then unit (and by
    sequence first when the trace holds several). t counts from 1, unit from 0.
    extra=True appends the inputs x1..xD and the pre-activations."""
    import pandas as pd

    T, B, H = trace.h.shape
    t = np.repeat(np.arange(1, T + 1), H)
    unit = np.tile(np.arange(H), T)
    frames = []
    for b in range(B):
        cols = {"t": t, "unit": unit}
        for name, a in trace.columns().items():
            cols[name] = a[:, b, :].reshape(-1)
        if trace.batched:
            cols["sequence"] = np.full(T * H, b)
        if extra:
            for d in range(trace.input_size):
                cols[f"x{d + 1}"] = np.repeat(trace.x[:, b, d], H)
            if trace.model == "lstm":
                for g, name in (("f", "z_f"), ("i", "z_i"), ("c", "z_c"), ("o", "z_o")):
                    cols[name] = getattr(trace, name)[:, b, :].reshape(-1)
            else:
                cols["z"] = trace.z[:, b, :].reshape(-1)
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
