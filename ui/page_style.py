"""Page-wide style: old elements are not faded while a rerun is on its way.

While a rerun runs, Streamlit marks every element of the page as stale (`data-stale="true"`)
and gives it a CSS transition to a faded opacity, delayed by 0.5 s, which the element's
update cancels. Our reruns end well within that half second, so a student never saw the fade,
but the browser paid for it at every slider move: each scheduled opacity transition makes
Chromium promote the element to a layer of its own and repaint, page-wide, twice per rerun.

Measured in headless Chromium, paired presses of the first slider against the same code
without this rule (benchmarks/ab_browser.py, 40 pairs each): key to drawn figure -40 ms on the
one-step page (35 of 40 pairs faster), -32 ms on the gates page (32 of 40), -22 ms on the
vanishing-gradient page (33 of 40), -14 ms on the lesson (27 of 40). The paint after each of
the two early whole-page re-renders fell from 30-38 ms to about 5 ms.

What a student loses: under a heavily loaded server, a rerun that takes longer than half a
second no longer fades the old figures. Streamlit's running figure and Stop button at the top
right still say that the page is updating (checked in Chromium with a run of 2 s).
"""
from __future__ import annotations

import streamlit as st

# Static CSS (no user text in it). It overrides the styled element container's own rule.
CSS = "<style>[data-stale='true'] { opacity: 1 !important; transition: none !important; }</style>"


def steady_reruns() -> None:
    """Write the rule (call once per run, in app.py). Style-only HTML takes no room on the page."""
    st.html(CSS)
