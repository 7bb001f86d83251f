"""What a student sees, in a real headless Chromium: pages reached from the sidebar, sliders
moved with the keyboard redrawing the figures with lstm_core's numbers, no exception shown,
no console error."""
import os

import numpy as np

from lstm_core import LSTMParams, lstm_step_forward
from ui.cache_gradient import Settings, compute_gradient_curves
from ui.router import PAGES

from .harness import PLOTS_JS, chart_frame, open_page, wait_idle

# Not ours, and harmless to a student: Streamlit's frontend probes <page>/_stcore/health and
# host-config before the app root when a page is opened by its own URL (streamlit/streamlit#7074):
# two 404s. (Every animated chart is in a ui.charts frame, whose Play and scrubber catch the
# promise plotly.js rejects when an animation is interrupted: none goes unhandled.)
KNOWN_CONSOLE_NOISE = ("Failed to load resource: the server responded with a status of 404",)
KNOWN_PAGE_ERRORS = ()

# gd._fullData holds Plotly's decoded arrays (gd.data keeps the base64 typed arrays as sent).
# Charts drawn by st.plotly_chart and charts in ui.charts frames, in page order.
JS_TRACE = """([plot, name, field]) => {
  const gd = (PLOTS)[plot];
  if (!gd || !gd.data) return null;
  const t = (gd._fullData || gd.data).find(t => t.name === name);
  return t ? Array.from(t[field] ?? [], v => v === null ? null : Number(v)) : null;
}""".replace("PLOTS", PLOTS_JS)


def wait_chart(page, timeout=30_000):
    """Wait until a chart of the page is drawn (by st.plotly_chart or in a ui.charts frame)."""
    page.wait_for_function(f"() => ({PLOTS_JS}).some(g => g._fullData)", timeout=timeout)


def trace_values(page, name, field="customdata", plot=0):
    return page.evaluate(JS_TRACE, [plot, name, field])


def wait_trace(page, name, predicate_js, plot=0, timeout=20_000):
    """Wait until the named trace's data satisfies predicate_js(values)."""
    page.wait_for_function(
        f"""([plot, name]) => {{
          const gd = ({PLOTS_JS})[plot];
          if (!gd || !gd.data) return false;
          const t = (gd._fullData || gd.data).find(t => t.name === name);
          if (!t) return false;
          const v = Array.from(t.customdata ?? t.y ?? []);
          return ({predicate_js})(v);
        }}""", arg=[plot, name], timeout=timeout)


def assert_clean(page):
    assert page.locator('[data-testid="stException"]').count() == 0
    real = [e for e in page.console_errors if not e.startswith(KNOWN_CONSOLE_NOISE) and e not in KNOWN_PAGE_ERRORS]
    assert real == [], real


def test_every_page_from_the_sidebar(page, app_url):
    open_page(page, app_url)
    assert page.title() == "LSTM Gate Lab"
    assert page.locator("h1").first.inner_text() == "LSTM Gate Lab"
    nav = page.locator('[data-testid="stSidebarNav"]')
    for path, title, _ in list(PAGES[1:]) + [PAGES[0]]:
        nav.get_by_text(title, exact=True).click()
        slug = os.path.splitext(os.path.basename(path))[0]
        want = "" if path == PAGES[0][0] else "/" + slug
        page.wait_for_function("p => window.location.pathname === p", arg=want or "/", timeout=30_000)
        page.wait_for_selector("h1", timeout=30_000)
        wait_idle(page)
        assert page.locator("h1").first.inner_text().strip()
        assert_clean(page)


# The one-step page's starting values for one unit and one input (pages/one_step.py defaults)
STEP_DEFAULTS = dict(W={"f": (0.5, 1.0), "i": (-0.5, 1.5), "c": (1.0, -2.0), "o": (0.5, 0.5)},
                     b={"f": 0.5, "i": -1.0, "c": 0.5, "o": 0.0}, x=1.0, h=0.5, c=1.0)


