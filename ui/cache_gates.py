"""Cached computations and input checks for the page "2 · Gates over time".

Every cached function takes hashable primitives only: weights as weights-JSON text (the
format of FORMATS.md, written by lstm_core.formats.params_to_json), an input sequence as the
bytes of its float64 values (row by row) plus its number of features D. Bytes, not a tuple
of floats: Streamlit hashes the arguments of a cached function at every call, and a tuple
of 500 floats took 500 steps each time, several times per rerun. The page always runs the model from that
JSON text, so what it shows is exactly what `python -m lstm_core trace` computes for the
downloaded weights and inputs.

Gates held fixed (the page's experiments) are passed as `clamps`: a tuple of
(gate, value, start, stop) tuples, each an lstm_core.interventions.Clamp.

The parse_* and *_from_table functions raise FormatError with a message a student can act
on; the page shows it with st.error and keeps its last good state.
"""
from __future__ import annotations

import hashlib
import math

import numpy as np
import streamlit as st

from figures.heatmaps import belt_steps, gates_over_time_figure
from lstm_core import Clamp, lstm_forward
from lstm_core.export import pytorch_snippet, trace_with_text_csv
from lstm_core.formats import (FormatError, inputs_from_csv, inputs_to_csv, params_from_json, params_to_json,
                               parse_sequence_text, sequence_to_text, trace_to_csv)
from lstm_core.params import LSTMParams
from lstm_core.presets import PRESETS, random_lstm
from lstm_core.sequences import make_sequence
from lstm_core.textseq import encode
from ui.charts import figure_bytes

MAX_T = 500            # longest sequence the page draws
MAX_H = 16             # most hidden units the page draws
MAX_D = 8              # most input features the page accepts (uploads, typed text)
MAX_ABS = 1e6          # largest |weight| or |input| accepted: keeps every W·[h, x] + b finite
LIMITS = "between -1,000,000 and 1,000,000"
GATES = "fico"         # the order of the weight table: forget, input, candidate, output


# ------------------------------------------------------------------ weights

@st.cache_data(show_spinner=False, max_entries=64)
def preset_weights_json(name: str) -> str:
    """The hand-wired preset `name` as weights JSON."""
    return params_to_json(PRESETS[name].params())


@st.cache_data(show_spinner=False, max_entries=64)
def random_weights_json(input_size: int, hidden_size: int, seed: int, scale: float, forget_bias: float) -> str:
    """Seeded random weights (lstm_core.presets.random_lstm) as weights JSON."""
    return params_to_json(random_lstm(int(input_size), int(hidden_size), seed=int(seed), scale=float(scale),
                                      forget_bias=float(forget_bias)))


def _check_model(params) -> LSTMParams:
    if params.model != "lstm":
        raise FormatError(f'the file holds a "{params.model}" model; this page runs an LSTM '
                          '("model": "lstm")')
    if params.hidden_size > MAX_H:
        raise FormatError(f"the file has hidden_size {params.hidden_size}; this page draws 1 to {MAX_H} units")
    if params.input_size > MAX_D:
        raise FormatError(f"the file has input_size {params.input_size}; this page accepts 1 to {MAX_D} inputs")
    for name, a in params.to_dict().items():
        if np.any(np.abs(a) > MAX_ABS):
            raise FormatError(f"{name} holds a number larger than 1,000,000 in size; keep every weight {LIMITS}")
    return params


@st.cache_data(show_spinner=False, max_entries=16)
def parse_weights_upload(data: bytes) -> str:
    """An uploaded weights-JSON file, checked, as canonical weights JSON. Raises FormatError."""
    return params_to_json(_check_model(params_from_json(data)))


def weight_names(input_size: int, hidden_size: int) -> list[str]:
    """Row names of the weight table, in its order: for each gate f, i, c, o the matrix W
    (row = unit, columns h_0..h_{H-1} then x_1..x_D) then the bias; then h_0 and C_0."""
    D, H = int(input_size), int(hidden_size)
    cols = [f"h_{k}" for k in range(H)] + [f"x_{d + 1}" for d in range(D)]
    names = []
    for g in GATES:
        names += [f"W_{g}[unit {u}, {c}]" for u in range(H) for c in cols]
        names += [f"b_{g}[unit {u}]" for u in range(H)]
    names += [f"h0[unit {u}]" for u in range(H)] + [f"c0[unit {u}]" for u in range(H)]
    return names


def _flat_weights(params: LSTMParams) -> list[float]:
    out = []
    for g in GATES:
        out += getattr(params, f"W_{g}").reshape(-1).tolist() + getattr(params, f"b_{g}").tolist()
    return out + params.h0.tolist() + params.c0.tolist()


