"""The guided lesson: its seven steps as data, and the computations each step draws and asks about.

Every step has a title, a few sentences, its equations, the controls it needs, and a
"predict, then reveal" question. The answer to the question is never written down: it is
computed by lstm_core from the step's current settings (`step_result`), and so is every number
the question and the answer quote. Where the source article gets something wrong, the step it
belongs to carries a note that puts it right (`Step.notes`).

The computations take hashable primitives (floats, ints, str) and are cached per setting; they
return plain floats, tuples and small NumPy arrays, plus an LSTMTrace where a figure builder
needs one. The page (pages/lesson.py) wires widgets to `step_result` and hands the result to
the figure builders.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import streamlit as st

from figures.heatmaps import belt_values
from figures.step import fmt_tex, fmt_text
from lstm_core import Clamp, LSTMParams, RNNParams, lstm_forward, rnn_forward
from lstm_core.presets import PRESETS
from lstm_core.sequences import SEQUENCES
from ui.cache_gradient import gradient_curves


# ---------------------------------------------------------------- the steps, as data

@dataclass(frozen=True)
class Control:
    """One widget of a step: a slider (lo, hi, step) or, with options, a select box."""

    name: str                   # kept as "lesson.<step key>.<name>" (ui.state)
    label: str
    default: object
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    help: str = ""
    options: tuple = ()             # a select box's options (then lo, hi, step are unused)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    short: str                      # for the row of step links
    text: str                       # 2-5 short sentences (Markdown)
    equations: tuple                # LaTeX, shown next to the figure
    controls: tuple                 # Controls, in the order they are shown
    answer_kind: str                # "number" (st.number_input) or "choice" (st.radio)
    choices: tuple = ()             # the options of a choice question
    guess_label: str = "Your prediction"
    guess_step: float = 0.01        # the number input's +/- step
    notes: tuple = ()               # (title, Markdown) of what the source article gets wrong
    wide: bool = False              # the figure takes the page's full width, below the text


CHOICES_BELT = (
    "About 0: the pulse has faded away",
    "Part of it: between a tenth and nine tenths of what was written",
    "All of it, or very nearly (within 10 %)",
    "More than was written: it has grown",
)

NOTE_SIGMOID = (
    "A forget gate is a number between 0 and 1",
    "It is not a choice among −1, 0 and 1. The gate is a sigmoid, $\\sigma(z) = 1/(1 + e^{-z})$, "
    "so every unit gets a value strictly between 0 and 1: it can shrink the memory a little or a "
    "lot, but it never flips its sign, and it never reaches 0 or 1 exactly.")
NOTE_CONCAT = (
    "$[h_{t-1}, x_t]$ means stacking, not a dot product",
    "The previous hidden state ($H$ numbers) and the new input ($D$ numbers) are put one after "
    "the other into one vector of $H + D$ numbers. Each gate multiplies that vector by its own "
    "weight matrix, of shape $H \\times (H + D)$: the first $H$ columns weigh $h_{t-1}$, the last "
    "$D$ weigh $x_t$. A dot product of $h_{t-1}$ with $x_t$ would not even be defined when "
    "$H \\ne D$.")
NOTE_OUTPUT = (
    "The output gate has equations too",
    "It reads the same stacked vector as the other gates, and the new hidden state is the "
    "squashed belt times that gate:  $o_t = \\sigma(W_o\\,[h_{t-1}, x_t] + b_o)$ and "
    "$h_t = o_t * \\tanh(C_t)$. So $|h_t| < o_t$: a gate at $o_t$ lets out at most $o_t$.")

ALL_EQUATIONS = (r"""\begin{aligned}
f_t &= \sigma(W_f\,[h_{t-1}, x_t] + b_f)\\
i_t &= \sigma(W_i\,[h_{t-1}, x_t] + b_i)\\
\tilde C_t &= \tanh(W_c\,[h_{t-1}, x_t] + b_c)\\
o_t &= \sigma(W_o\,[h_{t-1}, x_t] + b_o)\\
C_t &= f_t * C_{t-1} + i_t * \tilde C_t\\
h_t &= o_t * \tanh(C_t)
\end{aligned}""",)

PRESET_NAMES = tuple(PRESETS)

STEPS = (
    Step("rnn", "An RNN forgets", "RNN forgets",
         "A recurrent network reads a sequence one step at a time and hands its **hidden state** "
         "$h$ from each step to the next. A plain RNN rebuilds $h$ at every step from the same "
         "weights and a tanh, so whatever it saw long ago is multiplied by those weights again "
         "and again. Here one unit sees a single pulse at step 1 and then only zeros: watch how "
         "fast the pulse fades. The same repeated multiplication shrinks the training signal, "
         "which step 7 comes back to.",
         (r"h_t = \tanh(W\,[h_{t-1}, x_t] + b)",
          r"\text{here: } h_t = \tanh(w\,h_{t-1} + 2\,x_t)"),
         (Control("w", "Recurrent weight w", 0.8, 0.0, 1.0, 0.05,
                  "The weight on h_{t-1}: how much of the last hidden state goes into the next."),),
         "number", guess_label="Your prediction for h₃₀"),
    Step("belt", "The cell state: a conveyor belt", "The belt",
         "An LSTM adds a second line through time, the **cell state** $C$. Picture a conveyor "
         "belt: what lies on it rides from step to step, untouched unless a gate acts on it. "
         "Only two things ever happen on the belt: a multiplication (×, the forget gate) and an "
         "addition (+, what the input gate writes). This hand-wired cell, the *latch*, writes one "
         "pulse onto the belt at step 3 and then only carries it; move the slider to walk along.",
         (r"C_t = f_t * C_{t-1} + i_t * \tilde C_t",),
         (Control("t", "Show step t", 3, 1, 12, 1, "Which step of the sequence the belt shows."),),
         "choice", CHOICES_BELT, guess_label="Your prediction for C₁₀₀"),
    Step("forget", "The forget gate", "Forget gate",
         "The **forget gate** $f$ decides how much of the belt to keep: at every step the belt is "
         "multiplied by $f$. Its value comes out of a sigmoid of the stacked vector "
         "$[h_{t-1}, x_t]$, so it lies between 0 and 1, one value per unit. Here we hold $f$ at "
         "one value by hand and write nothing new ($i = 0$), to see what the multiplication alone "
         "does over five steps.",
         (r"f_t = \sigma(W_f\,[h_{t-1}, x_t] + b_f)",
          r"C_t = f_t * C_{t-1} + \underbrace{i_t * \tilde C_t}_{=\,0 \text{ here}}"),
         (Control("f", "Forget gate f (held on every step)", 0.8, 0.0, 1.0, 0.05,
                  "0 wipes the belt, 1 keeps all of it. A sigmoid only comes close to 0 and 1; "
                  "here the gate is held by hand."),
          Control("c0", "Starting value on the belt, C₀", 1.0, -2.0, 2.0, 0.1)),
         "number", guess_label="Your prediction for C₅", notes=(NOTE_SIGMOID, NOTE_CONCAT)),
    Step("input", "The input gate and the candidate", "Input gate",
         "Writing onto the belt takes two parts. The **candidate** $\\tilde C$ (a tanh, between −1 "
         "and 1) proposes a value; the **input gate** $i$ (a sigmoid, between 0 and 1) decides "
         "how much of it is written. Their product is *added* to the belt. Here the candidate "
         "comes from the input alone, $\\tilde C = \\tanh(x)$, and the forget gate is held at 1, "
         "so nothing is wiped.",
         (r"i_t = \sigma(W_i\,[h_{t-1}, x_t] + b_i)",
          r"\tilde C_t = \tanh(W_c\,[h_{t-1}, x_t] + b_c)",
          r"C_t = f_t * C_{t-1} + i_t * \tilde C_t"),
         (Control("i", "Input gate i (held on every step)", 0.5, 0.0, 1.0, 0.05,
                  "0 writes nothing, 1 writes the whole candidate."),
          Control("x", "Input x", 1.0, -2.0, 2.0, 0.1,
                  "The candidate is tanh(x): between −1 and 1, negative for a negative input.")),
         "number", guess_label="Your prediction for C₃"),
    Step("output", "The output gate", "Output gate",
         "The belt is the cell's memory, not its output. The **output gate** $o$ decides how much "
         "of $\\tanh(C)$ is shown as the hidden state $h$, which is what the next step and the "
         "next layer see. A shut output gate hides the memory without erasing it. Here the belt "
         "holds a value you choose, the output gate is held shut on steps 1 to 5, and it opens "
         "at step 6.",
         (r"o_t = \sigma(W_o\,[h_{t-1}, x_t] + b_o)", r"h_t = o_t * \tanh(C_t)"),
         (Control("c", "Value on the belt, C", 1.5, -3.0, 3.0, 0.1,
                  "Held on the belt: the forget gate is held at 1 and the input gate at 0."),
          Control("o", "Output gate at step 6, o", 0.5, 0.0, 1.0, 0.05,
                  "How far the output gate opens at step 6 (it is shut, 0, on steps 1 to 5).")),
         "number", guess_label="Your prediction for h₆", notes=(NOTE_OUTPUT,)),
    Step("sequence", "The LSTM over a sequence", "Over a sequence",
         "Now no gate is held by hand: at every step each gate is computed from $[h_{t-1}, x_t]$ "
         "with its own weights, so the cell itself decides when to keep, write and show. Pick a "
         "hand-wired cell and follow its gates as the inputs arrive: a gate near 1 is open, near "
         "0 shut. The belt $C$ changes only when the forget gate drops or the input gate opens.",
         ALL_EQUATIONS,
         (Control("preset", "Cell", "latch", options=PRESET_NAMES,
                  help="Hand-wired cells (lstm_core.presets), each showing one behaviour."),
          Control("T", "Sequence length T", 20, 10, 50, 1)),
         "number", guess_label="Your prediction for C at step 2T"),
    Step("gradient", "The gradient that survives", "The gradient",
         "Training sends a signal backwards through time: how much the loss at the end depends "
         "on each earlier step. In the RNN it is multiplied at every step by the recurrent "
         "weights and by tanh's slope, so it shrinks by a similar factor at every step: "
         "exponentially. Along the LSTM's belt it is multiplied only by the forget gates, which "
         "the cell can hold near 1, so it survives many more steps (the dots stand for the "
         "paths through $h_{t-1}$).",
         (r"\text{RNN: } \frac{\partial L}{\partial h_{t-1}} = W_h^{\top}\,"
          r"\mathrm{diag}(1 - h_t^2)\,\frac{\partial L}{\partial h_t}",
          r"\text{LSTM: } \frac{\partial L}{\partial C_{t-1}} = f_t * \frac{\partial L}{\partial C_t}"
          r" + \dots"),
         (Control("T", "Sequence length T", 50, 10, 150, 5),
          Control("bf", "LSTM forget-gate bias b_f", 3.0, -2.0, 6.0, 0.5,
                  "A large b_f holds the forget gates near 1: σ(3) = 0.95, σ(6) = 0.9975.")),
         "number", guess_label="Your prediction (powers of ten lost over 2T steps)", guess_step=0.5,
         wide=True),
)
N_STEPS = len(STEPS)
STEP_KEYS = tuple(s.key for s in STEPS)


def step_defaults(key: str) -> dict:
    """The default value of each control of step `key`."""
    return {c.name: c.default for c in STEPS[STEP_KEYS.index(key)].controls}


# ---------------------------------------------------------------- small cells

def _cell(w_cx: float = 0.0) -> LSTMParams:
    """One unit, one input, every weight and bias 0 except the candidate's weight on x."""
    z = np.zeros((1, 2))
    return LSTMParams(W_f=z, W_i=z, W_c=np.array([[0.0, float(w_cx)]]), W_o=z,
                      b_f=[0.0], b_i=[0.0], b_c=[0.0], b_o=[0.0])


