"""The router writes ui.page_style's rule at every run, on every page, and the rule is ours
(static text, no user input). The browser test checks its effect on stale elements."""
import os

from streamlit.testing.v1 import AppTest

from ui import page_style

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_router_writes_the_rule_on_every_run():
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/one_step.py")
    at.run()
    assert not at.exception, at.exception
    html = [h.proto.body for h in at.get("html")]
    assert html.count(page_style.CSS) == 1, html


def test_the_rule_only_touches_stale_elements():
    css = page_style.CSS
    assert css.startswith("<style>") and css.endswith("</style>") and css.count("{") == 1
    assert css.split("{")[0].strip() == "<style>[data-stale='true']"
