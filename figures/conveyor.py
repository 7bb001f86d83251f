"""The conveyor belt: one unit of one LSTM step, drawn as pipes and valves.

    C_{t-1} ──[× valve f]──────(+)───────────┬──── C_t        the cell state (the belt)
                                 │            tanh
                           [valve i]        [valve o]── h_t
                                 │
       σ f        σ i       tanh C~        σ o
    ─────────────── [h_{t-1}, x_t] ─────────────               every gate reads the same vector

Every line is a pipe whose thickness grows with |value| and whose colour is the value on the
diverging scale of colors.py (blue negative, white 0, red positive, saturating at +-1). Each
gate is a valve on the pipe it multiplies: two shutters leave an opening equal to the gate's
value (0 = shut, 1 = wide open); the gate's own line carries its colour (colors.COLORS).

The parts that never change (pipes, bus, boxes, valve bodies) are layout shapes drawn under
the traces (`belt_shapes`); `belt_traces` draws everything else.

Contract (another page animates these traces with Plotly frames): `belt_traces` returns the
same number, order and types of traces whatever the values; everything that depends on the
values is a trace attribute (x/y, line width/colour, text, customdata). Coordinates live in
the fixed box x in [0, 10], y in [0, 6]. Each value-carrying trace holds its exact value in
`customdata` (one copy per point) so hover shows it unrounded.
"""
from __future__ import annotations

import base64
import functools
import math

from .colors import COLORS, DIVERGING, rgba
from .sending import PlotlySpec
from .step import MINUS, fmt_html

X_RANGE = (0.0, 10.0)
Y_RANGE = (0.0, 6.0)

# ---- geometry (fixed) ----
BELT_Y = 5.0
LEFT, RIGHT = 0.3, 9.7
BUS_Y = 0.7
BOX_Y = 1.9                  # centre of the four gate boxes
BOX_HW, BOX_HH = 0.45, 0.4   # half width, half height of a gate box
F_X, I_X, C_X, O_X = 2.4, 3.7, 5.0, 6.35   # gate boxes (forget, input, candidate, output)
PLUS = (5.0, BELT_Y)
F_VALVE = (F_X, BELT_Y)      # on the belt (horizontal pipe)
I_VALVE = (C_X, 3.65)        # on the candidate's pipe (vertical)
OUT_X = 7.7                  # the branch from the belt down to h_t
TANH_Y, TANH_HW, TANH_HH = 3.9, 0.38, 0.3
O_VALVE = (OUT_X, 2.65)      # on the branch, after tanh (vertical)
H_OUT_Y = 1.1
X_IN = (1.0, 1.35)           # where x_{t,0}, x_{t,1} come up into the bus
VALVE_L, VALVE_A = 0.3, 0.45  # valve half length (along the pipe), inner half opening (across)

COLORBAR_PX = 90             # right margin of conveyor_figure, where the colour bar sits
WIDTH_CAP = 2.5              # |value| beyond which a line stops getting thicker
COLOR_CAP = 1.0              # |value| beyond which the colour stops getting darker
COLOR_GAMMA = 0.5            # colour position ~ sign * |value| ** COLOR_GAMMA
TEXT_SIZE = 13
INK = COLORS["x"]            # black: static text and outlines
PIPE = rgba(COLORS["x"], 0.07)  # the empty pipe under every flow

# the values carried by the flow lines, in trace order: (key, label for hover)
FLOW_KEYS = ("h_prev", "x", "x2", "c_prev", "fc", "c_tilde", "ic", "c", "tanh_c", "h")
GATE_KEYS = ("f", "i", "o")
_SHUTTER_FILL = {g: rgba(COLORS[g], 0.85) for g in GATE_KEYS}   # a valve's shutters (constant)

_NAMES = {
    "h_prev": "h<sub>t" + MINUS + "1</sub>", "x": "x<sub>t</sub>", "x2": "x<sub>t,1</sub>",
    "c_prev": "C<sub>t" + MINUS + "1</sub>", "fc": "f<sub>t</sub>·C<sub>t" + MINUS + "1</sub>",
    "c_tilde": "C̃<sub>t</sub>", "ic": "i<sub>t</sub>·C̃<sub>t</sub>", "c": "C<sub>t</sub>",
    "tanh_c": "tanh(C<sub>t</sub>)", "h": "h<sub>t</sub>",
    "f": "f<sub>t</sub>", "i": "i<sub>t</sub>", "o": "o<sub>t</sub>",
}