def logit(f: float) -> float:
    """The z with sigmoid(z) = f (inf at f = 0 or 1)."""
    f = float(f)
    if f <= 0.0:
        return -math.inf
    if f >= 1.0:
        return math.inf
    return math.log(f) - math.log1p(-f)


def _t(v: float) -> str:
    return fmt_tex(v)


# ---------------------------------------------------------------- step 1: the RNN forgets

RNN_U = 2.0        # the weight on the input: the pulse puts h_1 = tanh(2) = 0.964 into the unit
RNN_SHOW = 10      # steps the chart shows
RNN_FAR = 30       # the step the question asks about


@st.cache_data(max_entries=64, show_spinner=False)
def rnn_result(w: float) -> dict:
    w = float(w)
    x = np.zeros((RNN_FAR, 1))
    x[0, 0] = 1.0
    with np.errstate(under="ignore"):
        h = rnn_forward(RNNParams(W=[[w, RNN_U]], b=[0.0]), x).h[:, 0, 0]
    h1, answer = float(h[0]), float(h[-1])
    bound = w ** (RNN_FAR - 1) * h1
    question = (f"A pulse at step 1 puts $h_1 = {_t(h1)}$ into the unit; after that the input is 0, so "
                f"$h_t = \\tanh({_t(w)}\\,h_{{t-1}})$. The chart stops at step {RNN_SHOW}. "
                f"**What is $h_{{{RNN_FAR}}}$?**")
    explain = (f"$h_{{{RNN_FAR}}} = {_t(answer)}$, computed by running the RNN "
               f"(`lstm_core.rnn_forward`): {_share(answer, h1)} of $h_1$ is left. Each step multiplies "
               f"by the weight $w = {_t(w)}$ and tanh only shrinks, so at most "
               f"$w^{{{RNN_FAR - 1}}} h_1 = {_t(bound)}$ can remain.")
    return dict(t=np.arange(1, RNN_SHOW + 1), h=h[:RNN_SHOW].copy(), h1=h1, answer=answer, bound=bound,
                question=question, explain=explain, rel_tol=0.1, abs_tol=0.005)


