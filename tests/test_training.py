"""Tasks and training: generators as defined, training gradients against finite differences,
loss going down, the same seed giving the same curve."""
import numpy as np
import pytest

from lstm_core.tasks import SYMBOLS, TASKS, evaluation_set, make_batch
from lstm_core.training import TrainConfig, Trainer

pytestmark = pytest.mark.usefixtures("strict_numerics")


@pytest.mark.parametrize("T", [5, 12, 50, 200])
def test_adding_problem_is_as_defined(T):
    x, y = make_batch("adding", T, 500, np.random.default_rng(T))
    assert x.shape == (T, 500, 2) and y.shape == (500, 1)
    values, marks = x[:, :, 0], x[:, :, 1]
    assert np.all((values >= 0) & (values <= 1))
    assert np.all(np.isin(marks, [0.0, 1.0]))
    assert np.all(marks.sum(axis=0) == 2)                      # exactly two marked steps
    p, q = np.argwhere(marks.T == 1.0)[:, 1].reshape(500, 2).T
    half = max(T // 2 - 1, 2)
    # one among the first ten steps, the other among the first T/2 - 1 (1997, experiment 4)
    assert np.all(((p < 10) & (q < half)) | ((q < 10) & (p < half)))
    np.testing.assert_array_equal(y[:, 0], (values * marks).sum(axis=0))


def test_adding_chance_level_is_one_sixth():
    _, y = make_batch("adding", 50, 200_000, np.random.default_rng(0))
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.003
    assert TASKS["adding"].chance == pytest.approx(1 / 6)


@pytest.mark.parametrize("T", [10, 40, 100])
def test_temporal_order_is_as_defined(T):
    x, cls = make_batch("temporal_order", T, 400, np.random.default_rng(1))
    assert x.shape == (T, 400, 8)
    np.testing.assert_array_equal(x.sum(axis=2), 1.0)           # one symbol per step, one-hot
    sym = np.argmax(x, axis=2)
    assert np.all(sym[0] == SYMBOLS.index("B")) and np.all(sym[-1] == SYMBOLS.index("E"))
    for b in range(400):
        where = np.flatnonzero(sym[:, b] <= 1)                  # X or Y
        assert len(where) == 2
        t1, t2 = where
        assert max(1, int(0.1 * T)) <= t1 <= max(2, int(0.2 * T))
        assert t2 >= int(0.5 * T) and t2 <= max(int(0.6 * T), t1 + 2)
        assert cls[b] == 2 * sym[t1, b] + sym[t2, b]
    assert set(np.unique(cls)) == {0, 1, 2, 3}


def test_first_sign():
    x, cls = make_batch("first_sign", 7, 300, np.random.default_rng(2))
    np.testing.assert_array_equal(cls, (x[0, :, 0] > 0).astype(int))


def test_evaluation_set_is_fixed():
    a, ya = evaluation_set("adding", 30, 100)
    b, yb = evaluation_set("adding", 30, 100)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)


def test_bad_task_settings():
    with pytest.raises(ValueError, match="unknown task"):
        make_batch("sorting", 10, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="T >= 5"):
        make_batch("adding", 3, 2, np.random.default_rng(0))


@pytest.mark.parametrize("model", ["lstm", "rnn"])
@pytest.mark.parametrize("task", ["adding", "temporal_order"])
def test_training_gradients_match_finite_differences(model, task):
    tr = Trainer(model, TrainConfig(task=task, T=12, hidden_size=3, seed=4))
    x, target = make_batch(task, 12, 5, np.random.default_rng(9))
    _, grads, _ = tr.loss_and_grads(x, target)
    eps = 1e-6
    for name, w in tr.weights.items():
        num = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            old = w[idx]
            w[idx] = old + eps
            up = tr.loss_and_grads(x, target)[0]
            w[idx] = old - eps
            down = tr.loss_and_grads(x, target)[0]
            w[idx] = old
            num[idx] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grads[name], num, rtol=1e-5, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("task", ["adding", "first_sign"])
