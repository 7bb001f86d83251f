"""A Plotly figure that is already what the browser reads: cheap to build and to send.

st.plotly_chart accepts a plotly.py figure (or a dict, which it first validates by building
one). Building a go.Figure checks every attribute of every trace and copies the data; turning
it back into JSON (Figure.to_dict) deep-copies it all again, frames included. For the
gates-over-time figure (one frame per step, each with the belt's changing traces) those two
copies were most of a rerun. The figures of this package are written as plain dicts by code
that always writes the same shapes, so they are sent as they are:

    fig = PlotlySpec(data, layout, frames)      # NumPy arrays become typed arrays here, once
    st.plotly_chart(fig)                        # to_dict() hands over the dicts, no copy

plotly.py's own checks still apply to every one of these figures in the tests
(go.Figure(fig.to_dict()) raises on any invalid attribute; tests/test_figures_*.py). Anything
else asked of a PlotlySpec (fig.layout, fig.update_layout, ...) is answered by the full
go.Figure, built from the dicts on first use.
"""
from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import is_skipped_key, to_typed_array_spec


class PlotlySpec(go.Figure):
    """A figure held as the dicts plotly.js reads: {"data": [...], "layout": {...}, "frames": [...]}.

    The dicts are taken over, not copied: the caller must not change them afterwards, and
    to_dict() returns them as they are (read, don't modify)."""

    def __init__(self, data: list[dict], layout: dict, frames: list[dict] = ()):  # noqa: D107
        # go.Figure.__init__ is deliberately not called: it would validate and copy everything.
        # Streamlit's chart mounts afresh whenever the spec changes, draws it, and then hands
        # plotly.js a deep copy of the same figure (its theme pass): with no datarevision,
        # Plotly.react takes every copied array for new data and draws it all a second time.
        # Within one mounted chart the data never change, so a fixed datarevision is true and
        # makes that second pass a cheap comparison (gates figure: about 130 -> 45 ms).
        spec = {"data": list(data), "layout": {"datarevision": 1, **layout}}
        _typed_arrays(spec)                     # NumPy arrays -> {"dtype", "bdata", "shape"}, as plotly.py sends them
        if frames:
            spec["frames"] = list(frames)       # frames hold plain lists (small per-step values)
        self._spec = spec
        self._full = None

    @property
    def spec(self) -> dict:
        return self._spec

    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec

    def figure(self) -> go.Figure:
        """The same figure as a full go.Figure (validated), built once."""
        if self._full is None:
            self._full = go.Figure(self._spec)
        return self._full

    def __getattr__(self, name):
        # Only reached for attributes a PlotlySpec does not have itself (go.Figure's own state
        # is never set up): fig.layout, fig.data, fig.frames, fig.update_layout, ...
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.figure(), name)

    def __reduce__(self):
        return (_rebuild, (self._spec,))

    def enlarged(self, scale: float) -> "PlotlySpec":
        """The same figure with its text, height and (fixed) margins scaled by `scale` (presenter mode)."""
        layout = dict(self._spec["layout"])
        font = dict(layout.get("font") or {})
        font["size"] = round((font.get("size") or 12) * scale)
        layout["font"] = font
        if layout.get("height"):
            layout["height"] = round(layout["height"] * scale)
        margin = layout.get("margin") or {}
        if margin.get("autoexpand") is False:   # margins set by hand hold text, which grows too
            layout["margin"] = {k: round(v * scale) if k in "lrtb" else v for k, v in margin.items()}
        return PlotlySpec(self._spec["data"], layout, self._spec.get("frames", ()))


_SHORT = {"float64": "f8", "float32": "f4", "int32": "i4", "int16": "i2", "int8": "i1",
          "uint32": "u4", "uint16": "u2", "uint8": "u1"}


def typed_array(a: np.ndarray):
    """plotly.py's to_typed_array_spec(a) ({"dtype", "bdata", "shape"}), written directly for the
    dtypes these figures use, without its per-call checks (a figure's frames hold hundreds)."""
    short = _SHORT.get(str(a.dtype))
    if short is None or a.size == 0:
        return to_typed_array_spec(a)
    spec = {"dtype": short, "bdata": base64.b64encode(np.ascontiguousarray(a)).decode("ascii")}
    if a.ndim > 1:
        spec["shape"] = str(a.shape)[1:-1]
    return spec


def _typed_arrays(obj) -> None:
    """Replace every NumPy array held in a dict inside obj by its typed-array spec, in place:
    plotly.py's convert_to_base64 for the arrays these figures hold (the same keys skipped, the
    same encoding), without visiting every number of every list, which cost more than the
    rest of building the gates figure."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, np.ndarray):
                if not is_skipped_key(key):
                    obj[key] = typed_array(value)
            elif isinstance(value, (dict, list, tuple)) and not is_skipped_key(key):
                _typed_arrays(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            if isinstance(value, (dict, list, tuple)):
                _typed_arrays(value)


def _rebuild(spec: dict) -> PlotlySpec:
    return PlotlySpec(spec["data"], spec["layout"], spec.get("frames", ()))