# the number labels: key -> (x, y, textposition)
_LABELS = {
    "c_prev": (LEFT, BELT_Y + 0.7, "middle right"),
    "fc": ((F_X + PLUS[0]) / 2 + 0.1, BELT_Y + 0.55, "middle center"),
    "c": (RIGHT, BELT_Y + 0.55, "middle left"),
    "f": (F_X - 0.1, 3.6, "middle left"),
    "i": (I_X - 0.1, 2.95, "middle left"),
    "c_tilde": (C_X + 0.12, 2.75, "middle right"),
    "ic": (C_X + 0.12, 4.4, "middle right"),
    "o": (O_VALVE[0] - VALVE_A - 0.05, 3.05, "middle left"),
    "tanh_c": (OUT_X + 0.12, 3.3, "middle right"),
    "h": (RIGHT, H_OUT_Y + 0.3, "middle left"),
    "h_prev": (LEFT, BUS_Y + 0.3, "middle right"),
    "x": (X_IN[1] + 0.12, 0.2, "middle right"),
}
LABEL_KEYS = tuple(_LABELS)


def _scatter(**kw) -> dict:
    """A scatter trace as the plain dict Plotly sends to the browser. Building go.Scatter
    objects (validated or not) costs about 2 ms per belt, and the gates page draws one belt
    per step; tests/test_figures_conveyor.py checks that Plotly's validation accepts these
    traces and changes nothing."""
    return {"type": "scatter", **kw}


def _hex_rgb(h: str) -> tuple[int, int, int]:
    h = h.lstrip("#")
    return tuple(int(h[k:k + 2], 16) for k in (0, 2, 4))


# DIVERGING as (position, (r, g, b)) pairs, parsed once (the scale is a constant)
_SCALE = tuple((t, _hex_rgb(c)) for t, c in DIVERGING)


@functools.lru_cache(maxsize=4096)   # a pure function of one number; a belt repeats many values
def value_color(v: float) -> str:
    """The colour of a signed value on colors.DIVERGING (blue < 0 < red), saturating at +-COLOR_CAP.

    |v| is raised to COLOR_GAMMA (< 1) before the lookup so that small values are not lost
    in white; colorbar_svg draws the same mapping."""
    v = float(v)
    if not math.isfinite(v):
        v = 0.0
    m = min(1.0, abs(v) / COLOR_CAP) ** COLOR_GAMMA
    t = 0.5 + 0.5 * (m if v >= 0 else -m)
    for (t0, a), (t1, b) in zip(_SCALE[:-1], _SCALE[1:]):
        if t <= t1:
            s = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            return "rgb({},{},{})".format(*(round(p + s * (q - p)) for p, q in zip(a, b)))
    return "rgb({},{},{})".format(*_SCALE[-1][1])


def value_width(v: float) -> float:
    """Line width (px) of a flow: 1 at 0, +4 per unit of |value|, capped at |value| = WIDTH_CAP."""
    v = float(v)
    if not math.isfinite(v):
        return 1.0
    return 1.0 + 4.0 * min(abs(v), WIDTH_CAP)


def gate_width(g: float) -> float:
    """Line width (px) of a gate's own line: 1 (shut) to 6 (wide open)."""
    g = float(g)
    return 1.0 + 5.0 * min(max(g, 0.0), 1.0) if math.isfinite(g) else 1.0


def _derived(v: dict) -> dict:
    """The values of every flow, from the values of one unit (products computed as lstm_core does)."""
    out = {k: float(v[k]) for k in ("c_prev", "f", "i", "c_tilde", "o", "c", "h", "h_prev", "x")}
    out["fc"] = float(v["fc"]) if "fc" in v else out["f"] * out["c_prev"]
    out["ic"] = float(v["ic"]) if "ic" in v else out["i"] * out["c_tilde"]
    out["tanh_c"] = float(v["tanh_c"]) if "tanh_c" in v else math.tanh(out["c"])
    out["x2"] = float(v["x2"]) if v.get("x2") is not None else None
    return out


# ---- paths (fixed: computed once; callers must not modify them) ----
def _frozen(paths: dict) -> dict:
    return {k: (tuple(x), tuple(y)) for k, (x, y) in paths.items()}