def press_quickly(page, key, times=5, gap_ms=40):
    """Key presses closer together than a rerun takes: each move is sent while the page still
    shows the run before (ui.links.is_echo keeps the link of that run from undoing them)."""
    for _ in range(times):
        page.keyboard.press(key)
        page.wait_for_timeout(gap_ms)


def step_expected(x):
    d = STEP_DEFAULTS
    p = LSTMParams(**{f"W_{g}": [list(d["W"][g])] for g in "fico"}, **{f"b_{g}": [d["b"][g]] for g in "fico"})
    return lstm_step_forward([x], [d["h"]], [d["c"]], p)


def test_one_step_slider_redraws_the_belt(page, app_url):
    open_page(page, app_url, "one_step")
    wait_chart(page)
    first = step_expected(1.0)
    for key in ("f", "i", "o", "c", "h"):
        got = trace_values(page, key)
        assert got and abs(got[0] - float(first[key][0])) < 1e-12, (key, got, first[key])
    # x_t is the first slider on the page: one press of the right arrow adds one step (0.1)
    thumb = page.locator('[data-testid="stSlider"]').first.get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    want = step_expected(1.1)
    wait_trace(page, "h", f"v => v.length && Math.abs(v[0] - {float(want['h'][0])!r}) < 1e-12")
    wait_idle(page)
    for key in ("f", "i", "o", "c", "h"):
        assert abs(trace_values(page, key)[0] - float(want[key][0])) < 1e-12, key
    assert float(thumb.input_value()) == 1.1
    press_quickly(page, "ArrowRight")                       # five more, quickly: all count
    want = step_expected(1.6)
    wait_trace(page, "h", f"v => v.length && Math.abs(v[0] - {float(want['h'][0])!r}) < 1e-12")
    wait_idle(page)
    assert float(thumb.input_value()) == 1.6 and "x.0=1.6" in page.url
    assert_clean(page)


def test_vanishing_gradient_slider_redraws_the_curves(page, app_url):
    open_page(page, app_url, "vanishing_gradient")
    wait_chart(page)
    s = Settings()
    thumb = page.get_by_role("slider", name="Sequence length T")
    assert int(thumb.input_value()) == s.T
    thumb.focus()
    page.keyboard.press("ArrowRight")
    want = compute_gradient_curves(s.T + 1, s.hidden_size, s.scale, s.input_scale, s.forget_bias, s.sequence,
                                   s.seed, None)
    name = "RNN ‖dL/dh<sub>t</sub>‖"
    wait_trace(page, name, f"v => v.length === {s.T + 1}")
    wait_idle(page)
    t = np.array(trace_values(page, name, "customdata"), dtype=float)
    y = np.array(trace_values(page, name, "y"), dtype=float)
    ok = ~np.isnan(y)
    np.testing.assert_allclose(y[ok], want["rnn_h"][t[ok].astype(int) - 1], rtol=1e-12, atol=0)
    press_quickly(page, "ArrowRight")                       # five more, quickly: all count
    wait_trace(page, name, f"v => v.length === {s.T + 6}")
    wait_idle(page)
    assert int(thumb.input_value()) == s.T + 6 and f"T={s.T + 6}" in page.url
    assert_clean(page)


# Page 3's chart (in a ui.charts frame): the scrubber's step and the RNN curve's points on screen.
JS_GRADIENT_STATE = """() => {
  const gd = (PLOTS)[0];
  const scrub = gd && gd.ownerDocument.querySelector('#player input');
  if (!gd || !gd._fullData || !scrub) return null;
  const t = gd._fullData.find(t => t.name === 'RNN ‖dL/dh<sub>t</sub>‖');
  return {index: Number(scrub.value), max: Number(scrub.max), label: scrub.getAttribute('aria-valuetext'),
          points: Array.from(t.y).length};
}""".replace("PLOTS", PLOTS_JS)


