"""The gradient travelling backwards through time: RNN and LSTM side by side, on a log scale.

Inputs are per-step norms in time order (index 0 is step t = 1, index T-1 is step T), as
lstm_core's grad_h_norm() / grad_c_norm() give them for one sequence. The x axis counts steps
back from the end (0 = the last step T) and runs right to left, so the gradient starts at the
right, where the loss is, and travels left, back in time, as in an unrolled network diagram.

A log axis cannot show 0 (an underflow: the true value is below about 1e-308) or inf/NaN (an
overflow): those steps are left out of the line (NaN in the data, a gap on screen) and a note
in the figure says how many there are.

The animation is made of Plotly frames (Play/Pause and a slider, run in the browser): frame k
shows steps T, T-1, ..., T-k. A frame carries only the y values of the lines it changes (x stays
from the full trace); to keep the figure small, long sequences get a frame every few steps
(see frame_steps).
"""
from __future__ import annotations

import math

import numpy as np

from .colors import COLORS, rgba
from .sending import PlotlySpec, typed_array

# Frames repeat the revealed part of every animated line, so their size grows like
# (number of frames) x T x (lines). This caps the y values carried by all frames together
# (8 bytes each, about 11 in base64): about 85 KB. Long sequences may exceed it to keep
# MIN_FRAMES frames (T = 500: about 200 KB).
FRAME_POINT_BUDGET = 8_000
MIN_FRAMES = 16

NAMES = {
    "rnn_h": "RNN ‖dL/dh<sub>t</sub>‖",
    "rnn_h_clipped": "RNN ‖dL/dh<sub>t</sub>‖, clipped",
    "lstm_h": "LSTM ‖dL/dh<sub>t</sub>‖",
    "lstm_c": "LSTM ‖dL/dC<sub>t</sub>‖",
    "forget_product": "LSTM forget gates f<sub>T</sub>·…·f<sub>t+1</sub>, mean over units",
    "lstm_h_free": "LSTM ‖dL/dh<sub>t</sub>‖, no gate held",
    "lstm_c_free": "LSTM ‖dL/dC<sub>t</sub>‖, no gate held",
}
PLAIN_NAMES = {               # the same, for text outside the figure
    "rnn_h": "RNN ‖dL/dh_t‖",
    "rnn_h_clipped": "RNN ‖dL/dh_t‖, clipped",
    "lstm_h": "LSTM ‖dL/dh_t‖",
    "lstm_c": "LSTM ‖dL/dC_t‖",
    "forget_product": "LSTM forget gates f_T·…·f_(t+1), mean over units",
    "lstm_h_free": "LSTM ‖dL/dh_t‖, no gate held",
    "lstm_c_free": "LSTM ‖dL/dC_t‖, no gate held",
}


def fmt_norm(v: float, zero: str = "0 (underflow)") -> str:
    """A gradient norm as the page prints it: 3 significant digits, 0 and inf spelled out
    (`zero`: how to say why a value is exactly 0)."""
    v = float(v)
    if v == 0.0:
        return zero
    if not math.isfinite(v):
        return "overflow"
    return f"{v:.3g}"


def log_safe(values) -> np.ndarray:
    """The values with every entry a log axis cannot show (<= 0, inf, NaN) replaced by NaN."""
    a = np.array(values, dtype=np.float64)
    a[~(np.isfinite(a) & (a > 0))] = np.nan
    return a


def steps_back(values) -> np.ndarray:
    """Time order (t = 1..T) to steps-back order (0 = step T, T-1 = step 1)."""
    return np.asarray(values, dtype=np.float64)[::-1]


def frame_steps(T: int, n_lines: int, budget: int = FRAME_POINT_BUDGET,
                min_frames: int = MIN_FRAMES) -> np.ndarray:
    """The steps back k at which the animation has a frame: 0, s, 2s, ... and always T-1.

    The stride s is the smallest that keeps the points repeated in all frames,
    n_lines * sum(k + 1), within `budget`, unless that would leave fewer than about
    `min_frames` frames. With 4 lines: T = 100 gives a frame every 3 steps (34 frames),
    T = 500 every 34 steps (16 frames).
    """
    T = int(T)
    for s in range(1, T):
        ks = np.unique(np.append(np.arange(0, T, s), T - 1))
        if n_lines * int(np.sum(ks + 1)) <= budget or len(ks) <= min_frames:
            return ks
    return np.unique(np.array([0, T - 1]))


