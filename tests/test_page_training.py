"""Page 4 · Training: RNN against LSTM, through Streamlit's AppTest.

AppTest runs no browser, so the fragment's run_every timer never fires here: every at.run()
is a full run of the page, in which the fragment runs once and, while the run is running,
does one tick (the same `ts.tick` the timer's reruns call). Ticks are shortened to a few
hundredths of a second of work (session key training.tick_seconds) and the models are tiny.
"""
import copy
import os

import numpy as np
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from figures.heatmaps import gates_over_time_figure
from lstm_core import lstm_forward, params_to_json
from lstm_core.tasks import evaluation_set
from lstm_core.training import TrainConfig
from plotly_data import decode, figure_json, chart_elements
from ui import training_session as ts

PAGE = "pages/training.py"
K = "keep.training."
RUN = "training.run"


def open_page():
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(autouse=True)
def free_slots():
    """The slots are shared by every session of the process: start and end each test empty."""
    slots = ts.training_slots()
    for owner in slots.owners():
        slots.release(owner)
    yield slots
    for owner in slots.owners():
        slots.release(owner)


@pytest.fixture
def media(monkeypatch):
    """What each download button serves, by its URL."""
    store = {}
    orig = MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        url = orig(self, data, mimetype, coordinates, file_name=file_name,
                   is_for_static_download=is_for_static_download)
        store[url] = data if isinstance(data, bytes) else str(data).encode()
        return url

    monkeypatch.setattr(MediaFileManager, "add", add)
    return store


