"""figures/training.py and the training session's core: every curve is the Trainers' history,
the chance lines are the tasks' chance levels, the cue zones are where tasks.py puts the cues,
and two models trained side by side stay in step on the same batches."""
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from figures.colors import COLORS
from figures.training import (MAX_HEAT_ROWS, MAX_LINE_POINTS, cue_steps, forget_hold, gradient_figure,
                              loss_figure, reach, reach_rows, score_figure, thin)
from lstm_core import lstm_forward
from lstm_core.presets import random_lstm
from lstm_core.tasks import SOLVED_TOLERANCE, TASKS, make_batch
from lstm_core.training import History, TrainConfig, Trainer, chance_levels
from plotly_data import decode, figure_json
from ui import training_session as ts

pytestmark = pytest.mark.usefixtures("strict_numerics")


def side_by_side(task="adding", T=8, H=3, steps=40, seed=1, record_every=5):
    """An RNN and an LSTM trained on the same batches, tested every 20 updates."""
    c = TrainConfig(task=task, T=T, hidden_size=H, seed=seed, batch_size=16)
    rnn, lstm = Trainer("rnn", c), Trainer("lstm", c)
    for tr in (rnn, lstm):
        tr.record_test(50)
        for _ in range(steps // 20):
            tr.train(steps=20, record_every=record_every)
            tr.record_test(50)
    return rnn, lstm


@pytest.fixture(scope="module")
def pair():
    with np.errstate(all="raise"):
        return side_by_side()


def by_name(fig, start):
    return next(t for t in figure_json(fig)["data"] if t.get("name", "").startswith(start))


# ---------------------------------------------------------------- curves = history

def test_loss_curves_are_the_histories(pair):
    rnn, lstm = pair
    fig = loss_figure(rnn.history, lstm.history, "adding")
    for label, h, colour in (("RNN", rnn.history, COLORS["rnn"]), ("LSTM", lstm.history, COLORS["h"])):
        tr = by_name(fig, f"{label}, training loss")
        np.testing.assert_array_equal(decode(tr["x"]), h.sequences)
        np.testing.assert_array_equal(decode(tr["y"]), h.loss)
        assert tr["line"]["color"] == colour
        assert len(h.loss) == 8                                     # 40 updates, a point every 5
    chance = by_name(fig, "chance")
    np.testing.assert_array_equal(decode(chance["y"]), [1 / 6, 1 / 6])
    assert decode(chance["x"])[-1] == max(rnn.history.sequences[-1], lstm.history.sequences[-1])
    assert figure_json(fig)["layout"]["yaxis"]["type"] == "log"


def test_score_curves_are_the_test_records(pair):
    rnn, lstm = pair
    fig = score_figure(rnn.history, lstm.history, "adding")
    for label, tr_ in (("RNN", rnn), ("LSTM", lstm)):
        h = tr_.history
        t = by_name(fig, f"{label}, test set")
        np.testing.assert_array_equal(decode(t["x"]), [0, 320, 640])
        np.testing.assert_array_equal(decode(t["x"]), h.test_sequences)
        np.testing.assert_array_equal(decode(t["y"]), h.test_score)
        assert h.test_score[-1] == tr_.evaluate(50)["solved"]      # the last record is the weights' score
        assert h.test_loss[-1] == tr_.evaluate(50)["mse"]
    np.testing.assert_allclose(decode(by_name(fig, "chance")["y"]), 2 * 0.04 - 0.04 ** 2)


def test_classification_chance_lines():
    rnn, lstm = side_by_side("temporal_order", T=12, H=2, steps=20)
    assert rnn.history.test_score[-1] == rnn.evaluate(50)["accuracy"]
    assert rnn.history.test_loss[-1] == rnn.evaluate(50)["loss"]
    h = (rnn.history, lstm.history)
    np.testing.assert_allclose(decode(by_name(loss_figure(*h, "temporal_order"), "chance")["y"]), math.log(4))
    np.testing.assert_allclose(decode(by_name(score_figure(*h, "temporal_order"), "chance")["y"]), 0.25)
    assert chance_levels("first_sign") == {"loss": math.log(2), "score": 0.5}


def test_gradient_figure_is_the_latest_norms_and_their_reach(pair):
    rnn, lstm = pair
    T = 8
    fig = gradient_figure(rnn.history, lstm.history, "adding", T)
    for label, h in (("RNN", rnn.history), ("LSTM", lstm.history)):
        line = by_name(fig, f"{label} ‖dL/dh")
        np.testing.assert_array_equal(decode(line["x"]), np.arange(1, T + 1))
        np.testing.assert_array_equal(decode(line["y"]), h.grad_h_norm[-1])
        heat = by_name(fig, f"{label}: share")
        z = decode(heat["z"])
        assert z.shape == (len(h.grad_h_norm), T)                  # 8 points: none thinned
        np.testing.assert_array_equal(decode(heat["y"]), h.sequences)
        for r, norms in enumerate(h.grad_h_norm):
            np.testing.assert_allclose(10 ** z[r], norms / norms[-1], rtol=1e-12)
        assert z[:, -1].tolist() == [0.0] * len(h.grad_h_norm)      # the last step is all of it
    zone = by_name(fig, "where the two marked numbers can be")
    xs = [v for v in zone["x"] if v is not None]
    assert (min(xs), max(xs)) == (0.5, max(T // 2 - 1, min(10, T - 1)) + 0.5)


def test_long_histories_are_thinned_to_exact_points():
    h = History()
    n = 1500
    h.sequences = list(range(32, 32 * (n + 1), 32))
    h.loss = list(np.linspace(1.0, 0.01, n))
    h.grad_h_norm = [np.linspace(1e-3, 1.0, 6) * (k + 1) for k in range(n)]
    fig = loss_figure(h, h, "adding")
    tr = by_name(fig, "LSTM, training loss")
    x = decode(tr["x"])
    assert len(x) <= MAX_LINE_POINTS and x[0] == 32 and x[-1] == h.sequences[-1]
    k = (x // 32 - 1).astype(int)
    np.testing.assert_array_equal(decode(tr["y"]), np.array(h.loss)[k])
    rows, steps, z = reach_rows(h)
    assert len(rows) <= MAX_HEAT_ROWS and rows[-1] == h.sequences[-1]
    np.testing.assert_array_equal(steps, np.arange(1, 7))
    np.testing.assert_allclose(10 ** z[-1], np.linspace(1e-3, 1.0, 6), rtol=1e-12)


def test_thin():
    np.testing.assert_array_equal(thin(5, 10), np.arange(5))
    k = thin(1001, 100)
    assert k[0] == 0 and k[-1] == 1000 and len(k) <= 100
    assert len(set(np.diff(k[:-1]))) == 1                        # evenly spaced, then the last


def test_zero_and_underflowed_norms_are_gaps_not_errors():
    h = History()
    h.sequences = [10, 20]
    h.loss = [0.2, 0.0]                                          # a loss of 0 cannot go on a log axis
    h.grad_h_norm = [np.array([0.0, 1e-300, 0.5, 2.0]), np.array([0.0, 0.0, 0.0, 0.0])]
    fig = gradient_figure(h, h, "first_sign", 4)
    assert np.isnan(decode(by_name(fig, "RNN ‖dL/dh")["y"])[0])
    z = decode(by_name(fig, "RNN: share")["z"])
    assert np.isnan(z[0, 0]) and z[0, 1] == pytest.approx(math.log10(5e-301)) and np.isnan(z[1]).all()
    assert np.isnan(decode(by_name(loss_figure(h, h, "adding"), "RNN, training")["y"])[1])
    np.testing.assert_array_equal(reach([1.0, 0.0]), [np.nan, np.nan])
    go.Figure(fig.to_dict())                                     # valid for plotly.py


def test_empty_histories_draw_the_chance_lines():
    h = History()
    for fig in (loss_figure(h, h, "adding"), score_figure(h, h, "adding"), gradient_figure(h, h, "adding", 50)):
        go.Figure(fig.to_dict())
    assert decode(by_name(loss_figure(h, h, "adding"), "chance")["y"])[0] == pytest.approx(1 / 6)


# ---------------------------------------------------------------- what the text and zones rest on

@pytest.mark.parametrize("task,T", [("adding", 5), ("adding", 50), ("adding", 200), ("temporal_order", 10),
                                    ("temporal_order", 57), ("temporal_order", 200), ("first_sign", 5)])
def test_cue_zones_are_where_the_tasks_put_the_cues(task, T):
    x, _ = make_batch(task, T, 4000, np.random.default_rng(T))
    zones = cue_steps(task, T)
    seen = set()
    for b in range(0, 4000, 7):
        for t in ts.cue_positions(task, x[:, b, :]):
            assert any(a <= t <= z for a, z in zones), (t, zones)
            seen.add(t)
    assert min(seen) == zones[0][0] and max(seen) == zones[-1][1]      # the zones are tight


def test_chance_of_the_adding_problem():
    levels = chance_levels("adding")
    assert levels["loss"] == TASKS["adding"].chance == pytest.approx(1 / 6)
    _, y = make_batch("adding", 20, 400_000, np.random.default_rng(3))
    assert abs(np.mean(np.abs(y[:, 0] - 1.0) < SOLVED_TOLERANCE) - levels["score"]) < 0.002


def test_forget_hold_is_the_smallest_forget_gate_after_the_step():
    p = random_lstm(2, 3, seed=2)
    x = np.random.default_rng(0).random((12, 2))
    trace = lstm_forward(p, x)
    np.testing.assert_array_equal(forget_hold(trace, 4), trace.f[4:, 0, :].min(axis=0))
    np.testing.assert_array_equal(forget_hold(trace, 12), np.ones(3))


# ---------------------------------------------------------------- the session's core

def test_side_by_side_training_stays_in_step_on_the_same_batches():
    run = ts.new_run(ts.Settings(T=10, hidden_size=3, batch_size=16))
    while run.lstm.updates < 25:                                   # however slow the machine
        ts.train_side_by_side(run.rnn, run.lstm, 0.02, record_every=ts.record_every(run))
        assert 0 <= run.lstm.updates - run.rnn.updates <= ts.CHUNK
    # both models consumed the same stream: their next batches are the same
    run.rnn.train(steps=run.lstm.updates - run.rnn.updates)
    xa, _ = make_batch("adding", 10, 16, run.rnn.batches)
    xb, _ = make_batch("adding", 10, 16, run.lstm.batches)
    np.testing.assert_array_equal(xa, xb)
    n = min(len(run.rnn.history.sequences), len(run.lstm.history.sequences))
    assert n >= 1 and run.rnn.history.sequences[:n] == run.lstm.history.sequences[:n]
    assert run.lstm.history.sequences[0] == 20 * 16                # a point every 320 sequences


def test_chunked_evaluation_equals_one_batch():
    tr = Trainer("lstm", TrainConfig(task="temporal_order", T=12, hidden_size=3))
    tr.train(steps=5)
    a, b = tr.evaluate(100, chunk=7), tr.evaluate(100, chunk=100)
    assert a["accuracy"] == b["accuracy"]
    assert a["loss"] == pytest.approx(b["loss"], rel=1e-12)


def test_slots_cap_expire_and_release():
    slots = ts.TrainingSlots(capacity=2, ttl=30.0)
    assert slots.acquire("a", now=0.0) and slots.acquire("b", now=1.0)
    assert not slots.acquire("c", now=2.0)                        # full
    assert slots.acquire("a", now=2.0)                            # a holder keeps its slot
    assert slots.touch("b", now=20.0) and not slots.touch("c", now=20.0)
    assert not slots.acquire("c", now=31.0)                       # a touched at 2, b at 20: both alive
    assert slots.acquire("c", now=32.5)                           # a has not ticked for 30.5 s: expired
    assert not slots.touch("a", now=33.0) and slots.holders(now=33.0) == 2
    slots.release("b")
    assert slots.holders(now=33.0) == 1 and slots.acquire("d", now=33.0)


def test_tick_finishes_and_gives_the_slot_back():
    slots = ts.TrainingSlots(capacity=1)
    run = ts.new_run(ts.Settings(task="first_sign", T=5, hidden_size=4, lr=0.03), slots)
    assert ts.start(run, slots)
    assert slots.holds(run.owner)
    while run.status == ts.RUNNING and run.lstm.updates < 3000:    # it solves in about a hundred
        ts.tick(run, slots, seconds=0.05)
    assert run.status == ts.FINISHED and run.solved_at is not None
    assert run.lstm.history.test_score[-1] >= ts.SOLVED
    assert not slots.holds(run.owner) and slots.holders() == 0
    assert ts.tick(run, slots) == "idle"


def test_a_run_that_is_garbage_collected_gives_its_slot_back():
    import gc
    slots = ts.TrainingSlots(capacity=1)
    run = ts.new_run(ts.Settings(T=5, hidden_size=1), slots)
    ts.start(run, slots)
    assert slots.holders() == 1
    del run
    gc.collect()
    assert slots.holders() == 0