@functools.cache
def _flow_paths() -> dict:
    fx, fy = F_VALVE
    ix, iy = I_VALVE
    ox, oy = O_VALVE
    return _frozen({
        "h_prev": ([LEFT, X_IN[0]], [BUS_Y, BUS_Y]),
        "x": ([X_IN[0], X_IN[0]], [0.05, BUS_Y]),
        "x2": ([X_IN[1], X_IN[1]], [0.05, BUS_Y]),
        "c_prev": ([LEFT, fx], [BELT_Y, BELT_Y]),
        "fc": ([fx, PLUS[0]], [BELT_Y, BELT_Y]),
        "c_tilde": ([C_X, ix], [BOX_Y + BOX_HH, iy]),
        "ic": ([ix, PLUS[0]], [iy, PLUS[1]]),
        "c": ([PLUS[0], RIGHT, None, OUT_X, OUT_X], [BELT_Y, BELT_Y, None, BELT_Y, TANH_Y + TANH_HH]),
        "tanh_c": ([OUT_X, ox], [TANH_Y - TANH_HH, oy]),
        "h": ([ox, OUT_X, RIGHT], [oy, H_OUT_Y, H_OUT_Y]),
    })


@functools.cache
def _gate_paths() -> dict:
    top = BOX_Y + BOX_HH
    return _frozen({
        "f": ([F_X, F_X], [top, F_VALVE[1] - VALVE_A - 0.05]),
        "i": ([I_X, I_X, I_VALVE[0] - VALVE_A - 0.05], [top, I_VALVE[1], I_VALVE[1]]),
        "o": ([O_X, O_X, O_VALVE[0] - VALVE_A - 0.05], [top, O_VALVE[1], O_VALVE[1]]),
    })


_VALVES = {"f": (F_VALVE, "h"), "i": (I_VALVE, "v"), "o": (O_VALVE, "v")}   # h: horizontal pipe


def _rect(cx, cy, hw, hh):
    return [cx - hw, cx + hw, cx + hw, cx - hw, cx - hw], [cy - hh, cy - hh, cy + hh, cy + hh, cy - hh]


def _valve_body(gate: str):
    (cx, cy), d = _VALVES[gate]
    a = VALVE_A + 0.05
    return _rect(cx, cy, VALVE_L, a) if d == "h" else _rect(cx, cy, a, VALVE_L)


def valve_shutters(gate: str, g: float) -> tuple[list, list]:
    """The two shutters of a valve as two polygons (separated by None): opening = g * full."""
    (cx, cy), d = _VALVES[gate]
    g = min(max(float(g), 0.0), 1.0) if math.isfinite(float(g)) else 0.0
    lo, hi = VALVE_A * g, VALVE_A
    L = VALVE_L
    # along = coordinate along the pipe, across = offset from the pipe's axis
    along = [-L, L, L, -L, -L]
    shut1 = [lo, lo, hi, hi, lo]
    shut2 = [-lo, -lo, -hi, -hi, -lo]
    if d == "h":
        xs = [cx + a for a in along] + [None] + [cx + a for a in along]
        ys = [cy + s for s in shut1] + [None] + [cy + s for s in shut2]
    else:
        xs = [cx + s for s in shut1] + [None] + [cx + s for s in shut2]
        ys = [cy + a for a in along] + [None] + [cy + a for a in along]
    return xs, ys


@functools.lru_cache(maxsize=4096)   # a pure function of (key, numbers); a belt repeats many values
def _label_text(key: str, val: float, x2: float | None) -> str:
    if key == "x" and x2 is not None:
        return f"x<sub>t</sub> = ({fmt_html(val)}, {fmt_html(x2)})"
    return f"{_NAMES[key]} = {fmt_html(val)}"


