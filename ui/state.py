"""Widget values that survive a switch to another page and back.

Streamlit forgets a widget's value when its page is not shown, unless the widget has a key
and persist_state="session" (Streamlit 1.67+). Every such widget gets its arguments from
`kept(name)`; `default(name, value)` sets its first value once per session (then pass no
`value=` to the widget), and `keep(name)` is its session-state key, for callbacks that set it.
Buttons, file uploaders and data editors cannot be kept this way.
"""
from __future__ import annotations

import streamlit as st

KEEP = "keep."


def keep(name: str) -> str:
    """The session-state key of the kept widget `name`."""
    return KEEP + name


def kept(name: str) -> dict:
    """Keyword arguments for a widget whose value must survive page switches:
    st.slider("x", 0, 10, **kept("page.x"))."""
    return {"key": KEEP + name, "persist_state": "session"}


def kept_slider(name: str) -> dict:
    """kept(name) for st.slider, with the kept value also passed as value=. The value is the
    same one Streamlit would take from session state; passing it spares Streamlit, which
    otherwise reads the whole session state at every slider to find out whether it is a
    range slider (about 0.5 ms a slider once a student has visited every page; page 1 has
    15 sliders at its defaults and 80 with 3 units and 2 inputs). .streamlit/config.toml
    silences the log line Streamlit writes when a kept widget also gets value=."""
    args = kept(name)
    if args["key"] in st.session_state:
        args["value"] = st.session_state[args["key"]]
    return args


def default(name: str, value) -> None:
    """Give the kept widget `name` its initial value, once per session."""
    st.session_state.setdefault(KEEP + name, value)
