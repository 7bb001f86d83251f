"""Page 2 · Gates over time: run the LSTM over a whole sequence and play back every gate.

widgets (weights_ui, inputs_ui) -> cached computations (ui.cache_gates) -> figure builders
(figures.heatmaps, figures.lines) -> render. Anything a student types or uploads that is not
allowed gets an st.error saying what is wrong and what is allowed; the figures then keep
showing the last good run (kept in st.session_state[LAST_GOOD])."""
import streamlit as st

from figures.heatmaps import gates_over_time_figure
from figures.lines import unit_lines_figure
from lstm_core.formats import FormatError
from lstm_core.presets import PRESETS
from lstm_core.sequences import SEQUENCES
from ui import cache_gates as cg
from ui.router import ensure_routed
from ui.state import default, keep, kept

ensure_routed()

P = "gates."
LAST_GOOD = P + "last_good"          # (weights JSON, inputs as flat tuple, D) of the last good run
W_SOURCES = ("Hand-wired preset", "Random", "Upload a JSON file")
X_SOURCES = ("Preset sequence", "Type numbers", "Upload a CSV file")
DEFAULTS = {"w_source": W_SOURCES[0], "preset": "latch", "H": 4, "D": 1, "seed": 0, "scale": 1.0,
            "forget_bias": 1.0, "x_source": X_SOURCES[0], "seq": "pulse", "T": 60, "noise_seed": 0,
            "typed": "0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0", "unit": 0, "by_hand": False}
WEIGHTS_FORMAT = ('the weights JSON of FORMATS.md: {"model": "lstm", "input_size": D, "hidden_size": H, '
                  '"W_f": [H rows of H+D numbers], ..., "b_f": [H numbers], ...}, '
                  f"with hidden_size 1 to {cg.MAX_H} and input_size 1 to {cg.MAX_D}")


def _on_preset_change():
    """A hand-wired preset comes with the sequence that shows what it does."""
    name = st.session_state[keep(P + "preset")]
    st.session_state[keep(P + "seq")] = PRESETS[name].sequence
    st.session_state[keep(P + "x_source")] = X_SOURCES[0]


def _fill_typed():
    """Put the inputs of the last good run into the text box, to edit them."""
    _, x, D = st.session_state[LAST_GOOD]
    st.session_state[keep(P + "typed")] = cg.sequence_text(x, D)


def _per_step(D: int) -> str:
    return "one number per step" if D == 1 else f"{D} numbers per step"


# ------------------------------------------------------------------ widgets

def weights_ui() -> str | None:
    """The weights the student chose, as weights JSON, or None (with an st.error shown)."""
    source = st.radio("Weights", W_SOURCES, **kept(P + "w_source"), horizontal=True)
    base = None
    if source == W_SOURCES[0]:
        name = st.selectbox("Preset", list(PRESETS), **kept(P + "preset"), on_change=_on_preset_change,
                            format_func=lambda n: f"{n} (input_size {PRESETS[n].input_size})")
        pr = PRESETS[name]
        st.caption(f"**{name}**: {pr.description} It reads {_per_step(pr.input_size)} (input_size = "
                   f"{pr.input_size}), so the inputs follow that; picking it also picks the sequence that "
                   f"shows it (*{pr.sequence}*).")
        base = cg.preset_weights_json(name)
    elif source == W_SOURCES[1]:
        c1, c2 = st.columns(2)
        H = c1.slider("Hidden units H", 1, cg.MAX_H, **kept(P + "H"))
        D = c2.slider("Inputs per step D (input_size)", 1, 4, **kept(P + "D"))
        c3, c4, c5 = st.columns(3)
        seed = c3.number_input("Seed", 0, 1_000_000, step=1, **kept(P + "seed"))
        scale = c4.slider("Scale of the recurrent weights", 0.0, 3.0, step=0.1, **kept(P + "scale"),
                          help="Standard deviation × √H of the weights on h_{t-1}; the weights on x_t have "
                               "standard deviation 1/√D.")
        fb = c5.slider("Forget-gate bias b_f", -5.0, 5.0, step=0.5, **kept(P + "forget_bias"),
                       help="Added to every unit's forget gate: positive keeps the belt, negative wipes it.")
        st.caption("Every weight is drawn from a normal distribution (seeded); the biases are 0 except "
                   "the forget gate's. The inputs follow D.")
        base = cg.random_weights_json(int(D), int(H), int(seed), float(scale), float(fb))
    else:
        up = st.file_uploader("Weights JSON file", type=["json"], key=P + "w_upload",
                              help="The format of FORMATS.md; a file downloaded from this page works.")
        if up is None:
            st.info(f"Upload {WEIGHTS_FORMAT}. Until then the figures show the last run.")
            return None
        try:
            base = cg.parse_weights_upload(up.getvalue())
        except FormatError as e:
            st.error(f"Weights file {up.name!r}: {e}. Allowed: {WEIGHTS_FORMAT}.")
            return None

    if not st.toggle("Set any weight by hand (a table of every weight and bias)", **kept(P + "by_hand")):
        return base
    st.caption("W_f[unit u, h_k] multiplies unit k of h_{t-1}, W_f[unit u, x_d] the input x_t,d; "
               "b_f[unit u] is the bias; h0 and c0 are the state before step 1. Edits rerun the model. "
               "Picking other weights above, or turning this off, starts from the chosen weights again.")
    key = cg.editor_key(base)
    table = st.data_editor(cg.weights_table(base), key=key, disabled=["weight"], hide_index=True,
                           num_rows="fixed", width="stretch", height=260,
                           column_config={"weight": st.column_config.TextColumn("weight"),
                                          "value": st.column_config.NumberColumn("value", required=True)})
    if not (st.session_state.get(key) or {}).get("edited_rows"):
        return base
    try:
        return cg.weights_from_table(base, table["weight"].tolist(), table["value"].tolist())
    except FormatError as e:
        st.error(f"Weight table: {e}.")
        return None


