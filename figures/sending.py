"""A Plotly figure that is cheaper to send when it carries animation frames.

st.plotly_chart turns a figure into JSON through Figure.to_dict(), which deep-copies every
frame and walks every number in it. For the gates-over-time figure (one frame per step, each
with the belt's thirty small traces) that copy was half the time of a rerun. The frames are
built for one rerun and nothing changes them afterwards, so AnimatedFigure.to_dict() copies
only data and layout (where NumPy arrays are turned into base64 typed arrays, as Plotly does)
and passes the frames on as they are. Frames should hold plain lists (small per-step values),
which JSON encodes directly.
"""
from __future__ import annotations

import plotly.graph_objects as go
from _plotly_utils.utils import convert_to_base64


def _containers(obj):
    """A copy of the dicts and lists of lists/dicts in obj; leaves (numbers, strings, NumPy
    arrays, lists of numbers) are shared. convert_to_base64 replaces arrays by assigning into
    their dict, so working on this copy leaves the figure itself as it was."""
    if isinstance(obj, dict):
        return {k: _containers(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and any(isinstance(e, (dict, list, tuple)) for e in obj):
        return [_containers(e) for e in obj]
    return obj


class AnimatedFigure(go.Figure):
    def to_dict(self):
        res = {"data": _containers(self._data), "layout": _containers(self._layout)}
        convert_to_base64(res)
        frames = [frame._props for frame in self._frame_objs]
        if frames:
            res["frames"] = frames
        return res