def test_short_seeded_run_lowers_the_loss(task):
    tr = Trainer("lstm", TrainConfig(task=task, T=10, hidden_size=6, seed=1, lr=0.02))
    before = tr.evaluate(n=300)
    tr.train(steps=300)
    after = tr.evaluate(n=300)
    if task == "adding":
        assert after["mse"] < 0.5 * before["mse"]
    else:
        assert after["loss"] < 0.5 * before["loss"] and after["accuracy"] > 0.9


def test_same_seed_same_curve():
    runs = []
    for _ in range(2):
        tr = Trainer("lstm", TrainConfig(task="adding", T=15, hidden_size=4, seed=7))
        tr.train(steps=60, record_every=10)
        runs.append((tr.history.loss, {k: v.copy() for k, v in tr.weights.items()}))
    assert runs[0][0] == runs[1][0] and len(runs[0][0]) == 6
    for k in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][k], runs[1][1][k])


def test_side_by_side_models_see_the_same_batches():
    a = Trainer("lstm", TrainConfig(task="adding", T=10, seed=3))
    b = Trainer("rnn", TrainConfig(task="adding", T=10, seed=3))
    for _ in range(3):
        xa, ya = make_batch("adding", 10, 32, a.batches)
        xb, yb = make_batch("adding", 10, 32, b.batches)
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)


@pytest.mark.parametrize("T_max", [2, 50, 100, 1000])
def test_chrono_init_biases(T_max):
    from lstm_core.presets import random_lstm
    p = random_lstm(2, 64, seed=5, chrono=T_max)
    assert np.all(p.b_f >= 0.0) and np.all(p.b_f <= np.log(T_max - 1) + 1e-12)   # log(U(1, T_max - 1))
    np.testing.assert_array_equal(p.b_i, -p.b_f)                                   # input gate shut as much
    np.testing.assert_array_equal(p.b_c, 0.0)
    np.testing.assert_array_equal(p.b_o, 0.0)
    if T_max >= 100:                                                               # spread over the range
        u = np.exp(p.b_f)
        assert u.min() < 1 + 0.2 * (T_max - 2) and u.max() > 1 + 0.8 * (T_max - 2)
    again = random_lstm(2, 64, seed=5, chrono=T_max)                               # seeded, reproducible
    for name, value in p.to_dict().items():
        np.testing.assert_array_equal(value, getattr(again, name), err_msg=name)
    plain = random_lstm(2, 64, seed=5)                                             # the same weight draws
    for g in "fico":
        np.testing.assert_array_equal(getattr(p, f"W_{g}"), getattr(plain, f"W_{g}"))
    if T_max > 2:
        assert not np.array_equal(p.b_f, random_lstm(2, 64, seed=6, chrono=T_max).b_f)


def test_random_lstm_without_chrono_is_unchanged():
    from lstm_core.presets import random_lstm
    p = random_lstm(1, 4, seed=0, forget_bias=2.5)
    np.testing.assert_array_equal(p.b_f, 2.5)
    for g in "ico":
        np.testing.assert_array_equal(getattr(p, f"b_{g}"), 0.0)
    with pytest.raises(ValueError, match="T_max >= 2"):
        random_lstm(1, 4, chrono=1.5)


def test_trainer_initialisation_choices():
    tr = Trainer("lstm", TrainConfig(task="adding", T=100, seed=2))                 # default: chrono over T
    b_f, b_i = tr.weights["b_f"], tr.weights["b_i"]
    assert np.all((b_f >= 0) & (b_f <= np.log(99))) and np.ptp(b_f) > 0
    np.testing.assert_array_equal(b_i, -b_f)
    same = Trainer("lstm", TrainConfig(task="adding", T=100, seed=2))
    np.testing.assert_array_equal(same.weights["b_f"], b_f)
    wide = Trainer("lstm", TrainConfig(task="adding", T=10, seed=2, chrono_T=1000))
    assert wide.weights["b_f"].max() > np.log(9)
    old = Trainer("lstm", TrainConfig(task="adding", T=100, seed=2, init="forget_bias", forget_bias=3.0))
    np.testing.assert_array_equal(old.weights["b_f"], 3.0)
    np.testing.assert_array_equal(old.weights["b_i"], 0.0)
    Trainer("lstm", TrainConfig(task="first_sign", T=2))                            # shortest task: T_max = 2
    with pytest.raises(ValueError, match="init must be"):
        Trainer("lstm", TrainConfig(init="orthogonal"))
