"""Read numbers back out of a Plotly figure as the browser receives it.

Plotly 6+ sends NumPy data as typed arrays: {"dtype": "f8", "bdata": "<base64>", "shape": "3, 4"}.
`decode` turns those (and plain lists) back into NumPy arrays; `figure_json` gets the
figure dict from a Plotly figure, its JSON text, or an AppTest chart element: an
st.plotly_chart, or the app's own chart (ui.charts, a custom component whose figure travels
as the bytes of its JSON). `chart_elements(at)` lists a page's charts of both kinds, in page order.
"""
import base64
import json

import numpy as np

_DTYPES = {"f8": "<f8", "f4": "<f4", "i1": "<i1", "u1": "<u1", "i2": "<i2", "u2": "<u2",
           "i4": "<i4", "u4": "<u4", "i8": "<i8", "u8": "<u8"}


def decode(v):
    """A typed-array dict or a (nested) list as a NumPy array; anything else unchanged."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=_DTYPES[v["dtype"]])
        if "shape" in v:
            a = a.reshape([int(s) for s in str(v["shape"]).split(",")])
        return a
    if isinstance(v, list):
        try:
            return np.array(v, dtype=np.float64)
        except (TypeError, ValueError):
            return v
    return v


CHART_COMPONENT = "ui.charts.chart"


def _is_chart(node) -> bool:
    kind = getattr(node, "type", None)
    return kind == "plotly_chart" or (kind == "component_instance"
                                      and node.proto.component_name == CHART_COMPONENT)


def chart_elements(at) -> list:
    """Every chart on the page (st.plotly_chart and ui.charts.chart), in the order shown."""
    out = []

    def walk(node):
        if _is_chart(node):
            out.append(node)
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)
    walk(at._tree)
    return out


def spec_text(chart) -> str:
    """The JSON text of an AppTest chart element's figure, as the browser receives it."""
    proto = chart.proto
    if chart.type == "component_instance":
        return next(a.bytes for a in proto.special_args if a.key == "spec").decode("utf-8")
    return proto.spec


def chart_config(chart) -> dict:
    """The plotly.js config an AppTest chart element asks for (for ui.charts, before the frame
    merges it over its own defaults)."""
    if chart.type == "component_instance":
        return json.loads(json.loads(chart.proto.json_args)["config"])
    return json.loads(chart.proto.config)


def figure_json(fig) -> dict:
    """The figure as the JSON dict sent to the browser."""
    if hasattr(fig, "to_json"):
        return json.loads(fig.to_json())
    if isinstance(fig, str):
        return json.loads(fig)
    if getattr(fig, "proto", None) is not None:     # AppTest element
        return json.loads(spec_text(fig))
    raise TypeError(f"cannot read a figure from {type(fig)}")


def traces(fig, name=None) -> list[dict]:
    """The figure's traces (optionally only those whose name is `name`)."""
    data = figure_json(fig)["data"]
    return [t for t in data if name is None or t.get("name") == name]


def checked_json(fig) -> dict:
    """The figure run through plotly.py's full validation (go.Figure raises on any invalid
    attribute, frames included), as JSON, without the default template go.Figure adds to the
    layout: the app's figures leave their theme to Streamlit, which applies its own."""
    import plotly.graph_objects as go

    out = json.loads(go.Figure(fig if isinstance(fig, dict) else fig.to_dict()).to_json())
    out["layout"].pop("template", None)
    return out