def inputs_ui(D: int) -> tuple[tuple, int] | None:
    """The input sequence (flat tuple, D) for a model with D inputs, or None (st.error shown)."""
    source = st.radio("Inputs", X_SOURCES, **kept(P + "x_source"), horizontal=True)
    st.caption(f"The model reads {_per_step(D)} (its input_size is {D}): every input must have {D} "
               f"number{'s' * (D != 1)} per step, 1 to {cg.MAX_T} steps.")
    if source == X_SOURCES[0]:
        c1, c2 = st.columns([1, 2])
        kind = c1.selectbox("Sequence", list(SEQUENCES), **kept(P + "seq"),
                            format_func=lambda k: f"{k}: {SEQUENCES[k]}")
        T = c2.slider("Length T (steps)", 1, cg.MAX_T, **kept(P + "T"))
        seed = 0
        if kind == "noise":
            seed = st.number_input("Noise seed", 0, 1_000_000, step=1, **kept(P + "noise_seed"))
        return cg.preset_inputs(kind, int(T), int(D), int(seed))
    if source == X_SOURCES[1]:
        example = "0, 0, 1, 0.5, -2" if D == 1 else "\n".join(["1, " + ", ".join(["0"] * (D - 1)),
                                                              ", ".join(["0"] * (D - 1)) + ", 1"])
        how = ("numbers separated by commas or spaces" if D == 1 else
               f"one step per line (or separated by ;), its {D} numbers separated by commas")
        text = st.text_area(f"Inputs, {how}", **kept(P + "typed"), height=100,
                            help=f"For example: {example}")
        st.button("Copy the current inputs into the box", on_click=_fill_typed)
        try:
            return cg.parse_typed_inputs(text, int(D))
        except FormatError as e:
            st.error(f"Typed inputs: {e}. Allowed: {how}, for example {example!r}; 1 to {cg.MAX_T} "
                     "steps of finite numbers.")
            return None
    up = st.file_uploader("Inputs CSV file", type=["csv", "txt"], key=P + "x_upload",
                          help="A header row naming the inputs, then one row per step (FORMATS.md).")
    header = ",".join(f"x{d + 1}" for d in range(D))
    allowed = (f"a CSV file with a header row naming the {D} input{'s' * (D != 1)} (for example {header}), "
               f"then one row of {D} number{'s' * (D != 1)} per step, 1 to {cg.MAX_T} steps")
    if up is None:
        st.info(f"Upload {allowed}. Until then the figures show the last run.")
        return None
    try:
        return cg.parse_inputs_upload(up.getvalue(), int(D))
    except FormatError as e:
        st.error(f"Inputs file {up.name!r}: {e}. Allowed: {allowed}.")
        return None


# ------------------------------------------------------------------ page

for _name, _value in DEFAULTS.items():
    default(P + _name, _value)
if LAST_GOOD not in st.session_state:
    _x, _D = cg.preset_inputs("pulse", 60, 1, 0)
    st.session_state[LAST_GOOD] = (cg.preset_weights_json("latch"), _x, _D)

st.title("2 · Gates over time")
st.markdown(
    "Run the cell over a whole sequence and watch every gate at every step. Each heatmap is one "
    "quantity of the equations: time $t = 1..T$ runs across, the units $0..H-1$ run down. "
    "Press **▶ Play** or drag the step slider under the heatmaps: a black frame marks step $t$ in "
    "every heatmap, and the conveyor belt on the right shows one unit at that step. "
    "It all runs in your browser; every number is lstm_core's, in float64."
)

