"""Every gate and state of an LSTM over a whole sequence: six heatmaps (time across, units
down) and the conveyor belt of one unit, animated in the browser.

    f_t  = σ(W_f·[h_{t-1}, x_t] + b_f)      C_t = f_t * C_{t-1} + i_t * C~_t
    i_t  = σ(W_i·[h_{t-1}, x_t] + b_i)      h_t = o_t * tanh(C_t)
    C~_t = tanh(W_c·[h_{t-1}, x_t] + b_c)
    o_t  = σ(W_o·[h_{t-1}, x_t] + b_o)

One figure holds the six heatmaps (sharing the time axis t = 1..T; units 0..H-1, numbered as
in the trace CSV) and the belt (figures/conveyor.py) of the chosen unit. Play/Pause
(layout.updatemenus) and the time scrubber (layout.sliders) run in the browser through Plotly
frames, one per step. The app's chart frame (ui/chart_frame) draws these two as its own HTML
controls calling the same Plotly.animate; any other Plotly viewer draws them as Plotly's own.

Payload: each heatmap's z is sent once and never changes. A frame changes only small things,
and lists only those traces (go.Frame.traces): the step cursor of each heatmap (a bar one step
wide, whose x is t) and the belt traces whose values change from step to step, with only the
attributes that change. So the figure grows like T*H + T*(one belt), not like T^2.

Text read one character per step labels the time axis, the scrubber and every hover with its
characters (`chars`); gates held fixed by an experiment (lstm_core Clamps, `held`) get a dashed,
labelled frame on their heatmap.

plotly.js (4.2, bundled with Streamlit) animates a frame trace by trace and meanwhile wipes
every trace it cannot animate, the heatmaps included, until the redraw that follows. Every frame
therefore also moves the range of an invisible "clock" axis: a frame that changes an axis range
is drawn by one redraw instead, and the heatmaps stay on screen while the animation plays.
"""
from __future__ import annotations

import html
import json

import numpy as np

from .sending import PlotlySpec
from .colors import COLORS, LABELS, RANGES, colorscale, rgba
from .conveyor import (SVG_FONT, X_RANGE, Y_RANGE, belt_axes, belt_shapes, belt_traces_shared, colorbar_image,
                       copy_trace, svg_image)
from .step import MINUS

QUANTITIES = ("f", "i", "c_tilde", "o", "c", "h")          # heatmap rows, top to bottom
INK = COLORS["x"]                                           # cursor outline: black

_SYMBOL = {"f": "f<sub>t</sub>", "i": "i<sub>t</sub>", "c_tilde": "C̃<sub>t</sub>", "o": "o<sub>t</sub>",
           "c": "C<sub>t</sub>", "h": "h<sub>t</sub>"}
_HX = "[h<sub>t" + MINUS + "1</sub>, x<sub>t</sub>]"
EQUATIONS = {   # the row titles: what each heatmap shows and the equation behind it
    "f": f"<b>forget gate</b> f<sub>t</sub> = σ(W<sub>f</sub>·{_HX} + b<sub>f</sub>)",
    "i": f"<b>input gate</b> i<sub>t</sub> = σ(W<sub>i</sub>·{_HX} + b<sub>i</sub>)",
    "c_tilde": f"<b>candidate</b> C̃<sub>t</sub> = tanh(W<sub>c</sub>·{_HX} + b<sub>c</sub>)",
    "o": f"<b>output gate</b> o<sub>t</sub> = σ(W<sub>o</sub>·{_HX} + b<sub>o</sub>)",
    "c": ("<b>cell state</b> C<sub>t</sub> = f<sub>t</sub> * C<sub>t" + MINUS + "1</sub>"
          " + i<sub>t</sub> * C̃<sub>t</sub>"),
    "h": "<b>hidden state</b> h<sub>t</sub> = o<sub>t</sub> * tanh(C<sub>t</sub>)",
}

