"""Every page writes its headings as Markdown (ui.heading), not with Streamlit's heading
elements, which cost the browser about three times as much at every rerun (ui/heading.py has
the figures). A page that went back to st.title, st.header or st.subheader fails here."""
import os

import pytest
from streamlit.testing.v1 import AppTest

from ui.router import PAGES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("path", [p for p, _, _ in PAGES], ids=[os.path.basename(p) for p, _, _ in PAGES])
def test_page_headings_are_markdown(path):
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, at.exception
    assert (list(at.title), list(at.header), list(at.subheader)) == ([], [], [])
    headings = [m.value for m in at.markdown if m.value.startswith("#")]
    assert headings and headings[0].startswith("# ")           # the page's title comes first, as an h1
