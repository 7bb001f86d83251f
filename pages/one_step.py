"""Page 1 · One step of the cell: every input, state and weight on a slider; the gates on a
conveyor belt; the equations with the numbers substituted.

Units, entries of [h_{t-1}, x_t] and matrix rows/columns are counted from 0, as on the gates
page and in the trace CSV. Every setting that differs from its default is in the link (ui.links).
"""

import streamlit as st

from figures.conveyor import conveyor_figure
from figures.step import (fmt_tex, fmt_text, gate_matrix_latex, gate_numbers_text, gate_symbols_latex,
                          hx_labels, matrix_symbols_latex, sigmoid_gap_tex, state_numbers_text,
                          state_symbols_latex, text_table)
from ui import heading
from ui.cache_step import GATES, lstm_step
from ui.charts import Ahead, chart, neighbours, stepped
from ui.links import Param, markdown_safe, sync_link, write_link
from ui.presenter import present, presenting
from ui.router import ensure_routed
from ui.state import default, keep, kept, kept_slider

ensure_routed()

P = "one_step."
MAX_H, MAX_D = 3, 2
W_RANGE, S_RANGE = (-5.0, 5.0), (-2.0, 2.0)
STEP = 0.1                  # every slider's step

GATE_TITLES = {"f": "Forget gate f", "i": "Input gate i", "c": "Candidate C̃", "o": "Output gate o"}
GATE_ROLES = {
    "f": "how much of the old cell state $C_{t-1}$ stays on the belt (σ: between 0 and 1)",
    "i": "how much of the candidate is written onto the belt (σ: between 0 and 1)",
    "c": "the new values that could be written (tanh: between −1 and 1)",
    "o": "how much of $\\tanh(C_t)$ is let out as $h_t$ (σ: between 0 and 1)",
}


# ---- default values: unit 0 with one input shows a belt that shrinks (the candidate is negative) ----
def default_weight(g: str, j: int, src: str) -> float:
    """Weight of gate g, unit j, on source src ('h0'..'h2' = h_{t-1} units, 'x0', 'x1' = inputs)."""
    table = {   # per unit: weights on h_{t-1}[0..2], then on x_t[0..1]
        "f": ((0.5, 0.3, -0.2, 1.0, -0.8), (-0.4, 0.6, 0.2, 1.5, 0.5), (0.2, -0.3, 0.8, -1.0, 1.2)),
        "i": ((-0.5, -0.4, 0.2, 1.5, 1.0), (0.7, 0.3, -0.5, -1.2, 0.4), (-0.3, 0.5, 0.4, 0.8, -1.5)),
        "c": ((1.0, 0.6, -0.5, -2.0, 0.7), (-0.8, 1.2, 0.3, 1.8, -0.6), (0.4, -0.7, 1.0, -1.4, 0.9)),
        "o": ((0.5, 0.2, 0.4, 0.5, -0.6), (0.3, -0.6, 0.1, -0.9, 1.1), (-0.2, 0.4, 0.6, 1.3, 0.2)),
    }
    col = int(src[1:]) + (MAX_H if src[0] == "x" else 0)
    return table[g][j][col]


def default_bias(g: str, j: int) -> float:
    return {"f": (0.5, 1.0, -0.5), "i": (-1.0, 0.0, 0.5), "c": (0.5, -0.3, 0.0), "o": (0.0, 0.5, -0.5)}[g][j]


def default_state(kind: str, k: int) -> float:
    return {"x": (1.0, -0.5), "h": (0.5, -0.3, 0.8), "c": (1.0, -0.6, 0.2)}[kind][k]


BELT_ALT = ("The conveyor belt of one LSTM step: the old cell state, the forget, input and output "
            "gates as valves, the new cell state and the new hidden state, with their values.")


def belt_figure(W: tuple, b: tuple, state: dict, unit: int):
    """The conveyor belt of unit `unit` for the weights and the state {"x", "h", "c"} (tuples)."""
    x, h_prev, c_prev = state["x"], state["h"], state["c"]
    s = lstm_step(W, b, x, h_prev, c_prev)
    v = {k: s[k][unit] for k in ("f", "i", "c_tilde", "o", "c", "h", "tanh_c", "fc", "ic")}
    v.update(c_prev=c_prev[unit], h_prev=h_prev[unit], x=x[0], x2=x[1] if len(x) > 1 else None)
    H = len(h_prev)
    return present(conveyor_figure(v, title=None if H == 1 else f"unit {unit} (of units 0–{H - 1})"))