def clean(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def small(at, task="adding", T=8, H=3, **more):
    """Tiny settings and short ticks."""
    at.session_state["training.tick_seconds"] = 0.03
    at.selectbox(key=K + "task").set_value(task)
    at.slider(key=K + "T").set_value(T)
    at.slider(key=K + "hidden_size").set_value(H)
    for name, value in more.items():
        at.select_slider(key=K + name).set_value(value)
    at.run()
    clean(at)
    return at


def click(at, name):
    at.button(key="training." + name).click()
    at.run()
    clean(at)


def charts(at):
    return {c.key.split(".")[-1]: figure_json(c)
            for c in chart_elements(at)}


def trace(fig, start):
    return next(t for t in fig["data"] if t.get("name", "").startswith(start))


def snapshot(run):
    """What the page draws of `run` in its next run: it draws first and trains after."""
    return copy.deepcopy((run.rnn.history, run.lstm.history, run.sequences))


def assert_curves_are(at, snap):
    rnn, lstm, sequences = snap
    figs = charts(at)
    for label, h in (("RNN", rnn), ("LSTM", lstm)):
        loss = trace(figs["loss"], f"{label}, training loss")
        np.testing.assert_array_equal(decode(loss["x"]), h.sequences)
        np.testing.assert_array_equal(decode(loss["y"]), h.loss)
        score = trace(figs["score"], f"{label}, test set")
        np.testing.assert_array_equal(decode(score["x"]), h.test_sequences)
        np.testing.assert_array_equal(decode(score["y"]), h.test_score)
        if h.grad_h_norm:
            np.testing.assert_array_equal(decode(trace(figs["grads"], f"{label} ‖dL/dh")["y"]), h.grad_h_norm[-1])
    assert at.metric[0].value == f"{sequences:,}"
    assert at.metric[2].value == f"{lstm.test_score[-1]:.1%}"


def assert_curves_are_the_run(at, run):
    """For a run that is not running: the page draws its present state."""
    assert run.status != ts.RUNNING
    assert_curves_are(at, snapshot(run))


# ---------------------------------------------------------------- defaults and settings

def test_defaults():
    at = open_page()
    clean(at)
    assert at.markdown[0].value == "# 4 · Training: RNN against LSTM"
    assert (at.selectbox(key=K + "task").value, at.slider(key=K + "T").value,
            at.slider(key=K + "hidden_size").value, at.select_slider(key=K + "lr").value,
            at.select_slider(key=K + "batch_size").value, at.number_input(key=K + "seed").value) == \
        ("adding", 50, 8, 0.01, 32, 0)
    assert [b.label for b in at.button] == ["Start training", "Reset"] and at.button(key="training.reset").disabled
    figs = charts(at)
    assert set(figs) == {"loss", "score", "grads"}                    # no trained gates yet
    assert decode(trace(figs["loss"], "chance")["y"]).tolist() == [1 / 6, 1 / 6]
    assert decode(trace(figs["score"], "chance")["y"])[0] == pytest.approx(0.0784)
    assert any("lie in steps 1..24: at least 26 steps" in c.value for c in at.caption)
    # the page says how the LSTM starts, with the numbers the trainer uses (TrainConfig's chrono init)
    assert TrainConfig().init == "chrono"
    assert any("chrono" in c.value and "T − 1 = 49" in c.value and "$b_i = -b_f$" in c.value for c in at.caption)


@pytest.mark.parametrize("key,values", [("T", (5, 200)), ("hidden_size", (1, 16))])
def test_sliders_at_both_ends(key, values):
    at = open_page()
    for v in values:
        at.slider(key=K + key).set_value(v)
        at.run()
        clean(at)
        assert len(charts(at)) == 3
    for name, options in (("lr", ts.LEARNING_RATES), ("batch_size", ts.BATCH_SIZES)):
        for v in (options[0], options[-1]):
            at.select_slider(key=K + name).set_value(v)
            at.run()
            clean(at)


def test_the_largest_settings_train_and_pause():
    at = small(open_page(), T=200, H=16, batch_size=128)            # a history point every 2 updates
    at.session_state["training.tick_seconds"] = 0.25
    click(at, "start")
    run = at.session_state[RUN]
    assert run.status == ts.RUNNING and run.lstm.updates >= 1
    while run.lstm.updates < 2 or run.rnn.updates < 1:    # a tick may hold a single update on a slow machine
        at.run()
        clean(at)
        assert 0 <= run.lstm.updates - run.rnn.updates <= ts.CHUNK and run.ticks < 40
    assert run.lstm.history.grad_h_norm and len(run.lstm.history.grad_h_norm[-1]) == 200
    click(at, "pause")
    assert run.status == ts.PAUSED
    assert_curves_are_the_run(at, run)
    assert len(charts(at)) == 4


@pytest.mark.parametrize("task", ["temporal_order", "first_sign"])
def test_other_tasks_train_and_show_their_gates(task):
    at = small(open_page(), task=task, T=5)
    if task == "temporal_order":
        assert any("needs T ≥ 10" in i.value for i in at.info)
    click(at, "start")
    run = at.session_state[RUN]
    assert run.lstm.config.T == (10 if task == "temporal_order" else 5)
    click(at, "pause")
    assert_curves_are_the_run(at, run)
    figs = charts(at)
    assert decode(trace(figs["score"], "chance")["y"])[0] == (0.25 if task == "temporal_order" else 0.5)
    a = ts.answers(run, 0)
    said = next(m.value for m in at.markdown if "The LSTM answers" in m.value)
    names = ("XX", "XY", "YX", "YY") if task == "temporal_order" else ("not positive", "positive")
    assert f"The LSTM answers **{names[a['lstm']]}**" in said


# ---------------------------------------------------------------- start, tick, pause, continue, reset

def test_start_ticks_pause_continue_reset(free_slots, media):
    at = small(open_page())
    click(at, "start")
    run = at.session_state[RUN]
    assert run.status == ts.RUNNING and run.ticks == 1 and free_slots.holds(run.owner)
    assert [b.label for b in at.button] == ["Pause", "Reset"]
    assert at.slider(key=K + "T").disabled and at.selectbox(key=K + "task").disabled
    assert len(at.get("progress")) == 1
    for k in range(2, 5):                        # every run of the page is one tick
        before = snapshot(run)
        at.run()
        clean(at)
        assert run.ticks == k
        assert_curves_are(at, before)            # drawn, then trained
        assert run.lstm.updates > 0
    assert "trained gates" not in charts(at) and len(charts(at)) == 3

    click(at, "pause")
    assert run.status == ts.PAUSED and not free_slots.holds(run.owner)
    assert run.lstm.history.test_sequences[-1] == run.lstm.sequences     # tested with the final weights
    assert [b.label for b in at.button] == ["Continue", "Reset"] and not at.slider(key=K + "T").disabled
    ticks = run.ticks
    at.run()
    assert run.ticks == ticks                     # paused: no training
    assert_curves_are_the_run(at, run)

    # the trained gates: page 2's figure for the trained weights, over test sequence 1, showing
    # first the unit whose forget gate holds best after the first marked step
    x, _ = evaluation_set("adding", 8, ts.EVAL_N, ts.TEST_SEED)
    trace0 = lstm_forward(run.lstm.params(), x[:, 0, :])
    first_mark = int(np.flatnonzero(x[:, 0, 1] == 1.0)[0]) + 1
    best = int(trace0.f[first_mark:, 0, :].min(axis=0).argmax())
    assert at.selectbox(key=K + "unit").value == best
    assert charts(at)["gates"] == figure_json(gates_over_time_figure(trace0, best))
    at.number_input(key=K + "sequence").set_value(5)
    at.run()
    at.selectbox(key=K + "unit").set_value(2)
    at.run()
    clean(at)
    assert at.selectbox(key=K + "unit").value == 2                    # the student's choice stays
    want = gates_over_time_figure(lstm_forward(run.lstm.params(), x[:, 4, :]), 2)
    assert charts(at)["gates"] == figure_json(want)
    y = run.lstm.predict(x[:, 4:5, :])[0, 0]
    assert f"The LSTM answers **{y:.3f}**" in next(m.value for m in at.markdown if "The LSTM answers" in m.value)

    # the download: the trained LSTM's weights as lstm_core writes them
    (button,) = at.get("download_button")
    assert media[button.proto.url] == params_to_json(run.lstm.params()).encode()

    click(at, "continue")
    assert run.status == ts.RUNNING and run.ticks == ticks + 1 and free_slots.holds(run.owner)
    click(at, "reset")
    assert RUN not in at.session_state and free_slots.holders() == 0
    figs = charts(at)
    assert len(figs) == 3 and len(decode(trace(figs["loss"], "LSTM")["x"])) == 0
    assert [b.label for b in at.button] == ["Start training", "Reset"]


def test_new_settings_start_a_new_run(free_slots):
    at = small(open_page())
    click(at, "start")
    click(at, "pause")
    old = at.session_state[RUN]
    at.slider(key=K + "T").set_value(9)
    at.run()
    assert [b.label for b in at.button] == ["Start a new run", "Reset"]
    assert any("differ from those of the run below" in i.value for i in at.info)
    click(at, "start")
    run = at.session_state[RUN]
    assert run is not old and run.lstm.config.T == 9 and run.status == ts.RUNNING
    assert free_slots.owners() == [run.owner]


def test_settings_and_run_survive_a_page_switch():
    at = small(open_page(), T=11)
    click(at, "start")
    click(at, "pause")
    run = at.session_state[RUN]
    at.switch_page("pages/vanishing_gradient.py")
    at.run()
    at.switch_page(PAGE)
    at.run()
    clean(at)
    assert at.slider(key=K + "T").value == 11 and at.session_state[RUN] is run
    assert "gates" in charts(at)


# ---------------------------------------------------------------- stopping by itself

def test_a_page_left_while_training_is_paused_on_return(free_slots):
    at = small(open_page())
    click(at, "start")
    run = at.session_state[RUN]
    run.last_tick = ts.clock() - ts.LEFT_AFTER - 1     # no tick for a while: the student was elsewhere
    ticks = run.ticks
    at.run()
    clean(at)
    assert run.status == ts.PAUSED and run.ticks == ticks and not free_slots.holds(run.owner)
    assert any("Paused while you were away" in c.value for c in at.caption)


def test_the_budget_finishes_a_run(free_slots):
    at = small(open_page())
    click(at, "start")
    run = at.session_state[RUN]
    run.segment_work = ts.BUDGET_SECONDS                # as if two minutes of training were done
    at.run()
    clean(at)
    assert run.status == ts.FINISHED and not free_slots.holds(run.owner)
    assert any(f"{ts.BUDGET_SECONDS:.0f} s of training" in c.value for c in at.caption)
    assert "gates" in charts(at) and [b.label for b in at.button] == ["Continue", "Reset"]


# ---------------------------------------------------------------- the server's cap

def test_the_cap_refuses_a_session_beyond_it_and_it_can_retry(free_slots):
    others = [f"other-{k}" for k in range(free_slots.capacity)]
    for o in others:
        assert free_slots.acquire(o)
    at = small(open_page())
    click(at, "start")
    assert RUN not in at.session_state
    (w,) = at.warning
    assert f"{free_slots.capacity} trainings are running on this server" in w.value and "try again" in w.value.lower()
    free_slots.release(others[0])
    click(at, "start")                                   # retry
    run = at.session_state[RUN]
    assert run.status == ts.RUNNING and free_slots.holds(run.owner) and not at.warning


def test_a_stale_slot_expires(free_slots):
    stale = ts.clock() - ts.SLOT_TTL - 1                 # sessions that stopped ticking 31 s ago
    for k in range(free_slots.capacity):
        assert free_slots.acquire(f"closed-tab-{k}", now=stale)
    at = small(open_page())
    click(at, "start")
    run = at.session_state[RUN]
    assert run.status == ts.RUNNING and free_slots.owners() == [run.owner]


def test_a_run_whose_slot_is_gone_on_a_full_server_pauses(free_slots):
    at = small(open_page())
    click(at, "start")
    run = at.session_state[RUN]
    free_slots.release(run.owner)                         # expired, and meanwhile others took every slot
    for k in range(free_slots.capacity):
        free_slots.acquire(f"other-{k}")
    ticks = run.ticks
    at.run()
    clean(at)
    assert run.status == ts.PAUSED and run.ticks == ticks
    assert any("Paused:" in c.value and "trainings are running" in c.value for c in at.caption)
