"""Small charts of the guided lesson: one quantity of one unit against the step t.

`steps_figure` draws a line with a marker at every step (lstm_core's float64 values, unrounded
in the data and on hover) and, when given, the student's prediction as a separate marker at
the step it is about, so the two can be compared. Colours come from colors.py: the line has
the colour of its quantity, the prediction is drawn in the ink colour (black) as an open
diamond, and both are named in the legend.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from .colors import COLORS

GUESS_NAME = "your prediction"


def steps_figure(t, y, name: str, color_key: str, y_title: str, symbol: str,
                 guess: float | None = None, guess_t: int | None = None,
                 marks: tuple = (), y_range: tuple | None = None, height: int = 320) -> go.Figure:
    """A line of y against the steps t, with markers.

    t: (n,) step numbers; y: (n,) values (float64, drawn as given). name: legend entry;
    color_key: a key of colors.COLORS; symbol: the quantity's name in hover text (HTML, e.g.
    "h<sub>t</sub>"). guess / guess_t: the student's prediction and the step it is about (left
    out when guess is None or not finite). marks: (t, text) pairs written above those points.
    y_range: fixed y axis range, or None to fit the data, the guess and 0.
    Traces, in order: the line, then the prediction if given.
    """
    t = np.asarray(t, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if t.shape != y.shape or t.ndim != 1:
        raise ValueError(f"t and y must be 1-d arrays of one length, not {t.shape} and {y.shape}")
    data = [go.Scatter(x=t, y=y, name=name, mode="lines+markers",
                       line=dict(color=COLORS[color_key], width=2.5), marker=dict(size=7),
                       hovertemplate=f"t = %{{x}}<br>{symbol} = %{{y:.6g}}<extra></extra>")]
    show_guess = guess is not None and guess_t is not None and math.isfinite(float(guess))
    if show_guess:
        data.append(go.Scatter(x=np.array([float(guess_t)]), y=np.array([float(guess)]), name=GUESS_NAME,
                               mode="markers",
                               marker=dict(symbol="diamond-open", size=14, color=COLORS["x"],
                                           line=dict(width=2.5)),
                               hovertemplate=f"your prediction<br>{symbol} = %{{y:.6g}}<extra></extra>"))
    annotations = []
    for mt, text in marks:
        k = int(np.flatnonzero(t == mt)[0])
        annotations.append(dict(x=float(mt), y=float(y[k]), text=text, showarrow=True, arrowhead=2,
                                ax=45, ay=25, font=dict(size=12)))
    yaxis = dict(title=dict(text=y_title), zeroline=True, rangemode="tozero")
    if y_range is not None:
        yaxis["range"] = [float(y_range[0]), float(y_range[1])]
    # margins that hold the axes' labels and titles and the legend: plotly.js grows a margin
    # they do not fit in, and then draws the figure twice at every update
    layout = dict(height=height, margin=dict(l=72, r=10, t=46, b=68), hovermode="closest",
                  xaxis=dict(title=dict(text="step t"), dtick=1, range=[t.min() - 0.5, t.max() + 0.5]),
                  yaxis=yaxis, annotations=annotations,
                  legend=dict(orientation="h", x=0, y=1.02, xanchor="left", yanchor="bottom"),
                  showlegend=True)
    return go.Figure(data=data, layout=layout)