def _share(part: float, whole: float) -> str:
    if whole == 0.0:
        return "none"
    r = part / whole
    return f"{100 * r:.3g} %" if r >= 1e-4 else f"a fraction {fmt_text(r)}"


# ---------------------------------------------------------------- step 2: the belt

BELT_T = 12        # steps the slider walks through
BELT_PULSE = 3     # the step the latch writes its pulse
BELT_FAR = 100     # the step the question asks about


def belt_choice(ratio: float) -> int:
    """The index in CHOICES_BELT that describes C_far / C_written = ratio."""
    if not math.isfinite(ratio) or ratio < 0.1:
        return 0
    if ratio < 0.9:
        return 1
    if ratio <= 1.1:
        return 2
    return 3


@st.cache_data(max_entries=8, show_spinner=False)
def _latch_trace():
    x = np.zeros((BELT_FAR, 1))
    x[BELT_PULSE - 1, 0] = 1.0
    return lstm_forward(PRESETS["latch"].params(), x)


@st.cache_data(max_entries=64, show_spinner=False)
def belt_result(t: int) -> dict:
    t = int(t)
    tr = _latch_trace()
    c = tr.c[:, 0, 0]
    written, answer = float(c[BELT_PULSE - 1]), float(c[-1])
    after = slice(BELT_PULSE, BELT_FAR)               # steps BELT_PULSE + 1 .. BELT_FAR
    f_min, i_max = float(tr.f[after, 0, 0].min()), float(tr.i[after, 0, 0].max())
    ratio = answer / written
    question = (f"At step {BELT_PULSE} the latch writes $C_{{{BELT_PULSE}}} = {_t(written)}$ onto the belt. "
                f"It keeps running with input 0 until step {BELT_FAR}. "
                f"**What is on the belt at step {BELT_FAR}?**")
    explain = (f"$C_{{{BELT_FAR}}} = {_t(answer)}$, computed by running the latch "
               f"(`lstm_core.lstm_forward`): {_share(answer, written)} of what was written. After the "
               f"pulse the forget gate stayed at least ${_t(f_min)}$ and the input gate at most "
               f"${_t(i_max)}$ (the candidate was 0), so the belt carried its value unchanged.")
    return dict(belt=belt_values(tr, t - 1, 0), written=written, answer=answer, ratio=ratio,
                answer_index=belt_choice(ratio), f_min=f_min, i_max=i_max,
                question=question, explain=explain)


