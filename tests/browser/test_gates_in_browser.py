"""Page 2 · Gates over time in a real headless Chromium: Play advances the frames and the
scrubber jumps to a step, with lstm_core's numbers on the belt; the trace CSV downloaded is
the CLI's output; a bad typed sequence gets its error while the figure stays; a copied link
opens the same view in a fresh browser; the chart's camera button saves a PNG. No exception
shown, no console error."""
import os
import subprocess
import sys
import urllib.parse

import numpy as np

from lstm_core import Clamp, lstm_forward, trace_to_csv
from lstm_core.presets import PRESETS
from ui import charts

from .harness import CHART_FRAME, PLOTS_JS, ROOT, chart_frame, open_page, wait_idle
from .test_pages_in_browser import KNOWN_CONSOLE_NOISE, KNOWN_PAGE_ERRORS, assert_clean

PAGE = "gates_over_time"

# The heatmap figure is the first chart on the page, in the first ui.charts frame. Traces 0..5
# are the heatmaps (f, i, C~, o, C, h), 6..11 the step cursors (bars whose x is the step t).
# The frame draws the figure's scrubber and Play/Pause itself (#player): `active` is the step
# its range input shows (0-based, as layout.sliders[0].active), `T` its number of steps.
JS_STATE = """() => {
  const gd = (PLOTS)[0];
  const scrub = gd && gd.ownerDocument.querySelector('#player input');
  if (!gd || !gd.data || !scrub || gd.ownerDocument.querySelector('#player').hidden) return null;
  const belt_f = (gd._fullData || gd.data).find(t => t.name === 'f' && t.type === 'scatter');
  return {active: Number(scrub.value) - 1, cursor: Number(gd.data[6].x[0]), T: Number(scrub.max),
          label: scrub.getAttribute('aria-valuetext'),
          belt_f: belt_f && belt_f.customdata ? Number(belt_f.customdata[0]) : null};
}"""
JS_HEATMAPS = """() => {
  const gd = (PLOTS)[0];
  return gd._fullData.slice(0, 6).map(t => Array.from(t.z, row => Array.from(row, Number)));
}"""
JS_TICKS = """() => {
  const gd = (PLOTS)[0];
  const ax = gd._fullLayout.xaxis;     // the tick labels as drawn (plotly.js decodes &lt; &gt; &amp;)
  const drawn = Array.from(gd.querySelectorAll('g.subplot.xy6 .xtick text'), t => t.textContent);
  return {title: ax.title.text, ticktext: drawn,   // shapes framing held gates (the belt's fixed parts are shapes too)
          shapes: (gd.layout.shapes || []).filter(s => s.name === 'held').length};
}"""
JS_STATE, JS_HEATMAPS, JS_TICKS = (js.replace("PLOTS", PLOTS_JS) for js in (JS_STATE, JS_HEATMAPS, JS_TICKS))


def state(page):
    return page.evaluate(JS_STATE)


def heatmaps(page):
    return np.array(page.evaluate(JS_HEATMAPS), dtype=object)


def open_gates(page, url, query=""):
    open_page(page, url, PAGE + (f"?{query}" if query else ""))
    page.wait_for_selector(CHART_FRAME)
    page.wait_for_function(f"() => ({JS_STATE})() !== null")


def latch_f(t):
    p = PRESETS["latch"]
    return float(lstm_forward(p.params(), p.inputs(60)).f[t - 1, 0, 0])


