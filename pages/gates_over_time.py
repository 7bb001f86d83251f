"""Page 2 · Gates over time: run the LSTM over a whole sequence and play back every gate.

widgets (weights_ui, inputs_ui, text_ui, interventions_ui) -> cached computations
(ui.cache_gates) -> figure builders (figures.heatmaps, figures.lines) -> render. Anything a
student types or uploads that is not allowed gets an st.error saying what is wrong and what is
allowed; the figures then keep showing the last good run (st.session_state[LAST_GOOD]).

The settings live in the link (ui.links): a copied address opens the same view for anyone.
A parameter of the link that is missing takes its default; one that is malformed or out of
range takes its default with a short notice. Weights uploaded or edited by hand, inputs
uploaded or typed at length, are too large for a link: the page says so and offers the files.
"""
import functools
import urllib.parse

import streamlit as st

from figures.heatmaps import NARROW_BELOW, held_label
from figures.lines import unit_lines_figure
from lstm_core.formats import FormatError
from lstm_core.presets import PRESETS
from lstm_core.sequences import SEQUENCES
from lstm_core.textseq import EMBED_PRIMES, ENCODINGS, MAX_CHARS, MAX_ONE_HOT, check_text
from ui import cache_gates as cg
from ui import heading
from ui.charts import Ahead, chart, narrow_width, neighbours, stepped
from ui.links import Param, link_params, sync_link, write_link
from ui.presenter import present, presenting, scale as present_scale
from ui.router import ensure_routed
from ui.state import default, keep, kept, kept_slider

ensure_routed()

P = "gates."
PAGE_PATH = "gates_over_time"        # the page's address (ui/router.py, from its file name)
LAST_GOOD = P + "last_good"          # the last good run: dict(w=weights JSON, x=flat inputs, D, text, enc, features)
MODES = ("numbers", "text")
W_SOURCES = ("preset", "random", "upload")
X_SOURCES = ("preset", "typed", "upload")
W_LABELS = {"preset": "Hand-wired preset", "random": "Random", "upload": "Upload a JSON file"}
X_LABELS = {"preset": "Preset sequence", "typed": "Type numbers", "upload": "Upload a CSV file"}
MODE_LABELS = {"numbers": "Numbers", "text": "Text, one character per step"}
HOLDS = {   # the experiments: code -> (forget gate, input gate, label); "free" = computed by the cell
    "free": ("free", "free", "nothing: every gate computed"),
    "f1": ("1", "free", "f = 1: forget nothing (the LSTM of 1997)"),
    "f0": ("0", "free", "f = 0: forget everything"),
    "i0": ("free", "0", "i = 0: write nothing"),
    "f1i0": ("1", "0", "f = 1 and i = 0: freeze the belt"),
    "f0i0": ("0", "0", "f = 0 and i = 0: wipe the belt"),
}
ENC_LABELS = {"one-hot": f"one-hot (up to {MAX_ONE_HOT} distinct characters)", "embedding": "embedding (4 numbers)"}
DEFAULT_TYPED = "0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0"
DEFAULT_TEXT = 'she said "hi"'
MD_MARKS = set("\\`*_[]<>$|~")  # what md() escapes
MAX_TYPED_LINK = 400                 # typed numbers longer than this stay out of the link
DEFAULTS = {"mode": "numbers", "w_source": "preset", "preset": "latch", "H": 4, "D": 1, "seed": 0, "scale": 1.0,
            "forget_bias": 1.0, "x_source": "preset", "seq": "pulse", "T": 60, "noise_seed": 0,
            "typed": DEFAULT_TYPED, "unit": 0, "by_hand": False, "text": DEFAULT_TEXT, "encoding": "one-hot",
            "hold": "free", "clamp_range": (1, cg.MAX_T)}