# ---------------------------------------------------------------- step 3: the forget gate

FORGET_STEPS = 5


@st.cache_data(max_entries=128, show_spinner=False)
def forget_result(f: float, c0: float) -> dict:
    f, c0 = float(f), float(c0)
    n = FORGET_STEPS
    with np.errstate(under="ignore"):
        tr = lstm_forward(_cell(), np.zeros((n, 1)), c0=[c0],
                          clamps=(Clamp("f", f, 1, n), Clamp("i", 0.0, 1, n)))
    c = tr.c[:, 0, 0]
    answer = float(c[-1])
    z = logit(f)
    if math.isfinite(z):
        sig = f"A sigmoid gives $f = {_t(f)}$ when $W_f\\,[h_{{t-1}}, x_t] + b_f = {_t(z)}$."
    else:
        sig = (f"No finite $W_f\\,[h_{{t-1}}, x_t] + b_f$ gives exactly $f = {f:g}$: a sigmoid only comes "
               "closer and closer. Here the gate is held there by hand.")
    question = (f"The forget gate is held at $f = {_t(f)}$ on every step, nothing new is written, and the "
                f"belt starts at $C_0 = {_t(c0)}$. The belt shows step 1. "
                f"**What is on the belt after five steps, $C_5$?**")
    explain = (f"$C_5 = {_t(answer)}$, computed by running the cell five steps with the gates held "
               f"(`lstm_core.Clamp`). By hand: $f^5\\,C_0 = {_t(f)}^5 \\times {_t(c0)} = {_t(f ** n * c0)}$. "
               "The belt is multiplied by $f$ at every step, so it shrinks by the same factor each "
               "time, not by the same amount.")
    return dict(belt=belt_values(tr, 0, 0), c=np.concatenate([[c0], c]), answer=answer, z=z,
                aside=sig, question=question, explain=explain, rel_tol=0.1, abs_tol=0.01)


