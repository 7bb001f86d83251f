"""Screenshots of every page, taken by the browser suite so the README's stay current.

    LSTM_LAB_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser -k screenshots

writes them to assets/screenshots/ (the README shows them); without the variable they go to a
temporary folder and are only checked (the page drew something, not a blank or error page).
"""
import os

import pytest

from .harness import CHART_FRAME, PLOTS_JS, ROOT, open_page

# (file name, page, scroll the first figure into view)
SHOTS = [("home", "", False), ("one_step", "one_step", False), ("gates_over_time", "gates_over_time", True),
         ("vanishing_gradient", "vanishing_gradient", False)]


@pytest.mark.parametrize("name,path,scroll", SHOTS, ids=[s[0] for s in SHOTS])
def test_screenshots(browser, app_url, tmp_path, name, path, scroll):
    folder = os.path.join(ROOT, "assets", "screenshots") if os.environ.get("LSTM_LAB_SCREENSHOTS") else str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1440, "height": 1500}, device_scale_factor=1)
    page = ctx.new_page()
    open_page(page, app_url, path)
    page.wait_for_selector(".katex", timeout=30_000)       # text with its equations drawn, not placeholders
    if path:
        page.wait_for_function(f"() => {{ const g = ({PLOTS_JS})[0]; "
                               "return g && g._fullData && g.querySelector('.main-svg'); }", timeout=30_000)
        if scroll:
            page.locator(f".js-plotly-plot, {CHART_FRAME}").first.evaluate(
                """e => { e.scrollIntoView({block: 'start'});
                          let p = e.parentElement;
                          while (p && p.scrollHeight <= p.clientHeight) p = p.parentElement;
                          if (p) p.scrollTop -= 190; }""")
        page.wait_for_timeout(800)     # let Plotly finish its first transition
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="stSkeleton"]').count() == 0
    out = os.path.join(folder, f"{name}.png")
    page.screenshot(path=out)
    errors = page.locator('[data-testid="stException"]').count()
    ctx.close()
    assert errors == 0
    assert os.path.getsize(out) > 30_000        # a drawn page, not a blank one
