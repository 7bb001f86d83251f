"""The shared file formats (see README "Formats"): weights JSON, inputs CSV, trace CSV,
gradients CSV. Readers check everything and raise FormatError with a message a person can
act on; writers produce numbers that read back to the same float64.

Nothing here evaluates or unpickles what it reads: JSON through json.loads (NaN and Infinity
refused), CSV through the csv module, numbers through float(). Every reader is bounded: files
over MAX_JSON_BYTES / MAX_CSV_BYTES, more than MAX_STEPS steps or MAX_SIZE features, and deep
JSON nesting are refused before any long work (tests/test_fuzz_inputs.py times the worst cases).

CSV written here never starts a cell holding a person's text (a feature name) with = + - @,
a tab or a carriage return: a spreadsheet opening the file would run such a cell as a formula
(=cmd|' /C calc'!A0). Such a name is written with a leading single quote ('=cmd...), which
spreadsheets show as text; see safe_csv_cell.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re

import numpy as np

from .params import LSTMParams, RNNParams

MAX_JSON_BYTES = 5_000_000     # the largest weights file accepted (about 200 000 numbers)
MAX_CSV_BYTES = 5_000_000      # the largest inputs file accepted
MAX_STEPS = 10_000             # the longest sequence a file may hold
MAX_SIZE = 512                 # largest input_size / hidden_size accepted


class FormatError(ValueError):
    """A file or text that does not follow the format; the message says what and where."""


# ---------------------------------------------------------------- numbers

def fmt(v: float) -> str:
    """A float64 as the shortest text that reads back to the same value ('0.1', '1e-112')."""
    return repr(float(v))


def _number(v, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise FormatError(f"{where} is {_show(v)}, not a number")
    try:
        f = float(v)
    except OverflowError:       # an integer with more than 308 digits
        raise FormatError(f"{where} is {_show(v)}, not a finite number") from None
    if not math.isfinite(f):
        raise FormatError(f"{where} is {v}, not a finite number")
    return f


def _show(v) -> str:
    s = json.dumps(v) if not isinstance(v, str) else repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


# ---------------------------------------------------------------- weights JSON

def _refuse_constant(name):
    raise FormatError(f"{name} is not allowed: every number must be finite")


def _size(d: dict, key: str) -> int:
    if key not in d:
        raise FormatError(f'"{key}" is missing')
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, int) and not (isinstance(v, float) and v.is_integer()):
        raise FormatError(f'"{key}" is {_show(v)}: it must be a whole number from 1 to {MAX_SIZE}')
    v = int(v)
    if not 1 <= v <= MAX_SIZE:
        raise FormatError(f'"{key}" is {v}: it must be from 1 to {MAX_SIZE}')
    return v


def _matrix(d: dict, key: str, rows: int, cols: int) -> np.ndarray:
    if key not in d:
        raise FormatError(f'"{key}" is missing (a list of {rows} rows of {cols} numbers)')
    m = d[key]
    if not isinstance(m, list) or len(m) != rows:
        got = f"{len(m)} rows" if isinstance(m, list) else _show(m)
        raise FormatError(f'"{key}" must be a list of {rows} rows (hidden_size), got {got}')
    for r, row in enumerate(m):
        if not isinstance(row, list) or len(row) != cols:
            got = f"{len(row)} numbers" if isinstance(row, list) else _show(row)
            raise FormatError(f'"{key}" row {r + 1} must hold {cols} numbers '
                              f"(hidden_size + input_size), got {got}")
    fast = _all_finite_numbers(m)
    if fast is not None:
        return fast.reshape(rows, cols)
    out = np.empty((rows, cols))
    for r, row in enumerate(m):          # find the entry that is not a finite number
        fast = _all_finite_numbers([row])
        if fast is not None:
            out[r] = fast[0]
            continue
        for c, v in enumerate(row):
            out[r, c] = _number(v, f'"{key}" row {r + 1} column {c + 1}')
    return out


def _vector(d: dict, key: str, n: int, optional: bool = False) -> np.ndarray | None:
    if key not in d or (optional and d[key] is None):
        if optional:
            return None
        raise FormatError(f'"{key}" is missing (a list of {n} numbers)')
    v = d[key]
    if not isinstance(v, list) or len(v) != n:
        got = f"{len(v)} numbers" if isinstance(v, list) else _show(v)
        raise FormatError(f'"{key}" must be a list of {n} numbers (hidden_size), got {got}')
    fast = _all_finite_numbers([v])
    if fast is not None:
        return fast.reshape(n)
    return np.array([_number(x, f'"{key}" entry {k + 1}') for k, x in enumerate(v)])


def _all_finite_numbers(rows: list) -> np.ndarray | None:
    """The numbers of equally long lists of JSON numbers, at C speed; None if any entry is not
    a finite int or float (the caller then finds and names it, one entry at a time)."""
    kinds = set()
    for row in rows:
        kinds.update(map(type, row))
    if not kinds <= {int, float}:
        return None
    try:
        a = np.array(rows, dtype=np.float64)
    except (OverflowError, ValueError, TypeError):
        return None
    return a if np.isfinite(a).all() else None


def params_from_dict(d) -> LSTMParams | RNNParams:
    """Weights from a parsed weights-JSON object, fully checked."""
    if not isinstance(d, dict):
        raise FormatError("the file must hold one JSON object {...} with the model's weights")
    model = d.get("model")
    if model not in ("lstm", "rnn"):
        raise FormatError(f'"model" is {_show(model) if "model" in d else "missing"}: it must be "lstm" or "rnn"')
    D = _size(d, "input_size")
    H = _size(d, "hidden_size")
    if model == "lstm":
        kw = {f"W_{g}": _matrix(d, f"W_{g}", H, H + D) for g in "fico"}
        kw.update({f"b_{g}": _vector(d, f"b_{g}", H) for g in "fico"})
        return LSTMParams(**kw, h0=_vector(d, "h0", H, optional=True), c0=_vector(d, "c0", H, optional=True))
    return RNNParams(W=_matrix(d, "W", H, H + D), b=_vector(d, "b", H), h0=_vector(d, "h0", H, optional=True))


def _as_text(data, limit: int, what: str, kind: str) -> str:
    """File contents (bytes, UTF-8, an optional BOM) or text, checked against the size limit.
    what: "a weights file"; kind: "JSON". Raises FormatError."""
    files = what.split(" ", 1)[1] + "s"
    if isinstance(data, bytes):
        if len(data) > limit:
            raise FormatError(f"the file is {len(data):,} bytes; {files} up to {limit:,} bytes are accepted")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FormatError(f"the file is not UTF-8 text ({what} is {kind} text)") from None
    if not isinstance(data, str):
        raise FormatError(f"{what} must be text")
    if len(data) > limit:
        raise FormatError(f"the text is {len(data):,} characters; {files} up to {limit:,} are accepted")
    return data


def params_from_json(text: str | bytes) -> LSTMParams | RNNParams:
    """Weights from weights-JSON text. Raises FormatError."""
    text = _as_text(text, MAX_JSON_BYTES, "a weights file", "JSON")
    if not text.strip():
        raise FormatError("the file is empty: expected a JSON object with the model's weights")
    try:
        d = json.loads(text, parse_constant=_refuse_constant)
    except FormatError:
        raise
    except RecursionError:
        raise FormatError("the JSON is nested too deeply to be a weights file") from None
    except json.JSONDecodeError as e:
        raise FormatError(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except ValueError as e:   # e.g. integers with too many digits
        raise FormatError(f"not valid JSON: {e}") from None
    return params_from_dict(d)


def params_to_dict(params) -> dict:
    """Weights as a weights-JSON object (plain lists of floats)."""
    d = {"model": params.model, "input_size": params.input_size, "hidden_size": params.hidden_size}
    for k, v in params.to_dict().items():
        d[k] = v.tolist()
    return d


def params_to_json(params) -> str:
    """Weights-JSON text; json writes floats with repr, so they read back exactly."""
    return json.dumps(params_to_dict(params), indent=1) + "\n"


# ---------------------------------------------------------------- inputs CSV

def inputs_from_csv(text: str | bytes, input_size: int | None = None) -> tuple[np.ndarray, list[str]]:
    """An input sequence (T, D) and its feature names from inputs-CSV text.

    Checks: a header naming the features (1 to MAX_SIZE names, no control characters), at
    least one row, the same number of columns on every row (and input_size of them, when
    given), every cell a finite number, at most MAX_STEPS rows. Blank lines are skipped.
    """
    text = _as_text(text, MAX_CSV_BYTES, "an inputs file", "CSV")
    text = text.lstrip("\ufeff").strip("\r\n")
    if not text.strip():
        raise FormatError("the file is empty: expected a header row, then one row of numbers per time step")
    lines = max(text.count("\n"), text.count("\r")) + 1
    if lines > MAX_LINES:          # (millions of blank lines would take seconds to skip)
        raise FormatError(f"the file has {lines:,} lines; an inputs file has a header row and at most "
                          f"{MAX_STEPS:,} time steps")
    try:
        rows = (r for r in csv.reader(io.StringIO(text, newline=None)) if "".join(r).strip())   # \n, \r\n or \r
        first = next(rows, None)
        if first is None:
            raise FormatError("the file holds no values: expected a header row, then one row of numbers per time step")
        header = _header(first, input_size)
        body = []
        for row in rows:
            body.append(row)
            if len(body) > MAX_STEPS:
                raise FormatError(f"the file has more than {MAX_STEPS:,} time steps; at most {MAX_STEPS:,} are accepted")
    except csv.Error as e:
        raise FormatError(f"not valid CSV: {e}") from None
    if not body:
        raise FormatError("the file has a header but no time steps: add one row of numbers per step")
    D = len(header)
    for t, row in enumerate(body, start=1):
        if len(row) != D:
            raise FormatError(f"row {t + 1} (step {t}) has {len(row)} cells, the header names {D} features")
    x = _csv_numbers(body, D)
    if x is None:                  # some cell is not a finite number: find it and say where
        x = np.empty((len(body), D))
        for t, row in enumerate(body, start=1):
            fast = _csv_numbers([row], D)
            if fast is not None:
                x[t - 1] = fast[0]
                continue
            for d, cell in enumerate(row):
                x[t - 1, d] = parse_number(cell, f"row {t + 1} (step {t}), column {header[d]!r}")
    return x, header


MAX_LINES = 2 * (MAX_STEPS + 1)    # lines an inputs file may have, blank ones included
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _header(first: list[str], input_size: int | None) -> list[str]:
    header = [h.strip() for h in first]
    D = len(header)
    if any(not h for h in header):
        raise FormatError("the header row has an empty column name: name every feature (for example: x1,x2)")
    if D > MAX_SIZE:
        raise FormatError(f"the header names {D:,} features; at most {MAX_SIZE} are accepted")
    for d, h in enumerate(header, start=1):
        if _CONTROL.search(h):
            raise FormatError(f"the name of column {d} in the header, {_show(h)}, holds a control character "
                              "or line break: name every feature with plain text (for example: x1,x2)")
    if all(_is_number(h) for h in header):
        raise FormatError("the first row must be a header naming the features (for example: x1,x2), "
                          f"but it holds numbers: {','.join(header)[:60]}")
    if input_size is not None and D != input_size:
        raise FormatError(f"the file has {D} column{'s' * (D != 1)} ({', '.join(header)[:60]}), "
                          f"but the model's input_size is {input_size}")
    return header


def _csv_numbers(body: list[list[str]], D: int) -> np.ndarray | None:
    """Every cell of the body as float64, at C speed, when every cell is what parse_number
    accepts (at most 40 characters, no '_', finite); None otherwise."""
    cells = [c for row in body for c in row]
    if max(map(len, cells)) > 40 or "_" in "".join(cells):
        return None
    try:
        x = np.array(list(map(float, cells)), dtype=np.float64).reshape(len(body), D)
    except ValueError:
        return None
    return x if np.isfinite(x).all() else None


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def parse_number(cell: str, where: str) -> float:
    """One number typed or read from a file: decimal notation only, finite."""
    s = cell.strip()
    if not s:
        raise FormatError(f"{where} is empty: every cell must hold a number")
    if len(s) > 40 or "_" in s:
        raise FormatError(f"{where} is {_show(s)}, not a number")
    try:
        v = float(s)
    except ValueError:
        raise FormatError(f"{where} is {_show(s)}, not a number") from None
    if not math.isfinite(v):
        raise FormatError(f"{where} is {_show(s)}: only finite numbers are allowed")
    return v


def inputs_to_csv(x, names: list[str] | None = None) -> str:
    """An input sequence (T, D) as inputs-CSV text. Feature names (which may come from an
    uploaded file's header) are written through safe_csv_cell: a name a spreadsheet would run
    as a formula gets a leading ', and a name holding a comma, quote or line break is quoted."""
    x = np.asarray(x, dtype=np.float64)
    names = names or [f"x{d + 1}" for d in range(x.shape[1])]
    lines = [",".join(safe_csv_cell(n) for n in names)] + [",".join(fmt(v) for v in row) for row in x]
    return "\n".join(lines) + "\n"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")    # what spreadsheets read as the start of a formula


def safe_csv_cell(text: str) -> str:
    """A person's text (a feature name, say) as one CSV cell that a spreadsheet shows as text.

    A cell starting with = + - @, a tab or a carriage return (after any spaces) would be run
    as a formula when the file is opened in a spreadsheet (=cmd|' /C calc'!A0, =HYPERLINK(...)):
    it is written with a single quote in front ('=cmd|...), which spreadsheets take as "this is
    text". A cell holding a comma, a double quote or a line break is quoted (RFC 4180), so the
    file keeps its columns. Reading the file back gives the name with its leading quote."""
    text = str(text)
    if text.lstrip(" ").startswith(FORMULA_START):
        text = "'" + text
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


# ---------------------------------------------------------------- trace and gradients CSV

def trace_to_csv(trace) -> str:
    """The trace CSV: `t,unit,<columns>` (plus `sequence` when batched), one row per
    (t, unit) ordered by sequence, t, unit; t from 1, unit from 0."""
    cols = trace.columns()
    names = list(cols)
    T, B, H = trace.h.shape
    header = ["t", "unit", *names] + (["sequence"] if trace.batched else [])
    stacked = np.stack([cols[n] for n in names], axis=-1)   # (T, B, H, K)
    out = [",".join(header)]
    for b in range(B):
        tail = f",{b}" if trace.batched else ""
        for t in range(T):
            for u in range(H):
                out.append(f"{t + 1},{u}," + ",".join(map(fmt, stacked[t, b, u].tolist())) + tail)
    return "\n".join(out) + "\n"


def gradients_to_csv(grads, sequence: int = 0) -> str:
    """The gradients CSV: `t,grad_h_norm[,grad_c_norm]`, one row per step t = 1..T,
    for one sequence of the batch."""
    gh = grads.grad_h_norm()[:, sequence]
    gc = grads.grad_c_norm()[:, sequence] if hasattr(grads, "grad_c_norm") else None
    out = ["t,grad_h_norm" + (",grad_c_norm" if gc is not None else "")]
    for t in range(len(gh)):
        out.append(f"{t + 1},{fmt(gh[t])}" + (f",{fmt(gc[t])}" if gc is not None else ""))
    return "\n".join(out) + "\n"


def param_grads_to_dict(grads) -> dict:
    return {k: v.tolist() for k, v in grads.params().items()}


# ---------------------------------------------------------------- typed sequences

MAX_TYPED_CHARS = 100_000


def parse_sequence_text(text: str, input_size: int = 1, max_steps: int = 500) -> np.ndarray:
    """A sequence typed by a student, as an array (T, input_size).

    One input:  numbers separated by commas, spaces or new lines: "0, 1, 0.5 -2".
    Several:    one step per line (or separated by ';'), the step's numbers separated by
                commas or spaces: "1, 0; 0, 1".
    Raises FormatError saying what is wrong and what is allowed.
    """
    if not isinstance(text, str):
        raise FormatError("the sequence must be text")
    if len(text) > MAX_TYPED_CHARS:
        raise FormatError(f"the text is {len(text):,} characters long; type at most {max_steps} steps")
    D = int(input_size)
    if D < 1:
        raise ValueError(f"input_size must be at least 1, not {input_size!r}")
    if D == 1:
        cells = [c for c in text.replace(";", ",").replace("\n", ",").replace(" ", ",").replace("\t", ",").split(",")
                 if c.strip()]
        if not cells:
            raise FormatError("the sequence is empty: type at least one number, for example 0, 1, 0.5")
        if len(cells) > max_steps:
            raise FormatError(f"the sequence has {len(cells):,} steps; at most {max_steps} are allowed")
        return np.array([[parse_number(c, f"step {t}")] for t, c in enumerate(cells, start=1)])
    steps = [s for s in text.replace("\n", ";").split(";") if s.strip()]
    if not steps:
        raise FormatError(f"the sequence is empty: type one step per line, {D} numbers each, for example "
                          + "; ".join([", ".join(["1"] + ["0"] * (D - 1)), ", ".join(["0"] * (D - 1) + ["1"])]))
    if len(steps) > max_steps:
        raise FormatError(f"the sequence has {len(steps):,} steps; at most {max_steps} are allowed")
    x = np.empty((len(steps), D))
    for t, s in enumerate(steps, start=1):
        cells = [c for c in s.replace(" ", ",").replace("\t", ",").split(",") if c.strip()]
        if len(cells) != D:
            raise FormatError(f"step {t} has {len(cells)} number{'s' * (len(cells) != 1)}; "
                              f"each step needs {D} (one per input), separated by commas")
        for d, c in enumerate(cells):
            x[t - 1, d] = parse_number(c, f"step {t}, input {d + 1}")
    return x


def sequence_to_text(x) -> str:
    """The inverse of parse_sequence_text: text that parses back to the same array."""
    x = np.asarray(x, dtype=np.float64)
    if x.shape[1] == 1:
        return ", ".join(fmt(v) for v in x[:, 0])
    return "\n".join(", ".join(fmt(v) for v in row) for row in x)