def belt_ahead(W: tuple, b: tuple, state: dict, unit: int, state_labels: dict) -> tuple:
    """The belt for the values next to the one of the x_t, h_{t-1} or C_{t-1} slider being
    stepped (ui.charts.stepped: x_t at first), so that its arrow keys are answered before the
    rerun (ui.charts.Ahead)."""
    values = {f"{kind}{k}": v for kind in ("x", "h", "c") for k, v in enumerate(state[kind])}
    chosen = stepped(P + "ahead", values, STEP)
    if chosen is None:
        return ()
    kind, k = chosen[0], int(chosen[1:])
    at = state[kind][k]
    figures = []
    for v in neighbours(at, STEP, *S_RANGE, digits=1):
        moved = dict(state, **{kind: state[kind][:k] + (v,) + state[kind][k + 1:]})
        figures.append((v, belt_figure(W, b, moved, unit), BELT_ALT))
    return (Ahead(state_labels[kind][k], at, STEP, tuple(figures)),)


def w_key(g, j, src):
    return f"{P}W_{g}.{j}.{src}"


def b_key(g, j):
    return f"{P}b_{g}.{j}"


def s_key(kind, k):
    return f"{P}{kind}.{k}"


def sources(H, D):
    return [f"h{m}" for m in range(H)] + [f"x{d}" for d in range(D)]


def all_defaults() -> dict:
    """Every kept value of this page (all sizes) -> its default."""
    d = {}
    for g in GATES:
        for j in range(MAX_H):
            for src in sources(MAX_H, MAX_D):
                d[w_key(g, j, src)] = default_weight(g, j, src)
            d[b_key(g, j)] = default_bias(g, j)
    for k in range(MAX_D):
        d[s_key("x", k)] = default_state("x", k)
    for k in range(MAX_H):
        d[s_key("h", k)] = default_state("h", k)
        d[s_key("c", k)] = default_state("c", k)
    return d


# ---- the link: sizes, the unit shown and every slider (ui.links; only non-defaults are written) ----
def link_params() -> tuple:
    params = [Param("H", "int", 1, 1, MAX_H), Param("D", "int", 1, 1, MAX_D),
              Param("u", "int", 0, 0, MAX_H - 1, key="_unit_link")]   # as on the gates page; checked against H
    for name, value in all_defaults().items():
        short = name[len(P):]
        params.append(Param(short, "float", value, *(W_RANGE if short[0] in "Wb" else S_RANGE)))
    return tuple(params)


PARAMS = link_params()


def link_notices() -> list[str]:
    """Seed the widgets from the link (first run, or the URL edited by hand) and return the
    notices for the settings in it that could not be used."""
    notices = sync_link(P, PARAMS)
    for p in PARAMS[3:]:                       # the sliders: values must sit on their steps
        v = st.session_state.get(keep(P + p.name))
        if v is not None and abs((v - p.lo) / STEP - round((v - p.lo) / STEP)) > 1e-9:
            notices.append(f"“{p.name}={v!r}” is not on the slider: it must be a number from {p.lo:g} "
                           f"to {p.hi:g} in steps of {STEP:g} — using {p.default!r} instead.")
            st.session_state[keep(P + p.name)] = p.default
    unit = st.session_state.pop(keep(P + "_unit_link"), None)
    if unit is not None:
        H = st.session_state.get(keep(P + "H"), 1)
        if unit < H:
            st.session_state[keep(P + "unit")] = unit
        else:
            notices.append(f"“u={unit}” is not one of this cell's units: with H = {H} it must be "
                           f"from 0 to {H - 1} — using 0 instead.")
            st.session_state[keep(P + "unit")] = 0
    return notices


def link_values(H, D, unit, W, b, x, h_prev, c_prev) -> dict:
    """The current settings by URL name: the sizes, the unit shown and every slider in use."""
    values = {"H": H, "D": D, "u": unit}
    for n, g in enumerate(GATES):
        for j in range(H):
            for k, src in enumerate(sources(H, D)):
                values[w_key(g, j, src)[len(P):]] = W[n][j][k]
            values[b_key(g, j)[len(P):]] = b[n][j]
    for kind, vals in (("x", x), ("h", h_prev), ("c", c_prev)):
        for k, val in enumerate(vals):
            values[s_key(kind, k)[len(P):]] = val
    return values


# ---- "try this" starting points (button callbacks: they run before the widgets exist) ----
def _set(name, value):
    st.session_state[keep(name)] = float(value)


def reset_values():
    for name, value in all_defaults().items():
        _set(name, value)


def _gate_constant(g, bias, H, D):
    for j in range(H):
        for src in sources(H, D):
            _set(w_key(g, j, src), 0.0)
        _set(b_key(g, j), bias)


