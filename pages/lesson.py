"""Guided lesson: the story of the LSTM in seven steps, each with a short text, its equations, a
live figure, the controls that step needs, and a "predict, then reveal" question whose answer
lstm_core computes from the step's settings.

Widgets -> ui.lesson.step_result (lstm_core, cached) -> figure builders -> render. The step is
in the URL (?step=4), so a link opens the same step for anyone.
"""
import streamlit as st

from figures.conveyor import conveyor_figure
from figures.gradients import gradient_figure
from figures.lesson import steps_figure
from figures.lines import unit_lines_figure
from figures.step import fmt_text
from lstm_core.presets import PRESETS
from ui import heading
from ui.lesson import BELT_PULSE, FORGET_STEPS, N_STEPS, OUTPUT_SHUT, STEPS, step_result, verdict
from ui.links import Param, markdown_safe, sync_link, write_link
from ui.presenter import present
from ui.router import ensure_routed
from ui.state import default, keep, kept, kept_slider

ensure_routed()

P = "lesson."
PAGE = "pages/lesson.py"
LINK = (Param("step", "int", 1, 1, N_STEPS),)
REVEALED = P + "revealed"          # step key -> the settings the answer was revealed for
SEEN = f"_link_seen.{P}"            # ui.links: the URL's parameters this page last read or wrote
CLICKED = P + "clicked"             # Previous or Next was clicked: this run's step is the button's
NO_BAR = {"displayModeBar": False}

BELT_CAPTION = ("The belt (top) carries $C_{t-1}$ to $C_t$; below it, the four gates read "
                "$[h_{t-1}, x_t]$. Each **valve** opens as far as its gate's value: shut at 0, wide open "
                "at 1. A line's colour is its value (blue negative, white 0, red positive) and its "
                "thickness grows with its size. Hover a line for its value.")


def go_to(k: int) -> None:
    """Button callback: open step k (it runs before the page, so the page shows step k). The
    address this click came with may still be the step before (a quick second click), so the
    page does not read it on this run."""
    st.session_state[keep(P + "step")] = min(max(int(k), 1), N_STEPS)
    st.session_state[CLICKED] = True


def mark_revealed(key: str, settings: tuple) -> None:
    """Button callback: remember that step `key` was revealed for these settings. (A callback,
    not the button's return value: it also survives a rerun before the page body runs.)"""
    st.session_state[REVEALED] = {**st.session_state.get(REVEALED, {}), key: settings}


def controls(step) -> dict:
    """The step's widgets, kept per step; returns their values by control name."""
    values = {}
    for c in step.controls:
        name = f"{P}{step.key}.{c.name}"
        default(name, c.default)
        if c.options:
            values[c.name] = st.selectbox(c.label, c.options, help=c.help or None, **kept(name))
        else:
            values[c.name] = st.slider(c.label, c.lo, c.hi, step=c.step, help=c.help or None, **kept_slider(name))
    return values


def figure(step, values: dict, r: dict) -> None:
    """The step's live figure and a line on how to read it."""
    key = step.key
    if key == "rnn":
        fig = steps_figure(r["t"], r["h"], "RNN hidden state h_t", "rnn", "hidden state h_t", "h<sub>t</sub>",
                           marks=((1, "the pulse"),), y_range=(-0.05, 1.05))
        caption = ("One unit, $h_t = \\tanh(w\\,h_{t-1} + 2\\,x_t)$; the input is 1 at step 1 and 0 after. "
                   "Hover a point for its value.")
    elif key == "belt":
        fig = conveyor_figure(r["belt"], title=f"The latch at step t = {values['t']}")
        caption = BELT_CAPTION + f" The pulse arrives at step {BELT_PULSE}."
    elif key == "forget":
        fig = conveyor_figure(r["belt"], title="Step 1: the belt times f; nothing written")
        caption = BELT_CAPTION
    elif key == "input":
        fig = conveyor_figure(r["belt"], title="Step 1: i · C̃ is added to the belt")
        caption = BELT_CAPTION
    elif key == "output":
        fig = conveyor_figure(r["belt"], title=f"Step {OUTPUT_SHUT}: the output gate is shut")
        caption = BELT_CAPTION
    elif key == "sequence":
        fig = unit_lines_figure(r["trace"], 0, height=480)
        caption = (f"**{values['preset']}**: {PRESETS[values['preset']].description} Top: the gates; middle: "
                   "the candidate, the belt $C_t$ and the output $h_t$; bottom: the input.")
    else:
        c = r["curves"]
        fig = gradient_figure(c["rnn_h"], c["lstm_h"], c["lstm_c"], c["forget_product_mean"], animate=False)
        caption = ("Both models have 16 units and read the same random inputs; the loss is the sum of $h_T$. "
                   "The size of the gradient at every step is on a **log scale**, with step $T$ (where the loss "
                   "is) at the right: a straight falling line means the same factor at every step back.")
    st.plotly_chart(present(fig), key=f"{P}{key}.chart", width="stretch", config=NO_BAR)
    st.caption(caption)


def prediction(step):
    """The student's prediction widget; returns the prediction (None until one is made)."""
    name = f"{P}{step.key}.guess"
    default(name, None)
    if step.answer_kind == "choice":
        return st.radio(step.guess_label, step.choices, **kept(name))
    return st.number_input(step.guess_label, step=step.guess_step, format="%g", **kept(name))


