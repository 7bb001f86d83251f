"""Figures ahead of a slider (ui.charts.Ahead), in a real headless Chromium: a step of a
slider is drawn from the figures the chart already holds, before the app has heard of the
move; the rerun then brings the same figure, which is not drawn again.

To see it without a race, the page's websocket holds back what the browser sends (the rerun
request) until the test lets it go."""
import numpy as np

from lstm_core import lstm_forward
from lstm_core.presets import PRESETS
from ui.cache_gradient import Settings, compute_gradient_curves

from .harness import CHART_FRAME, open_page, wait_idle
from .test_gates_in_browser import JS_STATE, heatmaps
from .test_pages_in_browser import assert_clean, step_expected, trace_values, wait_chart

# Wraps WebSocket.send before the app starts: while window.__hold is true, messages wait in
# window.__held; window.__release() sends them, in order.
HOLD_SENDS = """(() => {
  const send = WebSocket.prototype.send;
  window.__held = []; window.__hold = false;
  WebSocket.prototype.send = function (data) {
    if (window.__hold) { window.__held.push([this, data]); return; }
    return send.call(this, data);
  };
  window.__release = () => { window.__hold = false; for (const [ws, d] of window.__held.splice(0)) send.call(ws, d); };
})();"""


def frame_state(page) -> dict:
    """The first chart frame's record: revision (draws so far), digest (of the figure drawn),
    sent (digest of the figure the app sent last)."""
    return page.locator(CHART_FRAME).first.evaluate("f => Object.assign({}, f.contentDocument.body.dataset)")


def open_with_held_sends(page, url, path):
    page.add_init_script(HOLD_SENDS)
    open_page(page, url, path)
    wait_chart(page)
    wait_idle(page)
    page.wait_for_function(f"""() => {{ const f = document.querySelector('{CHART_FRAME}');
        const d = f && f.contentDocument.body.dataset; return d && d.digest && d.digest === d.sent; }}""")


def step_before_the_rerun(page, label: str, check) -> None:
    """Press → on the slider `label` while the browser's messages are held: the chart draws
    the next figure at once, `check()` sees its numbers. Then let the rerun through: the app
    sends that same figure, and the chart is not drawn again."""
    before = frame_state(page)
    page.evaluate("() => { window.__hold = true; }")
    page.locator(f'input[type=range][aria-label="{label}"]').focus()
    page.keyboard.press("ArrowRight")
    try:
        page.wait_for_function(f"""() => document.querySelector('{CHART_FRAME}').contentDocument.body
                                   .dataset.revision === '{int(before["revision"]) + 1}'""", timeout=10_000)
    except Exception:
        raise AssertionError(f"not drawn ahead: {frame_state(page)}, script state "
                             + page.evaluate("() => document.querySelector('[data-testid=stApp]')"
                                             ".getAttribute('data-test-script-state')")
                             + ", focus on " + page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)"))
    drawn = frame_state(page)
    assert drawn["sent"] == before["sent"] and drawn["digest"] != before["digest"]   # nothing new came
    assert page.evaluate("() => window.__held.length") >= 1            # the rerun request is still here
    check()
    page.evaluate("() => window.__release()")
    page.wait_for_function(f"""() => document.querySelector('{CHART_FRAME}').contentDocument.body
                               .dataset.sent !== '{before["sent"]}'""")
    wait_idle(page)
    page.wait_for_timeout(300)
    after = frame_state(page)
    assert after["sent"] == drawn["digest"] == after["digest"]      # the app's figure is the one drawn
    assert after["revision"] == drawn["revision"]                     # and it was not drawn again


def test_page_2_draws_the_next_length_before_the_rerun(page, app_url):
    open_with_held_sends(page, app_url, "gates_over_time")
    p = PRESETS["latch"]

    def check_length(T):
        def check():
            assert page.evaluate(JS_STATE)["T"] == T
            want = lstm_forward(p.params(), p.inputs(T))
            got = heatmaps(page)
            assert np.array_equal(np.array(got[0], float), want.f[:, 0, :].T)        # forget gate, exactly
            assert np.array_equal(np.array(got[5], float), want.h[:, 0, :].T)        # hidden state, exactly
        return check
    step_before_the_rerun(page, "Length T (steps)", check_length(61))
    step_before_the_rerun(page, "Length T (steps)", check_length(62))      # the rerun brought the next ones
    assert_clean(page)


def test_page_1_draws_the_belt_of_the_next_input_before_the_rerun(page, app_url):
    open_with_held_sends(page, app_url, "one_step")

    def check_x(x):
        def check():
            want = step_expected(x)
            for key in ("f", "i", "o", "c", "h"):
                assert abs(trace_values(page, key)[0] - float(want[key][0])) < 1e-12, key
        return check
    step_before_the_rerun(page, "$x_t$", check_x(1.1))
    step_before_the_rerun(page, "$x_t$", check_x(1.2))
    assert_clean(page)


def test_page_3_draws_the_next_length_before_the_rerun(page, app_url):
    open_with_held_sends(page, app_url, "vanishing_gradient")
    s = Settings()
    name = "RNN ‖dL/dh<sub>t</sub>‖"

    def check():
        want = compute_gradient_curves(s.T + 1, s.hidden_size, s.scale, s.input_scale, s.forget_bias, s.sequence,
                                       s.seed, None)
        t = np.array(trace_values(page, name, "customdata"), dtype=float)
        y = np.array(trace_values(page, name, "y"), dtype=float)
        assert len(t) == s.T + 1
        ok = ~np.isnan(y)
        np.testing.assert_allclose(y[ok], want["rnn_h"][t[ok].astype(int) - 1], rtol=1e-12, atol=0)
    step_before_the_rerun(page, "Sequence length T", check)
    assert_clean(page)


def test_a_step_made_while_the_app_runs_waits_for_the_rerun(page, app_url):
    """While the app is running (the figures ahead may be of settings just changed), a step of
    the slider is drawn by the rerun, not ahead."""
    open_with_held_sends(page, app_url, "gates_over_time")
    before = frame_state(page)
    page.evaluate("() => { window.__hold = true; document.querySelector('[data-testid=stApp]')"
                  ".setAttribute('data-test-script-state', 'running'); }")
    page.locator('input[type=range][aria-label="Length T (steps)"]').focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(800)
    assert frame_state(page)["revision"] == before["revision"]          # not drawn ahead
    page.evaluate("() => { document.querySelector('[data-testid=stApp]')"
                  ".setAttribute('data-test-script-state', 'notRunning'); window.__release(); }")
    page.wait_for_function(f"() => ({JS_STATE})().T === 61")
    wait_idle(page)
    assert int(frame_state(page)["revision"]) == int(before["revision"]) + 1
    assert_clean(page)
