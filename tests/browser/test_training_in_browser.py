"""Page 4 in a real headless Chromium: Start trains in the background of the page (the
fragment's timer ticks), the curves grow while the page stays usable, Pause stops it and shows
the trained LSTM's gates, with page 2's step scrubber; no exception, no console error."""
from .harness import PLOTS_JS, chart_frame, open_page, wait_idle

KNOWN_CONSOLE_NOISE = ("Failed to load resource: the server responded with a status of 404",)

# the charts on screen, in page order, st.plotly_chart's and the trained gates' ui.charts frame
# (during a run Streamlit keeps hidden copies of old ones)
JS_PLOTS = "(" + PLOTS_JS + ").filter(e => e.getBoundingClientRect().height > 0)"
# the number of points of a named trace of the n-th chart (decoded data: gd._fullData)
JS_LENGTH = """([plot, name]) => {
  const gd = """ + JS_PLOTS + """[plot];
  if (!gd || !gd._fullData) return -1;
  const t = gd._fullData.find(t => t.name === name);
  return t && t.x ? t.x.length : -1;
}"""
LOSS, LSTM_LOSS = 0, "LSTM, training loss"


def points(page):
    return page.evaluate(JS_LENGTH, [LOSS, LSTM_LOSS])


def test_training_runs_live_then_pauses_to_the_trained_gates(page, app_url):
    open_page(page, app_url, "training")
    page.wait_for_selector(".js-plotly-plot")
    assert points(page) == 0
    page.get_by_role("button", name="Start training").click()
    # the curves fill in and keep growing, tick after tick, with no click from us
    page.wait_for_function(f"a => ({JS_LENGTH})(a) >= 3", arg=[LOSS, LSTM_LOSS], timeout=30_000)
    first = points(page)
    page.wait_for_function(f"a => ({JS_LENGTH})(a) > {first}", arg=[LOSS, LSTM_LOSS], timeout=30_000)
    assert page.get_by_text("Training…").count() == 1
    gates_shown = f"() => {JS_PLOTS}.filter(gd => (gd._fullData || []).some(t => t.name === 'forget gate f_t')).length"
    assert page.evaluate(gates_shown) == 0                        # no trained gates while training

    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Continue").wait_for(timeout=30_000)
    wait_idle(page)
    page.wait_for_function(f"() => {JS_PLOTS}.length === 4", timeout=30_000)
    n = points(page)
    page.wait_for_timeout(1500)                                   # three ticks' time: nothing moves now
    assert points(page) == n
    gates = page.evaluate("""() => {
      const gd = """ + JS_PLOTS + """[3];
      return gd._fullData.filter(t => t.type === 'heatmap').map(t => t.name);
    }""")
    assert gates[:2] == ["forget gate f_t", "input gate i_t"]
    # page 2's controls: the scrubber moves the trained run's frames
    scrubber = chart_frame(page).get_by_role("slider", name="step t")
    scrubber.focus()
    page.keyboard.press("End")
    page.wait_for_function("""() => { const gd = """ + JS_PLOTS + """[3];
      const scrub = gd.ownerDocument.querySelector('#player input');      // at the last step T, shown
      return scrub.value === scrub.max && Number(gd.data[6].x[0]) === Number(scrub.max); }""")
    page.get_by_role("button", name="Trained LSTM weights (JSON)").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    real = [e for e in page.console_errors if not e.startswith(KNOWN_CONSOLE_NOISE)]
    assert real == [], real


def test_leaving_the_page_stops_training(page, app_url):
    open_page(page, app_url, "training")
    page.get_by_role("button", name="Start training").click()
    page.wait_for_function(f"a => ({JS_LENGTH})(a) >= 2", arg=[LOSS, LSTM_LOSS], timeout=30_000)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("3 · The vanishing gradient", exact=True).click()
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText === "
                           "'3 · The vanishing gradient'", timeout=30_000)
    wait_idle(page)
    page.wait_for_timeout(6_500)                                  # longer than ts.LEFT_AFTER: no tick meanwhile
    nav.get_by_text("4 · Training: RNN against LSTM", exact=True).click()
    page.get_by_text("Paused while you were away from this page.").wait_for(timeout=30_000)
    page.get_by_role("button", name="Continue").wait_for()
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
