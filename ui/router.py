"""The app's pages, in lesson order, and the guard that keeps every run going through them.

Streamlit treats a process whose app folder holds `pages/` as a legacy multipage app until a
run calls st.navigation. So on a freshly started server, the first visitor who opens a page
link directly (a shared /gates_over_time, say) would get that page run on its own, without
app.py: no router, no page config. `ensure_routed()`, the first line of every page, notices
this and reruns through the router, which then opens the same page.
"""
from __future__ import annotations

import base64
import os

import streamlit as st

_ICON_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assets", "icon.png")
# The tab's icon, inline. Given as a file, Streamlit serves it as a new media file at every run
# and the browser fetches it again at every slider move (and, after quick moves, one already
# dropped: a 404 in the console).
with open(_ICON_FILE, "rb") as _f:
    PAGE_ICON = "data:image/png;base64," + base64.b64encode(_f.read()).decode()

# (file, title, icon), in the order of the lesson; the first is the home page.
PAGES = (
    ("pages/home.py", "Start here", ":material/home:"),
    ("pages/lesson.py", "Guided lesson", ":material/school:"),
    ("pages/one_step.py", "1 · One step of the cell", ":material/conveyor_belt:"),
    ("pages/gates_over_time.py", "2 · Gates over time", ":material/grid_on:"),
    ("pages/vanishing_gradient.py", "3 · The vanishing gradient", ":material/trending_down:"),
    ("pages/training.py", "4 · Training: RNN against LSTM", ":material/model_training:"),
)


def navigation():
    """st.navigation over PAGES (call once per run, in app.py)."""
    return st.navigation([st.Page(path, title=title, icon=icon, default=(k == 0))
                          for k, (path, title, icon) in enumerate(PAGES)])


def ensure_routed() -> None:
    """Rerun through app.py if this page was started by Streamlit's legacy pages/ mode."""
    from streamlit.runtime.pages_manager import PagesManager   # Streamlit's own flag for that mode

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False   # what st.navigation itself sets
        st.rerun()
