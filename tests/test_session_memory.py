"""What a session keeps between its reruns: no figure.

A page's widget callbacks are functions of the page, so they keep the page's globals alive as
long as the session lasts (and Streamlit keeps a closed session for its reconnect window). A
figure held in a page-level name would stay in memory once per student: about 14,000 Python
objects for the gates figure, 0.4 MB. The figures are sent, then dropped.
"""
import gc
import os

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from plotly_data import chart_elements
from figures.sending import PlotlySpec

PAGES = ["pages/lesson.py", "pages/one_step.py", "pages/gates_over_time.py", "pages/vanishing_gradient.py",
         "pages/training.py"]


def live_figures() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is PlotlySpec)   # type(): no attribute hooks run


@pytest.mark.parametrize("page", PAGES)
def test_no_figure_outlives_the_rerun_that_drew_it(page):
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception
    assert chart_elements(at), "the page draws a figure"
    assert live_figures() == 0