# geometry (paper fractions across, pixels down)
HEAT_X = (0.0, 0.5)        # the heatmap column
BAR_X = 0.51               # left edge of the colour bars
BELT_X = (0.58, 1.0)       # the belt column
TITLE_PX = 26              # room above each heatmap for its title
TOP_PX, BOTTOM_PX = 8, 118  # margins: top; bottom holds the t axis, Play/Pause and the scrubber
MARGIN_L, MARGIN_R = 50, 10

# A chart narrower than NARROW_BELOW px has no room for the belt beside the heatmaps (at 1024 px
# its labels overlapped, on a phone it could not be read): it is drawn under them instead, as
# wide as the chart. The stacked figure is made for the chart's width (ui.charts reports it).
NARROW_BELOW = 760
STACK_HEAT_X = (0.0, 0.8)  # stacked: the heatmaps, and their colour bars from STACK_BAR_X
STACK_BAR_X = 0.82
BELT_ASPECT = (Y_RANGE[1] - Y_RANGE[0]) / (X_RANGE[1] - X_RANGE[0])   # the belt's height over its width
BELT_TITLE_PX = 30         # stacked: room above the belt for its title,
BELT_LEGEND_PX = 56        # and under it for the colour bar of its lines


def heatmap_values(trace, b: int = 0) -> dict[str, np.ndarray]:
    """The six quantities of sequence b as (H, T) arrays (row = unit, column = step), exactly
    the trace's float64 numbers."""
    arrays = {"f": trace.f, "i": trace.i, "c_tilde": trace.c_tilde, "o": trace.o, "c": trace.c, "h": trace.h}
    return {k: np.ascontiguousarray(a[:, b, :].T) for k, a in arrays.items()}


def belt_series(trace, unit: int, b: int = 0) -> list[dict]:
    """The values of one unit at every step, one dict per step in the form
    figures.conveyor.belt_traces takes: c_prev, f, i, c_tilde, o, c, h, h_prev, tanh_c, x (first
    input), x2 (second input, or None with one input). All are lstm_core's float64 numbers."""
    return _series(_belt_columns(trace, unit, b), trace.T)


def _series(columns: dict[str, np.ndarray], T: int) -> list[dict]:
    cols = {k: a.tolist() for k, a in columns.items()}
    if "x2" not in cols:
        cols["x2"] = [None] * T
    return [{k: col[k_t] for k, col in cols.items()} for k_t in range(T)]


def _belt_columns(trace, unit: int, b: int) -> dict[str, np.ndarray]:
    """belt_series as (T,) arrays (x2 only with a second input)."""
    arrays = {"c_prev": trace.c_prev, "f": trace.f, "i": trace.i, "c_tilde": trace.c_tilde, "o": trace.o,
              "c": trace.c, "h": trace.h, "h_prev": trace.h_prev, "tanh_c": trace.tanh_c}
    cols = {k: a[:, b, unit] for k, a in arrays.items()}
    cols["x"] = trace.x[:, b, 0]
    if trace.input_size >= 2:
        cols["x2"] = trace.x[:, b, 1]
    return cols


def _step_keys(columns: dict[str, np.ndarray]) -> list[bytes]:
    """One key per step: the bits of all its belt values, so that two steps get the same key
    exactly when they would draw the same belt (-0.0 and 0.0 differ, as they do in customdata)."""
    rows = np.ascontiguousarray(np.column_stack(list(columns.values())))
    return [r.tobytes() for r in rows]


def belt_values(trace, k: int, unit: int, b: int = 0) -> dict:
    """The belt's values of one unit at step t = k + 1 (k from 0); see belt_series."""
    return belt_series(trace, unit, b)[k]


_PLAIN = (float, int, str, list, tuple, dict, type(None), bool)


def _canon(v) -> str:
    """A value as comparable text (lists, dicts, NumPy arrays alike)."""
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, dict):
        return "{" + ",".join(f"{k!r}:{_canon(v[k])}" for k in sorted(v)) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(_canon(e) for e in v) + "]"
    return json.dumps(v) if not isinstance(v, float) else repr(v)


