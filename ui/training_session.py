"""Training inside a student's session, in small increments, and the server's cap on trainings.

Per session (kept in st.session_state by the page, never shared): a `Run` holds an RNN and an
LSTM lstm_core Trainer made from the same TrainConfig, so they start from the same seed and
see the same batches in the same order. The page's fragment calls `tick(run, slots)` every
RUN_EVERY seconds while the run is running. A tick does about TICK_SECONDS of work: it
alternates the two trainers a few updates at a time, always advancing the one that has made
fewer updates (so both have seen the same number of sequences, to within one chunk), then, if
the test is cheap compared with the training since the last one, scores both on the fixed
test set (Trainer.record_test). Every tick's work is bounded in time, whatever T and H are.

Shared by every session: `training_slots()` returns the one mutable object this app shares
between sessions, a TrainingSlots. Why it exists: every student's script runs in a thread of
one Python process, and NumPy on these small arrays holds the interpreter lock most of the
time, so each training that runs slows every other student's page a little. The slots cap
how many trainings run at once (MAX_TRAININGS, or the environment variable
LSTM_LAB_MAX_TRAININGS). Why it needs a lock: several sessions' threads ask for and give
back slots at the same moment. A slot is given back on pause, reset and finish, when the
Run is garbage-collected (its session is gone), and it expires when its run has not ticked
for SLOT_TTL seconds (a closed tab, a page left), so nothing can hold one forever.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, field

import streamlit as st

from figures.heatmaps import belt_steps
from lstm_core import lstm_forward
from lstm_core.formats import params_from_json, params_to_json
from lstm_core.tasks import TASKS, evaluation_set
from lstm_core.training import TrainConfig, Trainer

# ---------------------------------------------------------------- settings

MAX_T = 200                                  # longest sequence the page trains on
MIN_T = 5
MAX_H = 16                                   # the gates page loads weights of up to 16 units
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1)   # Adam's step size
BATCH_SIZES = (8, 16, 32, 64, 128)

TICK_SECONDS = 0.35      # training work per tick, both models together
RUN_EVERY = 0.5          # seconds between ticks (the fragment's run_every)
CHUNK = 5                # updates a model makes before the other one has its turn
RECORD_SEQUENCES = 320   # a history point every ~320 sequences (record_every = this / batch size)
EVAL_N = 300             # test sequences (lstm_core.tasks.evaluation_set, seed TEST_SEED)
TEST_SEED = 12345
EVAL_SHARE = 0.2         # test when its last cost is at most this share of the training since the last test
SOLVED = 0.95            # the LSTM has solved the task when it scores this on the test set
BUDGET_SECONDS = 120.0   # training work per press of Start or Continue
SLOT_TTL = 30.0          # a slot expires when its run has not ticked for this long
LEFT_AFTER = 5.0         # a running run whose page has not ticked for this long was left: pause it
MAX_TRAININGS = 3        # trainings at once on the server (see the module docstring)

READY, RUNNING, PAUSED, FINISHED = "ready", "running", "paused", "finished"


@dataclass(frozen=True)
class Settings:
    task: str = "adding"     # a key of lstm_core.tasks.TASKS
    T: int = 50              # sequence length
    hidden_size: int = 8     # units in each model
    lr: float = 0.01         # Adam's step size
    batch_size: int = 32     # sequences per update
    seed: int = 0            # weights and batches

    def config(self) -> TrainConfig:
        return TrainConfig(task=self.task, T=max(self.T, TASKS[self.task].min_T), hidden_size=self.hidden_size,
                           lr=self.lr, batch_size=self.batch_size, seed=self.seed)

    def as_dict(self) -> dict:
        return dict(task=self.task, T=self.T, hidden_size=self.hidden_size, lr=self.lr,
                    batch_size=self.batch_size, seed=self.seed)


def clock() -> float:
    return time.monotonic()


# ---------------------------------------------------------------- the shared slots

class TrainingSlots:
    """Who is training now, server-wide: owner (one per Run) -> time of its last tick."""

    def __init__(self, capacity: int, ttl: float = SLOT_TTL):
        self.capacity, self.ttl = int(capacity), float(ttl)
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}

    def _expire(self, now: float) -> None:
        for owner in [o for o, t in self._seen.items() if now - t > self.ttl]:
            del self._seen[owner]

    def acquire(self, owner: str, now: float | None = None) -> bool:
        """Take a slot for `owner` (or keep the one it holds). False when all are taken."""
        now = clock() if now is None else now
        with self._lock:
            self._expire(now)
            if owner not in self._seen and len(self._seen) >= self.capacity:
                return False
            self._seen[owner] = now
            return True

    def touch(self, owner: str, now: float | None = None) -> bool:
        """Mark `owner` as alive; False if it holds no slot (never had one, or it expired)."""
        now = clock() if now is None else now
        with self._lock:
            self._expire(now)
            if owner not in self._seen:
                return False
            self._seen[owner] = now
            return True

    def release(self, owner: str) -> None:
        with self._lock:
            self._seen.pop(owner, None)

    def holders(self, now: float | None = None) -> int:
        """How many trainings hold a slot now."""
        with self._lock:
            self._expire(clock() if now is None else now)
            return len(self._seen)

    def holds(self, owner: str) -> bool:
        with self._lock:
            return owner in self._seen

    def owners(self) -> list[str]:
        """The owners holding a slot (expired ones included until the next call that expires)."""
        with self._lock:
            return list(self._seen)


def max_trainings() -> int:
    try:
        return max(1, int(os.environ.get("LSTM_LAB_MAX_TRAININGS", MAX_TRAININGS)))
    except ValueError:
        return MAX_TRAININGS


@st.cache_resource
def training_slots() -> TrainingSlots:
    """The server's one TrainingSlots (see the module docstring: the only shared mutable object)."""
    return TrainingSlots(max_trainings())


