"""Presenter mode: bigger text and figures for a projector, fewer controls.

A toggle in the sidebar (app.py) sets it for the session. Pages ask `presenting()` to leave
out controls a teacher does not need in front of a class (downloads, uploads, the weight
table), and pass every figure through `present(fig)` before st.plotly_chart. The colours
are the same in both modes: the palette (figures/colors.py) is colour-blind safe everywhere.
"""
from __future__ import annotations

import streamlit as st

from figures.sending import PlotlySpec

KEY = "keep.presenter"
SCALE = 1.35            # how much larger text and figures are on a projector

# Static CSS (no user text in it): larger body text and widgets in presenter mode.
CSS = f"""
<style>
.stMainBlockContainer {{ font-size: {SCALE:.2f}rem; }}
.stMainBlockContainer h1 {{ font-size: {2.75 * SCALE:.2f}rem; }}
.stMainBlockContainer h2, .stMainBlockContainer h3 {{ font-size: {1.6 * SCALE:.2f}rem; }}
.stMainBlockContainer [data-testid="stMarkdownContainer"] p,
.stMainBlockContainer [data-testid="stMarkdownContainer"] li,
.stMainBlockContainer [data-testid="stWidgetLabel"] p {{ font-size: {SCALE:.2f}rem; }}
.stMainBlockContainer .katex {{ font-size: {1.21 * SCALE:.2f}em; }}
</style>
"""


def presenting() -> bool:
    """True when this session is in presenter mode."""
    return bool(st.session_state.get(KEY, False))


def sidebar_toggle() -> None:
    """The presenter-mode switch (in the sidebar, on every page); call once per run in app.py."""
    st.session_state.setdefault(KEY, False)
    st.sidebar.toggle("Presenter mode", key=KEY, persist_state="session",
                      help="Larger text and figures for a projector; controls a class does not need are hidden.")
    if presenting():
        st.html(CSS)


def scale() -> float:
    """How much larger figures are drawn: SCALE in presenter mode, else 1 (for figures built
    in a cache, which take the scale as an argument instead of going through present())."""
    return SCALE if presenting() else 1.0


def present(fig):
    """The figure as it should be shown: enlarged in presenter mode, unchanged otherwise."""
    if not presenting():
        return fig
    if isinstance(fig, PlotlySpec):
        return fig.enlarged(SCALE)
    font = fig.layout.font.size or 12
    fig.update_layout(font_size=round(font * SCALE))
    if fig.layout.height:
        fig.update_layout(height=round(fig.layout.height * SCALE))
    return fig