def reveal(step, r: dict, guess) -> None:
    """The computed answer beside the student's prediction, and how it comes about."""
    left, right = st.columns(2)
    if step.answer_kind == "choice":
        right_choice = step.choices[r["answer_index"]]
        left.markdown(f"**Your prediction:** {guess}")
        right.markdown(f"**Computed:** {right_choice}")
        if guess == right_choice:
            st.success("Right.", icon=":material/check_circle:")
        else:
            st.warning("Not this time: see below why.", icon=":material/info:")
    else:
        shown = fmt_text if step.key != "gradient" else (lambda v: f"{v:.1f}")
        left.metric("Your prediction", f"{guess:g}")
        right.metric("Computed by lstm_core", shown(r["answer"]))
        close, sentence = verdict(guess, r)
        (st.success if close else st.warning)(sentence, icon=":material/check_circle:" if close else ":material/info:")
    st.markdown(r["explain"])
    if step.key == "forget":
        fig = steps_figure(list(range(FORGET_STEPS + 1)), r["c"], "cell state C_t", "c", "cell state C_t",
                           "C<sub>t</sub>", guess=guess, guess_t=FORGET_STEPS, height=280)
        st.plotly_chart(present(fig), key=f"{P}forget.decay", width="stretch", config=NO_BAR)
        st.caption("What is on the belt after each step, from $C_0$ to $C_5$, and your prediction for $C_5$.")


# ---- which step ----
default(P + "step", 1)
seen_before = st.session_state.get(SEEN)
clicked = st.session_state.pop(CLICKED, False)
notices = [] if clicked else sync_link(P, LINK, links_to_itself=True)     # the step links below
link_read = st.session_state.get(SEEN) != seen_before     # the URL's step changed since the last run
k = st.session_state[keep(P + "step")]
if not isinstance(k, int) or not 1 <= k <= N_STEPS:
    k = 1
    st.session_state[keep(P + "step")] = 1
write_link(P, LINK, {"step": k})
if link_read and k > 1:
    # A step link (st.page_link to this same page) reruns it with ?step=k but leaves the browser's
    # address bar as it was: say the step again, so the address shows the step on screen.
    st.query_params["step"] = str(k)
step = STEPS[k - 1]

heading.title("Guided lesson")
for notice in notices:
    st.warning("The link asks for a step that does not exist: " + markdown_safe(notice), icon=":material/link_off:")

nav_prev, nav_mid, nav_next = st.columns([1, 4, 1], vertical_alignment="center")
nav_prev.button("Previous", icon=":material/arrow_back:", key=P + "prev", on_click=go_to, args=(k - 1,),
                disabled=k == 1, width="stretch")
nav_mid.progress(k / N_STEPS, text=f"Step {k} of {N_STEPS}: {step.title}")
nav_next.button("Next", icon=":material/arrow_forward:", icon_position="right", key=P + "next",
                on_click=go_to, args=(k + 1,), disabled=k == N_STEPS, width="stretch")
with st.container(horizontal=True, gap="small"):
    for j, s in enumerate(STEPS, 1):
        st.page_link(PAGE, label=f"**{j} · {s.short}**" if j == k else f"{j} · {s.short}",
                     query_params={"step": str(j)}, icon="", help=f"Open step {j}, {s.title} (a link you can share)")

heading.header(f"{k} · {step.title}")
# The text, the equations and the controls beside the figure; a wide figure goes below them.
left, right = st.columns([1, 1] if step.wide else [2, 3], gap="large")
with left:
    st.markdown(step.text)
with right if step.wide else left:
    for eq in step.equations:
        st.latex(eq)
    values = controls(step)
    try:
        result = step_result(step.key, values)
    except ValueError as e:       # a value from outside the page (edited session state)
        st.error(f"{e}. Move the control back into its range.")
        st.stop()
    if result.get("aside"):
        st.caption(result["aside"])
with st.container() if step.wide else right:
    figure(step, values, result)

for title, body in step.notes:
    with st.container(border=True):
        st.markdown(f"**{title}.** {body}")

heading.subheader("Predict, then reveal")
st.markdown(result["question"])
settings = tuple(values[c.name] for c in step.controls)
ask, _ = st.columns([2, 3] if step.answer_kind == "choice" else [1, 2])
with ask:
    guess = prediction(step)
    st.button("Reveal", key=f"{P}{step.key}.reveal", type="primary", icon=":material/visibility:",
              on_click=mark_revealed, args=(step.key, settings), disabled=guess is None,
              help="Make a prediction first." if guess is None else "Show what lstm_core computes.")
revealed = st.session_state.get(REVEALED, {})
if step.key in revealed and guess is not None:
    if revealed[step.key] == settings:
        reveal(step, result, guess)
    else:
        st.info("The settings changed since the last reveal: make a prediction for these and press "
                "Reveal again.", icon=":material/refresh:")
if k == N_STEPS:
    st.markdown("**The end of the lesson.** The other pages let you go further:")
    st.page_link("pages/one_step.py", label="every weight and input of one step, on the belt",
                 icon=":material/conveyor_belt:")
    st.page_link("pages/gates_over_time.py", label="every gate over a whole sequence, played step by step",
                 icon=":material/grid_on:")
    st.page_link("pages/vanishing_gradient.py", label="the vanishing gradient with all its settings",
                 icon=":material/trending_down:")
