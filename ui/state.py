"""Widget values that survive a switch to another page and back.

Streamlit forgets a widget's value when the page holding it is not shown. Every widget whose
key starts with KEEP ("keep.") is re-assigned to itself on every run of the entrypoint, before
the page runs, which keeps it (Streamlit docs: "Working with widgets in multipage apps").

Rules for pages: give such widgets `key=keep("name")`, set their initial value with
`default("name", value)` before creating them, and pass no `value=` to the widget itself.
Buttons, file uploaders and data editors cannot be kept this way (Streamlit refuses to set
them): don't give them a keep-key.
"""
from __future__ import annotations

import streamlit as st

KEEP = "keep."


def keep(name: str) -> str:
    """The session-state key of a widget whose value should survive page switches."""
    return KEEP + name


def default(name: str, value) -> None:
    """Give the kept widget `name` its initial value, once per session."""
    st.session_state.setdefault(KEEP + name, value)


def keep_widget_values() -> None:
    """Call at the top of app.py, before the page runs."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(KEEP):
            st.session_state[key] = st.session_state[key]
