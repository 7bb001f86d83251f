"""The one place where colours are defined, so each quantity has one colour on every page.

The palette is Okabe & Ito's, which stays distinguishable with the common forms of colour
blindness. Values in (0, 1) (the gates) use a sequential scale from white to the gate's
colour; signed values (candidate, cell state, hidden state, gradients' signs) use one
diverging blue-white-red scale centred on 0.
"""
from __future__ import annotations

# quantity key -> colour. Keys: f, i, c_tilde, o (gates), c (cell state), h (hidden state),
# x (input), rnn (the vanilla RNN). Gradients take the colour of what they are the gradient
# of: dL/dh_t that of h, dL/dC_t that of C.
COLORS = {
    "f": "#D55E00",        # forget gate: vermillion
    "i": "#009E73",        # input gate: bluish green
    "c_tilde": "#CC79A7",  # candidate: reddish purple
    "o": "#0072B2",        # output gate: blue
    "c": "#E69F00",        # cell state: orange (the conveyor belt)
    "h": "#56B4E9",        # hidden state: sky blue
    "x": "#000000",        # input: black
    "rnn": "#7F7F7F",      # the vanilla RNN: grey
}

LABELS = {
    "f": "forget gate f_t",
    "i": "input gate i_t",
    "c_tilde": "candidate C~_t",
    "o": "output gate o_t",
    "c": "cell state C_t",
    "h": "hidden state h_t",
    "x": "input x_t",
    "rnn": "RNN",
}

# Range of each quantity, for colour scales and axes: gates live in (0, 1); C~ and h in (-1, 1);
# the cell state C is unbounded (a scale for it is set from the data, symmetric about 0).
RANGES = {"f": (0.0, 1.0), "i": (0.0, 1.0), "o": (0.0, 1.0), "c_tilde": (-1.0, 1.0),
          "h": (-1.0, 1.0), "c": None}

DIVERGING = [[0.0, "#2166AC"], [0.25, "#92C5DE"], [0.5, "#F7F7F7"], [0.75, "#F4A582"], [1.0, "#B2182B"]]


def sequential(key: str) -> list:
    """White (0) to the quantity's colour (1): for gates, whose values lie in (0, 1)."""
    return [[0.0, "#FFFFFF"], [1.0, COLORS[key]]]


def colorscale(key: str) -> list:
    """The colour scale of a quantity: sequential for gates, diverging for signed values."""
    return sequential(key) if key in ("f", "i", "o") else DIVERGING


def rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[k:k + 2], 16) for k in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:.3f})"