def _same(a, b) -> bool:
    """a and b are the same value (plain == where it answers, else compared as text)."""
    if a is b:
        return True
    if type(a) in _PLAIN and type(b) in _PLAIN:   # the belt's own values: == answers at C speed
        return a == b
    try:
        r = a == b
        if isinstance(r, bool):
            return r
    except (ValueError, TypeError):
        pass
    return _canon(a) == _canon(b)


def _same_dict(a: dict, b: dict) -> bool:
    """True when two trace dicts are certainly equal (one == at C speed); False when they differ
    or cannot be compared whole (NumPy arrays inside): then they are compared key by key."""
    try:
        r = a == b
    except (ValueError, TypeError):
        return False
    return r is True


def belt_steps(trace, unit: int, b: int = 0) -> tuple[list[dict], list[int], list[list[dict]]]:
    """The belt of `unit` at every step, split for animation.

    Returns (first, changing, updates): `first` the belt's traces at t = 1 (dicts); `changing`
    the positions (in the belt's trace list) of the traces whose attributes differ between
    steps; updates[k] for each step t = k + 1 one dict per changing trace holding its type and
    only the attributes that change."""
    built: dict[bytes, list] = {}            # a step whose values repeat an earlier step's draws the same belt
    per_step = []
    columns = _belt_columns(trace, unit, b)
    for key, v in zip(_step_keys(columns), _series(columns, trace.T)):
        traces = built.get(key)
        if traces is None:
            traces = built[key] = belt_traces_shared(v)   # read only; copied below
        per_step.append(traces)
    first = per_step[0]
    n = len(first)
    varying: list[list[str]] = []
    for j in range(n):
        f = first[j]
        differ = [s[j] for s in per_step[1:] if s[j] is not f and not _same_dict(s[j], f)]  # most never change
        keys = set(f).union(*(d.keys() for d in differ)) if differ else set()
        keys.discard("type")
        found = set()
        for d in differ:                          # each step once; stop when every key is known to vary
            for key in keys - found:
                if not _same(d.get(key), f.get(key)):
                    found.add(key)
            if found == keys:
                break
        varying.append(sorted(found))
    changing = [j for j in range(n) if varying[j]]
    made: dict[int, list] = {}
    updates = []
    for s in per_step:                        # repeated steps share their (read-only) update
        u = made.get(id(s))
        if u is None:
            u = made[id(s)] = [{"type": s[j].get("type", "scatter"), **{key: s[j][key] for key in varying[j] if key in s[j]}}
                               for j in changing]
        updates.append(u)
    return [copy_trace(tr) for tr in first], changing, updates


def _row_domains(H: int, below_px: int = 0) -> tuple[list[tuple[float, float]], int]:
    """The y domains (paper fractions, top row first) of the six heatmaps and the plot height (px),
    with `below_px` of the plot area left under them (the stacked layout's belt)."""
    row_px = 40 + 8 * H
    plot_px = len(QUANTITIES) * (row_px + TITLE_PX) + below_px
    doms, top = [], plot_px
    for _ in QUANTITIES:
        top -= TITLE_PX
        doms.append(((top - row_px) / plot_px, top / plot_px))
        top -= row_px
    return doms, plot_px


def stacked_belt_px(width: int) -> int:
    """The belt's height (px) in the stacked layout of a chart `width` px wide: as wide as the
    plot area, in its own proportions."""
    return round((width - MARGIN_L - MARGIN_R) * BELT_ASPECT)


def char_label(ch: str) -> str:
    """A character as figure text: a space as ␣, and < > & as HTML entities (&lt; &gt; &amp;,
    which plotly.js turns back into the characters), so that no typed text is read as Plotly's
    formatting tags."""
    return "\u2423" if ch == " " else html.escape(ch, quote=False)