col_w, col_x = st.columns(2, gap="large")
with col_w:
    st.subheader("Weights")
    new_weights = weights_ui()
D_new = cg.weights_shape(new_weights)[0] if new_weights is not None else st.session_state[LAST_GOOD][2]
with col_x:
    st.subheader("Inputs")
    new_inputs = inputs_ui(D_new)

if new_weights is not None and new_inputs is not None:
    try:
        cg.run_lstm(new_weights, new_inputs[0], new_inputs[1])
        st.session_state[LAST_GOOD] = (new_weights, new_inputs[0], new_inputs[1])
    except FormatError as e:
        st.error(f"{e}.")
        new_weights = None

weights_json, x, D = st.session_state[LAST_GOOD]
trace = cg.run_lstm(weights_json, x, D)
T, H = trace.T, trace.hidden_size
if new_weights is None or new_inputs is None:
    st.warning(f"The figures below show the last good run (T = {T} steps, H = {H} "
               f"unit{'s' * (H != 1)}, input_size {D}).")

st.subheader("Every gate, every step")
if st.session_state.get(keep(P + "unit"), 0) >= H:
    st.session_state[keep(P + "unit")] = 0
unit = st.selectbox("Unit on the belt and in the line chart", list(range(H)), **kept(P + "unit"),
                    format_func=lambda u: f"unit {u}")
fig = gates_over_time_figure(trace, unit, belt=cg.belt_frames(weights_json, x, D, unit))
st.plotly_chart(fig, key=P + "heatmaps", config={"displaylogo": False},
                alt=f"Six heatmaps of the gates and states of {H} units over {T} steps, and the conveyor "
                    f"belt of unit {unit}, with a Play button and a step slider.")
st.markdown(
    "- **Forget gate** $f_t = \\sigma(W_f\\,[h_{t-1}, x_t] + b_f)$: how much of $C_{t-1}$ stays on the belt "
    "(0 wipes it, 1 keeps it).\n"
    "- **Input gate** $i_t = \\sigma(W_i\\,[h_{t-1}, x_t] + b_i)$: how much of the candidate is written.\n"
    "- **Candidate** $\\tilde C_t = \\tanh(W_c\\,[h_{t-1}, x_t] + b_c)$: what could be written, between −1 and 1.\n"
    "- **Output gate** $o_t = \\sigma(W_o\\,[h_{t-1}, x_t] + b_o)$: how much of the belt is shown as $h_t$.\n"
    "- **Cell state** $C_t = f_t * C_{t-1} + i_t * \\tilde C_t$: the belt itself.\n"
    "- **Hidden state** $h_t = o_t * \\tanh(C_t)$: what the cell puts out, and reads back at the next step.\n\n"
    "$[h_{t-1}, x_t]$ stacks the previous hidden state and the input into one vector; each gate multiplies "
    "it by its own matrix. Colours: a gate is white at 0 (shut) and its full colour at 1 (open). "
    "$\\tilde C$ and $h$ go from blue (−1) through white (0) to red (+1); $C$ has no bound, so its scale "
    "is set from this run, symmetric about 0. On the belt, a line's thickness grows with the size of "
    "its value and its colour is the value on the same blue–white–red scale; each valve opens as wide as "
    "its gate."
)

st.subheader(f"Unit {unit}, step by step")
st.plotly_chart(unit_lines_figure(trace, unit), key=P + "lines", config={"displaylogo": False},
                alt=f"Lines of the gates, candidate, cell state and hidden state of unit {unit} over {T} steps, "
                    "and the inputs.")

with st.expander("What the hand-wired presets show"):
    st.markdown("\n".join(f"- **{n}** (input_size {p.input_size}, sequence *{p.sequence}*): {p.description}"
                          for n, p in PRESETS.items()))

st.subheader("Download")
st.markdown("The trace holds every number above, one row per (t, unit), in the format of FORMATS.md. "
            "`python -m lstm_core trace --weights weights.json --inputs inputs.csv` writes the same bytes "
            "from the other two files.")
d1, d2, d3 = st.columns(3)
d1.download_button("Trace CSV", cg.trace_csv(weights_json, x, D), file_name="trace.csv", mime="text/csv",
                   key=P + "dl_trace", on_click="ignore", icon=":material/download:")
d2.download_button("Weights JSON", weights_json, file_name="weights.json", mime="application/json",
                   key=P + "dl_weights", on_click="ignore", icon=":material/download:")
d3.download_button("Inputs CSV", cg.inputs_csv(x, D), file_name="inputs.csv", mime="text/csv",
                   key=P + "dl_inputs", on_click="ignore", icon=":material/download:")
