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


def default(name: str, value) -> None:
    """Give the kept widget `name` its initial value, once per session."""
    st.session_state.setdefault(KEEP + name, value)