# ---------------------------------------------------------------- step 4: input gate and candidate

INPUT_STEPS = 3


@st.cache_data(max_entries=128, show_spinner=False)
def input_result(i: float, x: float) -> dict:
    i, x = float(i), float(x)
    n = INPUT_STEPS
    tr = lstm_forward(_cell(1.0), np.full((n, 1), x),
                      clamps=(Clamp("f", 1.0, 1, n), Clamp("i", i, 1, n)))
    c = tr.c[:, 0, 0]
    c_tilde, answer = float(tr.c_tilde[0, 0, 0]), float(c[-1])
    question = (f"The belt starts empty ($C_0 = 0$). At step 1, shown above, the candidate is "
                f"$\\tilde C = \\tanh({_t(x)}) = {_t(c_tilde)}$ and the input gate $i = {_t(i)}$ writes "
                f"$C_1 = {_t(float(c[0]))}$. The same input arrives again at steps 2 and 3, and the "
                f"forget gate stays at 1. **What is on the belt after step 3, $C_3$?**")
    explain = (f"$C_3 = {_t(answer)}$, computed by running the cell three steps "
               f"(`lstm_core.lstm_forward`, gates held). By hand: "
               f"$3\\,i\\,\\tilde C = 3 \\times {_t(i)} \\times {_t(c_tilde)} = {_t(3 * i * c_tilde)}$. "
               "What the input gate writes is added, step after step; the belt itself is not limited "
               "to (−1, 1), only each candidate is.")
    return dict(belt=belt_values(tr, 0, 0), c_tilde=c_tilde, c1=float(c[0]), answer=answer,
                question=question, explain=explain, rel_tol=0.1, abs_tol=0.01)


# ---------------------------------------------------------------- step 5: the output gate

OUTPUT_SHUT = 5    # the output gate is held at 0 on steps 1..OUTPUT_SHUT, opens on the next