def copy_trace(tr: dict) -> dict:
    """A copy of a trace dict and the dicts and lists inside it (the cached parts stay unchanged)."""
    return {k: copy_trace(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v for k, v in tr.items()}


def _path(xs, ys) -> str:
    """An SVG path through the points, a new stroke after each None (data coordinates)."""
    out, pen = [], "M"
    for x, y in zip(xs, ys):
        if x is None:
            pen = "M"
            continue
        out.append(f"{pen}{x:.4g},{y:.4g}")
        pen = "L"
    return " ".join(out)


def belt_shapes(xref: str = "x", yref: str = "y", two_inputs: bool = False) -> list[dict]:
    """The parts of the belt that never change, as layout shapes under the traces: the empty
    pipes, the bus [h_{t-1}, x_t] into every gate, the five boxes and the three valve bodies.
    Shapes, not traces: plotly.js prepares every trace at every redraw (a few ms a trace), and
    these ten never change. two_inputs: draw the pipe of a second input x_{t,1}."""
    ref = dict(xref=xref, yref=yref, layer="below")
    xs, ys = [], []
    for key, (px, py) in list(_flow_paths().items()) + list(_gate_paths().items()):
        if key == "x2" and not two_inputs:
            continue
        xs += list(px) + [None]
        ys += list(py) + [None]
    out = [dict(type="path", path=_path(xs, ys), line=dict(color=PIPE, width=13), name="pipes", **ref)]
    bx = [X_IN[0], O_X, None] + sum(([g, g, None] for g in (F_X, I_X, C_X, O_X)), [])
    by = [BUS_Y, BUS_Y, None] + [BUS_Y, BOX_Y - BOX_HH, None] * 4
    out.append(dict(type="path", path=_path(bx, by), line=dict(color=rgba(INK, 0.45), width=2),
                    name="[h_{t-1}, x_t]", **ref))
    boxes = [(F_X, BOX_Y, BOX_HW, BOX_HH, COLORS["f"]), (I_X, BOX_Y, BOX_HW, BOX_HH, COLORS["i"]),
             (C_X, BOX_Y, BOX_HW, BOX_HH, COLORS["c_tilde"]), (O_X, BOX_Y, BOX_HW, BOX_HH, COLORS["o"]),
             (OUT_X, TANH_Y, TANH_HW, TANH_HH, INK)]
    for cx, cy, hw, hh, col in boxes:
        out.append(dict(type="rect", x0=cx - hw, x1=cx + hw, y0=cy - hh, y1=cy + hh, fillcolor=rgba(col, 0.10),
                        line=dict(color=col, width=2), name="box", **ref))
    for g in GATE_KEYS:
        rx, ry = _valve_body(g)
        out.append(dict(type="rect", x0=min(rx), x1=max(rx), y0=min(ry), y1=max(ry), fillcolor=rgba(INK, 0.0),
                        line=dict(color=COLORS[g], width=2), name=f"valve {g}", **ref))
    return out


@functools.lru_cache(maxsize=64)
def _static_symbols(xaxis: str, yaxis: str) -> tuple:
    """The ×s on the valves, the box names, and the + on its circle: one text trace, built once."""
    sym = [(F_VALVE[0], F_VALVE[1] + 0.75, "<b>×</b>", 18),
           (I_VALVE[0] + 0.72, I_VALVE[1], "<b>×</b>", 18), (O_VALVE[0] + 0.72, O_VALVE[1], "<b>×</b>", 18),
           (OUT_X, TANH_Y, "tanh", TEXT_SIZE),
           (F_X, BOX_Y, "σ<br>forget", TEXT_SIZE), (I_X, BOX_Y, "σ<br>input", TEXT_SIZE),
           (C_X, BOX_Y, "tanh<br>candidate", TEXT_SIZE), (O_X, BOX_Y, "σ<br>output", TEXT_SIZE),
           (5.2, BUS_Y - 0.3, "[h<sub>t" + MINUS + "1</sub>, x<sub>t</sub>] → every gate", TEXT_SIZE),
           (PLUS[0], PLUS[1], "<b>+</b>", 16)]
    plus = [k == len(sym) - 1 for k in range(len(sym))]       # only the + has a marker: its circle
    return (_scatter(x=[s[0] for s in sym], y=[s[1] for s in sym], text=[s[2] for s in sym],
                     mode="markers+text", hoverinfo="skip", showlegend=False, name="symbols",
                     textfont=dict(size=[s[3] for s in sym], color=INK),
                     marker=dict(size=[22 if p else 0 for p in plus], color=rgba(INK, 0.0),
                                 line=dict(color=INK, width=[1.5 if p else 0 for p in plus])),
                     xaxis=xaxis, yaxis=yaxis),)


def belt_traces(v: dict, xaxis: str = "x", yaxis: str = "y") -> list:
    """The belt of one unit as Plotly traces, in a fixed order (see the module docstring).

    v: floats for one unit: c_prev, f, i, c_tilde, o, c, h, h_prev, x (the first input);
    optional: x2 (a second input x_{t,1}, drawn as a second line into the bus; None or absent:
    that line is empty), fc (= f * c_prev), ic (= i * c_tilde), tanh_c (= tanh(c)) if the caller has
    them from lstm_core. Values are drawn as given; nothing is recomputed from weights.
    """
    return belt_traces_shared(v, xaxis, yaxis, copy_trace)


def _shared(tr: dict) -> dict:
    return tr


def belt_traces_shared(v: dict, xaxis: str = "x", yaxis: str = "y", copy=_shared) -> list:
    """belt_traces, but the parts that never change are the cached dicts themselves, not copies:
    for a caller that reads the traces and copies what it keeps (figures.heatmaps.belt_steps
    draws one belt per step). The dicts must not be modified."""
    d = _derived(v)
    ax = dict(xaxis=xaxis, yaxis=yaxis)
    out = []                                          # (the fixed parts are belt_shapes)

    # 1., 2. (pipes, bus, boxes, valve bodies): belt_shapes
    # 3. flows: thickness ~ |value|, colour = value on the diverging scale. With two inputs
    # they are x_{t,0} and x_{t,1} (entries counted from 0, as units are on every page).
    paths = _flow_paths()
    names = dict(_NAMES, x="x<sub>t,0</sub>") if d["x2"] is not None else _NAMES
    for key in FLOW_KEYS:
        val = d[key]
        px, py = paths[key]
        if key == "x2" and val is None:
            px, py, val_c, shown = [], [], [], 0.0
        else:
            val_c, shown = [val] * len(px), val
        out.append(_scatter(
            x=px, y=py, mode="lines", name=key, customdata=val_c, showlegend=False,
            line=dict(color=value_color(shown), width=value_width(shown)),
            hovertemplate=names[key] + " = %{customdata:.6g}<extra></extra>", **ax))

    # 4. gates: their own line (gate colour, width ~ value) and the valve's shutters
    gpaths = _gate_paths()
    for g in GATE_KEYS:
        px, py = gpaths[g]
        out.append(_scatter(
            x=px, y=py, mode="lines", name=g, customdata=[d[g]] * len(px), showlegend=False,
            line=dict(color=COLORS[g], width=gate_width(d[g])),
            hovertemplate=_NAMES[g] + " = %{customdata:.6g}<extra></extra>", **ax))
    for g in GATE_KEYS:
        sx, sy = valve_shutters(g, d[g])
        out.append(_scatter(
            x=sx, y=sy, mode="lines", fill="toself", fillcolor=_SHUTTER_FILL[g],
            line=dict(color=COLORS[g], width=1), name=f"shutters {g}",
            customdata=[d[g]] * len(sx), showlegend=False,
            hovertemplate=_NAMES[g] + " = %{customdata:.6g} (valve opening)<extra></extra>", **ax))

    out += [copy(tr) for tr in _static_symbols(xaxis, yaxis)]                       # 5. symbols

    # 6. the numbers, one label per part (text depends on the values)
    lx = [_LABELS[k][0] for k in LABEL_KEYS]
    ly = [_LABELS[k][1] for k in LABEL_KEYS]
    txt = [_label_text(k, d[k], d["x2"]) for k in LABEL_KEYS]
    cols = [COLORS[k] if k in GATE_KEYS else INK for k in LABEL_KEYS]
    pos = [_LABELS[k][2] for k in LABEL_KEYS]
    out.append(_scatter(x=lx, y=ly, text=txt, mode="text", textposition=pos, name="numbers",
                          customdata=[d[k] for k in LABEL_KEYS], showlegend=False,
                          textfont=dict(size=TEXT_SIZE, color=cols), hoverinfo="skip",
                          cliponaxis=False, **ax))          # a long number may reach past the box's edge
    return out


def belt_axes(xaxis: str = "x", equal_aspect: bool = False) -> dict:
    """Axis settings for the belt: {"xaxis": {...}, "yaxis": {...}} (fixed ranges, nothing drawn).

    xaxis: the name of the x axis (e.g. "x7"), used when equal_aspect is True to scale the y
    axis like it (the subplot's domain then shrinks to keep the shapes undistorted).
    Use: ax = belt_axes("x7"); fig.update_layout(xaxis7=ax["xaxis"], yaxis7=ax["yaxis"])."""
    hidden = dict(showgrid=False, zeroline=False, showticklabels=False, ticks="", showline=False,
                  fixedrange=True, visible=False)
    return {"xaxis": dict(range=list(X_RANGE), **hidden),
            "yaxis": dict(range=list(Y_RANGE), **hidden,
                          **(dict(scaleanchor=xaxis, scaleratio=1.0, constrain="domain") if equal_aspect else {}))}


BAR_TICKS = ((-1.0, "≤ " + MINUS + "1"), (-0.5, MINUS + "0.5"), (0.0, "0"), (0.5, "0.5"), (1.0, "≥ 1"))
SVG_FONT = "font-family=\"'Source Sans Pro', Arial, Helvetica, sans-serif\" fill=\"#444444\""   # names quoted


def svg_image(svg: str, name: str, x: float, y: float, sizex: float, sizey: float, xanchor: str,
              yanchor: str) -> dict:
    """An SVG picture as a Plotly layout image in paper coordinates, under the plot (it takes no
    mouse events). It keeps its proportions (sizing "contain"): (sizex, sizey) is the most room
    it may take.

    The colour bars are such pictures: plotly.js draws its own colour bar as an axis and measures
    every label in the page, which makes the browser lay out the whole page again at every redraw;
    a picture measures nothing."""
    return dict(source="data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"),
                xref="paper", yref="paper", x=x, y=y, sizex=sizex, sizey=sizey, xanchor=xanchor,
                yanchor=yanchor, sizing="contain", layer="below", name=name)


