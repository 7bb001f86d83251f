"""The app's chart element: a Plotly figure that is updated in place when a slider moves.

st.plotly_chart gives a chart a new identity whenever its figure changes, so every slider move
throws the chart away and builds a new one: React mounts it afresh, Streamlit deep-copies the
figure and plotly.js draws it from nothing. On the gates page, with two large charts, that was
most of the browser's work after a move (issue 4). `chart` keeps one chart per key for as long
as the page is open and hands each new figure to Plotly.react on that same chart.

It is a Streamlit custom component (API version 1): a small page, ui/chart_frame/index.html,
shown in an iframe, with plotly.js of the release that comes with the installed plotly package
(the release that wrote the figure draws it): its cartesian bundle, kept beside the frame, when
it is that release, else the package's own full copy (see PLOTLY_URL). The iframe also keeps
plotly.js's measuring of text away from the rest of the page: inside it, a measurement lays out
the chart, not the app.
The frame adds a hop (Streamlit posts the figure to it after React has drawn the page), so it
was measured page by page (paired presses, 40 pairs, twice each). On page 3 a key press was
drawn 8-10 ms sooner and the browser worked 86-93 ms less per press; on page 1 it was drawn as
soon (-2 and -4 ms) for 70-83 ms less work. And a page without st.plotly_chart does not load
Streamlit's own plotly.js (4.7 MB).

    chart(fig, key="gates.heatmaps", config={"toImageButtonOptions": {...}}, alt="Six heatmaps ...")

A chart can also hold the figures one step ahead of a slider (Ahead): the figures the page
would send for the slider's next values, computed by the same code. When the student's arrow
key moves that slider, the frame draws the figure it holds at once, before the app has even
heard of the move; the rerun brings the same bytes and draws nothing more. Measured with
bench_browser (median of 10 key presses to the figure drawn), at a time when the browser
benchmark gave the lesson page 94 ms: page 1 45 ms, page 2 84 ms, page 3 28 ms, against
178-351, 202-382 and 166-305 ms without it (nine runs of the session before).

The figure is sent as the JSON bytes plotly.py writes (typed arrays included), as
st.plotly_chart would send it; the page applies the look of Streamlit's own charts (its
light theme: fonts, greys, grid lines), so a chart looks the same as before, and puts a
full-screen button in Plotly's toolbar in place of the one Streamlit's element has. A figure
animated through frames gets its scrubber and Play/Pause as HTML controls of the page (a range
input and buttons), which plotly.js would otherwise draw anew at every update.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass

import plotly
import plotly.io as pio
from plotly.offline import get_plotlyjs_version
import streamlit as st
import streamlit.components.v1 as components

FRAME_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chart_frame")
PLOTLY_DIR = os.path.join(os.path.dirname(os.path.abspath(plotly.__file__)), "package_data")

# plotly.js's cartesian bundle (npm's plotly.js-cartesian-dist-min: its MIT licence is beside
# it): scatter, bar, heatmap and the other traces below, all these charts draw. It is a third
# of the full plotly.min.js (1.5 MB against 4.8 MB; 0.5 MB against 1.5 MB compressed), and a
# browser starts it in 0.4-0.6 s against 1.1-1.4 s (page 2's first load, measured in the frame).
CARTESIAN_FILE = "plotly-cartesian.min.js"
CARTESIAN_TRACES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d",
                              "histogram2dcontour", "image", "pie", "scatter", "scatterternary", "violin"})


def bundle_version(path: str) -> str | None:
    """The plotly.js release of the bundle at `path`, read from its first line of comment."""
    try:
        with open(path, encoding="utf-8") as f:
            head = f.read(300)
    except OSError:
        return None
    m = re.search(r"\* plotly\.js \([a-z -]+\) v(\d+\.\d+\.\d+)\b", head)
    return m.group(1) if m else None


def plotly_url(installed: str, cartesian: str | None, package_component: str) -> str:
    """Where the frame fetches plotly.js, relative to its own address: the cartesian bundle when
    it is the installed plotly package's release of plotly.js (`installed`), else that package's
    own full copy (served as the component `package_component`). The query names the release,
    so the browser reuses its copy only for the same plotly.js."""
    if cartesian is not None and cartesian == installed:
        return f"{CARTESIAN_FILE}?v={installed}"
    return f"../{package_component}/plotly.min.js?v={installed}"


# Declared once, at import: the registry maps a name to a folder; nothing is kept per session.
# "plotly_js" is never shown: it only lets Streamlit serve plotly.min.js from the plotly
# package, for a plotly package whose plotly.js is not the cartesian bundle's release.
_frame = components.declare_component("chart", path=FRAME_DIR)
_plotly_js = components.declare_component("plotly_js", path=PLOTLY_DIR)
PLOTLY_URL = plotly_url(get_plotlyjs_version(), bundle_version(os.path.join(FRAME_DIR, CARTESIAN_FILE)),
                        _plotly_js.name)


def figure_bytes(fig) -> bytes:
    """The figure as the JSON bytes the browser reads (what st.plotly_chart sends)."""
    return pio.to_json(fig, validate=False).encode("utf-8")


def digest(spec: bytes) -> str:
    """The short name of a figure's bytes that the frame compares."""
    return hashlib.blake2b(spec, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Ahead:
    """The figures a chart shows when the slider `slider` (its label, as given to st.slider:
    the browser names the slider by it) moves from `at` to one of the values next to it.

    `figures` holds (value, figure, alt) for those values: each figure is exactly the one the
    page sends when the slider is at that value, with the same alt text. The frame keeps them,
    and when the slider takes one of those values it draws that figure at once, while the app
    reruns; the rerun then brings the same figure, which is not drawn again. Values are matched
    to within half a `step` of the slider."""
    slider: str
    at: float
    step: float
    figures: tuple


def neighbours(at: float, step: float, low: float, high: float, digits: int | None = None) -> list:
    """The values one `step` below and above `at` that a slider from `low` to `high` can take
    (rounded to `digits` decimals, as the page rounds its slider's value), nearest first."""
    out = []
    for v in (at - step, at + step):
        v = round(v, digits) if digits is not None else v
        if low - step / 2 <= v <= high + step / 2 and abs(v - at) > step / 2:
            out.append(v)
    return out


def stepped(key: str, values: dict, step: float):
    """Which of a page's sliders (`values`: name -> value, in the page's order) to send the
    figures ahead of, or None: at the page's first run in the session, the first; the one that
    has moved by one `step` since the last run, when it is the only one that moved; the same
    as at the last run, when none of them moved (another widget did). Records the answer under
    `key` in the session.

    Figures ahead cost the server two figures a run, and they are used only while a student
    steps a slider (its arrow keys move it one step at a time). A drag or a click on its track
    jumps, and the figures next to the old value would be wasted: with 30 simulated students
    moving page 2's length slider by 1 to 10 steps at random (loadtest/run_load.py), figures
    ahead at every run took the server from 0.51 to 0.87 cores and the median rerun from 57 to
    564 ms."""
    last = st.session_state.get(key)
    names = list(values)
    if not (isinstance(last, tuple) and len(last) == 2 and isinstance(last[0], dict)
            and set(last[0]) == set(names)):
        chosen = names[0] if names else None
    else:
        moved = [n for n in names if abs(values[n] - last[0][n]) > step / 2]
        if not moved:
            chosen = last[1] if last[1] in values else None
        elif len(moved) == 1 and abs(values[moved[0]] - last[0][moved[0]]) < step * 1.5:
            chosen = moved[0]
        else:
            chosen = None
    st.session_state[key] = (dict(values), chosen)
    return chosen


def pack_ahead(aheads) -> tuple[str, bytes]:
    """The look-ahead figures of `aheads` as the frame reads them: JSON text
    {"sliders": [{"slider", "at", "tol", "entries": [[value, start, end, digest, alt], ...]}]}
    and the figures' bytes one after the other (entry k is bytes[start:end]). ("", b"") when
    there are none."""
    sliders, chunks, pos = [], [], 0
    for a in aheads or ():
        if not (isinstance(a.at, (int, float)) and math.isfinite(a.at) and a.step > 0):
            continue
        entries = []
        for value, fig, alt in a.figures:
            spec = fig if isinstance(fig, bytes) else figure_bytes(fig)
            entries.append([value, pos, pos + len(spec), digest(spec), alt or ""])
            chunks.append(spec)
            pos += len(spec)
        if entries:
            sliders.append({"slider": a.slider, "at": a.at, "tol": a.step / 2, "entries": entries})
    if not sliders:
        return "", b""
    return json.dumps({"sliders": sliders}), b"".join(chunks)


WIDTH_STEP = 50     # a narrow chart reports its width rounded down to this many px
MIN_WIDTH = 200     # and never less than this


def narrow_width(key: str, narrow_below: int) -> int | None:
    """The width (px) the chart `key` last reported, if it is narrower than `narrow_below`
    (rounded down to WIDTH_STEP, at least MIN_WIDTH); None for a wide chart, or one not drawn
    yet. Read it before building the figure, to lay the figure out for that width.

    The value comes from the browser: anything but a whole number in range on the steps reads
    as None (the wide layout)."""
    w = st.session_state.get(key)
    if isinstance(w, bool) or not isinstance(w, int) or not MIN_WIDTH <= w < narrow_below or w % WIDTH_STEP:
        return None
    return w


def chart(fig, *, key: str, config: dict | None = None, alt: str | None = None,
          narrow_below: int | None = None, width: int | None = None, ahead=()) -> None:
    """Show `fig` (a go.Figure, a figures.sending.PlotlySpec, or the bytes figure_bytes wrote
    for one, as a cache keeps them) as the chart `key`.

    The same key on the next rerun updates that chart in place. `config` is plotly.js's
    (merged over the app's defaults: no logo, the toolbar on hover, PNG export); `alt` names
    the chart for screen readers.

    A chart whose figure has a layout for narrow screens passes `narrow_below` (px) and the
    `width` it was laid out for (narrow_width(key, narrow_below), None for the wide layout).
    When the chart's real width is on the other side of that line, or another step of
    WIDTH_STEP px, the frame reports it (a rerun, which then lays the figure out for it).

    `ahead`: Ahead records, one per slider, with the figures for that slider's next values (the
    frame draws one as soon as the slider takes its value, before the rerun; see Ahead)."""
    spec = fig if isinstance(fig, bytes) else figure_bytes(fig)
    ahead_json, ahead_spec = pack_ahead(ahead)
    # Streamlit re-sends a component's arguments to its frame only when their JSON part changed
    # (the bytes are not compared), so the JSON part carries a digest of each figure.
    _frame(spec=spec, digest=digest(spec), config=json.dumps(config or {}),
           alt=alt or "", plotly=PLOTLY_URL, narrow_below=narrow_below or 0, width=width or 0,
           width_step=WIDTH_STEP, min_width=MIN_WIDTH, ahead=ahead_json, ahead_spec=ahead_spec,
           key=key, default=None)
