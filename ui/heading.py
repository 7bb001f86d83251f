"""Headings written as Markdown ("# ", "## ", "### ") in place of st.title, st.header and
st.subheader.

Both draw the same tag with the same size, weight, margins and anchor (checked in Chromium:
identical boxes). But Streamlit's frontend draws every element of a page again at every rerun,
and its heading element costs about three times a Markdown one: 20 of them on a page added
2.7-3.7 ms of the browser's work per slider move each, 20 Markdown headings 0.9 ms (issue 4).
In paired key presses (benchmarks/ab_browser.py, 40 pairs) a slider move was drawn 17 ms
sooner on the one-step page and 6 ms sooner on the gates page. Headings hold the app's own
text only: nothing a student types.
"""
import streamlit as st


def title(text: str) -> None:
    """The page's title (an h1)."""
    st.markdown(f"# {text}")


def header(text: str) -> None:
    """A section's heading (an h2)."""
    st.markdown(f"## {text}")


def subheader(text: str) -> None:
    """A subsection's heading (an h3)."""
    st.markdown(f"### {text}")