@functools.lru_cache(maxsize=2)    # two constant pictures
def colorbar_svg(horizontal: bool) -> tuple[str, int, int]:
    """The colour bar of the flows (what colour a value on a line gets) as an SVG picture, with
    its width and height in px: a vertical bar with its title above (conveyor_figure's right
    margin), or a horizontal one (under the belt of the gates figure). Its gradient is value_color
    at 21 points from -COLOR_CAP to COLOR_CAP."""
    label = lambda x, y, text, anchor: (f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" font-size="11" '  # noqa: E731
                                        f'{SVG_FONT}>{text}</text>')
    n = 20
    stops = "".join(f'<stop offset="{k / n:g}" stop-color="{value_color(COLOR_CAP * (2 * k / n - 1))}"/>'
                    for k in range(n + 1))
    if horizontal:
        w, h, bar_w, x0 = 250, 46, 200, 25
        ticks = "".join(label(x0 + bar_w * (v + 1) / 2, 42, t, "middle") for v, t in BAR_TICKS)
        body = (f'<linearGradient id="b" x1="0" y1="0" x2="1" y2="0">{stops}</linearGradient>'
                + label(w / 2, 11, "value on a line of the belt", "middle")
                + f'<rect x="{x0}" y="17" width="{bar_w}" height="11" fill="url(#b)"/>' + ticks)
    else:
        w, h, bar_h, y0 = 80, 300, 250, 36
        ticks = "".join(label(18, y0 + bar_h * (1 - v) / 2 + 4, t, "start") for v, t in BAR_TICKS)
        body = (f'<linearGradient id="b" x1="0" y1="1" x2="0" y2="0">{stops}</linearGradient>'
                + label(0, 11, "value on", "start") + label(0, 25, "a line", "start")
                + f'<rect x="2" y="{y0}" width="12" height="{bar_h}" fill="url(#b)"/>' + ticks)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
           f'{body}</svg>')
    return svg, w, h


