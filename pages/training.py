"""4 · Training: RNN against LSTM, live, in NumPy; then a look inside the trained LSTM.

Widgets -> a Run in st.session_state (ui.training_session: two lstm_core Trainers, advanced a
little at every tick of the fragment below, while a server-wide slot is held) -> figure
builders (figures.training, figures.heatmaps) -> render. Start, Pause, Continue and Reset are
button callbacks; the fragment ticks every ts.RUN_EVERY seconds only while the run is running.
"""
import streamlit as st

from figures.heatmaps import NARROW_BELOW, gates_over_time_figure
from figures.training import (chance_text, cue_steps, forget_hold, gradient_figure, loss_figure,
                              reach, score_figure, score_name)
from lstm_core.tasks import SOLVED_TOLERANCE, SYMBOLS, TASKS
from lstm_core.training import History, chance_levels
from ui import heading
from ui import training_session as ts
from ui.charts import chart, narrow_width
from ui.links import Param, markdown_safe, sync_link, write_link
from ui.router import ensure_routed
from ui.state import default, keep, kept, kept_slider

ensure_routed()

P = "training."
RUN = P + "run"              # the session's ts.Run, or absent
NOTICE = P + "notice"        # a refusal to show once (the server is full)
TICK = P + "tick_seconds"    # training work per tick (default ts.TICK_SECONDS; tests make it short)
UNIT_FOR = P + "unit_for"    # (run, updates, sequence) the unit selector was last set for
DEFAULTS = {**ts.Settings().as_dict(), "stop_when_solved": True, "sequence": 1, "unit": 0}
_D = ts.Settings()
LINK = (   # the settings a shared link carries (ui.links): name in the URL, then the kept widget
    Param("task", "choice", _D.task, choices=tuple(TASKS)),
    Param("T", "int", _D.T, ts.MIN_T, ts.MAX_T),
    Param("H", "int", _D.hidden_size, 1, ts.MAX_H, key="hidden_size"),
    Param("lr", "choice", _D.lr, choices=ts.LEARNING_RATES),
    Param("batch", "choice", _D.batch_size, choices=ts.BATCH_SIZES, key="batch_size"),
    Param("seed", "int", _D.seed, 0, 9999),
)


def link_values(s: ts.Settings) -> dict:
    return {"task": s.task, "T": s.T, "H": s.hidden_size, "lr": s.lr, "batch": s.batch_size, "seed": s.seed}


# ------------------------------------------------------------------ settings and buttons

def chosen_settings() -> ts.Settings:
    v = {k: st.session_state[keep(P + k)] for k in ts.Settings().as_dict()}
    return ts.Settings(task=v["task"], T=int(v["T"]), hidden_size=int(v["hidden_size"]), lr=float(v["lr"]),
                       batch_size=int(v["batch_size"]), seed=int(v["seed"]))


def on_start() -> None:
    """A new pair of models with the chosen settings, running (if the server has room)."""
    slots = ts.training_slots()
    owner = ts.new_owner()
    if not slots.acquire(owner):
        st.session_state[NOTICE] = ts.full_message(slots)
        return
    old = st.session_state.get(RUN)
    if old is not None:
        slots.release(old.owner)
    run = ts.new_run(chosen_settings(), slots, owner=owner)
    ts.start(run, slots, st.session_state[keep(P + "stop_when_solved")])
    st.session_state[RUN] = run
    st.session_state.pop(NOTICE, None)


def on_pause() -> None:
    run = st.session_state.get(RUN)
    if run is not None and run.status == ts.RUNNING:
        ts.stop(run, ts.training_slots(), ts.PAUSED, "Paused.")


def on_continue() -> None:
    run = st.session_state.get(RUN)
    if run is not None and not ts.start(run, ts.training_slots(), st.session_state[keep(P + "stop_when_solved")]):
        st.session_state[NOTICE] = run.message
        run.message = ""
    else:
        st.session_state.pop(NOTICE, None)


def on_reset() -> None:
    run = st.session_state.pop(RUN, None)
    if run is not None:
        ts.training_slots().release(run.owner)
    st.session_state.pop(NOTICE, None)