@st.cache_data(show_spinner=False, max_entries=16)
def weights_table(weights_json: str):
    """Every weight and bias as a table (columns "weight", "value"), for st.data_editor."""
    import pandas as pd

    p = params_from_json(weights_json)
    return pd.DataFrame({"weight": weight_names(p.input_size, p.hidden_size),
                         "value": np.array(_flat_weights(p), dtype=np.float64)})


def editor_key(weights_json: str) -> str:
    """The data editor's key: new weights from the source start a fresh table."""
    return "gates.editor." + hashlib.sha1(weights_json.encode()).hexdigest()[:12]


def weights_from_table(weights_json: str, names: list, values: list) -> str:
    """Weights JSON from the (edited) table. Refuses missing, non-numeric, non-finite or
    too-large cells, and a table whose rows were changed, with FormatError."""
    p = params_from_json(weights_json)
    D, H = p.input_size, p.hidden_size
    expected = weight_names(D, H)
    if list(names) != expected or len(values) != len(expected):
        raise FormatError("the table's rows were changed; it must list every weight once, in its order")
    flat = []
    for name, v in zip(expected, values):
        try:
            f = float(v) if v is not None and not isinstance(v, (bool, str)) else float("nan")
        except (TypeError, ValueError):
            f = float("nan")
        if math.isnan(f):
            raise FormatError(f"{name} is empty or not a number: type a number {LIMITS}")
        if not math.isfinite(f) or abs(f) > MAX_ABS:
            raise FormatError(f"{name} is {v}: type a number {LIMITS}")
        flat.append(f)
    a, k, kw = np.array(flat), 0, {}
    for g in GATES:
        kw[f"W_{g}"] = a[k:k + H * (H + D)].reshape(H, H + D)
        k += H * (H + D)
        kw[f"b_{g}"] = a[k:k + H]
        k += H
    kw["h0"], kw["c0"] = a[k:k + H], a[k + H:k + 2 * H]
    return params_to_json(LSTMParams(**kw))


def weights_shape(weights_json: str) -> tuple[int, int]:
    """(input_size, hidden_size) of weights JSON."""
    p = _params(weights_json)
    return p.input_size, p.hidden_size


@st.cache_data(show_spinner=False, max_entries=64)
def _params(weights_json: str) -> LSTMParams:
    return params_from_json(weights_json)


# ------------------------------------------------------------------ inputs

def _flat(x: np.ndarray) -> tuple[bytes, int]:
    x = np.ascontiguousarray(x, dtype=np.float64)
    return x.tobytes(), int(x.shape[1])


def _check_inputs(x: np.ndarray) -> np.ndarray:
    if x.shape[0] > MAX_T:
        raise FormatError(f"the sequence has {x.shape[0]:,} steps; this page draws 1 to {MAX_T} steps")
    if np.any(np.abs(x) > MAX_ABS):
        raise FormatError(f"an input is larger than 1,000,000 in size; keep inputs {LIMITS}")
    return x


@st.cache_data(show_spinner=False, max_entries=64)
def preset_inputs(kind: str, T: int, input_size: int, seed: int = 0) -> tuple[bytes, int]:
    """The input sequence `kind` (lstm_core.sequences) as (bytes of its values, D)."""
    return _flat(make_sequence(kind, int(T), int(input_size), seed=int(seed)))


@st.cache_data(show_spinner=False, max_entries=32)
def parse_typed_inputs(text: str, input_size: int) -> tuple[bytes, int]:
    """Numbers typed by a student (lstm_core.formats.parse_sequence_text), checked."""
    return _flat(_check_inputs(parse_sequence_text(text, int(input_size), max_steps=MAX_T)))


@st.cache_data(show_spinner=False, max_entries=16)
def parse_inputs_upload(data: bytes, input_size: int) -> tuple[bytes, int]:
    """An uploaded inputs-CSV file (lstm_core.formats.inputs_from_csv), checked."""
    x, _ = inputs_from_csv(data, int(input_size))
    return _flat(_check_inputs(x))


def sequence_text(x_flat: bytes, input_size: int) -> str:
    """Inputs as text a student can edit (parses back to the same numbers)."""
    return sequence_to_text(_inputs(x_flat, input_size))


# ------------------------------------------------------------------ the run

def _inputs(x_flat: bytes, input_size: int) -> np.ndarray:
    """The (T, D) inputs from their bytes (read-only: the core copies what it keeps)."""
    return np.frombuffer(x_flat, dtype=np.float64).reshape(-1, int(input_size))