@st.cache_data(max_entries=128, show_spinner=False)
def output_result(c: float, o: float) -> dict:
    c, o = float(c), float(o)
    n = OUTPUT_SHUT + 1
    tr = lstm_forward(_cell(), np.zeros((n, 1)), c0=[c],
                      clamps=(Clamp("f", 1.0, 1, n), Clamp("i", 0.0, 1, n),
                              Clamp("o", 0.0, 1, OUTPUT_SHUT), Clamp("o", o, n, n)))
    h = tr.h[:, 0, 0]
    answer = float(h[-1])
    question = (f"The belt holds $C = {_t(c)}$ and keeps it (forget gate held at 1, input gate at 0). "
                f"The output gate is shut on steps 1 to {OUTPUT_SHUT}, so $h_{{{OUTPUT_SHUT}}} = "
                f"{_t(float(h[OUTPUT_SHUT - 1]))}$ (the belt above shows step {OUTPUT_SHUT}). At step {n} it "
                f"opens to $o = {_t(o)}$. **What is $h_{{{n}}}$?**")
    explain = (f"$h_{{{n}}} = {_t(answer)}$, computed by running the cell (`lstm_core.lstm_forward`, "
               f"gates held), while the belt still holds $C_{{{n}}} = {_t(float(tr.c[-1, 0, 0]))}$. By hand: "
               f"$o \\cdot \\tanh(C) = {_t(o)} \\times {_t(math.tanh(c))} = {_t(o * math.tanh(c))}$. "
               "The shut gate hid the memory; it did not erase it.")
    return dict(belt=belt_values(tr, OUTPUT_SHUT - 1, 0), h=h.copy(), answer=answer,
                question=question, explain=explain, rel_tol=0.1, abs_tol=0.01)


# ---------------------------------------------------------------- step 6: over a sequence

@st.cache_data(max_entries=32, show_spinner=False)
def sequence_result(preset: str, T: int) -> dict:
    if preset not in PRESETS:
        raise ValueError(f"unknown cell {preset!r}; choose one of {', '.join(PRESETS)}")
    p, T = PRESETS[preset], int(T)
    params = p.params()
    with np.errstate(under="ignore"):
        tr = lstm_forward(params, p.inputs(T))
        tr2 = lstm_forward(params, p.inputs(2 * T))
    c_T, answer = float(tr.c[-1, 0, 0]), float(tr2.c[-1, 0, 0])
    question = (f"Over these $T = {T}$ steps the belt ends at $C_{{{T}}} = {_t(c_T)}$. The same kind of "
                f"input ({SEQUENCES[p.sequence]}), {2 * T} steps long, goes through the same cell. "
                f"**What is on the belt at its last step, $C_{{{2 * T}}}$?**")
    explain = (f"$C_{{{2 * T}}} = {_t(answer)}$, computed by running the cell over the {2 * T}-step "
               f"input (`lstm_core.lstm_forward`); the {T}-step run ended at ${_t(c_T)}$.")
    return dict(trace=tr, description=p.description, c_T=c_T, answer=answer,
                question=question, explain=explain, rel_tol=0.1, abs_tol=0.05)


# ---------------------------------------------------------------- step 7: the gradient

GRAD_H = 16        # units in both models
GRAD_ARGS = dict(hidden_size=GRAD_H, scale=1.0, input_scale=1.0, sequence="noise", seed=0, clip_value=None)


def powers_lost(norms) -> float:
    """log10(||g_T|| / ||g_1||): how many powers of ten a gradient lost from step T back to
    step 1 (inf when it underflowed to 0)."""
    first, last = float(norms[0]), float(norms[-1])
    if first == 0.0:
        return math.inf
    return math.log10(last) - math.log10(first)


def _curves(T: int, bf: float) -> dict:
    a = GRAD_ARGS
    return gradient_curves(int(T), a["hidden_size"], a["scale"], a["input_scale"], float(bf),
                           a["sequence"], a["seed"], a["clip_value"])


def _powers(k: float) -> str:
    if not math.isfinite(k):
        return "more than 300 (it underflowed to 0)"
    return f"{k:.1f}"


