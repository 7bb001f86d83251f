"""One unit of an LSTM over time, as lines: its gates, its candidate and states, its input.

    gates (0..1):     f_t, i_t, o_t              σ(W·[h_{t-1}, x_t] + b)
    signed values:    C~_t, C_t, h_t             C_t = f_t * C_{t-1} + i_t * C~_t,  h_t = o_t * tanh(C_t)
    input:            x_t (each feature)

Three panels share the time axis t = 1..T. Every line has the colour of its quantity
(figures/colors.py) and its name in the legend.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .colors import COLORS, LABELS
from .heatmaps import assemble
from .step import MINUS

GATE_KEYS = ("f", "i", "o")
STATE_KEYS = ("c_tilde", "c", "h")
_DASH = {"c_tilde": "dot", "c": "solid", "h": "solid"}
_GATE_DASH = {"f": "solid", "i": "solid", "o": "dash"}   # o and f often lie on top of each other
_X_DASH = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
_SYMBOL = {"f": "f<sub>t</sub>", "i": "i<sub>t</sub>", "o": "o<sub>t</sub>", "c_tilde": "C̃<sub>t</sub>",
           "c": "C<sub>t</sub>", "h": "h<sub>t</sub>"}


def unit_series(trace, unit: int, b: int = 0) -> dict[str, np.ndarray]:
    """The quantities of one unit as (T,) arrays (lstm_core's numbers): f, i, o, c_tilde, c, h;
    and x as (T, D)."""
    out = {k: np.ascontiguousarray(getattr(trace, k)[:, b, unit]) for k in GATE_KEYS + STATE_KEYS}
    out["x"] = np.ascontiguousarray(trace.x[:, b, :])
    return out


def unit_lines_figure(trace, unit: int = 0, b: int = 0, height: int = 520) -> go.Figure:
    """Lines of unit `unit` of sequence b against t: gates (top), C~, C, h (middle), inputs (bottom).

    Traces, in order: f, i, o, C~, C, h, then one per input feature. y arrays are exactly the
    trace's float64 values; x is t = 1..T.
    """
    T, H = trace.T, trace.hidden_size
    if not 0 <= unit < H:
        raise ValueError(f"unit {unit} does not exist: the model has units 0..{H - 1}")
    s = unit_series(trace, unit, b)
    t = np.arange(1, T + 1, dtype=np.float64)
    mode = "lines+markers" if T <= 40 else "lines"
    data = []
    for k in GATE_KEYS:
        data.append(dict(type="scatter", x=t, y=s[k], name=LABELS[k], mode=mode,
                         line=dict(color=COLORS[k], width=2, dash=_GATE_DASH[k]),
                               marker=dict(size=4), xaxis="x", yaxis="y", legendgroup="gates",
                               hovertemplate="t = %{x}<br>" + _SYMBOL[k] + " = %{y:.6g}<extra></extra>"))
    for k in STATE_KEYS:
        data.append(dict(type="scatter", x=t, y=s[k], name=LABELS[k], mode=mode,
                               line=dict(color=COLORS[k], width=2 if k != "c_tilde" else 1.5, dash=_DASH[k]),
                               marker=dict(size=4), xaxis="x", yaxis="y2", legendgroup="states",
                               hovertemplate="t = %{x}<br>" + _SYMBOL[k] + " = %{y:.6g}<extra></extra>"))
    D = s["x"].shape[1]
    for d in range(D):
        name = "input x_t" if D == 1 else f"input x_t,{d + 1}"
        sym = "x<sub>t</sub>" if D == 1 else f"x<sub>t,{d + 1}</sub>"
        data.append(dict(type="scatter", x=t, y=s["x"][:, d], name=name, mode=mode,
                               line=dict(color=COLORS["x"], width=1.5, dash=_X_DASH[d % len(_X_DASH)]),
                               marker=dict(size=3), xaxis="x", yaxis="y3", legendgroup="inputs",
                               hovertemplate="t = %{x}<br>" + sym + " = %{y:.6g}<extra></extra>"))
    layout = dict(
        height=height, margin=dict(l=60, r=10, t=30, b=40), hovermode="x unified",
        legend=dict(orientation="v", x=1.01, xanchor="left", y=1.0, yanchor="top", groupclick="toggleitem"),
        xaxis=dict(domain=[0, 1], anchor="y3", range=[0.5, T + 0.5], title=dict(text="step t"),
                   zeroline=False),
        yaxis=dict(domain=[0.62, 1.0], anchor="x", range=[-0.05, 1.05], title=dict(text="gates"),
                   tickvals=[0, 0.5, 1]),
        yaxis2=dict(domain=[0.25, 0.57], anchor="x", title=dict(text="C̃, C, h"), zeroline=True),
        yaxis3=dict(domain=[0.0, 0.18], anchor="x", title=dict(text="input"), zeroline=True),
        annotations=[
            dict(text=f"<b>unit {unit}</b>: gates f<sub>t</sub>, i<sub>t</sub>, o<sub>t</sub> lie between 0 and 1",
                 xref="paper", yref="paper", x=0, y=1.0, xanchor="left", yanchor="bottom", showarrow=False),
            dict(text="C̃<sub>t</sub> and h<sub>t</sub> lie between " + MINUS + "1 and 1; "
                 "|C<sub>t</sub>| grows by less than 1 a step",
                 xref="paper", yref="paper", x=0, y=0.57, xanchor="left", yanchor="bottom", showarrow=False),
            dict(text="what the cell reads at each step", xref="paper", yref="paper", x=0, y=0.18,
                 xanchor="left", yanchor="bottom", showarrow=False),
        ],
    )
    return assemble(data, layout, [])