def full_message(slots: TrainingSlots) -> str:
    n = slots.holders()
    return (f"{n} training{'s are' if n != 1 else ' is'} running on this server, the most it runs at once "
            f"(so that every student's pages stay quick). Try again in a minute.")


# ---------------------------------------------------------------- a session's run

def new_owner() -> str:
    """A fresh slot name."""
    return uuid.uuid4().hex


@dataclass(eq=False)
class Run:
    """One side-by-side training: lives in one session's st.session_state only."""

    settings: Settings
    rnn: Trainer
    lstm: Trainer
    owner: str = field(default_factory=new_owner)   # its slot's name
    status: str = READY
    stop_when_solved: bool = True
    message: str = ""                 # why it last stopped, for the page
    ticks: int = 0
    work: float = 0.0                 # seconds of training work, all ticks
    segment_work: float = 0.0         # ... since the last Start / Continue
    since_test: float = 0.0           # ... since the last test
    test_cost: float = 0.0            # seconds the last test took
    last_tick: float = 0.0            # clock() at the end of the last tick
    solved_at: int | None = None      # sequences seen when the LSTM first scored SOLVED

    @property
    def sequences(self) -> int:
        return min(self.rnn.sequences, self.lstm.sequences)


def new_run(settings: Settings, slots: TrainingSlots | None = None, owner: str | None = None) -> Run:
    """Two fresh trainers (same config, same seed), scored once before any training. With
    `slots`, the run gives its slot back when it is garbage-collected (its session ended);
    `owner` names its slot (default: a new random name)."""
    config = settings.config()
    run = Run(settings=settings, rnn=Trainer("rnn", config), lstm=Trainer("lstm", config),
              **({"owner": owner} if owner else {}))
    test(run)
    if slots is not None:
        weakref.finalize(run, slots.release, run.owner)
    return run


def record_every(run: Run) -> int:
    return max(1, round(RECORD_SEQUENCES / run.settings.batch_size))


def test(run: Run) -> None:
    """Score both models on the fixed test set (appended to their histories)."""
    start = time.perf_counter()
    for tr in (run.rnn, run.lstm):
        tr.record_test(EVAL_N, TEST_SEED)
    run.test_cost = time.perf_counter() - start
    run.since_test = 0.0


def train_side_by_side(rnn: Trainer, lstm: Trainer, seconds: float, record_every: int = 10,
                       chunk: int = CHUNK) -> None:
    """About `seconds` of training, alternating: the model with fewer updates goes next, for
    at most `chunk` updates (or until it has caught up). The LSTM goes first on a tie."""
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        if rnn.updates < lstm.updates:
            rnn.train(steps=min(chunk, lstm.updates - rnn.updates), seconds=left, record_every=record_every)
        else:
            lstm.train(steps=chunk, seconds=left, record_every=record_every)


def start(run: Run, slots: TrainingSlots, stop_when_solved: bool = True, now: float | None = None) -> bool:
    """Start or continue `run`: take a slot and set it running. False (and a message) when
    the server is full."""
    if not slots.acquire(run.owner, now):
        run.message = full_message(slots)
        return False
    run.status = RUNNING
    run.stop_when_solved = bool(stop_when_solved)
    run.segment_work = 0.0
    run.message = ""
    run.last_tick = clock() if now is None else now
    return True