UNDERFLOW = "too small for float64, which stops near 1e-308 (an underflow)"


def _summary(name: str, values: np.ndarray, why_zero: str = UNDERFLOW) -> str | None:
    """A note about the steps a log axis cannot draw, or None if there are none."""
    zero = int(np.sum(values == 0))
    bad = int(np.sum(~np.isfinite(values)))
    parts = []
    if zero:
        first = int(np.argmax(values == 0))
        parts.append(f"{zero} of {values.shape[0]} steps are exactly 0 (from {first} steps back on): {why_zero}")
    if bad:
        parts.append(f"{bad} steps overflowed (above 1.8e308)")
    return f"{name}: " + "; ".join(parts) + ", not drawn" if parts else None


def zero_reasons(held=None) -> dict:
    """Why a curve is exactly 0, where that is not an underflow: with the forget gate held at 0
    on steps a..b, the product f_T...f_{t+1} is exactly 0 for every t < b."""
    if held is not None and held[0] == "f" and float(held[1]) == 0.0:
        a, b = int(held[2]), int(held[3])
        where = f"step {a}" if a == b else f"steps {a}–{b}"
        return {"forget_product": f"the forget gate is held at 0 on {where}"}
    return {}


def dropped_notes(curves: dict, reasons: dict | None = None) -> list[str]:
    """Notes about the values left out of the log plot, one per curve that has any.
    `curves` maps keys of NAMES to arrays in time order; `reasons` (see zero_reasons) says why
    a curve's zeros are exact, where they are not an underflow."""
    reasons = reasons or {}
    notes = []
    for key, values in curves.items():
        if values is None:
            continue
        note = _summary(PLAIN_NAMES[key], steps_back(values), reasons.get(key, UNDERFLOW))
        if note:
            notes.append(note)
    return notes