def try_remember(H, D):        # forget gate wide open, input gate shut
    _gate_constant("f", 5.0, H, D)
    _gate_constant("i", -5.0, H, D)


def try_overwrite(H, D):       # forget gate shut, input gate wide open
    _gate_constant("f", -5.0, H, D)
    _gate_constant("i", 5.0, H, D)


def try_hide(H, D):            # output gate shut
    _gate_constant("o", -5.0, H, D)


def try_limit(H, D):           # the forget gate very close to 1: z_f = 5 * 2 + 5 * 2 + 5 = 25
    _set(s_key("x", 0), 2.0)
    _set(s_key("h", 0), 2.0)
    for j in range(H):
        for src in sources(H, D):
            _set(w_key("f", j, src), 5.0 if src in ("h0", "x0") else 0.0)
        _set(b_key("f", j), 5.0)


# ---- page ----
for name, value in all_defaults().items():
    default(name, value)
default(P + "H", 1)
default(P + "D", 1)
default(P + "unit", 0)

heading.title("1 · One step of the cell")
st.markdown(
    "At every step the cell reads the new input $x_t$ and its previous hidden state $h_{t-1}$, "
    "updates its memory — the **cell state** $C$, the conveyor belt — and puts out a new hidden "
    "state $h_t$. Move any slider: the gates, the belt and the equations follow at once."
)

notices = link_notices()
if notices:
    st.warning("Some settings in this link could not be used:\n\n"
               + "\n".join("- " + markdown_safe(n) for n in notices), icon=":material/link_off:")

top1, top2 = st.columns([1, 2], vertical_alignment="bottom")
with top1:
    size1, size2 = st.columns(2)
    H = size1.radio("Units (size of $h$ and $C$)", [1, 2, 3], **kept(P + "H"), horizontal=True)
    D = size2.radio("Inputs (size of $x_t$)", [1, 2], **kept(P + "D"), horizontal=True)
with top2:
    st.markdown("**Try this** — each button sets some sliders (for every unit); **Reset** puts them all back.")
    with st.container(horizontal=True):
        st.button("Remember", on_click=try_remember, args=(H, D), key=P + "try_remember",
                  help="Forget gate wide open (bias +5), input gate shut (bias −5): $C_t \\approx C_{t-1}$.")
        st.button("Overwrite", on_click=try_overwrite, args=(H, D), key=P + "try_overwrite",
                  help="Forget gate shut (bias −5), input gate wide open (bias +5): $C_t \\approx \\tilde C_t$.")
        st.button("Hide the memory", on_click=try_hide, args=(H, D), key=P + "try_hide",
                  help="Output gate shut (bias −5): the belt keeps its value but $h_t \\approx 0$.")
        st.button("Push f to 1", on_click=try_limit, args=(H, D), key=P + "try_limit",
                  help="The forget gate's weights on the first entries of $h_{t-1}$ and $x_t$ and its bias "
                       "at 5, those two entries at 2: $z_f = 25$ and $f_t$ is very close to 1, and still is not 1.")
        st.button("Reset", on_click=reset_values, key=P + "reset", icon=":material/restart_alt:",
                  help="Every slider back to its starting value.")

labels = hx_labels(H, D)
state_labels = {"x": [f"${labels[H + d]}$" for d in range(D)], "h": [f"${labels[j]}$" for j in range(H)],
                "c": ["$C_{t-1}$" if H == 1 else f"$C_{{t-1,{j}}}$" for j in range(H)]}
left, right = st.columns([2, 3], gap="large")