def stop(run: Run, slots: TrainingSlots, status: str = PAUSED, message: str = "") -> None:
    """Pause or finish `run` and give its slot back. The RNN catches up with the LSTM's
    updates (at most CHUNK) and both are tested on their final weights if they trained since
    the last test, so the curves end side by side."""
    slots.release(run.owner)
    if run.status == RUNNING:
        if run.rnn.updates < run.lstm.updates:
            run.rnn.train(steps=run.lstm.updates - run.rnn.updates, record_every=record_every(run))
            run.since_test += 1e-9
        if run.since_test > 0:
            test(run)
    run.status = status
    run.message = message


def solved(run: Run) -> bool:
    s = run.lstm.history.test_score
    return bool(s) and s[-1] >= SOLVED


def tick(run: Run, slots: TrainingSlots, seconds: float = TICK_SECONDS, now: float | None = None) -> str:
    """One increment of a running run. Returns "idle" (not running), "trained", "finished"
    (the LSTM solved the task, or this segment's budget is used: slot given back) or "full"
    (its slot expired and the server is full: paused)."""
    if run.status != RUNNING:
        return "idle"
    if not slots.touch(run.owner, now) and not slots.acquire(run.owner, now):
        stop(run, slots, PAUSED, "Paused: " + full_message(slots))
        return "full"
    start_t = time.perf_counter()
    train_side_by_side(run.rnn, run.lstm, seconds, record_every(run))
    worked = time.perf_counter() - start_t
    run.work += worked
    run.segment_work += worked
    run.since_test += worked
    if run.test_cost <= EVAL_SHARE * run.since_test:
        test(run)
    run.ticks += 1
    run.last_tick = clock() if now is None else now
    slots.touch(run.owner, run.last_tick)
    if run.solved_at is None and solved(run):
        run.solved_at = run.lstm.history.test_sequences[-1]
        if run.stop_when_solved:
            stop(run, slots, FINISHED, f"Finished: the LSTM solved the task after {run.solved_at:,} sequences.")
            return "finished"
    if run.segment_work >= BUDGET_SECONDS:
        stop(run, slots, FINISHED, f"Finished: {BUDGET_SECONDS:.0f} s of training. Press Continue for more.")
        return "finished"
    return "trained"


def left_page(run: Run, now: float | None = None) -> bool:
    """A running run whose page has not ticked for LEFT_AFTER seconds: the student left."""
    now = clock() if now is None else now
    return run.status == RUNNING and now - run.last_tick > LEFT_AFTER


# ---------------------------------------------------------------- after training

def test_sequence(task: str, T: int, index: int):
    """Test sequence `index` of the fixed test set: (x (T, D), target)."""
    x, target = evaluation_set(task, T, EVAL_N, TEST_SEED)
    return x[:, index, :], target[index]


def cue_positions(task: str, x) -> list[int]:
    """The steps t (1..T) of one test sequence x (T, D) whose inputs decide the answer: the
    two marked steps (adding), the X/Y symbols (temporal order), step 1 (first sign)."""
    if task == "adding":
        return [int(k) + 1 for k in (x[:, 1] == 1.0).nonzero()[0]]
    if task == "temporal_order":
        return [int(k) + 1 for k in (x[:, :2].sum(axis=1) == 1.0).nonzero()[0]]
    return [1]


def weights_json(run: Run) -> str:
    """The trained LSTM's weights in the format of FORMATS.md (without the readout)."""
    return params_to_json(run.lstm.params())


@st.cache_data(show_spinner=False, max_entries=8)
def trained_trace(lstm_json: str, task: str, T: int, index: int):
    """The LSTMTrace of the LSTM given as weights JSON over test sequence `index`."""
    x, _ = test_sequence(task, int(T), int(index))
    return lstm_forward(params_from_json(lstm_json), x)


@st.cache_data(show_spinner=False, max_entries=8)
def trained_belt(lstm_json: str, task: str, T: int, index: int, unit: int):
    """The conveyor belt of `unit` over that run (figures.heatmaps.belt_steps: the slow part
    of gates_over_time_figure, computed once per weights, sequence and unit)."""
    return belt_steps(trained_trace(lstm_json, task, T, index), int(unit))


def answers(run: Run, index: int) -> dict:
    """What both models answer on test sequence `index`: target, rnn, lstm (numbers for
    the adding problem, class indices otherwise)."""
    c = run.lstm.config
    x, target = test_sequence(c.task, c.T, index)
    out = {"target": target}
    for name, tr in (("rnn", run.rnn), ("lstm", run.lstm)):
        y = tr.predict(x[:, None, :])[0]
        out[name] = float(y[0]) if tr.task.kind == "regression" else int(y.argmax())
    if TASKS[c.task].kind == "regression":
        out["target"] = float(target[0])
    else:
        out["target"] = int(target)
    return out