def test_vanishing_gradient_play_travels_back_and_the_scrubber_shows_each_step(page, app_url):
    """Play from step T starts with the gradient at T and reveals it step by step back to step 1;
    the frame's scrubber follows and, moved by the keyboard, shows the curves up to its step."""
    open_page(page, app_url, "vanishing_gradient")
    wait_chart(page)
    page.wait_for_function(f"() => ({JS_GRADIENT_STATE})() !== null")
    s = page.evaluate(JS_GRADIENT_STATE)
    T = Settings().T
    assert s["index"] == s["max"] and s["points"] == T                 # at first: the whole way back
    frame = chart_frame(page)
    frame.get_by_role("button", name="Play from step T").click()
    page.wait_for_function(f"() => {{ const s = ({JS_GRADIENT_STATE})(); return s.index > 3 && s.index < s.max; }}",
                           timeout=20_000)
    frame.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(400)
    s = page.evaluate(JS_GRADIENT_STATE)
    shown = int(s["label"].split(": ")[1].split(" ")[0])          # "the gradient has travelled back: k steps"
    assert 0 < shown < T and s["points"] == shown + 1              # the curves reach back k steps from T
    frame.get_by_role("slider").focus()
    page.keyboard.press("Home")
    page.wait_for_function(f"() => ({JS_GRADIENT_STATE})().index === 1")
    page.wait_for_timeout(300)
    assert page.evaluate(JS_GRADIENT_STATE)["points"] == 1          # step T alone
    page.keyboard.press("End")
    page.wait_for_function(f"() => ({JS_GRADIENT_STATE})().points === {T}")
    assert_clean(page)


# Every chart of the app at its page's defaults: plotly.js grows a margin that its tick labels,
# legend or slider do not fit in, and then draws the whole figure a second time, at every
# update. The margins are set wide enough for what the charts show at their defaults (the
# growing stays on for the rest: longer labels, presenter mode). Page 3 answered a slider
# 32 ms sooner (median of 40 paired moves) once its margin stopped growing.
CHARTS_PER_PAGE = {"lesson": 1, "one_step": 1, "gates_over_time": 2, "vanishing_gradient": 1, "training": 3}
JS_MARGINS = f"""() => ({PLOTS_JS}).filter(g => g._fullLayout).map(g => {{
  const m = g._fullLayout.margin, s = g._fullLayout._size;
  return {{asked: [m.l, m.r, m.t, m.b], drawn: [s.l, s.r, s.t, s.b].map(Math.round)}};
}})"""


def test_no_chart_draws_twice_to_grow_its_margins(page, app_url):
    for slug, n in CHARTS_PER_PAGE.items():
        open_page(page, app_url, slug)
        page.wait_for_function(f"n => ({PLOTS_JS}).filter(g => g._fullLayout).length >= n", arg=n,
                               timeout=30_000)
        wait_idle(page)
        charts = page.evaluate(JS_MARGINS)
        assert len(charts) == n, slug
        for c in charts:
            assert c["drawn"] == c["asked"], (slug, c)
        assert_clean(page)


# Records, while a rerun is on its way, how each element the app marks stale is styled.
JS_WATCH_STALE = """() => {
  window.__stale = [];
  new MutationObserver((records) => {
    for (const r of records) {
      const e = r.target;
      if (e.getAttribute && e.getAttribute('data-stale') === 'true') {
        const s = getComputedStyle(e);
        window.__stale.push([s.opacity, s.transitionProperty]);
      }
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-stale']});
}"""


def test_old_elements_are_not_faded_while_a_rerun_runs(page, app_url):
    """ui.page_style: Streamlit's delayed fade of stale elements is switched off (it cost a
    page-wide repaint twice per slider move); the elements keep full opacity, no transition."""
    open_page(page, app_url, "one_step")
    wait_chart(page)
    wait_idle(page)
    page.evaluate(JS_WATCH_STALE)
    # A weight's slider, which has no figures ahead: after a press on x_t's, answered from the
    # figures ahead (ui.charts.Ahead), no element was marked stale in 1 of 4 runs of this file.
    page.locator('input[type=range][aria-label^="$W_f[0,0]$"]').focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.__stale.length > 0", timeout=20_000)
    wait_idle(page)
    styles = {tuple(s) for s in page.evaluate("() => window.__stale")}
    assert styles == {("1", "none")}, styles
    assert_clean(page)