def controls(disabled: bool) -> ts.Settings:
    """The settings widgets (kept across page switches); returns their values."""
    for name, value in DEFAULTS.items():
        default(P + name, value)
    c1, c2, c3 = st.columns(3)
    with c1:
        st.selectbox("Task", list(TASKS), format_func=lambda k: TASKS[k].title, disabled=disabled,
                     **kept(P + "task"), help="; ".join(f"{t.title}: {t.description}" for t in TASKS.values()))
        st.slider("Sequence length T", ts.MIN_T, ts.MAX_T, disabled=disabled, **kept_slider(P + "T"),
                  help="Steps in every sequence. The longer, the further back the answer lies.")
    with c2:
        st.slider("Hidden size H (both models)", 1, ts.MAX_H, disabled=disabled, **kept_slider(P + "hidden_size"))
        st.select_slider("Learning rate (Adam)", ts.LEARNING_RATES, disabled=disabled, **kept(P + "lr"))
    with c3:
        st.select_slider("Batch size (sequences per update)", ts.BATCH_SIZES, disabled=disabled,
                         **kept(P + "batch_size"))
        st.number_input("Seed (weights and batches)", 0, 9999, step=1, disabled=disabled, **kept(P + "seed"))
    st.checkbox("Stop when the LSTM has solved the task (95% of the test set)", disabled=disabled,
                **kept(P + "stop_when_solved"))
    s = chosen_settings()
    T = s.config().T
    if s.T < T:
        st.info(f"{TASKS[s.task].title} needs T ≥ {T}: the models train with T = {T}.")
    zones = cue_steps(s.task, T)
    where = " and ".join(f"{a}..{b}" if a != b else f"{a}" for a, b in zones)
    st.caption(f"**{TASKS[s.task].title}**: {TASKS[s.task].description} With T = {T}, the inputs that decide "
               f"the answer lie in step{'s' if zones != [(1, 1)] else ''} {where}: at least {T - zones[-1][1]} "
               "steps before the answer.")
    st.caption("How the LSTM starts: each unit's forget-gate bias is $b_f = \\ln u$, with $u$ drawn between 1 "
               f"and T − 1 = {T - 1}, and its input-gate bias is $b_i = -b_f$ (the *chrono* start of Tallec and "
               "Ollivier, 2018). Since $\\sigma(\\ln u) = u / (1 + u)$, a unit starts out keeping its cell state "
               "for about $u$ steps and writing little into it. With the common start $b_f = 1$, $b_i = 0$, the "
               "LSTM stayed at the guessing level through 45 s of training at T = 100 in our tests.")
    return s


def buttons(run, settings: ts.Settings) -> None:
    changed = run is not None and run.settings != settings
    with st.container(horizontal=True):
        if run is None or changed:
            st.button("Start a new run" if changed else "Start training", key=P + "start", type="primary",
                      icon=":material/play_arrow:", on_click=on_start)
        elif run.status == ts.RUNNING:
            st.button("Pause", key=P + "pause", type="primary", icon=":material/pause:", on_click=on_pause)
        else:
            st.button("Continue", key=P + "continue", type="primary", icon=":material/play_arrow:",
                      on_click=on_continue)
        st.button("Reset", key=P + "reset", icon=":material/restart_alt:", on_click=on_reset, disabled=run is None)
    if changed:
        st.info("The settings above differ from those of the run below. **Start a new run** trains a new pair "
                "of models with them (the run below is then discarded); put the settings back to continue it.")
    if NOTICE in st.session_state:
        st.warning(st.session_state[NOTICE], icon=":material/hourglass_top:")


# ------------------------------------------------------------------ the live part

def fmt_score(v) -> str:
    return "—" if v is None else f"{v:.1%}"


def last(values):
    return values[-1] if values else None


def live_view(run) -> None:
    """Progress, the curves and what they say: redrawn at every tick."""
    task = run.settings.config().task if run else st.session_state[keep(P + "task")]
    T = run.lstm.config.T if run else max(int(st.session_state[keep(P + "T")]), TASKS[task].min_T)
    rnn_h, lstm_h = (run.rnn.history, run.lstm.history) if run else (History(), History())
    chance = chance_levels(task)

    if run is None:
        st.caption("Press **Start training**: the curves fill in as the two models learn.")
    elif run.status == ts.RUNNING:
        st.progress(min(1.0, run.segment_work / ts.BUDGET_SECONDS),
                    text=f"Training… {run.sequences:,} sequences each, {run.work:.1f} s of computing "
                         f"(at most {ts.BUDGET_SECONDS:.0f} s per press of Start or Continue).")
    else:
        st.caption(f"{run.message} {run.sequences:,} sequences each, {run.work:.1f} s of computing.")

    m = st.columns(4)
    m[0].metric("Sequences seen (each model)", f"{run.sequences:,}" if run else "0")
    m[1].metric(f"RNN: {score_name(task).split(' (')[0]}", fmt_score(last(rnn_h.test_score)),
                help=f"On the {ts.EVAL_N} fixed test sequences, at the last test.")
    m[2].metric(f"LSTM: {score_name(task).split(' (')[0]}", fmt_score(last(lstm_h.test_score)),
                help=f"On the same {ts.EVAL_N} test sequences.")
    m[3].metric("Chance", f"{chance['score']:.1%}", help=chance_text(task)["score"])

    c1, c2 = st.columns(2)
    with c1:
        st.plotly_chart(loss_figure(rnn_h, lstm_h, task), key=P + "loss", config={"displaylogo": False})
    with c2:
        st.plotly_chart(score_figure(rnn_h, lstm_h, task), key=P + "score", config={"displaylogo": False})
    st.plotly_chart(gradient_figure(rnn_h, lstm_h, task, T), key=P + "grads", config={"displaylogo": False})
    explain(run, task, T)