def clamps_for(forget: str, inp: str, start: int, stop: int) -> tuple:
    """The page's experiment as clamps: forget "free", "1" or "0"; inp "free" or "0"; both
    over steps start..stop."""
    out = []
    if forget != "free":
        out.append(("f", float(forget), int(start), int(stop)))
    if inp != "free":
        out.append(("i", float(inp), int(start), int(stop)))
    return tuple(out)


@st.cache_data(show_spinner=False, max_entries=32)
def run_lstm(weights_json: str, x_flat: bytes, input_size: int, clamps: tuple = ()):
    """The LSTMTrace of the weights over the inputs (T, D), with any gates held (clamps).
    Raises FormatError if the inputs do not fit the model or a value overflowed."""
    p = _params(weights_json)
    if int(input_size) != p.input_size:
        raise FormatError(f"the inputs have {input_size} number{'s' * (input_size != 1)} per step, "
                          f"but the model's input_size is {p.input_size}")
    x = _inputs(x_flat, input_size)
    if x.shape[0] < 1:
        raise FormatError("the sequence is empty: it needs at least one step")
    trace = lstm_forward(p, x, clamps=tuple(Clamp(g, float(v), int(a), int(b)) for g, v, a, b in clamps))
    if not (np.isfinite(trace.gates).all() and np.isfinite(trace.c).all() and np.isfinite(trace.h).all()):
        raise FormatError("the numbers are so large that the model overflowed; use smaller weights or inputs")
    return trace


@st.cache_data(show_spinner=False, max_entries=16)
def trace_csv(weights_json: str, x_flat: bytes, input_size: int, clamps: tuple = ()) -> str:
    """The trace CSV (FORMATS.md). Without clamps: byte for byte what `python -m lstm_core trace`
    writes; with clamps, the same format for the run with those gates held."""
    return trace_to_csv(run_lstm(weights_json, x_flat, input_size, clamps))


@st.cache_data(show_spinner=False, max_entries=16)
def trace_text_csv(weights_json: str, x_flat: bytes, input_size: int, clamps: tuple, text: str) -> str:
    """The trace CSV with a last column `character` (lstm_core.export.trace_with_text_csv)."""
    return trace_with_text_csv(run_lstm(weights_json, x_flat, input_size, clamps), text)


@st.cache_data(show_spinner=False, max_entries=16)
def inputs_csv(x_flat: bytes, input_size: int) -> str:
    """The inputs as inputs CSV (header x1..xD), for the CLI."""
    return inputs_to_csv(_inputs(x_flat, input_size))


@st.cache_data(show_spinner=False, max_entries=16)
def pytorch_code(weights_json: str, x_flat: bytes, input_size: int, text: str | None = None,
                 encoding: str | None = None) -> str:
    """The PyTorch snippet (lstm_core.export.pytorch_snippet) for these weights and inputs."""
    return pytorch_snippet(_params(weights_json), _inputs(x_flat, input_size), text=text, encoding=encoding)


@st.cache_data(show_spinner=False, max_entries=32)
def heatmaps_json(weights_json: str, x_flat: bytes, input_size: int, unit: int, clamps: tuple = (),
                  chars: tuple | None = None, scale: float = 1.0, width: int | None = None) -> bytes:
    """The page's heatmaps figure (figures.heatmaps.gates_over_time_figure: every gate at every
    step, and the belt of `unit`), as the JSON bytes the browser reads (ui.charts.figure_bytes),
    enlarged by `scale` in presenter mode, stacked for a chart `width` px wide (None: the belt
    beside the heatmaps). Kept as bytes: a cache hit copies them in a blink,
    where the figure's dicts (one frame per step) took several ms to copy and again to write
    out, at every rerun."""
    trace = run_lstm(weights_json, x_flat, input_size, clamps)
    fig = gates_over_time_figure(trace, int(unit), belt=belt_steps(trace, int(unit)), chars=chars, held=clamps,
                                 width=width)
    return figure_bytes(fig.enlarged(scale) if scale != 1.0 else fig)


# ------------------------------------------------------------------ text

@st.cache_data(show_spinner=False, max_entries=32)
def text_inputs(text: str, encoding: str) -> dict:
    """Typed text as inputs (lstm_core.textseq.encode): {"x": bytes of the values, "D": inputs per step,
    "features": what each input stands for, "encoding": the one used, "fell_back": True when
    one-hot was asked for but the text has too many distinct characters}. Raises FormatError."""
    e = encode(text, encoding)
    x, D = _flat(e.x)
    return {"x": x, "D": D, "features": e.features, "encoding": e.encoding, "fell_back": e.fell_back}