LINK = (   # URL name, kind, default, range; key: the kept widget it seeds
    Param("m", "choice", "numbers", choices=MODES, key="mode"),
    Param("w", "choice", "preset", choices=W_SOURCES, key="w_source"),
    Param("p", "choice", "latch", choices=tuple(PRESETS), key="preset"),
    Param("H", "int", 4, 1, cg.MAX_H),
    Param("D", "int", 1, 1, 4),
    Param("seed", "int", 0, 0, 1_000_000),
    Param("scale", "float", 1.0, 0.0, 3.0),
    Param("fb", "float", 1.0, -5.0, 5.0, key="forget_bias"),
    Param("x", "choice", "preset", choices=X_SOURCES, key="x_source"),
    Param("seq", "choice", "pulse", choices=tuple(SEQUENCES)),
    Param("T", "int", 60, 1, cg.MAX_T),
    Param("nseed", "int", 0, 0, 1_000_000, key="noise_seed"),
    Param("typed", "text", DEFAULT_TYPED, max_len=MAX_TYPED_LINK),
    Param("text", "text", DEFAULT_TEXT, max_len=MAX_CHARS),
    Param("enc", "choice", "one-hot", choices=ENCODINGS, key="encoding"),
    Param("u", "int", 0, 0, cg.MAX_H - 1, key="unit"),
    Param("hold", "choice", "free", choices=tuple(HOLDS)),
    Param("from", "int", 1, 1, cg.MAX_T, key="link_from"),
    Param("to", "int", cg.MAX_T, 1, cg.MAX_T, key="link_to"),      # MAX_T: to the last step
    Param("cw", "bool", False, key="link_cw"),       # the weights were custom: not in the link
    Param("cx", "bool", False, key="link_cx"),       # the inputs were uploaded or too long: not in the link
)
WEIGHTS_FORMAT = ('the weights JSON of FORMATS.md: {"model": "lstm", "input_size": D, "hidden_size": H, '
                  '"W_f": [H rows of H+D numbers], ..., "b_f": [H numbers], ...}, '
                  f"with hidden_size 1 to {cg.MAX_H} and input_size 1 to {cg.MAX_D}")
TEXT_ALLOWED = (f"1 to {MAX_CHARS} characters on one line: letters, digits, spaces, punctuation, emoji "
                "(no tabs, line breaks or other control characters)")


def md(text) -> str:
    """Text from a student, a file name or a link, made literal for st.markdown and the alerts
    (which read Markdown and LaTeX): the marks that start a formula, a link, emphasis, code or a
    tag are backslash-escaped, so that `$x$` stays dollars and `[a](b)` stays brackets."""
    return "".join("\\" + c if c in MD_MARKS else c for c in str(text))