def share(v: float) -> str:
    """A ratio of gradient norms as text; NaN stands for a norm that underflowed to 0."""
    return "0 (it underflowed)" if v != v else f"{v:.2g}"


def explain(run, task: str, T: int) -> None:
    """Why the curves look as they do, with this run's numbers."""
    chance = chance_levels(task)
    last_cue = cue_steps(task, T)[-1][1]
    lines = []
    if run is not None and run.rnn.history.grad_h_norm and run.lstm.history.grad_h_norm:
        r = reach(run.rnn.history.grad_h_norm[-1])[last_cue - 1]
        lv = reach(run.lstm.history.grad_h_norm[-1])[last_cue - 1]
        lines.append(f"In the latest batch, ‖dL/dh_t‖ at step t = {last_cue} (the latest a decisive input "
                     f"can be, {T - last_cue} steps before the end) is **{share(r)}** of its value at step T for the "
                     f"RNN and **{share(lv)}** for the LSTM.")
    st.markdown(
        f"**Chance** (the dashed lines): {chance_text(task)['loss'].removeprefix('chance: ')}; on the test set "
        f"that scores {chance['score']:.1%}. A model that cannot use the decisive inputs can do no better "
        "than this line.\n\n"
        "**Why the RNN stays at chance** (for long sequences). The training signal starts at the loss, at step T, "
        "and travels back one step at a time. In the RNN every step back multiplies it by the recurrent weights and by "
        "tanh′ ≤ 1, and it shrinks exponentially: the vanishing gradient of page 3. "
        + " ".join(lines) +
        " So the weights that should pick up the decisive inputs get almost no signal; the RNN learns the "
        "average answer and sits on the chance line. The LSTM's gradient also travels along the cell state, "
        "multiplied only by the forget gates, which it learns to hold near 1: its heatmap fills in to the left "
        "as training goes on. With short sequences (try T = 10) the signal has few steps to fade and the RNN "
        "learns the task too.")
    st.page_link("pages/vanishing_gradient.py", label="Page 3 · The vanishing gradient: the same signal, step by step",
                 icon=":material/trending_down:")


# ------------------------------------------------------------------ after training

