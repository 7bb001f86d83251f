"""The guided lesson in a real headless Chromium: walk from the first step to the last with Next
(the URL's ?step= follows), predict and reveal an answer (the number lstm_core computes), follow
a step link, and open a shared link to step 4 in a fresh browser context. No exception element,
no console error (but the two known 404 probes of streamlit#7074)."""
import math

from figures.step import fmt_text
from ui.lesson import STEPS

from .harness import open_page, wait_idle
from .test_pages_in_browser import KNOWN_CONSOLE_NOISE, assert_clean


def h2(page) -> str:
    return page.locator("h2").first.inner_text().strip()


def wait_step(page, k: int) -> None:
    title = f"{k} · {STEPS[k - 1].title}"
    page.wait_for_function("t => { const h = document.querySelector('h2'); return h && h.innerText.trim() === t; }",
                           arg=title, timeout=30_000)
    wait_idle(page)


def query_step(page):
    return page.evaluate("() => new URLSearchParams(window.location.search).get('step')")


def test_walk_the_lesson_with_next_and_reveal(page, app_url):
    open_page(page, app_url, "lesson")
    assert page.locator("h1").first.inner_text() == "Guided lesson"
    wait_step(page, 1)
    assert query_step(page) is None
    for k in range(2, 8):
        page.get_by_role("button", name="Next").click()
        wait_step(page, k)
        page.wait_for_function("k => new URLSearchParams(window.location.search).get('step') === k",
                               arg=str(k), timeout=10_000)
        page.wait_for_selector(".js-plotly-plot")
        assert_clean(page)
    assert page.get_by_role("button", name="Next").is_disabled()

    # back to the output gate with Previous, predict h_6 and reveal it
    page.get_by_role("button", name="Previous").click()
    wait_step(page, 6)
    page.get_by_role("button", name="Previous").click()
    wait_step(page, 5)
    assert query_step(page) == "5"
    reveal = page.get_by_role("button", name="Reveal")
    assert reveal.is_disabled()                   # a prediction comes first
    box = page.get_by_label(STEPS[4].guess_label)
    box.fill("0.45")
    box.press("Enter")
    wait_idle(page)
    page.wait_for_function("() => !Array.from(document.querySelectorAll('button')).find("
                           "b => b.innerText.includes('Reveal')).disabled", timeout=10_000)
    reveal.click()
    wait_idle(page)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Computed by lstm_core")
    metric.wait_for(timeout=10_000)
    assert metric.locator('[data-testid="stMetricValue"]').inner_text().strip() == fmt_text(0.5 * math.tanh(1.5))
    mine = page.locator('[data-testid="stMetric"]').filter(has_text="Your prediction")
    assert mine.locator('[data-testid="stMetricValue"]').inner_text().strip() == "0.45"
    assert page.get_by_text("Close: within 10 %").count() == 1
    assert_clean(page)

    # a step link in the row under the progress bar opens that step
    page.get_by_role("link", name="6 · Over a sequence").click()
    wait_step(page, 6)
    page.wait_for_function("() => new URLSearchParams(window.location.search).get('step') === '6'",
                           timeout=10_000)
    assert_clean(page)


def test_a_shared_link_to_step_4_opens_it_in_a_fresh_browser(browser, app_url):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        pg = context.new_page()
        errors = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        open_page(pg, app_url, "lesson?step=4")
        wait_step(pg, 4)
        assert query_step(pg) == "4"
        pg.wait_for_selector(".js-plotly-plot")
        assert pg.locator('[data-testid="stException"]').count() == 0
        assert [e for e in errors if not e.startswith(KNOWN_CONSOLE_NOISE)] == []
    finally:
        context.close()


def test_a_bad_step_in_a_link_opens_step_1_with_a_notice(page, app_url):
    open_page(page, app_url, "lesson?step=banana")
    wait_step(page, 1)
    page.get_by_text("does not exist").wait_for(timeout=10_000)
    assert query_step(page) is None
    assert_clean(page)