def test_play_advances_the_frames_and_the_scrubber_jumps(page, app_url):
    open_gates(page, app_url)
    s = state(page)
    assert s["active"] == 0 and s["cursor"] == 1 and s["T"] == 60 and s["label"] == "step t = 1"
    assert abs(s["belt_f"] - latch_f(1)) < 1e-12
    heat = chart_frame(page)
    heat.get_by_role("button", name="Play").click()
    page.wait_for_function(f"() => {{ const s = ({JS_STATE})(); return s.active >= 3 && s.cursor >= 4; }}",
                           timeout=20_000)
    heat.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(400)
    s = state(page)
    assert s["cursor"] == s["active"] + 1                       # the frame on screen is the scrubber's step
    assert abs(s["belt_f"] - latch_f(s["cursor"])) < 1e-12      # and the belt shows that step's numbers
    # click the scrubber three quarters of the way along: it jumps to that step
    scrubber = heat.get_by_role("slider", name="step t")
    rail = scrubber.bounding_box()
    page.mouse.click(rail["x"] + 0.75 * rail["width"], rail["y"] + rail["height"] / 2)
    page.wait_for_function(f"() => ({JS_STATE})().active >= 40")
    page.wait_for_timeout(300)
    s = state(page)
    assert 40 <= s["active"] <= 50 and s["cursor"] == s["active"] + 1
    assert abs(s["belt_f"] - latch_f(s["cursor"])) < 1e-12
    # drag it back towards the start
    page.mouse.move(rail["x"] + 0.75 * rail["width"], rail["y"] + rail["height"] / 2)
    page.mouse.down()
    page.mouse.move(rail["x"] + 0.1 * rail["width"], rail["y"] + rail["height"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_function(f"() => ({JS_STATE})().active <= 10")
    page.wait_for_timeout(300)
    s = state(page)
    assert s["cursor"] == s["active"] + 1 and abs(s["belt_f"] - latch_f(s["cursor"])) < 1e-12
    assert_clean(page)


def test_the_scrubber_answers_the_keyboard_and_play_at_the_end_starts_again(page, app_url):
    """The step scrubber is a range input: arrows, End and Home move the frame shown, and say the
    step to a screen reader. Play from the last step plays again from step 1."""
    open_gates(page, app_url)
    heat = chart_frame(page)
    scrubber = heat.get_by_role("slider", name="step t")
    scrubber.focus()
    for key, t in (("ArrowRight", 2), ("ArrowRight", 3), ("End", 60), ("ArrowLeft", 59), ("Home", 1)):
        page.keyboard.press(key)
        page.wait_for_function(f"() => ({JS_STATE})().cursor === {t}")
        s = state(page)
        assert s["active"] == t - 1 and s["label"] == f"step t = {t}"
        assert abs(s["belt_f"] - latch_f(t)) < 1e-12
    page.keyboard.press("End")
    page.wait_for_function(f"() => ({JS_STATE})().cursor === 60")
    heat.get_by_role("button", name="Play").click()
    page.wait_for_function(f"() => {{ const s = ({JS_STATE})(); return s.cursor >= 2 && s.cursor < 30; }}",
                           timeout=20_000)
    heat.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(400)
    s = state(page)
    assert s["cursor"] == s["active"] + 1 < 30 and abs(s["belt_f"] - latch_f(s["cursor"])) < 1e-12
    assert_clean(page)


def test_hovering_a_heatmap_cell_shows_its_exact_value(page, app_url):
    """A student hovers a cell of the cell-state heatmap and reads the step, the unit and lstm_core's
    value to 6 significant digits (nothing drawn over the heatmaps may take the mouse)."""
    open_gates(page, app_url)
    heat = chart_frame(page)
    gd = heat.locator(".js-plotly-plot").first
    gd.scroll_into_view_if_needed()
    box = gd.bounding_box()
    at = page.evaluate("""() => { const L = (%s)[0]._fullLayout;
        return {x: L.xaxis._offset + L.xaxis.l2p(30), y: L.yaxis5._offset + L.yaxis5._length / 2}; }""" % PLOTS_JS)
    p = PRESETS["latch"]
    c30 = float(lstm_forward(p.params(), p.inputs(60)).c[29, 0, 0])
    page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    hover = heat.locator(".hoverlayer .hovertext").first
    hover.wait_for(state="attached", timeout=10_000)
    text = hover.text_content()
    assert "t = 30" in text and "unit 0" in text and f"{c30:.6g}" in text, text


def download(page, label, tmp_path):
    with page.expect_download() as info:
        page.get_by_role("button", name=label, exact=True).click()
    d = info.value
    path = tmp_path / d.suggested_filename
    d.save_as(path)
    return path


def test_trace_csv_download_is_the_clis_output(page, app_url, tmp_path):
    open_gates(page, app_url, "T=45&seq=noise&nseed=3")
    trace = download(page, "Trace CSV", tmp_path)
    weights = download(page, "Weights JSON", tmp_path)
    inputs = download(page, "Inputs CSV", tmp_path)
    assert (trace.name, weights.name, inputs.name) == ("trace.csv", "weights.json", "inputs.csv")
    cli = subprocess.run([sys.executable, "-m", "lstm_core", "trace", "--weights", str(weights),
                          "--inputs", str(inputs)], capture_output=True, cwd=ROOT, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert trace.read_bytes() == cli.stdout                     # byte for byte
    assert trace.read_bytes().count(b"\n") == 45 + 1
    assert_clean(page)


def test_quick_moves_all_count_fetch_no_file_and_a_download_is_the_run_on_screen(page, app_url, tmp_path):
    """Five quick key presses move T by five, and the link says so (each rerun carries the
    address bar as it is, which may not yet hold the last run's link: ui.links.is_echo).
    No file is fetched: the downloads are made when clicked, and the tab's icon is inline.
    (A download button holding its file makes the browser fetch it at every change; after
    quick moves it fetched files already dropped, and logged 404s.)"""
    open_gates(page, app_url)
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "/media/" in r.url else None)
    page.get_by_role("slider", name="Length T (steps)").focus()
    for _ in range(5):                                              # T: 60 -> 65, quickly
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(40)
    page.wait_for_function(f"() => ({JS_STATE})().T === 65")
    wait_idle(page)
    page.wait_for_timeout(500)
    assert page.get_by_role("slider", name="Length T (steps)").get_attribute("aria-valuetext") == "65"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["T"] == ["65"]
    assert fetched == []
    trace = download(page, "Trace CSV", tmp_path)
    p = PRESETS["latch"]
    assert trace.read_text() == trace_to_csv(lstm_forward(p.params(), p.inputs(65)))
    assert_clean(page)
    assert not [e for e in page.console_errors if "source error" in e]


def test_a_held_arrow_key_lands_where_it_was_released(page, app_url):
    """A student holds → on T (the key repeats about 30 times a second): every repeat counts,
    the slider, the figure and the link end on the same T, and the app is idle again. (With
    Streamlit's message cache on, such bursts could end in "Cached ForwardMsg MISS" and a dead
    page; and old links sent back seconds late put the slider back.)"""
    open_gates(page, app_url)
    page.get_by_role("slider", name="Length T (steps)").focus()
    for _ in range(25):
        page.keyboard.down("ArrowRight")
        page.wait_for_timeout(33)
    page.keyboard.up("ArrowRight")
    page.wait_for_function(f"() => ({JS_STATE})().T === 85", timeout=30_000)
    wait_idle(page)
    page.wait_for_timeout(1000)
    assert page.get_by_role("slider", name="Length T (steps)").get_attribute("aria-valuetext") == "85"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["T"] == ["85"]
    assert state(page)["T"] == 85
    assert page.get_by_text("Connection error").count() == 0
    assert_clean(page)


def test_a_bad_typed_sequence_gets_its_error_and_the_figure_stays(page, app_url):
    open_gates(page, app_url)
    page.get_by_text("Type numbers", exact=True).click()
    page.wait_for_function(f"() => ({JS_STATE})().T === 12")
    wait_idle(page)
    before = heatmaps(page)
    box = page.get_by_role("textbox", name="Inputs, numbers separated by commas or spaces")
    box.fill("0, 1, $x$, 2")
    box.press("Control+Enter")
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for(timeout=20_000)
    wait_idle(page)
    text = error.inner_text()
    assert "Typed inputs: step 3 is '$x$', not a number" in text and "Allowed:" in text   # shown as typed
    assert page.locator('[data-testid="stAlertContentWarning"]', has_text="last good run").count() == 1
    after = heatmaps(page)
    assert all(np.array_equal(np.array(a, float), np.array(b, float)) for a, b in zip(before, after))
    assert state(page)["T"] == 12
    box.fill("0, 1, 0.5")
    box.press("Control+Enter")
    page.wait_for_function(f"() => ({JS_STATE})().T === 3")
    wait_idle(page)
    assert error.count() == 0
    assert_clean(page)


def test_a_copied_link_opens_the_same_view_in_a_fresh_browser(page, app_url, browser):
    open_gates(page, app_url)
    page.get_by_role("button", name="The LSTM of 1997: no forget gate").click()
    page.wait_for_function("() => location.search.includes('hold=f1')")
    wait_idle(page)
    page.get_by_text("Text, one character per step", exact=True).click()
    page.wait_for_function("() => location.search.includes('m=text')")
    wait_idle(page)
    box = page.get_by_role("textbox", name="Text, up to 200 characters")
    box.fill("say \"hi\" <b>")
    box.press("Enter")
    page.wait_for_function("() => location.search.includes('text=')")
    page.wait_for_function(f"() => ({JS_STATE})().T === 12")
    wait_idle(page)
    link = page.url
    view = (heatmaps(page), page.evaluate(JS_TICKS))
    assert view[1]["ticktext"] == ["s", "a", "y", "\u2423", '"', "h", "i", '"', "\u2423", "<", "b", ">"]
    assert view[1]["shapes"] == 1                               # the held forget gate, framed
    scrubber = chart_frame(page).get_by_role("slider", name="step t")   # the scrubber names the characters too
    scrubber.focus()
    for key, label in (("End", "step t = 12 >"), ("ArrowLeft", "step t = 11 b"), ("ArrowLeft", "step t = 10 <")):
        page.keyboard.press(key)
        page.wait_for_function(f"() => ({JS_STATE})().label === {label!r}")
    assert chart_frame(page).locator("#player output").inner_text() == "step t = 10 <"
    scrubber.press("Home")
    page.wait_for_function(f"() => ({JS_STATE})().cursor === 1")
    box_text = page.locator('[data-testid="stCode"]', has_text=PAGE).first.inner_text()
    shared, bar = urllib.parse.urlsplit(box_text.strip()), urllib.parse.urlsplit(link)
    assert shared.netloc == bar.netloc and shared.path == bar.path == "/" + PAGE
    assert urllib.parse.parse_qs(shared.query) == urllib.parse.parse_qs(bar.query)   # the box holds the link

    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = fresh.new_page()
    errors = []
    other.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    other.on("pageerror", lambda e: errors.append(str(e)))
    try:
        other.goto(link)
        other.wait_for_selector(CHART_FRAME, timeout=30_000)
        other.wait_for_function(f"() => ({JS_STATE})() !== null && ({JS_STATE})().T === 12")
        wait_idle(other)
        got = (heatmaps(other), other.evaluate(JS_TICKS))
        assert got[1] == view[1]
        assert all(np.array_equal(np.array(a, float), np.array(b, float)) for a, b in zip(got[0], view[0]))
        assert other.get_by_role("textbox", name="Text, up to 200 characters").input_value() == "say \"hi\" <b>"
        assert other.locator('[data-testid="stAlertContentWarning"]').count() == 0
        assert other.locator('[data-testid="stException"]').count() == 0
        assert [e for e in errors if not e.startswith(KNOWN_CONSOLE_NOISE) and e not in KNOWN_PAGE_ERRORS] == []
    finally:
        fresh.close()
    assert_clean(page)


def test_held_gates_show_in_the_browser_and_the_camera_saves_a_png(page, app_url, tmp_path):
    open_gates(page, app_url, "hold=f1i0&from=20&to=40")
    got = heatmaps(page)
    p = PRESETS["latch"]
    want = lstm_forward(p.params(), p.inputs(60), clamps=(Clamp("f", 1.0, 20, 40), Clamp("i", 0.0, 20, 40)))
    assert np.array_equal(np.array(got[4], float), want.c[:, 0, :].T)
    c = np.array(got[4], float)[0]
    assert np.all(c[19:40] == c[18])                            # the belt frozen on steps 20..40
    chart = chart_frame(page).locator(".js-plotly-plot").first
    chart.hover()
    camera = chart.locator('.modebar-btn[data-title="Download plot as a PNG"]')
    camera.wait_for(timeout=10_000)
    with page.expect_download(timeout=30_000) as info:
        camera.click()
    d = info.value
    assert d.suggested_filename == "lstm-gates-over-time.png"
    path = tmp_path / d.suggested_filename
    d.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(path) > 10_000
    assert_clean(page)


def test_a_slider_move_updates_the_same_chart_in_place(page, app_url):
    """The heatmaps answer a move of "Length T" in the chart already on screen (ui.charts): the
    same frame, its figure redrawn once more, with lstm_core's numbers for the new length. Each
    figure is drawn once: the page's first load drew each chart once, not again when Streamlit
    posted the same arguments a second time."""
    open_gates(page, app_url)
    wait_idle(page)
    page.wait_for_timeout(500)
    frames = page.locator(CHART_FRAME)
    assert [frames.nth(k).evaluate("f => f.contentDocument.body.dataset.revision") for k in (0, 1)] == ["1", "1"]
    frame = frames.first
    frame.evaluate("f => { f.contentWindow.__marked = true; }")       # survives only if the frame does
    revision = int(frame.evaluate("f => f.contentDocument.body.dataset.revision"))
    thumb = page.get_by_role("slider", name="Length T (steps)")
    thumb.focus()
    page.keyboard.press("ArrowLeft")                                # T: 60 -> 59
    page.wait_for_function(f"() => ({JS_STATE})().T === 59")
    wait_idle(page)
    assert frame.evaluate("f => f.contentWindow.__marked === true")
    page.wait_for_timeout(300)
    assert int(frame.evaluate("f => f.contentDocument.body.dataset.revision")) == revision + 1
    p = PRESETS["latch"]
    want = lstm_forward(p.params(), p.inputs(59))
    got = heatmaps(page)
    assert np.array_equal(np.array(got[0], float), want.f[:, 0, :].T)       # forget gate, exactly
    assert np.array_equal(np.array(got[4], float), want.c[:, 0, :].T)       # cell state, exactly
    assert frame.get_attribute("title").startswith("Six heatmaps")          # named for screen readers
    assert_clean(page)


# Logs, in the page's clock: every animation frame of the page, and when each chart's
# Plotly.react starts and its promise ends (charts in page order).
JS_LOG_DRAWS = """() => {
  window.__frames = []; window.__draws = [];
  const tick = (t) => { window.__frames.push(performance.now()); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  [...document.querySelectorAll('iframe')].filter(f => f.contentWindow && f.contentWindow.Plotly).forEach((f, i) => {
    const w = f.contentWindow, react = w.Plotly.react;
    w.Plotly.react = function (...args) {
      const start = performance.now();
      return react.apply(this, args).then((gd) => { window.__draws.push([i, start, performance.now()]); return gd; });
    };
  });
}"""


def test_after_a_move_the_heatmaps_are_shown_before_the_line_chart_is_drawn(page, app_url):
    """Both charts get their new figures at once. The line chart waits for a frame to be painted
    after the heatmaps are drawn, so that the heatmaps appear without waiting for it."""
    open_gates(page, app_url)
    page.wait_for_function("() => [...document.querySelectorAll('iframe')]"
                           ".filter(f => f.contentWindow && f.contentWindow.Plotly).length === 2")
    page.evaluate(JS_LOG_DRAWS)
    thumb = page.get_by_role("slider", name="Length T (steps)")
    for key, T in (("ArrowLeft", 59), ("ArrowRight", 60), ("ArrowLeft", 59)):
        thumb.focus()
        page.evaluate("() => { window.__draws = []; }")
        page.keyboard.press(key)
        page.wait_for_function(f"() => ({JS_STATE})().T === {T} && window.__draws.length === 2")
        wait_idle(page)
        (heat, h0, h1), (lines, l0, _) = page.evaluate("() => window.__draws")
        assert (heat, lines) == (0, 1) and h1 <= l0
        frames = page.evaluate("() => window.__frames")
        assert any(h1 <= t <= l0 for t in frames), (h1, l0)       # a frame between the two draws
    assert_clean(page)


def test_the_full_screen_button_fills_the_screen_with_the_chart_and_esc_leaves(page, app_url):
    """st.plotly_chart has a full-screen button; the in-place chart has one in its toolbar."""
    open_gates(page, app_url)
    chart = chart_frame(page).locator(".js-plotly-plot").first
    chart.hover()
    button = chart.locator('.modebar-btn[data-title="View full screen (Esc to leave)"]')
    button.click()
    frame = page.locator(CHART_FRAME).first
    page.wait_for_function(f"() => document.querySelector('{CHART_FRAME}').contentDocument.fullscreenElement !== null")
    page.wait_for_function(f"""() => {{ const w = document.querySelector('{CHART_FRAME}').contentWindow;
                                       const L = ({PLOTS_JS})[0]._fullLayout;
                                       return L.height === w.innerHeight && L.width === w.innerWidth; }}""")
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => document.querySelector('{CHART_FRAME}').contentDocument.fullscreenElement === null")
    page.wait_for_function(f"() => ({PLOTS_JS})[0]._fullLayout.height === 590")    # the figure's own height again
    page.wait_for_function(f"() => ({PLOTS_JS})[0]._fullLayout.width === document.querySelector('{CHART_FRAME}').clientWidth")
    assert frame.evaluate("f => f.contentDocument.body.style.background") == "transparent"
    page.set_viewport_size({"width": 1100, "height": 900})            # a narrower window: a narrower chart
    page.wait_for_function(f"""() => {{ const f = document.querySelector('{CHART_FRAME}');
                                       return f.clientWidth < 900 && ({PLOTS_JS})[0]._fullLayout.width === f.clientWidth; }}""")
    assert_clean(page)


def test_a_move_during_play_stops_it_and_the_new_run_plays_from_its_first_step(page, app_url):
    """A new figure stops a Play in progress: the old run's frames must not go on over the new."""
    open_gates(page, app_url)
    heat = chart_frame(page)
    heat.get_by_role("button", name="Play").click()
    page.wait_for_function(f"() => ({JS_STATE})().active >= 3", timeout=20_000)
    thumb = page.get_by_role("slider", name="Length T (steps)")
    thumb.focus()
    page.keyboard.press("ArrowLeft")                                # T: 60 -> 59, while playing
    page.wait_for_function(f"() => ({JS_STATE})().T === 59")
    wait_idle(page)
    page.wait_for_timeout(1500)                                     # the old animation would have moved on by now
    s = state(page)
    assert s["active"] == 0 and s["cursor"] == 1 and abs(s["belt_f"] - latch_f(1)) < 1e-12
    heat.get_by_role("button", name="Play").click()
    page.wait_for_function(f"() => ({JS_STATE})().active >= 3", timeout=20_000)
    heat.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(400)
    s = state(page)
    assert s["T"] == 59 and s["cursor"] == s["active"] + 1 and abs(s["belt_f"] - latch_f(s["cursor"])) < 1e-12
    assert_clean(page)


def test_plotly_js_is_fetched_once_for_both_charts_and_kept_for_the_next_visit(page, app_url):
    """The two charts of the page share one download of plotly.js; back on the page after another
    one, in the same tab, neither fetches it again."""
    fetched = []
    bundle = charts.PLOTLY_URL.split("?")[0].split("/")[-1]          # the cartesian bundle, or plotly.min.js
    page.on("request", lambda r: fetched.append(r.url) if urllib.parse.urlsplit(r.url).path.endswith("/" + bundle)
            else None)
    open_gates(page, app_url)
    page.wait_for_function(f"() => ({PLOTS_JS}).length === 2")
    assert len(fetched) == 1, fetched
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("1 · One step of the cell", exact=True).click()
    page.wait_for_function("() => location.pathname === '/one_step'")
    wait_idle(page)
    nav.get_by_text("2 · Gates over time", exact=True).click()
    page.wait_for_function("() => location.pathname === '/gates_over_time'")
    wait_idle(page)
    page.wait_for_function(f"() => ({PLOTS_JS}).length === 2 && ({JS_STATE})() !== null")
    assert len(fetched) == 1, fetched
    assert_clean(page)


def test_back_and_forward_restore_the_view_of_each_link(page, app_url):
    """Each move writes its link; the browser's Back and Forward open the views before and
    after, slider and heatmaps alike (ui.links reads a link it wrote only after Back or Forward)."""
    open_gates(page, app_url)
    thumb = page.get_by_role("slider", name="Length T (steps)")
    for T in (61, 62, 63):
        thumb.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({JS_STATE})().T === {T} && location.search.includes('T={T}')")
        wait_idle(page)
    for go, T in ((page.go_back, 62), (page.go_back, 61), (page.go_forward, 62)):
        go()
        page.wait_for_function(f"() => ({JS_STATE})().T === {T}", timeout=20_000)
        wait_idle(page)
        assert f"T={T}" in page.url and thumb.get_attribute("aria-valuetext") == str(T)
    assert_clean(page)


# Where the belt and the player are: the belt's x domain, and the tops (px, in the frame) of the
# last heatmap's bottom, the player and the belt's plot area.
JS_LAYOUT = """() => {
  const gd = (PLOTS)[0];
  if (!gd || !gd._fullLayout || !gd._fullLayout.yaxis7) return null;
  const L = gd._fullLayout, s = L._size, y = (f) => s.t + (1 - f) * s.h;
  const player = gd.ownerDocument.querySelector('#player').getBoundingClientRect();
  return {belt_x: L.xaxis2.domain, heat_bottom: y(L.yaxis6.domain[0]), belt_top: y(L.yaxis7.domain[1]),
          player_top: player.top, player_bottom: player.bottom, width: gd.ownerDocument.documentElement.clientWidth};
}""".replace("PLOTS", PLOTS_JS)


def test_on_a_phone_the_belt_is_drawn_under_the_heatmaps_and_beside_them_again_when_wide(page, app_url):
    page.set_viewport_size({"width": 390, "height": 844})
    open_gates(page, app_url)
    # the frame reports its width; the app sends the figure laid out for it
    page.wait_for_function(f"() => {{ const l = ({JS_LAYOUT})(); return l && l.belt_x[0] === 0; }}", timeout=30_000)
    wait_idle(page)
    lay = page.evaluate(JS_LAYOUT)
    assert lay["belt_x"] == [0, 1] and lay["width"] < 400
    assert lay["heat_bottom"] < lay["player_top"] < lay["player_bottom"] < lay["belt_top"]   # player between
    # the player still works: the scrubber's End shows the last step, with its numbers on the belt
    heat = chart_frame(page)
    heat.get_by_role("slider", name="step t").focus()
    page.keyboard.press("End")
    page.wait_for_function(f"() => ({JS_STATE})().active === 59")
    s = state(page)
    assert s["cursor"] == 60 and abs(s["belt_f"] - latch_f(60)) < 1e-12
    # a wide window: the belt goes back beside the heatmaps
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.wait_for_function(f"() => {{ const l = ({JS_LAYOUT})(); return l && l.belt_x[0] > 0.5; }}", timeout=30_000)
    wait_idle(page)
    lay = page.evaluate(JS_LAYOUT)
    assert lay["belt_x"] == [0.58, 1] and lay["player_top"] > lay["heat_bottom"]
    assert_clean(page)


def test_a_frame_not_yet_laid_out_reports_no_width(page, app_url):
    """Streamlit adds a chart's frame 0 px wide and sizes it a moment later; on a busy machine
    the frame once reported that width as a phone's, and the page was run and drawn twice more.
    Here the frame is held at 0 px for longer than its wait before reporting (250 ms)."""
    open_gates(page, app_url)
    wait_idle(page)
    frame = page.locator(CHART_FRAME).first
    revision = frame.evaluate("f => f.contentDocument.body.dataset.revision")
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append(len(p))))
    frame.evaluate("f => { f.style.setProperty('width', '0px', 'important'); }")
    page.wait_for_timeout(800)
    frame.evaluate("f => { f.style.removeProperty('width'); }")
    page.wait_for_timeout(800)
    wait_idle(page)
    assert frame.evaluate("f => f.contentDocument.body.dataset.revision") == revision
    assert page.evaluate(f"() => ({JS_LAYOUT})().belt_x") == [0.58, 1]           # still the wide figure
    assert_clean(page)