def chart_config(filename: str) -> dict:
    """Plotly's toolbar, with its camera button ("Download plot as a PNG") saving `filename`.png
    (ui.charts merges it over the frame's defaults: no logo, the toolbar on hover)."""
    return {"toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}}


# ------------------------------------------------------------------ callbacks

def _on_preset_change():
    """A hand-wired preset comes with the sequence that shows what it does."""
    name = st.session_state[keep(P + "preset")]
    st.session_state[keep(P + "seq")] = PRESETS[name].sequence
    st.session_state[keep(P + "x_source")] = "preset"


def _fill_typed():
    """Put the inputs of the last good run into the text box, to edit them."""
    run = st.session_state[LAST_GOOD]
    st.session_state[keep(P + "typed")] = cg.sequence_text(run["x"], run["D"])


def _lstm_1997():
    """The LSTM of 1997: no forget gate, i.e. f held at 1 on every step."""
    st.session_state[keep(P + "hold")] = "f1"
    st.session_state[keep(P + "clamp_range")] = (1, cg.MAX_T)


def _per_step(D: int) -> str:
    return "one number per step" if D == 1 else f"{D} numbers per step"


# ------------------------------------------------------------------ the link

def read_link(notices: list) -> set:
    """Seed the widgets from the link when it is new to this session (ui.links.sync_link);
    add its notices; return the names of the parameters seeded on this run (empty otherwise),
    so that the checks that need the model (typed inputs, unit, steps) can refuse them too."""
    seen_key = f"_link_seen.{P}"
    before = st.session_state.get(seen_key)
    notices += [("warning", n) for n in sync_link(P, LINK)]
    if st.session_state.get(seen_key) is before:
        return set()
    seeded = {p.name for p in LINK if p.name in st.query_params}
    if "text" in seeded:
        try:
            check_text(st.session_state[keep(P + "text")])
        except FormatError as e:
            st.session_state[keep(P + "text")] = DEFAULT_TEXT
            notices.append(("warning", f"“text” in the link is not allowed: {e} — using {DEFAULT_TEXT!r} instead."))
    if st.session_state.pop(keep(P + "link_cw"), False):
        notices.append(("info", "This link was made with weights uploaded or edited by hand, which a link "
                                "cannot carry: the page opens with the weights chosen above. Ask for the "
                                "weights JSON file and upload it here to see the same weights."))
    if st.session_state.pop(keep(P + "link_cx"), False):
        notices.append(("info", "This link was made with inputs uploaded or typed at length, which a link "
                                "cannot carry. Ask for the inputs CSV file and upload it here."))
    lo = st.session_state.pop(keep(P + "link_from"), None)
    hi = st.session_state.pop(keep(P + "link_to"), None)
    if lo is not None or hi is not None:
        st.session_state[keep(P + "clamp_range")] = (lo if lo is not None else 1, hi if hi is not None else cg.MAX_T)
        st.session_state[P + "range_from_link"] = True
    return seeded


def link_values(mode: str, unit: int, clamps: tuple, T: int, custom_w: bool, custom_x: bool) -> dict:
    """The page's current settings by link name: only those that shape the view."""
    s = lambda name: st.session_state.get(keep(P + name), DEFAULTS.get(name))   # noqa: E731
    v = {"m": mode, "u": unit}
    if mode == "numbers":
        v["w"] = s("w_source")
        if v["w"] == "preset":
            v["p"] = s("preset")
        elif v["w"] == "random":
            v.update(H=s("H"), D=s("D"), seed=s("seed"), scale=s("scale"), fb=s("forget_bias"))
        v["x"] = s("x_source")
        if v["x"] == "preset":
            v.update(seq=s("seq"), T=s("T"))
            if v["seq"] == "noise":
                v["nseed"] = s("noise_seed")
        elif v["x"] == "typed" and len(st.session_state.get(P + "typed_ok", "")) <= MAX_TYPED_LINK:
            v["typed"] = st.session_state.get(P + "typed_ok", DEFAULT_TYPED)
    else:
        v.update(H=s("H"), seed=s("seed"), scale=s("scale"), fb=s("forget_bias"), enc=s("encoding"),
                 text=st.session_state.get(P + "text_ok", DEFAULT_TEXT))
    if clamps:
        _, _, lo, hi = clamps[0]
        v.update(hold=s("hold"), **{"from": lo, "to": hi if hi < T else cg.MAX_T})
    v["cw"], v["cx"] = custom_w, custom_x
    return v


# ------------------------------------------------------------------ widgets

def random_ui(D: int | None) -> str:
    """Seeded random weights; D given (text mode: set by the text) or chosen with a slider."""
    c1, c2 = st.columns(2)
    H = c1.slider("Hidden units H", 1, cg.MAX_H, **kept_slider(P + "H"))
    if D is None:
        D = c2.slider("Inputs per step D (input_size)", 1, 4, **kept_slider(P + "D"))
    else:
        c2.markdown(f"Inputs per step D = **{D}**, set by the text and its encoding.")
    c3, c4, c5 = st.columns(3)
    seed = c3.number_input("Seed", 0, 1_000_000, step=1, **kept(P + "seed"))
    scale = c4.slider("Scale of the recurrent weights", 0.0, 3.0, step=0.1, **kept_slider(P + "scale"),
                      help="Standard deviation × √H of the weights on h_{t-1}; the weights on x_t have "
                           "standard deviation 1/√D.")
    fb = c5.slider("Forget-gate bias b_f", -5.0, 5.0, step=0.5, **kept_slider(P + "forget_bias"),
                   help="Added to every unit's forget gate: positive keeps the belt, negative wipes it.")
    st.caption("Every weight is drawn from a normal distribution (seeded); the biases are 0 except "
               "the forget gate's.")
    return cg.random_weights_json(int(D), int(H), int(seed), float(scale), float(fb))


def table_ui(base: str) -> tuple[str | None, bool]:
    """The weight table (st.data_editor) over `base`: (weights JSON or None on a bad edit, edited?).
    Hidden in presenter mode, where the figures keep the last edits of this table."""
    if presenting():
        now = st.session_state.get(P + "table_now")
        if st.session_state.get(keep(P + "by_hand")) and now and now[0] == base:
            st.session_state[P + "table_start"] = now       # the table comes back with these edits
            st.caption("Presenter mode: the weight table is hidden; the figures use its edits.")
            return now[1], now[1] != base
        return base, False
    if not st.toggle("Set any weight by hand (a table of every weight and bias)", **kept(P + "by_hand")):
        st.session_state.pop(P + "table_now", None)
        st.session_state.pop(P + "table_start", None)
        return base, False
    st.caption("W_f[unit u, h_k] multiplies unit k of h_{t-1}, W_f[unit u, x_d] the input x_t,d; "
               "b_f[unit u] is the bias; h0 and c0 are the state before step 1. Edits rerun the model. "
               "Picking other weights above, or turning this off, starts from the chosen weights again.")
    start = st.session_state.get(P + "table_start")
    start = start[1] if start and start[0] == base else base
    key = cg.editor_key(start)
    table = st.data_editor(cg.weights_table(start), key=key, disabled=["weight"], hide_index=True,
                           num_rows="fixed", width="stretch", height=260,
                           column_config={"weight": st.column_config.TextColumn("weight"),
                                          "value": st.column_config.NumberColumn("value", required=True)})
    if not (st.session_state.get(key) or {}).get("edited_rows"):
        st.session_state[P + "table_now"] = (base, start)
        return start, start != base
    try:
        edited = cg.weights_from_table(start, table["weight"].tolist(), table["value"].tolist())
    except FormatError as e:
        st.error(f"Weight table: {md(e)}.")
        return None, True
    st.session_state[P + "table_now"] = (base, edited)
    return edited, edited != base


def weights_ui() -> tuple[str | None, bool]:
    """The weights the student chose, as weights JSON, or None (with an st.error shown); and
    whether they are custom (uploaded or edited: too large for a link)."""
    source = st.radio("Weights", W_SOURCES, **kept(P + "w_source"), horizontal=True, format_func=W_LABELS.get)
    if source == "preset":
        name = st.selectbox("Preset", list(PRESETS), **kept(P + "preset"), on_change=_on_preset_change,
                            format_func=lambda n: f"{n} (input_size {PRESETS[n].input_size})")
        pr = PRESETS[name]
        st.caption(f"**{name}**: {pr.description} It reads {_per_step(pr.input_size)} (input_size = "
                   f"{pr.input_size}), so the inputs follow that; picking it also picks the sequence that "
                   f"shows it (*{pr.sequence}*).")
        base = cg.preset_weights_json(name)
    elif source == "random":
        base = random_ui(None)
    else:
        if presenting():
            st.caption("Presenter mode: uploads are hidden; the figures show the last weights.")
            return st.session_state[LAST_GOOD]["w"], True
        up = st.file_uploader("Weights JSON file", type=["json"], key=P + "w_upload",
                              help="The format of FORMATS.md; a file downloaded from this page works.")
        if up is None:
            st.info(f"Upload {WEIGHTS_FORMAT}. Until then the figures show the last run.")
            return None, True
        try:
            base = cg.parse_weights_upload(up.getvalue())
        except FormatError as e:
            st.error(f"Weights file {md(repr(up.name))}: {md(e)}. Allowed: {WEIGHTS_FORMAT}.")
            return None, True
    weights, edited = table_ui(base)
    return weights, edited or source == "upload"


LENGTH = "Length T (steps)"    # the preset sequence's length slider


def inputs_ui(D: int, seeded: set, notices: list) -> tuple[tuple | None, bool, tuple | None]:
    """The input sequence (flat tuple, D) for a model with D inputs, or None (st.error shown);
    whether it is too large for a link (uploaded, or typed at length); and, for a preset
    sequence, (kind, D, seed): cg.preset_inputs(kind, T, D, seed) is the sequence of any length T."""
    source = st.radio("Inputs", X_SOURCES, **kept(P + "x_source"), horizontal=True, format_func=X_LABELS.get)
    st.caption(f"The model reads {_per_step(D)} (its input_size is {D}): every input must have {D} "
               f"number{'s' * (D != 1)} per step, 1 to {cg.MAX_T} steps.")
    if source == "preset":
        c1, c2 = st.columns([1, 2])
        kind = c1.selectbox("Sequence", list(SEQUENCES), **kept(P + "seq"),
                            format_func=lambda k: f"{k}: {SEQUENCES[k]}")
        T = c2.slider(LENGTH, 1, cg.MAX_T, **kept_slider(P + "T"))
        seed = 0
        if kind == "noise":
            seed = st.number_input("Noise seed", 0, 1_000_000, step=1, **kept(P + "noise_seed"))
        return cg.preset_inputs(kind, int(T), int(D), int(seed)), False, (kind, int(D), int(seed))
    if source == "typed":
        example = "0, 0, 1, 0.5, -2" if D == 1 else "\n".join(["1, " + ", ".join(["0"] * (D - 1)),
                                                              ", ".join(["0"] * (D - 1)) + ", 1"])
        how = ("numbers separated by commas or spaces" if D == 1 else
               f"one step per line (or separated by ;), its {D} numbers separated by commas")
        if "typed" in seeded:                     # typed numbers from a link: refused like any other parameter
            try:
                cg.parse_typed_inputs(st.session_state[keep(P + "typed")], int(D))
            except FormatError as e:
                st.session_state[keep(P + "typed")] = DEFAULT_TYPED
                notices.append(("warning", f"“typed” in the link is not a sequence this model reads: {e} — "
                                           "using the default sequence instead."))
        text = st.text_area(f"Inputs, {how}", **kept(P + "typed"), height=100,
                            help=f"For example: {example}")
        st.button("Copy the current inputs into the box", on_click=_fill_typed)
        try:
            x = cg.parse_typed_inputs(text, int(D))
        except FormatError as e:
            st.error(f"Typed inputs: {md(e)}. Allowed: {how}, for example {example!r}; 1 to {cg.MAX_T} "
                     "steps of finite numbers.")
            return None, False, None
        st.session_state[P + "typed_ok"] = text
        if len(text) > MAX_TYPED_LINK:
            st.caption(f"These inputs are {len(text):,} characters long: too long for a link (up to "
                       f"{MAX_TYPED_LINK}). To share them, download the inputs CSV below.")
        return x, len(text) > MAX_TYPED_LINK, None
    header = ",".join(f"x{d + 1}" for d in range(D))
    allowed = (f"a CSV file with a header row naming the {D} input{'s' * (D != 1)} (for example {header}), "
               f"then one row of {D} number{'s' * (D != 1)} per step, 1 to {cg.MAX_T} steps")
    if presenting():
        st.caption("Presenter mode: uploads are hidden; the figures show the last inputs.")
        run = st.session_state[LAST_GOOD]
        return ((run["x"], run["D"]) if run["D"] == D else None), True, None
    up = st.file_uploader("Inputs CSV file", type=["csv", "txt"], key=P + "x_upload",
                          help="A header row naming the inputs, then one row per step (FORMATS.md).")
    if up is None:
        st.info(f"Upload {allowed}. Until then the figures show the last run.")
        return None, True, None
    try:
        return cg.parse_inputs_upload(up.getvalue(), int(D)), True, None
    except FormatError as e:
        st.error(f"Inputs file {md(repr(up.name))}: {md(e)}. Allowed: {allowed}.")
        return None, True, None


def text_ui() -> dict | None:
    """Typed text, encoded (ui.cache_gates.text_inputs) plus "text"; or None (st.error shown)."""
    text = st.text_input(f"Text, up to {MAX_CHARS} characters", **kept(P + "text"),
                         help="Each character is one step: a word, a sentence, some code with quotes...")
    enc = st.radio("Encoding of a character", ENCODINGS, **kept(P + "encoding"), horizontal=True,
                   format_func=ENC_LABELS.get)
    try:
        run = cg.text_inputs(text, enc)
    except FormatError as e:
        st.error(f"Text: {md(e)}. Allowed: {TEXT_ALLOWED}.")
        return None
    st.session_state[P + "text_ok"] = text
    if run["encoding"] == "one-hot":
        pairs = ", ".join(f"x_t,{d + 1} = “{'␣' if ch == ' ' else md(ch)}”" for d, ch in enumerate(run["features"]))
        st.caption(f"One-hot: one input per distinct character, 1 when that character is read, else 0 "
                   f"({pairs}).")
    else:
        if run["fell_back"]:
            st.info(f"The text has more than {MAX_ONE_HOT} distinct characters, too many for one-hot "
                    "here: it is read through the embedding instead.")
        freqs = ", ".join(f"sin(√{p}·n)" for p in EMBED_PRIMES)
        st.caption(f"Embedding: a character with code point n (its Unicode number) is read as the four "
                   f"numbers ({freqs}): fixed, the same in every text, different for different characters.")
    return {**run, "text": text}


def unit_ui(H: int, seeded: set, notices: list) -> int:
    if st.session_state.get(keep(P + "unit"), 0) >= H:
        if "u" in seeded:
            notices.append(("warning", f"“u={st.session_state[keep(P + 'unit')]}” is not a unit of this model "
                                       f"(units 0 to {H - 1}) — using unit 0 instead."))
        st.session_state[keep(P + "unit")] = 0
    return st.selectbox("Unit on the belt and in the line chart", list(range(H)), **kept(P + "unit"),
                        format_func=lambda u: f"unit {u}")


EXPLAIN = {   # what a student sees, by (forget gate, input gate)
    ("1", "free"): "With $f_t = 1$, $C_t = C_{t-1} + i_t\\,\\tilde C_t$: nothing is forgotten, the belt only "
                   "adds. Held on every step, this is the LSTM of 1997 (Hochreiter & Schmidhuber), which had no "
                   "forget gate; the "
                   "forget gate came in 2000 (Gers, Schmidhuber & Cummins) so that a cell can let go of what "
                   "it holds. Watch $C$ pile up instead of fading or resetting, and $h = o\\tanh(C)$ stick "
                   "near $\\pm o$ once $|C|$ is large.",
    ("0", "free"): "With $f_t = 0$, $C_t = i_t\\,\\tilde C_t$: the cell keeps nothing from one step to the next. "
                   "$C$ is just the newest candidate, so the cell can remember no further back than one step.",
    ("free", "0"): "With $i_t = 0$, $C_t = f_t\\,C_{t-1}$: nothing new is written. The belt only carries what "
                   "it had (fading wherever $f_t < 1$); the inputs of those steps cannot reach $C$ "
                   "(they still reach $h_t$ through the output gate).",
    ("1", "0"): "With $f_t = 1$ and $i_t = 0$, $C_t = C_{t-1}$: the belt is frozen. $C$ stays exactly what "
                "it was before these steps, whatever the input: this is how an LSTM holds a memory unchanged.",
    ("0", "0"): "With $f_t = 0$ and $i_t = 0$, $C_t = 0$: the belt is wiped and nothing is written, so "
                "$h_t = o_t\\tanh(0) = 0$.",
}


def held_range(lo: int, hi: int, T: int, prev_T: int | None) -> tuple[int, int]:
    """The held steps for a sequence of T steps, from the last ones (lo, hi) of a sequence of
    prev_T steps (None: none, or a link's): a range to the end stays to the end, and both ends
    are cut to 1..T."""
    if prev_T is not None and hi >= prev_T:
        hi = T
    lo, hi = min(max(1, int(lo)), T), min(max(1, int(hi)), T)
    return min(lo, hi), hi


def interventions_ui(T: int, seeded: set, notices: list) -> tuple:
    """Gates held fixed over a range of steps, as clamps (ui.cache_gates.clamps_for)."""
    heading.subheader("Experiment: hold a gate")
    st.caption("Override what a gate computes on the steps you choose, and see what it was doing: the "
               "heatmaps, the line chart and the belt show the run with the gate held.")
    c1, c2 = st.columns([1, 1])
    hold = c1.selectbox("Hold", tuple(HOLDS), **kept(P + "hold"), format_func=lambda h: HOLDS[h][2])
    forget, inp, _ = HOLDS[hold]
    c1.button("The LSTM of 1997: no forget gate", on_click=_lstm_1997,
              help="Hold f at 1 on every step: the LSTM as first published, before the forget gate.")
    rk = keep(P + "clamp_range")
    lo, hi = st.session_state.get(rk, (1, cg.MAX_T))
    from_link = st.session_state.pop(P + "range_from_link", False)
    if from_link and (lo > hi or lo > T):
        why = f"after “to={hi}”" if lo > hi else f"beyond the sequence's {T} steps"
        notices.append(("warning", f"“from={lo}” in the link is {why} — holding the gates from step 1 "
                                   "to the last step instead."))
        lo, hi = 1, cg.MAX_T
    lo, hi = held_range(lo, hi, T, None if from_link else st.session_state.get(P + "range_T"))
    st.session_state[rk] = (lo, hi)
    st.session_state[P + "range_T"] = T
    if T > 1:
        lo, hi = c2.slider("On steps (from, to)", 1, T, **kept_slider(P + "clamp_range"))
    else:
        c2.markdown("On step 1 (the sequence has one step).")
    clamps = cg.clamps_for(forget, inp, lo, hi)
    if clamps:
        held = "; ".join(held_label(*c) for c in clamps)
        st.info(f"**{held}.** " + EXPLAIN[(forget, inp)])
    return clamps


def heatmaps_alt(H: int, T: int, unit: int) -> str:
    return (f"Six heatmaps of the gates and states of {H} units over {T} steps, and the conveyor "
            f"belt of unit {unit}, with a Play button and a step slider.")


def length_ahead(remake: tuple | None, T: int, H: int, weights_json: str, unit: int, clamps: tuple,
                 scale: float, width: int | None) -> tuple:
    """The heatmaps for the values next to the "Length T" slider's (ui.charts.Ahead), so that
    its arrow keys are answered before the rerun: the same preset sequence one step shorter and
    one longer (remake: inputs_ui's), the held steps as interventions_ui sets them for it."""
    if remake is None:
        return ()
    kind, D, seed = remake
    figures = []
    for T2 in neighbours(T, 1, 1, cg.MAX_T):
        x2, _ = cg.preset_inputs(kind, T2, D, seed)
        held = tuple((g, v, *held_range(a, b, T2, T)) for g, v, a, b in clamps)
        try:
            spec = cg.heatmaps_json(weights_json, x2, D, unit, held, None, scale, width)
        except FormatError:          # overflowed at that length: the rerun shows the message
            continue
        figures.append((T2, spec, heatmaps_alt(H, T2, unit)))
    return (Ahead(LENGTH, T, 1, tuple(figures)),)


def share_ui(values: dict, custom_w: bool, custom_x: bool) -> None:
    """The link to this view, to copy; and what it cannot carry."""
    query = link_params(LINK, values)
    base = (st.context.url or "").rstrip("/").removesuffix("/" + PAGE_PATH)    # the app's address
    link = f"{base}/{PAGE_PATH}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    heading.subheader("Share this view")
    st.markdown("The address bar holds this page's settings: anyone who opens the link sees this view "
                "(the same weights, inputs, unit and held gates). Copy it from the box:")
    st.code(link, language=None, wrap_lines=True)
    if custom_w:
        st.warning("Your weights were uploaded or edited by hand: a link is too short to carry them. Share "
                   "the weights JSON (download below) and let the others upload it; the link says so.")
    if custom_x:
        st.warning("Your inputs were uploaded or are too long for a link: share the inputs CSV "
                   "(download below) and let the others upload it; the link says so.")


# ------------------------------------------------------------------ page

for _name, _value in DEFAULTS.items():
    default(P + _name, _value)
if LAST_GOOD not in st.session_state:
    _x, _D = cg.preset_inputs("pulse", 60, 1, 0)
    st.session_state[LAST_GOOD] = dict(w=cg.preset_weights_json("latch"), x=_x, D=_D, text=None, enc=None,
                                       features=None)
notices: list = []
seeded = read_link(notices)

heading.title("2 · Gates over time")
st.markdown(
    "Run the cell over a whole sequence and watch every gate at every step. Each heatmap is one "
    "quantity of the equations: time $t = 1..T$ runs across, the units $0..H-1$ run down. "
    "Press **▶ Play**, or drag the step slider under the heatmaps (its arrow keys step one at a time): "
    "a black frame marks step $t$ in "
    "every heatmap, and the conveyor belt on the right shows one unit at that step. "
    "It all runs in your browser; every number is lstm_core's, in float64."
)
notice_box = st.container()

mode = st.radio("The cell reads", MODES, **kept(P + "mode"), horizontal=True, format_func=MODE_LABELS.get)
col_w, col_x = st.columns(2, gap="large")
new_text = None
if mode == "numbers":
    with col_w:
        heading.subheader("Weights")
        new_weights, custom_w = weights_ui()
    D_new = cg.weights_shape(new_weights)[0] if new_weights is not None else st.session_state[LAST_GOOD]["D"]
    with col_x:
        heading.subheader("Inputs")
        new_inputs, custom_x, remake = inputs_ui(D_new, seeded, notices)
else:
    with col_x:
        heading.subheader("Text")
        new_text = text_ui()
    D_text = new_text["D"] if new_text is not None else st.session_state[LAST_GOOD]["D"]
    with col_w:
        heading.subheader("Weights")
        st.caption(f"Random weights of input size {D_text}, to match the text. They are not trained: no unit "
                   "has learned anything about text. In networks trained on text, Karpathy found cells that "
                   "switch on inside quotes or count along a line; here you see the machinery that makes that "
                   "possible: which gate opens at which character.")
        base = random_ui(D_text)
        new_weights, custom_w = table_ui(base)
    new_inputs = (new_text["x"], new_text["D"]) if new_text is not None else None
    custom_x, remake = False, None

free = None
if new_weights is not None and new_inputs is not None:
    try:
        free = cg.run_lstm(new_weights, new_inputs[0], new_inputs[1])
        st.session_state[LAST_GOOD] = dict(
            w=new_weights, x=new_inputs[0], D=new_inputs[1],
            text=new_text["text"] if new_text else None, enc=new_text["encoding"] if new_text else None,
            features=new_text["features"] if new_text else None)
    except FormatError as e:
        st.error(f"{e}.")
        new_weights = None

run = st.session_state[LAST_GOOD]
weights_json, x, D, text = run["w"], run["x"], run["D"], run["text"]
chars = tuple(text) if text is not None else None
if free is None:                                      # the new settings were refused: the last good run
    free = cg.run_lstm(weights_json, x, D)
T, H = free.T, free.hidden_size
if new_weights is None or new_inputs is None:
    st.warning(f"The figures below show the last good run (T = {T} steps, H = {H} "
               f"unit{'s' * (H != 1)}, input_size {D}).")

clamps = interventions_ui(T, seeded, notices)
trace = cg.run_lstm(weights_json, x, D, clamps) if clamps else free

heading.subheader("Every gate, every step")
unit = unit_ui(H, seeded, notices)
# Figures are passed straight to chart(), never kept in a page-level name: the widget
# callbacks defined on this page keep its globals alive for as long as the session lasts.
width = narrow_width(P + "heatmaps", NARROW_BELOW)       # on a narrow screen, the belt goes under the heatmaps
current = new_weights is not None and new_inputs is not None        # this run is of the widgets' values
stepping = stepped(P + "ahead", {"T": T}, 1) == "T"
chart(cg.heatmaps_json(weights_json, x, D, unit, clamps, chars, present_scale(), width),
      key=P + "heatmaps", narrow_below=NARROW_BELOW, width=width, config=chart_config("lstm-gates-over-time"),
      alt=heatmaps_alt(H, T, unit),
      ahead=length_ahead(remake if current and stepping else None, T, H, weights_json, unit, clamps,
                         present_scale(), width))
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
    "its gate. A dashed frame marks a gate held by the experiment above. The camera button in a chart's "
    "toolbar saves it as a PNG picture."
)