def char_ticks(chars, max_labels: int = 50) -> dict:
    """Time-axis ticks (t = 1..T) labelled with the character read at each step: every step
    when there are at most max_labels, else every k-th step."""
    T = len(chars)
    stride = max(1, -(-T // max_labels))
    ts = list(range(1, T + 1, stride))
    return dict(tickmode="array", tickvals=ts, ticktext=[char_label(chars[t - 1]) for t in ts])


HELD_WORDS = {("f", 1.0): "nothing forgotten", ("f", 0.0): "everything forgotten",
              ("i", 0.0): "nothing written", ("i", 1.0): "all written", ("o", 0.0): "nothing shown",
              ("o", 1.0): "all shown"}


def held_label(gate: str, value: float, start: int, stop: int) -> str:
    """What a held gate means, as figure text: "f held at 1 on steps 3–20: nothing forgotten"."""
    sym = {"f": "f", "i": "i", "o": "o"}[gate]
    steps = f"step {start}" if start == stop else f"steps {start}\u2013{stop}"
    words = HELD_WORDS.get((gate, float(value)))
    return f"{sym} held at {value:g} on {steps}" + (f": {words}" if words else "")


def _held_ranges(held, T: int):
    """(gate, value, start, stop) of each held gate, its steps cut to 1..T; empty ones left out."""
    out = []
    for gate, value, start, stop in held or ():
        start, stop = max(1, int(start)), min(int(stop), T)
        if start <= stop:
            out.append((gate, float(value), start, stop))
    return out


def _colour_range(key: str, z: np.ndarray) -> tuple[float, float]:
    if RANGES.get(key) is not None:
        return RANGES[key]
    m = float(np.max(np.abs(z))) if z.size else 0.0
    m = m if m > 0 else 1.0
    return -m, m


def _ticks(key: str, lo: float, hi: float) -> list[str]:
    """Colour-bar labels: what the two ends of the scale mean."""
    if key in ("f", "i", "o"):
        return ["0 shut", "1 open"]
    return [f"{MINUS}{hi:.3g}", f"+{hi:.3g}"]


BAR_PX, BAR_TEXT_PX = 10, 10        # colour bar: the bar's width and its labels' size (px)
BAR_IMAGE_W = 62                    # width of the picture (px): the bar and labels like "−0.995"


def colour_bar_svg(key: str, lo: float, hi: float, height_px: int) -> str:
    """A heatmap's colour bar as a small SVG picture: its colour scale from lo (bottom) to hi
    (top), and the two labels of _ticks beside the ends.

    A picture, not a plotly.js colour bar (conveyor.svg_image says why): the six plotly.js colour
    bars were about 45 ms of every redraw of the gates figure in the app (A/B in Chromium, 16
    paired moves)."""
    stops = "".join(f'<stop offset="{pos:g}" stop-color="{col}"/>' for pos, col in colorscale(key))
    bottom, top = (html.escape(t) for t in _ticks(key, lo, hi))
    x_text = BAR_PX + 4
    font = f'{SVG_FONT} font-size="{BAR_TEXT_PX}"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{BAR_IMAGE_W}" height="{height_px}" '
            f'viewBox="0 0 {BAR_IMAGE_W} {height_px}">'
            f'<linearGradient id="s" x1="0" y1="1" x2="0" y2="0">{stops}</linearGradient>'
            f'<rect x="0" y="0" width="{BAR_PX}" height="{height_px}" fill="url(#s)"/>'
            f'<text x="{x_text}" y="{BAR_TEXT_PX - 1}" {font}>{top}</text>'
            f'<text x="{x_text}" y="{height_px - 1}" {font}>{bottom}</text></svg>')


def colour_bar_image(key: str, lo: float, hi: float, domain: tuple[float, float], height_px: int,
                     x: float = BAR_X, sizex: float = BELT_X[0] - BAR_X) -> dict:
    """colour_bar_svg as a layout image beside a heatmap row (paper y domain, its height in px),
    from x (BAR_X: in the gap between the heatmaps and the belt), at most sizex wide. The image
    keeps its proportions (sizing "contain"): on a narrow screen it shrinks to the gap rather
    than cover the belt."""
    return svg_image(colour_bar_svg(key, lo, hi, height_px), "colour bar " + key, x, domain[1],
                     sizex, domain[1] - domain[0], "left", "top")


def frame_ms(T: int) -> int:
    """Milliseconds per step when playing: a sequence plays in about 8 s, 40..300 ms a step."""
    return int(min(300, max(40, 8000 // max(T, 1))))


def gates_over_time_figure(trace, unit: int = 0, b: int = 0, belt=None, chars=None, held=(),
                           width: int | None = None) -> PlotlySpec:
    """Six heatmaps (f, i, C~, o, C, h over t and units) and the belt of `unit`, animated.

    trace: an lstm_core LSTMTrace; b: which sequence of a batch. belt: the result of
    belt_steps(trace, unit, b) when already computed (it is the expensive part), else None.
    chars: the character read at each step (T strings) when the inputs are text: they label
    the time axis and the scrubber, and every heatmap's hover names the character.
    held: the gates held fixed in the run, (gate, value, start, stop) each (lstm_core Clamps as
    tuples): a dashed frame on that gate's heatmap marks the steps, labelled with what it means.
    Traces, in order: 6 heatmaps (axes x, y..y6), 6 step cursors (bars, on the heatmaps' axes),
    the belt's traces (x2, y7), the clock (x3, y8; see below). The colour bars are layout images.
    Frames: one per step, named "1".."T", each updating the cursors, the changing belt traces
    and the clock's range; every animate call (Play, Pause, the slider) redraws.
    width: None for the belt beside the heatmaps; else the chart's width in px (under
    NARROW_BELOW), and the belt goes under the heatmaps, as wide as the chart, with Play/Pause
    and the scrubber between the two. The traces and frames are the same either way.
    """
    T, H = trace.T, trace.hidden_size
    if not 0 <= unit < H:
        raise ValueError(f"unit {unit} does not exist: the model has units 0..{H - 1}")
    if chars is not None and len(chars) != T:
        raise ValueError(f"chars has {len(chars)} characters but the trace {T} steps")
    z = heatmap_values(trace, b)
    labels = [char_label(ch) for ch in chars] if chars is not None else None
    custom = [labels] * H if labels is not None else None       # (H, T): the character of each cell's step
    at_t = "t = %{x} (%{customdata})" if labels is not None else "t = %{x}"
    first, changing, updates = belt if belt is not None else belt_steps(trace, unit, b)
    stacked = width is not None
    if stacked and not MARGIN_L + MARGIN_R + 100 <= width < NARROW_BELOW:
        raise ValueError(f"a stacked figure is for a chart from {MARGIN_L + MARGIN_R + 100} to "
                         f"{NARROW_BELOW - 1} px wide, not {width}")
    belt_px = stacked_belt_px(width) if stacked else 0
    below_px = BOTTOM_PX + BELT_TITLE_PX + belt_px + BELT_LEGEND_PX if stacked else 0
    doms, plot_px = _row_domains(H, below_px)
    heat_x, bar_x = (STACK_HEAT_X, STACK_BAR_X) if stacked else (HEAT_X, BAR_X)
    belt_xd = (0.0, 1.0) if stacked else BELT_X
    # the belt's plot-area box (paper y), and where the t axis and the player go (under the heatmaps)
    belt_y0, belt_y1 = ((BELT_LEGEND_PX / plot_px, (BELT_LEGEND_PX + belt_px) / plot_px) if stacked
                        else (0.0, 1.0))
    heat_bottom = doms[-1][0]
    n_rows = len(QUANTITIES)

    data, layout = [], {}
    annotations, images = [], []
    row_px = round((doms[0][1] - doms[0][0]) * plot_px)     # the plot area is plot_px high (margins below)
    for r, key in enumerate(QUANTITIES):
        ya = "y" if r == 0 else f"y{r + 1}"
        lo, hi = _colour_range(key, z[key])
        d0, d1 = doms[r]
        data.append(dict(
            type="heatmap", z=z[key], x0=1, dx=1, y0=0, dy=1, xaxis="x", yaxis=ya, name=LABELS[key],
            colorscale=colorscale(key), zmin=lo, zmax=hi, showscale=False,   # its colour bar: an image
            hovertemplate=at_t + ", unit %{y}<br>" + _SYMBOL[key] + " = %{z:.6g}<extra></extra>"))
        images.append(colour_bar_image(key, lo, hi, (d0, d1), row_px, bar_x,
                                       1.0 - bar_x if stacked else BELT_X[0] - BAR_X))
        if custom is not None:
            data[-1]["customdata"] = custom
        layout["yaxis" if r == 0 else f"yaxis{r + 1}"] = dict(
            domain=[d0, d1], anchor="x", range=[H - 0.5, -0.5], title=dict(text="unit", standoff=2),
            tickmode="array", tickvals=list(range(H)), ticks="", showgrid=False, zeroline=False,
            fixedrange=True, tickfont=dict(size=9 if H > 8 else 10))
        # stacked, the title may run over the colour bar's column (it names the symbol itself)
        annotations.append(dict(text=EQUATIONS[key], xref="paper", yref="paper", x=heat_x[0], y=d1,
                                xanchor="left", yanchor="bottom", showarrow=False,
                                font=dict(size=12 if stacked else 13)))
        if not stacked:
            annotations.append(dict(text=_SYMBOL[key], xref="paper", yref="paper", x=BAR_X, y=d1,
                                    name="colour bar", xanchor="left", yanchor="bottom", showarrow=False,
                                    font=dict(size=12)))
    for r in range(n_rows):   # the step cursor: a bar one step wide around column t
        data.append(dict(type="bar", x=[1], y=[H], base=-0.5, width=1.0, xaxis="x",
                         yaxis="y" if r == 0 else f"y{r + 1}", name="step t", showlegend=False,
                         hoverinfo="skip", marker=dict(color=rgba(INK, 0.0), line=dict(color=INK, width=2))))
    n_fixed = len(data)
    belt_x, belt_y = "x2", f"y{n_rows + 1}"
    for tr in first:
        data.append({**tr, "xaxis": belt_x, "yaxis": belt_y})
    # what the colours of the belt's lines mean: a picture under the belt (colorbar_svg)
    legend_y = belt_y0 if stacked else -0.04          # beside the heatmaps: in the bottom margin
    images.append(colorbar_image(True, (belt_xd[0] + belt_xd[1]) / 2, legend_y, belt_xd[1] - belt_xd[0], plot_px,
                                 "center", "top"))

    ax = belt_axes(belt_x, equal_aspect=True)
    layout["xaxis"] = dict(domain=list(heat_x), anchor=f"y{n_rows}", range=[0.5, T + 0.5],
                           title=dict(text="step t" if chars is None else "character read at step t", standoff=4),
                           showgrid=False, zeroline=False, ticks="outside",
                           **(char_ticks(chars) if chars is not None else {}))
    shapes = belt_shapes(belt_x, belt_y, two_inputs=trace.input_size >= 2)   # the belt's fixed parts
    for gate, value, start, stop in _held_ranges(held, T):
        if gate not in QUANTITIES:
            continue
        r = QUANTITIES.index(gate)
        shapes.append(dict(type="rect", xref="x", yref="y" if r == 0 else f"y{r + 1}", x0=start - 0.5,
                           x1=stop + 0.5, y0=-0.5, y1=H - 0.5, line=dict(color=INK, width=2, dash="dash"),
                           fillcolor=rgba(INK, 0.0), layer="above", name="held",
                           label=dict(text=held_label(gate, value, start, stop), textposition="top left",
                                      font=dict(size=11, color=INK), padding=2)))
    layout["xaxis2"] = {**ax["xaxis"], "domain": list(belt_xd), "anchor": belt_y}
    layout[f"yaxis{n_rows + 1}"] = {**ax["yaxis"], "domain": [belt_y0, belt_y1], "anchor": belt_x,
                                    "constraintoward": "top"}
    annotations.append(dict(text=f"<b>unit {unit} on the conveyor belt</b>, at the framed step",
                            xref="paper", yref="paper", x=(belt_xd[0] + belt_xd[1]) / 2, y=belt_y1,
                            xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=13)))

    # The clock: an empty, invisible subplot whose y range each frame changes. A frame that changes
    # an axis range makes plotly.js skip its trace-by-trace transition (which would wipe the
    # heatmaps, which cannot be animated, until the redraw) and just redraw the figure once.
    clock_x, clock_y = "x3", f"y{n_rows + 2}"
    data.append(dict(type="scatter", x=[], y=[], xaxis=clock_x, yaxis=clock_y, name="clock",
                     showlegend=False, hoverinfo="skip"))
    hidden = dict(visible=False, fixedrange=True, showgrid=False, zeroline=False)
    layout["xaxis3"] = dict(domain=[0.999, 1.0], anchor=clock_y, range=[0, 1], **hidden)
    layout[f"yaxis{n_rows + 2}"] = dict(domain=[0.0, 0.001], anchor=clock_x, range=[0, 0.5], **hidden)

    cursor_idx = list(range(n_rows, 2 * n_rows))
    belt_idx = [n_fixed + j for j in changing]
    frames = [dict(name=str(k + 1), traces=cursor_idx + belt_idx,
                   data=[{"type": "bar", "x": [k + 1]}] * n_rows + updates[k],
                   layout={f"yaxis{n_rows + 2}": {"range": [0, k + 1]}}) for k in range(T)]

    ms = frame_ms(T)
    show = {"mode": "immediate", "frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0}}
    steps = [dict(method="animate", label=str(k + 1) if labels is None else f"{k + 1} {labels[k]}",
                  args=[[str(k + 1)], show]) for k in range(T)]
    bottom_px = 10 if stacked else BOTTOM_PX    # stacked, the player sits between heatmaps and belt
    slider_x = 0.3 if stacked else 0.14
    layout.update(
        height=plot_px + TOP_PX + bottom_px + 20,
        margin=dict(l=MARGIN_L, r=MARGIN_R, t=TOP_PX + 20, b=bottom_px, autoexpand=False),
        showlegend=False, hovermode="closest", barmode="overlay", annotations=annotations,
        updatemenus=[dict(type="buttons", direction="left", showactive=False, x=0.0, xanchor="left",
                          y=heat_bottom, yanchor="top", pad=dict(t=62, r=4),
                          buttons=[dict(label="▶ Play", method="animate",
                                        args=[None, {"mode": "immediate", "fromcurrent": True,
                                                     "frame": {"duration": ms, "redraw": True},
                                                     "transition": {"duration": 0}}]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                                       "transition": {"duration": 0}}])])],
        sliders=[dict(active=0, steps=steps, x=slider_x, len=heat_x[1] - slider_x if not stacked else 1.0 - slider_x,
                      xanchor="left", y=heat_bottom,
                      yanchor="top", pad=dict(t=50, b=0), ticklen=2 if T <= 60 else 0, minorticklen=0,
                      font=dict(size=9, color=INK if T <= 30 else rgba(INK, 0.0)),
                      currentvalue=dict(prefix="step t = ", font=dict(size=13, color=INK), xanchor="right"),
                      transition=dict(duration=0))],
    )
    layout["shapes"] = shapes
    layout["images"] = images
    return assemble(data, layout, frames)


def assemble(data: list[dict], layout: dict, frames: list[dict]) -> PlotlySpec:
    """The figure from plain dicts, sent as they are (figures/sending.py).

    plotly.py checks every attribute of every trace of every frame when a go.Figure is built
    (about 40 µs a trace: a tenth of a second at T = 60, more than the page's whole budget for
    a rerun), then copies it all again to send it. These dicts are written by this module, in
    the same shape for any trace, so they are sent unchecked; tests/test_figures_heatmaps.py
    runs the complete figure through plotly.py's checks (go.Figure(fig.to_dict())) for
    several shapes of input.
    """
    return PlotlySpec(data, layout, frames)