def trained_view(run) -> None:
    """The trained LSTM's gates over one test sequence, and its weights to download."""
    c = run.lstm.config
    heading.subheader("Inside the trained LSTM")
    st.markdown("The same heatmaps as page 2, fed with the weights this run has just trained, over one sequence "
                "of the test set. Play it, or drag the step slider.")
    c1, c2 = st.columns(2)
    with c1:
        index = st.number_input(f"Test sequence (1 to {ts.EVAL_N})", 1, ts.EVAL_N, step=1,
                                **kept(P + "sequence")) - 1
    x, _ = ts.test_sequence(c.task, c.T, int(index))
    cues = ts.cue_positions(c.task, x)
    lstm_json = ts.weights_json(run)
    trace = ts.trained_trace(lstm_json, c.task, c.T, int(index))
    hold = forget_hold(trace, cues[0])
    shown = (run.owner, run.lstm.updates, int(index))
    if st.session_state.get(UNIT_FOR) != shown:   # new weights or sequence: show the unit that holds best
        st.session_state[UNIT_FOR] = shown
        st.session_state[keep(P + "unit")] = int(hold.argmax())
    with c2:
        unit = st.selectbox("Unit on the conveyor belt", list(range(c.hidden_size)), **kept(P + "unit"),
                            help="Set to the unit whose forget gate holds best whenever the weights or the "
                                 "sequence change; pick any other.",
                            format_func=lambda u: f"unit {u}: smallest f after t = {cues[0]} is {hold[u]:.3f}")
    belt = ts.trained_belt(lstm_json, c.task, c.T, int(index), int(unit))
    a = ts.answers(run, int(index))
    steps = " and ".join(f"t = {t}" for t in cues)
    if c.task == "adding":
        vals = " + ".join(f"{x[t - 1, 0]:.3f}" for t in cues)
        said = (f"The marked steps are {steps}: target {vals} = **{a['target']:.3f}**. The LSTM answers "
                f"**{a['lstm']:.3f}** (error {a['lstm'] - a['target']:+.3f}; solved if within ±{SOLVED_TOLERANCE}); "
                f"the RNN answers {a['rnn']:.3f} (error {a['rnn'] - a['target']:+.3f}).")
    elif c.task == "temporal_order":
        names = ("XX", "XY", "YX", "YY")
        syms = ", ".join(f"{SYMBOLS[int(x[t - 1].argmax())]} at t = {t}" for t in cues)
        said = (f"The symbols that count are {syms}: class **{names[a['target']]}**. The LSTM answers "
                f"**{names[a['lstm']]}**, the RNN {names[a['rnn']]}.")
    else:
        said = (f"The first input is x₁ = {x[0, 0]:+.3f}: class **{'positive' if a['target'] else 'not positive'}**. "
                f"The LSTM answers **{'positive' if a['lstm'] else 'not positive'}**, the RNN "
                f"{'positive' if a['rnn'] else 'not positive'}.")
    st.markdown(said)
    best = int(hold.argmax())
    st.markdown(
        f"**What to look for.** At the decisive step{'s' if len(cues) > 1 else ''} ({steps}) the input gate "
        "$i_t$ of the units that remember opens (dark green) and writes the candidate onto the belt. From there "
        "to the end, the forget gate $f_t$ of those units stays near 1 (dark orange): $C_t = f_t * C_{t-1} + "
        "i_t * \\tilde C_t$ keeps what was written, step after step, until the readout uses $h_T$. "
        f"In this sequence unit {best} holds best: after t = {cues[0]} its forget gate never falls below "
        f"**{hold[best]:.3f}**. The list of units above gives each one's smallest $f_t$ after t = {cues[0]}.")
    width = narrow_width(P + "gates", NARROW_BELOW)       # on a narrow screen, the belt goes under the heatmaps
    chart(gates_over_time_figure(trace, int(unit), belt=belt, width=width), key=P + "gates",   # page 2's chart
          narrow_below=NARROW_BELOW, width=width, config={"toImageButtonOptions": {"format": "png", "filename": "trained-lstm-gates", "scale": 2}},
          alt=f"Heatmaps of the trained LSTM's gates and states over test sequence {index + 1}, "
              f"and the conveyor belt of unit {unit}, with a Play button and a step slider.")
    st.download_button("Trained LSTM weights (JSON)", lstm_json, key=P + "download", on_click="ignore",
                       file_name=f"trained_lstm_{c.task}_T{c.T}_H{c.hidden_size}.json", mime="application/json",
                       icon=":material/download:")
    st.caption("The gate weights and biases in the weights format of FORMATS.md: page 2 · Gates over time "
               "loads them (Upload a JSON file). The readout y = W_y·h_T + b_y that turns h_T into the answer "
               "is not part of that format, so it is not in the file.")


# ------------------------------------------------------------------ page

heading.title("4 · Training: RNN against LSTM")
st.markdown(
    "Page 3 showed the training signal fading on its way back through an RNN. Here is the consequence. "
    "An RNN and an LSTM of the same size learn the same task from the same batches, live, in NumPy. "
    "In the **adding problem** every step brings a value between 0 and 1 and a marker; exactly two steps are "
    "marked, both in the first half, and the answer at the end is the sum of the two marked values. "
    "Only the marked steps matter, and they lie many steps before the answer.")

slots = ts.training_slots()
run = st.session_state.get(RUN)
if run is not None and ts.left_page(run):
    ts.stop(run, slots, ts.PAUSED, "Paused while you were away from this page.")
running = run is not None and run.status == ts.RUNNING

notices = sync_link(P, LINK)
if notices:
    st.warning("Some settings in this link could not be used:\n\n"
               + "\n".join("- " + markdown_safe(n) for n in notices), icon=":material/link_off:")
settings = controls(disabled=running)
write_link(P, LINK, link_values(settings))
buttons(run, settings)


@st.fragment(run_every=ts.RUN_EVERY if running else None)
def live() -> None:
    """The live view, then (while running) one tick of training. Reruns on its own.

    Drawing first and training after keeps the view fresh on screen during the tick (Streamlit
    fades the elements a run has not yet redrawn); each tick's result is drawn by the next one."""
    r = st.session_state.get(RUN)
    live_view(r)
    if r is not None and r.status == ts.RUNNING:
        event = ts.tick(r, ts.training_slots(), st.session_state.get(TICK, ts.TICK_SECONDS))
        if event in ("finished", "full"):
            st.rerun()                   # the whole page: stops the ticks, shows the trained gates


live()

if run is not None and run.status != ts.RUNNING and run.lstm.updates > 0:
    trained_view(run)
elif run is not None and run.status == ts.RUNNING:
    st.caption("Pause, or let training finish, to look inside the trained LSTM and download its weights.")