# ---- sliders ----
with left:
    heading.subheader("Inputs and previous state")
    cols = st.columns(3)
    # values are rounded to the sliders' 0.1 steps, so a link (which carries them rounded)
    # reproduces them exactly
    x = tuple(round(cols[0].slider(state_labels["x"][d], *S_RANGE, step=STEP, **kept_slider(s_key("x", d)),
                                   help="the new input at this step"), 1) for d in range(D))
    h_prev = tuple(round(cols[1].slider(state_labels["h"][j], *S_RANGE, step=STEP, **kept_slider(s_key("h", j)),
                                        help="the previous hidden state (the cell's last output)"), 1)
                   for j in range(H))
    c_prev = tuple(round(cols[2].slider(state_labels["c"][j], *S_RANGE, step=STEP, **kept_slider(s_key("c", j)),
                                        help="the previous cell state (what is on the belt)"), 1)
                   for j in range(H))

    teacher = presenting()
    if not teacher:
        heading.subheader("Weights and biases, gate by gate")
    # in presenter mode the per-weight tabs fold into an expander (values and link unchanged)
    weights_box = st.expander("Weights and biases, gate by gate") if teacher else st.container()
    with weights_box:
        st.caption(f"Each gate has its own matrix $W$ with {H} row{'s' if H > 1 else ''} (one per unit) and "
                   f"{H} + {D} = {H + D} columns (one per entry of $[h_{{t-1}}, x_t]$), and its own bias $b$. "
                   "Rows and columns are counted from 0, like the units: $W_f[j,k]$ is unit $j$'s weight "
                   "on entry $k$ of $[h_{t-1}, x_t]$.")
        W, b = [], []
        # Only the open tab writes its sliders (on_change="rerun" makes the tabs report which is
        # open): hidden sliders would still cost the browser about 3 ms each at every move. The
        # others keep their values in session state, where their kept keys hold them.
        tabs = st.tabs([GATE_TITLES[g] for g in GATES], key=P + "gate_tab", on_change="rerun")
        for g, tab in zip(GATES, tabs):
            if not tab.open:
                W.append(tuple(tuple(round(st.session_state[keep(w_key(g, j, src))], 1) for src in sources(H, D))
                               for j in range(H)))
                b.append(tuple(round(st.session_state[keep(b_key(g, j))], 1) for j in range(H)))
                continue
            with tab:
                st.caption(f"${'W_' + g}$, $b_{g}$: " + GATE_ROLES[g])
                rows, biases = [], []
                for j in range(H):
                    if H > 1:
                        st.markdown(f"**unit {j}**")
                    grid = st.columns(3)
                    row = []
                    for k, src in enumerate(sources(H, D)):
                        row.append(round(grid[k % 3].slider(
                            f"$W_{g}[{j},{k}]$ on ${labels[k]}$", *W_RANGE, step=STEP,
                            **kept_slider(w_key(g, j, src))), 1))
                    biases.append(round(grid[(H + D) % 3].slider(f"$b_{g}[{j}]$", *W_RANGE, step=STEP,
                                                                 **kept_slider(b_key(g, j))), 1))
                    rows.append(tuple(row))
                W.append(tuple(rows))
                b.append(tuple(biases))

s = lstm_step(tuple(W), tuple(b), x, h_prev, c_prev)
hx = h_prev + x

# ---- belt and numbers ----
with right:
    heading.subheader("The conveyor belt")
    if H > 1:
        if st.session_state.get(keep(P + "unit"), 0) >= H:
            st.session_state[keep(P + "unit")] = 0
        unit = st.radio("Belt and equations show unit", list(range(H)), **kept(P + "unit"),
                        format_func=lambda j: f"unit {j}", horizontal=True)
    else:
        unit = 0
    write_link(P, PARAMS, link_values(H, D, unit, W, b, x, h_prev, c_prev))
    state = {"x": x, "h": h_prev, "c": c_prev}
    # in a ui.charts frame: paired with st.plotly_chart (40 presses, twice) a move was drawn as
    # soon (-2 and -4 ms) for 70-83 ms less of the browser's work, and a page without
    # st.plotly_chart does not load Streamlit's own plotly.js (4.7 MB)
    chart(belt_figure(W, b, state, unit), key=P + "belt",
          config={"toImageButtonOptions": {"format": "png", "filename": "lstm-one-step", "scale": 2}},
          alt=BELT_ALT, ahead=belt_ahead(W, b, state, unit, state_labels))
    st.caption(
        "The belt (top) carries $C_{t-1}$ to $C_t$. Each **valve** multiplies the line through it by its "
        "gate: the opening is the gate's value, shut at 0, wide open at 1. A line's **thickness** grows "
        "with the size of its value (up to 2.5) and its **colour** shows the value on the bar: blue "
        "negative, white 0, red positive. "
        + ("The line into the bus is $h_{t-1}$ of this unit; every unit's $h_{t-1}$ goes into every gate. "
           if H > 1 else "")
        + "Hover a line for its value to 6 digits."
    )

    heading.subheader("The numbers" + (" (all units)" if H > 1 else ""))
    rows_def = [("f_t  forget gate", "f"), ("i_t  input gate", "i"), ("C̃_t  candidate", "c_tilde"),
                ("o_t  output gate", "o"), ("C_t  new cell state", "c"), ("h_t  new hidden state", "h")]
    st.markdown(text_table([f"unit {j}" for j in range(H)],
                           [(name, [fmt_text(s[k][j]) for j in range(H)]) for name, k in rows_def]))
    st.caption("Numbers on this page are rounded for display (at least 3 significant digits); the "
               "computation is not — it runs in float64 in `lstm_core.lstm_step_forward`.")