def _wrap(text: str, width: int = 110) -> list[str]:
    """Lines of at most about `width` characters, broken at spaces (for notes in the figure)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


def _y_range(arrays) -> list[float]:
    """A fixed log-axis range (log10 units) holding every drawable value, padded a little."""
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
    if finite.size == 0:
        return [-1.0, 1.0]
    lo, hi = float(np.log10(finite.min())), float(np.log10(finite.max()))
    pad = max(0.3, 0.05 * (hi - lo))
    return [lo - pad, hi + pad]


def gradient_figure(rnn_h, lstm_h, lstm_c, forget_product, rnn_h_clipped=None,
                    clip_value: float | None = None, animate: bool = True,
                    budget: int = FRAME_POINT_BUDGET, free=None, held=None) -> PlotlySpec:
    """Two panels sharing one log y axis: left the RNN's ||dL/dh_t|| (and, if given, the same
    with its backward message clipped at clip_value); right the LSTM's ||dL/dh_t||, ||dL/dC_t||
    and the product of forget gates f_T...f_{t+1} (mean over units).

    free: with an LSTM gate held by hand, {"lstm_h": ..., "lstm_c": ...} of the same LSTM with
    no gate held, drawn faint for comparison; held: (gate, value, start, stop) of the held
    gate (steps from 1, inclusive), shaded on the LSTM panel and named in its title.

    All arrays are (T,) in time order (index 0 = step 1). Trace order: RNN, [RNN clipped],
    LSTM dh, LSTM dC, forget product, [LSTM dh free, LSTM dC free]. With animate=True the
    figure has one frame per entry of frame_steps(T, lines), each revealing steps back 0..k of
    every line but the two free ones (a fixed reference, always drawn whole), and Play/Pause
    and a slider.

    The figure is built from plain dicts without plotly.py's property-by-property validation
    (figures/sending.py; validating cost more than the page's whole rerun budget);
    tests/test_figures_gradients.py checks that full validation accepts it and changes nothing.
    """
    raw = {"rnn_h": rnn_h}
    if rnn_h_clipped is not None:
        raw["rnn_h_clipped"] = rnn_h_clipped
    raw.update(lstm_h=lstm_h, lstm_c=lstm_c, forget_product=forget_product)
    if free is not None:
        raw.update(lstm_h_free=free["lstm_h"], lstm_c_free=free["lstm_c"])
    back = {key: steps_back(v) for key, v in raw.items()}
    T = back["rnn_h"].shape[0]
    k = np.arange(T, dtype=np.int32)              # steps back
    t = (T - k).astype(np.int32)                  # the step t itself
    ys = {key: log_safe(v) for key, v in back.items()}

    names = dict(NAMES)
    if clip_value is not None:
        names["rnn_h_clipped"] = f"RNN ‖dL/dh<sub>t</sub>‖, clipped at {clip_value:g}"
    traces = []
    for key, y in ys.items():
        rnn = key.startswith("rnn")
        traces.append(dict(
            type="scatter", x=k, y=y, customdata=t, name=names[key], mode="lines", line=STYLE[key],
            connectgaps=False, xaxis="x" if rnn else "x2", yaxis="y" if rnn else "y2",
            hovertemplate=(f"{names[key]}<br>%{{x}} steps back (t = %{{customdata}})"
                           "<br>%{y:.4g}<extra></extra>")))

    reasons = zero_reasons(held)
    notes = [line for note in dropped_notes(raw, reasons) for line in _wrap(note)]
    y_range = _y_range(list(ys.values()))
    x_axis = dict(range=[T - 1 + 0.5, -0.5],      # reversed: step T at the right
                  title=dict(text="steps back from the last step T  (0 = step T)"), zeroline=False)
    y_axis = dict(type="log", range=y_range, exponentformat="power")
    bottom = 165 + 18 * len(notes)
    top = 80 + (25 if free is not None else 0)   # room for a second row of legend entries
    lstm_title = "<b>LSTM</b>"
    if held is not None:
        lstm_title += f" · {_held_text(held)}"
        if held[0] == "f" and float(held[1]) == 1.0 and int(held[2]) == 1 and int(held[3]) >= T:
            lstm_title += " (the 1997 LSTM)"
    layout = dict(
        xaxis=dict(x_axis, domain=[0.0, 0.47]), xaxis2=dict(x_axis, domain=[0.53, 1.0]),
        yaxis=dict(y_axis, title=dict(text="gradient norm (log scale)")),
        yaxis2=dict(y_axis, matches="y", showticklabels=False),
        # l: room for the tick labels (down to 10^-322, an underflow) and the axis title. plotly.js
        # grows a margin they do not fit in, and then draws the figure twice at every update
        # (tests/browser: no chart does).
        height=515 + 18 * len(notes) + top - 80, margin=dict(t=top, b=bottom, l=96, r=20),
        legend=dict(orientation="h", yanchor="bottom", y=1.1, x=0),
        annotations=[dict(text="<b>Vanilla RNN</b>", x=0.235, y=1.0, xref="paper", yref="paper",
                          xanchor="center", yanchor="bottom", showarrow=False),
                     dict(text=lstm_title, x=0.765, y=1.0, xref="paper", yref="paper",
                          xanchor="center", yanchor="bottom", showarrow=False)],
        shapes=[])
    marked = set()
    for key, y in back.items():                   # where a line stops because it underflowed
        panel = "rnn" if key.startswith("rnn") else "lstm"
        zeros = np.flatnonzero(y == 0)
        if panel in marked or zeros.size == 0 or zeros[0] == 0 or not ys[key][zeros[0] - 1] > 0:
            continue
        marked.add(panel)
        last = int(zeros[0] - 1)
        y_last = float(np.log10(ys[key][last]))
        high = y_last > y_range[0] + 0.7 * (y_range[1] - y_range[0])   # near the top: label below
        layout["annotations"].append(dict(
            text="then exactly 0<br>" + ("(f held at 0)" if key in reasons else "(underflow)"),
            x=last, y=y_last, xref="x" if panel == "rnn" else "x2", yref="y" if panel == "rnn" else "y2",
            showarrow=True, arrowhead=2, ax=40, ay=35 if high else -30, font=dict(size=11)))
    if clip_value is not None and rnn_h_clipped is not None:
        c = float(np.log10(clip_value))           # an annotation on a log axis takes log10(y),
        layout["shapes"].append(dict(type="line", xref="x domain", yref="y", x0=0, x1=1,  # a shape y
                                     y0=float(clip_value), y1=float(clip_value),
                                     line=dict(color=COLORS["rnn"], width=1, dash="dot")))
        layout["annotations"].append(dict(
            text=f"clip norm c = {clip_value:g}", xref="x domain", yref="y", x=0.01, y=c,
            xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=11)))
    if held is not None:
        gate, value, a, b = held
        band = dict(x0=float(T - b) - 0.5, x1=float(T - a) + 0.5)   # steps a..b, in steps back
        layout["shapes"].append(dict(type="rect", xref="x2", yref="y2 domain", y0=0.0, y1=1.0, **band,
                                     fillcolor=rgba(COLORS[gate], 0.12), line=dict(width=0),
                                     layer="below"))
        layout["annotations"].append(dict(
            text=f"{gate} = {value:g}", x=(band["x0"] + band["x1"]) / 2, y=1.0, xref="x2",
            yref="y2 domain", yanchor="top", showarrow=False, font=dict(size=12, color=COLORS[gate])))
    if notes:
        layout["annotations"].append(dict(
            text="<br>".join(notes), xref="paper", yref="paper", x=0, y=0, yshift=-bottom + 10,
            xanchor="left", yanchor="bottom", showarrow=False, align="left"))
    if not layout["shapes"]:
        del layout["shapes"]
    # the lines with no gate held are a fixed reference: drawn whole, not animated (they come last)
    moving = [y for key, y in ys.items() if not key.endswith("_free")]
    frames = _animation(layout, moving, T, budget) if animate else []
    return PlotlySpec(traces, layout, frames)


def _held_text(held) -> str:
    gate, value, a, b = held
    where = f"step {a}" if a == b else f"steps {a}–{b}"
    return f"{gate}<sub>t</sub> held at {value:g} on {where}"


STYLE = {
    "rnn_h": dict(color=COLORS["rnn"], width=2.5),
    "lstm_h_free": dict(color=rgba(COLORS["h"], 0.55), width=1.5, dash="dash"),
    "lstm_c_free": dict(color=rgba(COLORS["c"], 0.55), width=1.5, dash="dash"),
    "rnn_h_clipped": dict(color=COLORS["rnn"], width=2, dash="dash"),
    "lstm_h": dict(color=COLORS["h"], width=2.5),
    "lstm_c": dict(color=COLORS["c"], width=2.5),
    "forget_product": dict(color=COLORS["f"], width=2, dash="dot"),
}


def _animation(layout: dict, ys: list[np.ndarray], T: int, budget: int) -> list[dict]:
    """Frames revealing steps back 0..k of every line; adds Play/Pause and a slider to layout."""
    ks = frame_steps(T, len(ys), budget)
    indices = list(range(len(ys)))
    frames = [dict(name=str(int(kk)), traces=indices,
                   data=[dict(type="scatter", y=typed_array(y[:kk + 1])) for y in ys])
              for kk in ks]
    duration = int(min(150, max(40, 4000 // len(ks))))
    play = dict(frame=dict(duration=duration, redraw=False), transition=dict(duration=0),
                fromcurrent=False, mode="immediate")
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0),
                 mode="immediate")
    layout["updatemenus"] = [dict(
        type="buttons", direction="left", x=0, y=-0.3, xanchor="left", yanchor="top",
        showactive=False, pad=dict(t=0, r=10),
        buttons=[dict(label="▶ Play from step T", method="animate", args=[None, play]),
                 dict(label="❚❚ Pause", method="animate", args=[[None], pause])])]
    layout["sliders"] = [dict(
        active=len(ks) - 1, x=0.3, len=0.7, y=-0.27, yanchor="top", pad=dict(t=0),
        currentvalue=dict(prefix="the gradient has travelled back: ", suffix=" steps"),
        steps=[dict(label=str(int(kk)), method="animate", args=[[str(int(kk))], pause])
               for kk in ks])]
    return frames
