"""One unit of an LSTM over time, as lines: its gates, its candidate and states, its input.

    gates (0..1):     f_t, i_t, o_t              σ(W·[h_{t-1}, x_t] + b)
    signed values:    C~_t, C_t, h_t             C_t = f_t * C_{t-1} + i_t * C~_t,  h_t = o_t * tanh(C_t)
    input:            x_t (each feature)

Three panels share the time axis t = 1..T. Every line has the colour of its quantity
(figures/colors.py) and its name in the legend.
"""
from __future__ import annotations

import numpy as np

from .colors import COLORS, LABELS, rgba
from .heatmaps import _held_ranges, assemble, char_label, char_ticks, held_label
from .step import MINUS

GATE_KEYS = ("f", "i", "o")
STATE_KEYS = ("c_tilde", "c", "h")
_DASH = {"c_tilde": "dot", "c": "solid", "h": "solid"}
_GATE_DASH = {"f": "solid", "i": "solid", "o": "dash"}   # o and f often lie on top of each other
_X_DASH = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
_SYMBOL = {"f": "f<sub>t</sub>", "i": "i<sub>t</sub>", "o": "o<sub>t</sub>", "c_tilde": "C̃<sub>t</sub>",
           "c": "C<sub>t</sub>", "h": "h<sub>t</sub>"}


def legend_px(names) -> int:
    """Room (px) for a legend of these names beside the plot: the line sample and padding (45 px)
    and about 7.5 px a character at the 12 px legend font (generous: most letters are narrower)."""
    return 45 + round(7.5 * max((len(n) for n in names), default=0))


def unit_series(trace, unit: int, b: int = 0) -> dict[str, np.ndarray]:
    """The quantities of one unit as (T,) arrays (lstm_core's numbers): f, i, o, c_tilde, c, h;
    and x as (T, D)."""
    out = {k: np.ascontiguousarray(getattr(trace, k)[:, b, unit]) for k in GATE_KEYS + STATE_KEYS}
    out["x"] = np.ascontiguousarray(trace.x[:, b, :])
    return out


def unit_lines_figure(trace, unit: int = 0, b: int = 0, height: int = 520, chars=None, held=(),
                      features=None) -> PlotlySpec:
    """Lines of unit `unit` of sequence b against t: gates (top), C~, C, h (middle), inputs (bottom).

    Traces, in order: f, i, o, C~, C, h, then one per input feature, then (with chars) one
    invisible trace named "character" whose hover names the character read at each step.
    y arrays are exactly the trace's float64 values; x is t = 1..T.
    chars: the character read at each step (text inputs): they label the time axis.
    held: gates held fixed, (gate, value, start, stop) each: a shaded band over those steps,
    labelled. features: what each input is (e.g. the character a one-hot input stands for),
    for the legend.
    """
    T, H = trace.T, trace.hidden_size
    if not 0 <= unit < H:
        raise ValueError(f"unit {unit} does not exist: the model has units 0..{H - 1}")
    if chars is not None and len(chars) != T:
        raise ValueError(f"chars has {len(chars)} characters but the trace {T} steps")
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
        if features is not None:
            name += f" = {char_label(features[d])}" if len(features[d]) == 1 else f" = {features[d]}"
        sym = "x<sub>t</sub>" if D == 1 else f"x<sub>t,{d + 1}</sub>"
        data.append(dict(type="scatter", x=t, y=s["x"][:, d], name=name, mode=mode,
                               line=dict(color=COLORS["x"], width=1.5, dash=_X_DASH[d % len(_X_DASH)]),
                               marker=dict(size=3), xaxis="x", yaxis="y3", legendgroup="inputs",
                               hovertemplate="t = %{x}<br>" + sym + " = %{y:.6g}<extra></extra>"))
    xaxis = dict(domain=[0, 1], anchor="y3", range=[0.5, T + 0.5], title=dict(text="step t"), zeroline=False)
    if chars is not None:
        labels = [char_label(ch) for ch in chars]
        data.append(dict(type="scatter", x=t, y=np.zeros(T), name="character", mode="markers",
                         marker=dict(size=1, color=rgba(COLORS["x"], 0.0)), xaxis="x", yaxis="y3",
                         showlegend=False, customdata=labels,
                         hovertemplate="character %{customdata}<extra></extra>"))
        xaxis.update(title=dict(text="character read at step t"), **char_ticks(chars))
    shapes = []
    for k, (gate, value, start, stop) in enumerate(_held_ranges(held, T)):   # over the gates and states panels
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=start - 0.5, x1=stop + 0.5, y0=0.25, y1=1.0,
                           line=dict(color=COLORS["x"], width=1, dash="dash"), fillcolor=rgba(COLORS[gate], 0.12),
                           layer="below", name="held",
                           label=dict(text=held_label(gate, value, start, stop),
                                      textposition="top left" if k % 2 == 0 else "bottom left",
                                      font=dict(size=11, color=COLORS["x"]), padding=4)))
    layout = dict(
        # the legend sits in the right margin, sized here from its longest name: plotly.js growing
        # the margins itself (autoexpand) draws the figure twice
        height=height, margin=dict(l=60, r=legend_px([t["name"] for t in data if t.get("showlegend", True)]),
                                   t=30, b=40, autoexpand=False), hovermode="x unified",
        legend=dict(orientation="v", x=1.01, xanchor="left", y=1.0, yanchor="top", groupclick="toggleitem"),
        xaxis=xaxis,
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
    if shapes:
        layout["shapes"] = shapes
    return assemble(data, layout, [])
