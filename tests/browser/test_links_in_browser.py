"""Shareable links in a real headless Chromium: change settings on pages 1 and 3, copy the URL,
open it in a fresh browser context (no shared session, cookies or storage) and see the same
figure data; open links with bad parameters and see the notice; no exception element and no
console error on the way."""
import numpy as np

from lstm_core import LSTMParams, lstm_step_forward
from ui.cache_gradient import Settings, compute_gradient_curves

from .harness import chart_frame, open_page, wait_idle
from .test_pages_in_browser import STEP_DEFAULTS, assert_clean, trace_values, wait_chart, wait_trace

GRADIENT_LINES = ("RNN ‖dL/dh<sub>t</sub>‖", "LSTM ‖dL/dh<sub>t</sub>‖", "LSTM ‖dL/dC<sub>t</sub>‖")
BELT_KEYS = ("f", "i", "o", "c_tilde", "c", "h", "c_prev", "h_prev", "x")


def fresh_page(browser):
    """A page in a new browser context: a stranger opening the link."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    errors = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    return context, pg


def open_link(page, url):
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=30_000)
    wait_idle(page)
    wait_chart(page)
    wait_idle(page)


def same(a, b):
    """Equal arrays, NaN/None (a gap on the log axis) equal to each other."""
    a = np.array([np.nan if v is None else v for v in a], dtype=float)
    b = np.array([np.nan if v is None else v for v in b], dtype=float)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def gradient_data(page):
    return {name: (trace_values(page, name, "y"), trace_values(page, name, "customdata")) for name in GRADIENT_LINES}


def wait_url(page, part, timeout=20_000):
    page.wait_for_function("p => window.location.search.includes(p)", arg=part, timeout=timeout)


def test_gradient_link_opens_the_same_figure(page, app_url, browser):
    open_page(page, app_url, "vanishing_gradient")
    wait_chart(page)
    page.get_by_role("button", name="Forget gate half shut").click()
    wait_url(page, "fb=0.0")
    wait_idle(page)
    thumb = page.get_by_role("slider", name="Sequence length T")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    wait_url(page, "T=101")
    wait_trace(page, GRADIENT_LINES[0], "v => v.length === 101")
    wait_idle(page)
    page.get_by_text("Forget gate held at 0", exact=True).click()    # an intervention, in the link too
    wait_url(page, "hold=f0")
    wait_trace(page, "LSTM ‖dL/dC<sub>t</sub>‖, no gate held", "v => v.length === 101")
    wait_idle(page)
    url = page.url
    assert "T=101" in url and "fb=0.0" in url and "hold=f0" in url
    mine = gradient_data(page)
    assert_clean(page)

    context, other = fresh_page(browser)
    try:
        open_link(other, url)
        wait_trace(other, GRADIENT_LINES[0], "v => v.length === 101")
        theirs = gradient_data(other)
        for name in GRADIENT_LINES:
            assert same(theirs[name][0], mine[name][0]) and same(theirs[name][1], mine[name][1]), name
        # and they are lstm_core's numbers for those settings
        s = Settings(T=101, forget_bias=0.0)
        want = compute_gradient_curves(s.T, s.hidden_size, s.scale, s.input_scale, s.forget_bias, s.sequence,
                                       s.seed, None, ("f", 0.0, 40, 60))
        y = np.array([np.nan if v is None else v for v in theirs["LSTM ‖dL/dC<sub>t</sub>‖"][0]], dtype=float)
        t = np.array(theirs["LSTM ‖dL/dC<sub>t</sub>‖"][1], dtype=int)
        ok = ~np.isnan(y)
        np.testing.assert_array_equal(y[ok], want["lstm_c"][t[ok] - 1])
        assert other.get_by_role("slider", name="Sequence length T").input_value() == "101"
        assert_clean(other)
    finally:
        context.close()


def step_values(x=1.0, hide=False):
    d = STEP_DEFAULTS
    b = dict(d["b"], o=-5.0) if hide else d["b"]
    W = dict(d["W"], o=(0.0, 0.0)) if hide else d["W"]
    p = LSTMParams(**{f"W_{g}": [list(W[g])] for g in "fico"}, **{f"b_{g}": [b[g]] for g in "fico"})
    return lstm_step_forward([x], [d["h"]], [d["c"]], p)


def belt_data(page):
    return {k: trace_values(page, k) for k in BELT_KEYS}


def test_one_step_link_opens_the_same_belt(page, app_url, browser):
    open_page(page, app_url, "one_step")
    wait_chart(page)
    thumb = page.locator('[data-testid="stSlider"]').first.get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowRight")                     # x_t: 1.0 -> 1.1
    wait_url(page, "x.0=1.1")
    wait_idle(page)
    page.get_by_role("button", name="Hide the memory").click()
    wait_url(page, "b_o.0=-5.0")
    want = step_values(x=1.1, hide=True)
    wait_trace(page, "h", f"v => v.length && Math.abs(v[0] - {float(want['h'][0])!r}) < 1e-15")
    wait_idle(page)
    url = page.url
    mine = belt_data(page)
    assert mine["h"][0] == float(want["h"][0]) and mine["c"][0] == float(want["c"][0])
    assert_clean(page)

    context, other = fresh_page(browser)
    try:
        open_link(other, url)
        wait_trace(other, "h", f"v => v.length && v[0] === {float(want['h'][0])!r}")
        assert belt_data(other) == mine
        assert float(other.locator('[data-testid="stSlider"]').first.get_by_role("slider").input_value()) == 1.1
        assert_clean(other)
    finally:
        context.close()


def test_bad_links_open_with_a_notice(browser, app_url):
    context, pg = fresh_page(browser)
    try:
        open_link(pg, app_url + "/vanishing_gradient?T=abc&scale=0.15&hold=f0")
        pg.get_by_text("is not a whole number", exact=False).wait_for(timeout=20_000)
        assert pg.get_by_text("is not on the slider", exact=False).count() == 1
        wait_trace(pg, GRADIENT_LINES[0], "v => v.length === 100")     # T at its default
        assert pg.get_by_role("slider", name="Sequence length T").input_value() == "100"
        assert "hold=f0" in pg.url and "T=abc" not in pg.url          # the good setting is used
        assert_clean(pg)

        open_link(pg, app_url + "/one_step?u=7&x.0=%3Cb%3Ehi%3C%2Fb%3E&H=2")
        pg.get_by_text("“u=7” is out of range", exact=False).wait_for(timeout=20_000)
        assert pg.get_by_text("“x.0='<b>hi</b>'” is not a number", exact=False).count() == 1
        assert pg.locator("b", has_text="hi").count() == 0             # user text never becomes markup
        assert trace_values(pg, "x")[0] == 1.0                        # x_t at its default
        # H = 2 is used, unit 0 shown (the belt's title, in its chart frame)
        assert chart_frame(pg).get_by_text("unit 0 (of units 0–1)", exact=False).count() >= 1
        assert_clean(pg)
    finally:
        context.close()
