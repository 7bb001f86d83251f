"""The guided lesson page through Streamlit's AppTest: every step runs clean at its defaults and
with its controls at both ends, Next/Previous walk through all seven steps with the URL's
?step= following, a bad ?step= opens step 1 with a notice, the figures carry lstm_core's numbers,
and Reveal shows the number lstm_core computes for the step's settings beside the prediction."""
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from figures.step import fmt_text
from lstm_core import rnn_forward
from lstm_core.params import RNNParams
from tests.plotly_data import decode, figure_json, chart_elements
from ui.lesson import CHOICES_BELT, STEPS, step_defaults, step_result

PAGE = "pages/lesson.py"
K = "keep.lesson."


def start(query=None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=30)   # relative to this file
    if query:
        at.query_params.update(query)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def at():
    return start()


def header(at) -> str:
    """The step's heading: the page's one h2 (ui.heading writes it as Markdown)."""
    [h2] = [m.value for m in at.markdown if m.value.startswith("## ")]
    return h2.removeprefix("## ")


def assert_clean(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def charts(at) -> list[dict]:
    return [figure_json(c) for c in chart_elements(at)]


def go_next(at):
    at.button(key="lesson.next").click().run()


def test_next_and_previous_walk_every_step_and_the_url_follows(at):
    assert header(at) == f"1 · {STEPS[0].title}" and "step" not in at.query_params
    assert at.button(key="lesson.prev").disabled
    for k in range(1, 8):
        assert_clean(at)
        step = STEPS[k - 1]
        assert header(at) == f"{k} · {step.title}"
        assert at.get("progress")[0].proto.text.startswith(f"Step {k} of 7")
        assert at.query_params.get("step") == (None if k == 1 else str(k))
        assert len(charts(at)) == 1
        assert at.button(key=f"lesson.{step.key}.reveal").disabled       # no prediction yet
        if k < 7:
            go_next(at)
    assert at.button(key="lesson.next").disabled
    for k in range(6, 0, -1):
        at.button(key="lesson.prev").click().run()
        assert_clean(at)
        assert header(at) == f"{k} · {STEPS[k - 1].title}"
        assert at.query_params.get("step") == (None if k == 1 else str(k))


def test_a_quick_second_next_is_not_undone_by_the_address_of_the_step_before(at):
    """A second click on Next may reach the server with the address of the step before (the
    browser had not yet received the link of the first): that click still moves on."""
    go_next(at)
    go_next(at)
    assert header(at) == f"3 · {STEPS[2].title}" and at.query_params.get("step") == "3"
    at.query_params["step"] = "2"                      # the address bar did not have step=3 yet
    go_next(at)
    assert_clean(at)
    assert header(at) == f"4 · {STEPS[3].title}" and at.query_params.get("step") == "4"
    at.query_params["step"] = "6"                      # a step link clicked: read, as before
    at.run()
    assert header(at) == f"6 · {STEPS[5].title}"


def test_every_step_has_a_link_with_its_number():
    at = start()
    links = at.get("page_link")
    assert len(links) == 7
    for k, link in enumerate(links, 1):
        assert link.proto.query_string == f"step={k}"
        assert link.proto.label.strip("*").startswith(f"{k} · ")


@pytest.mark.parametrize("k", [4, 7])
def test_a_link_opens_its_step(k):
    at = start({"step": str(k)})
    assert_clean(at)
    assert header(at) == f"{k} · {STEPS[k - 1].title}"
    assert not at.warning
    assert at.query_params.get("step") == str(k)


@pytest.mark.parametrize("bad", ["abc", "0", "8", "-3", "2.5", ""])
def test_a_bad_step_in_the_link_opens_step_1_with_a_notice(bad):
    at = start({"step": bad})
    assert_clean(at)
    assert header(at) == f"1 · {STEPS[0].title}"
    notices = [w.value for w in at.warning]
    assert len(notices) == 1 and "step" in notices[0] and "from 1 to 7" in notices[0]
    assert "step" not in at.query_params          # the link now says step 1 (the default)
    go_next(at)                                   # and the lesson goes on normally
    assert header(at) == f"2 · {STEPS[1].title}" and not at.warning


def open_step(k: int) -> AppTest:
    return start({"step": str(k)} if k > 1 else None)


@pytest.mark.parametrize("step", STEPS, ids=[s.key for s in STEPS])
def test_each_control_at_both_ends(step):
    at = open_step(STEPS.index(step) + 1)
    for c in step.controls:
        if c.options:
            for option in c.options:
                at.selectbox(key=f"{K}{step.key}.{c.name}").set_value(option).run()
                assert_clean(at)
            at.selectbox(key=f"{K}{step.key}.{c.name}").set_value(c.default).run()
        else:
            for v in (c.lo, c.hi, c.default):
                at.slider(key=f"{K}{step.key}.{c.name}").set_value(v).run()
                assert_clean(at)
                assert len(charts(at)) == 1


def guess_and_reveal(at, step, guess):
    if step.answer_kind == "choice":
        at.radio(key=f"{K}{step.key}.guess").set_value(guess).run()
    else:
        at.number_input(key=f"{K}{step.key}.guess").set_value(guess).run()
    assert not at.button(key=f"lesson.{step.key}.reveal").disabled
    at.button(key=f"lesson.{step.key}.reveal").click().run()
    assert_clean(at)


def metric(at, label) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("step", [s for s in STEPS if s.answer_kind == "number"], ids=lambda s: s.key)
def test_reveal_shows_the_computed_number_beside_the_prediction(step):
    at = open_step(STEPS.index(step) + 1)
    guess_and_reveal(at, step, 0.25)
    expected = step_result(step.key, step_defaults(step.key))["answer"]
    shown = f"{expected:.1f}" if step.key == "gradient" else fmt_text(expected)
    assert metric(at, "Computed by lstm_core") == shown
    assert metric(at, "Your prediction") == "0.25"
    assert len(at.success) + len(at.warning) == 1


def test_reveal_forget_gate_after_five_steps_by_hand():
    at = open_step(3)
    at.slider(key=K + "forget.f").set_value(0.1).run()
    at.slider(key=K + "forget.c0").set_value(2.0).run()
    guess_and_reveal(at, STEPS[2], 0.00002)
    assert metric(at, "Computed by lstm_core") == fmt_text(0.1 ** 5 * 2.0)       # 2e-05
    assert [s.value for s in at.success] == ["Close: within 10 % (or 0.01) of the computed value."]
    belt, decay = charts(at)
    c = [tr for tr in decay["data"] if tr["name"] == "cell state C_t"][0]
    np.testing.assert_allclose(decode(c["y"]), [2.0 * 0.1 ** k for k in range(6)], rtol=1e-12)
    guess = [tr for tr in decay["data"] if tr["name"] == "your prediction"][0]
    assert decode(guess["y"]).tolist() == [0.00002]
    # the belt shows step 1: C_1 = f * C_0
    cval = [tr for tr in belt["data"] if tr.get("name") == "c"][0]
    assert decode(cval["customdata"])[0] == pytest.approx(0.2, rel=1e-15)


def test_reveal_hides_when_the_settings_change_and_shows_again():
    at = open_step(5)
    guess_and_reveal(at, STEPS[4], 0.4)
    assert metric(at, "Computed by lstm_core") == fmt_text(0.5 * math.tanh(1.5))
    at.slider(key=K + "output.o").set_value(1.0).run()
    assert_clean(at)
    assert not at.metric and "settings changed" in at.info[0].value
    at.button(key="lesson.output.reveal").click().run()
    assert metric(at, "Computed by lstm_core") == fmt_text(math.tanh(1.5))


def test_reveal_choice_question_on_the_belt():
    at = open_step(2)
    guess_and_reveal(at, STEPS[1], CHOICES_BELT[0])
    text = " ".join(m.value for m in at.markdown)
    assert f"**Computed:** {CHOICES_BELT[2]}" in text          # the latch keeps all of it
    assert f"**Your prediction:** {CHOICES_BELT[0]}" in text
    assert at.warning and not at.success
    guess_and_reveal(at, STEPS[1], CHOICES_BELT[2])
    assert [s.value for s in at.success] == ["Right."]


def test_rnn_figure_carries_the_pulse_fading(at):
    at.slider(key=K + "rnn.w").set_value(0.5).run()
    (fig,) = charts(at)
    x = np.zeros((10, 1))
    x[0, 0] = 1.0
    h = rnn_forward(RNNParams(W=[[0.5, 2.0]], b=[0.0]), x).h[:, 0, 0]
    np.testing.assert_array_equal(decode(fig["data"][0]["y"]), h)
    assert decode(fig["data"][0]["y"])[0] == pytest.approx(math.tanh(2.0), rel=1e-15)


def test_settings_and_step_survive_a_page_switch(at):
    go_next(at)
    go_next(at)
    at.slider(key=K + "forget.f").set_value(0.3).run()
    at.switch_page("pages/home.py")
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert_clean(at)
    assert header(at) == f"3 · {STEPS[2].title}"
    assert at.slider(key=K + "forget.f").value == 0.3