# ---- the step by hand ----
heading.subheader("The step by hand" + (f" — unit {unit}" if H > 1 else ""))
st.markdown("Each gate multiplies the **stacked** vector $[h_{t-1}, x_t]$ by its weights, adds its bias, "
            "and squashes the sum. Each equation is written in symbols, then with the numbers below it; "
            "the results are the ones on the belt.")
short_eqs = H + D <= 3 and not teacher   # short equations: two per row (one in presenter mode: larger type)
eq1, eq2 = st.columns(2) if short_eqs else [st.container()] * 2   # long ones: one per row, full width
zs = {"f": "z_f", "i": "z_i", "c": "z_c", "o": "z_o"}
vals = {"f": "f", "i": "i", "c": "c_tilde", "o": "o"}
# The symbols are their own element: they stay the same while a slider moves, so the browser
# typesets them once; only the plain-text numbers under them change.
for n, g in enumerate(GATES):
    with (eq1 if n % 2 == 0 else eq2):
        st.markdown(f"**{GATE_TITLES[g]}** — " + GATE_ROLES[g])
        st.markdown(f"${gate_symbols_latex(g, unit, H, D)}$")
        st.markdown(gate_numbers_text(g, W[n][unit], hx, b[n][unit], s[zs[g]][unit], s[vals[g]][unit]))
st.markdown("**New cell state and new hidden state** — the output gate decides how much of the "
            "squashed belt becomes $h_t$.")
c_sym, h_sym = state_symbols_latex(unit, H)
c_num, h_num = state_numbers_text(s["f"][unit], c_prev[unit], s["i"][unit], s["c_tilde"][unit], s["c"][unit],
                                  s["o"][unit], s["tanh_c"][unit], s["h"][unit])
st1, st2 = st.columns(2) if short_eqs else [st.container()] * 2
with st1:
    st.markdown(f"${c_sym}$")
    st.markdown(c_num)
with st2:
    st.markdown(f"${h_sym}$")
    st.markdown(h_num)

# ---- common mistakes ----
heading.subheader("Three things to get right")
st.caption("Introductions to LSTMs, including the article this lesson follows, often get these wrong.")
m1, m3 = st.columns(2)
m2 = st.container()
with m1.container(border=True):
    f_now = s["f"][unit]
    st.markdown("**The forget gate is a number between 0 and 1** — not a choice of −1, 0 or 1. "
                "It is a sigmoid, so it never reaches 0 or 1 exactly, and it never flips a sign: "
                "it scales the memory down: $f_t * C_{t-1}$.")
    st.markdown(f"Right now the forget gate is **{fmt_text(f_now)}**: of the old cell state "
                f"{fmt_text(c_prev[unit])}, the belt keeps {fmt_text(s['fc'][unit])}. Try **Push f to 1**.")
    if f_now in (0.0, 1.0):
        st.markdown(f"Here $z_f = {fmt_tex(s['z_f'][unit])}$, so $f_t$ differs from {f_now:.0f} by only "
                    f"${sigmoid_gap_tex(s['z_f'][unit])}$: closer than float64 can tell apart, so the "
                    f"computer stores exactly {f_now:.0f}. The sigmoid itself never gets there.")
with m2.container(border=True):
    st.markdown("**A gate is a matrix times a stacked vector** — not a dot product of $h_{t-1}$ with $x_t$. "
                "$h_{t-1}$ and $x_t$ are stacked into one vector of "
                f"{H} + {D} = {H + D} numbers, and $W_f$ ({H} × {H + D}) multiplies it:")
    st.latex(matrix_symbols_latex("f", H, D))
    st.caption("The same product with the numbers, for every gate: open *Every gate, all units at once* below.")
with m3.container(border=True):
    st.markdown("**The output gate has equations too**: it reads the same stacked vector, and the new "
                "hidden state is the squashed belt times that gate.")
    st.latex(r"o_t = \sigma(W_o\,[h_{t-1}, x_t] + b_o) \qquad h_t = o_t * \tanh(C_t)")
    st.markdown(f"Right now the output gate is {fmt_text(s['o'][unit])} and tanh of the belt is "
                f"{fmt_text(s['tanh_c'][unit])}, so the new hidden state is **{fmt_text(s['h'][unit])}**.")

matrices = st.expander("Every gate, all units at once (matrix form)", key=P + "matrices", on_change="rerun")
if matrices.open:     # written only when open: four big equations that the browser would redraw at every move
    with matrices:
        for n, g in enumerate(GATES):
            st.latex(gate_matrix_latex(g, W[n], hx, b[n], s[zs[g]], s[vals[g]], H, D))