heading.subheader(f"Unit {unit}, step by step")
chart(present(unit_lines_figure(trace, unit, chars=chars, held=clamps, features=run["features"])),
      key=P + "lines", config=chart_config(f"lstm-unit-{unit}-over-time"),
      alt=f"Lines of the gates, candidate, cell state and hidden state of unit {unit} over {T} steps, "
          "and the inputs.")

with st.expander("What the hand-wired presets show"):
    st.markdown("\n".join(f"- **{n}** (input_size {p.input_size}, sequence *{p.sequence}*): {p.description}"
                          for n, p in PRESETS.items()))

values = link_values(mode, int(unit), clamps, T, bool(custom_w), bool(custom_x))
share_ui(values, bool(custom_w), bool(custom_x))

if not presenting():
    heading.subheader("Download")
    held_words = "; ".join(held_label(*c) for c in clamps)
    if clamps:
        st.markdown(f"The trace holds every number above, one row per (t, unit), in the format of FORMATS.md: "
                    f"here the run with the gates held (**{held_words}**). The command line cannot hold "
                    "gates, so `python -m lstm_core trace` computes the free run from the same weights and "
                    "inputs: set the gates free to download that trace.")
    else:
        st.markdown("The trace holds every number above, one row per (t, unit), in the format of FORMATS.md. "
                    "`python -m lstm_core trace --weights weights.json --inputs inputs.csv` writes the same "
                    "bytes from the other two files.")
    # Every file is made when its button is clicked (a function as `data`): the browser fetches
    # the file of a button that holds its bytes whenever they change, at every slider move.
    d1, d2, d3 = st.columns(3)
    d1.download_button("Trace CSV" + (" (gates held)" if clamps else ""),
                       functools.partial(cg.trace_csv, weights_json, x, D, clamps),
                       file_name="trace_gates_held.csv" if clamps else "trace.csv", mime="text/csv",
                       key=P + "dl_trace", on_click="ignore", icon=":material/download:")
    d2.download_button("Weights JSON", functools.partial(str, weights_json), file_name="weights.json",
                       mime="application/json", key=P + "dl_weights", on_click="ignore",
                       icon=":material/download:")
    d3.download_button("Inputs CSV", functools.partial(cg.inputs_csv, x, D), file_name="inputs.csv",
                       mime="text/csv", key=P + "dl_inputs", on_click="ignore", icon=":material/download:")
    if text is not None:
        st.markdown("For a spreadsheet, the trace with the character read at each step in a last column "
                    "`character`. A character a spreadsheet would take for the start of a formula "
                    "(=, +, -, @) is written with a ' in front.")
        st.download_button("Trace CSV with the characters" + (" (gates held)" if clamps else ""),
                           functools.partial(cg.trace_text_csv, weights_json, x, D, clamps, text),
                           file_name="trace_text_gates_held.csv" if clamps else "trace_text.csv", mime="text/csv",
                           key=P + "dl_trace_text", on_click="ignore", icon=":material/download:")
    torch_box = st.expander("The same model in PyTorch", key=P + "torch", on_change="rerun")
    if torch_box.open:                  # built only when opened: it is text of every weight and input
        with torch_box:
            st.markdown("This program builds `torch.nn.LSTM` in float64 with these weights (PyTorch's gate order "
                        "is i, f, g, o, named in its comments), runs these inputs from $h_0$, $C_0$, prints the "
                        "hidden states and checks that they equal the ones above."
                        + (" PyTorch's LSTM cannot hold a gate: it runs the free model." if clamps else ""))
            code = cg.pytorch_code(weights_json, x, D, text, run["enc"])
            st.code(code, language="python")
            st.download_button("PyTorch snippet (.py)", functools.partial(str, code),
                               file_name="lstm_gate_lab_pytorch.py",
                               mime="text/x-python", key=P + "dl_pytorch", on_click="ignore",
                               icon=":material/download:")

with notice_box:
    for kind, message in notices:
        (st.warning if kind == "warning" else st.info)(md(message) if kind == "warning" else message,
                                                       icon=":material/link:")

write_link(P, LINK, values)