def _change(k: float) -> str:
    """What a gradient did over the steps, in powers of ten, as words."""
    if not math.isfinite(k):
        return "vanished completely (it underflowed to 0)"
    return f"lost {k:.1f} powers of ten" if k >= 0 else f"grew by {-k:.1f} powers of ten"


def gradient_result(T: int, bf: float) -> dict:
    T, bf = int(T), float(bf)
    cur, dbl = _curves(T, bf), _curves(2 * T, bf)
    lost = powers_lost(cur["rnn_h"])
    answer = powers_lost(dbl["rnn_h"])
    lstm_lost = powers_lost(dbl["lstm_c"])
    question = (f"Going back the $T - 1 = {T - 1}$ steps from step $T$ to step 1, the RNN's gradient "
                f"shrinks from {fmt_text(cur['rnn_h'][-1])} to {fmt_text(cur['rnn_h'][0])}: it loses "
                f"**{_powers(lost)}** powers of ten. The same RNN reads a sequence twice as long, "
                f"$2T = {2 * T}$ steps. **How many powers of ten does its gradient lose from step {2 * T} "
                f"back to step 1?**")
    explain = (f"**{_powers(answer)}** powers of ten, computed by backpropagating through the "
               f"{2 * T}-step sequence (`lstm_core.rnn_backward`): ‖dL/dh₁‖ = {fmt_text(dbl['rnn_h'][0])}. "
               f"Each step back multiplies the gradient by a similar factor, so twice the steps lose "
               f"about twice the powers of ten. Over the same {2 * T} steps the LSTM's belt gradient "
               f"‖dL/dC_t‖ (forget bias {bf:g}) {_change(lstm_lost)}.")
    return dict(curves=cur, lost=lost, answer=answer, lstm_lost=lstm_lost,
                question=question, explain=explain, rel_tol=0.15, abs_tol=1.0)


# ---------------------------------------------------------------- dispatch and verdict

def step_result(key: str, values: dict) -> dict:
    """What step `key` shows for the control values `values` (by control name): the figure's
    data, the question, the computed answer ("answer"; "answer_index" for a choice) and its
    explanation. Values outside a control's range are refused with ValueError."""
    step = STEPS[STEP_KEYS.index(key)]
    v = {}
    for c in step.controls:
        val = values[c.name]
        if c.options:
            if val not in c.options:
                raise ValueError(f"{c.label}: {val!r} is not one of {', '.join(map(str, c.options))}")
        elif not (isinstance(val, (int, float)) and math.isfinite(val) and c.lo <= val <= c.hi):
            raise ValueError(f"{c.label}: {val!r} is outside {c.lo:g} to {c.hi:g}")
        v[c.name] = val
    if key == "rnn":
        return rnn_result(float(v["w"]))
    if key == "belt":
        return belt_result(int(v["t"]))
    if key == "forget":
        return forget_result(float(v["f"]), float(v["c0"]))
    if key == "input":
        return input_result(float(v["i"]), float(v["x"]))
    if key == "output":
        return output_result(float(v["c"]), float(v["o"]))
    if key == "sequence":
        return sequence_result(str(v["preset"]), int(v["T"]))
    return gradient_result(int(v["T"]), float(v["bf"]))


def verdict(guess: float, result: dict) -> tuple[bool, str]:
    """(close enough?, a sentence) comparing a numeric guess with the computed answer: close
    means within rel_tol of it or within abs_tol, whichever is larger."""
    answer = float(result["answer"])
    guess = float(guess)
    if not math.isfinite(answer):
        return False, "The computed value is off the scale of float64; no guess can match it."
    tol = max(result["rel_tol"] * abs(answer), result["abs_tol"])
    diff = guess - answer
    pct = f"{100 * result['rel_tol']:.0f} %"
    if abs(diff) <= tol:
        return True, f"Close: within {pct} (or {result['abs_tol']:g}) of the computed value."
    side = "high" if diff > 0 else "low"
    return False, f"Not quite: your prediction is {fmt_text(abs(diff))} too {side}."