def colorbar_image(horizontal: bool, x: float, y: float, sizex: float, plot_px: float,
                   xanchor: str, yanchor: str) -> dict:
    """colorbar_svg as a layout image, at its own height in a plot area plot_px high (or the whole
    height, if that is less), and at most sizex of the plot's width."""
    svg, _, h = colorbar_svg(horizontal)
    return svg_image(svg, "colour bar", x, y, sizex, min(1.0, h / plot_px), xanchor, yanchor)


def conveyor_figure(v: dict, title: str | None = None, height: int = 480) -> PlotlySpec:
    """belt_traces in a standalone figure with belt_axes and a colour bar for the flows."""
    ax = belt_axes("x")
    layout = dict(xaxis=ax["xaxis"], yaxis=ax["yaxis"], height=height,
                  # room for the colour bar on the right, set here: plotly.js growing the margins
                  # itself (autoexpand) makes every redraw about twice as slow
                  margin=dict(l=10, r=COLORBAR_PX, t=40 if title else 10, b=10, autoexpand=False),
                  showlegend=False, hovermode="closest")
    if title:
        layout["title"] = dict(text=title)
    layout["shapes"] = belt_shapes("x", "y", two_inputs=v.get("x2") is not None)
    # the colour bar in the right margin (COLORBAR_PX), about 300 px high, centred on the plot
    plot_px = height - layout["margin"]["t"] - layout["margin"]["b"]
    layout["images"] = [colorbar_image(False, 1.01, 0.5, 0.2, plot_px, "left", "middle")]
    return PlotlySpec(belt_traces(v), layout)
