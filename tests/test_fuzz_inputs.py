"""Hostile input: the weights-JSON and inputs-CSV readers and the typed-sequence parser
(lstm_core.formats) take random and adversarial input - huge numbers, deep nesting,
multi-megabyte text, Unicode, NUL bytes, spreadsheet formulas - and either refuse it with a
FormatError whose message is one line, or return well-formed finite numbers; never another
exception, and never more than a second of work. And no CSV the app writes starts a cell
holding a person's text with = + - @ (a spreadsheet would run it as a formula)."""
import csv
import io
import json
import os
import re
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_core.formats import (FORMULA_START, MAX_CSV_BYTES, MAX_JSON_BYTES, MAX_SIZE, MAX_STEPS, FormatError,
                               inputs_from_csv, inputs_to_csv, params_from_json, params_to_json,
                               parse_sequence_text, safe_csv_cell)
from lstm_core.params import LSTMParams, RNNParams
from lstm_core.presets import random_lstm

FORMULAS = ["=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x.invalid\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)",
            "\t=1", "\r=1", " =1+1", "=1,2", '="a"']
NASTY_TEXT = ["", " ", "\x00", "\x00" * 50, "\ufeff", "\u202e", "\u2028", "１", "١٢٣", "𝟙", "½", "ﬁ", "é",
              "NaN", "nan", "inf", "-Infinity", "1e309", "-1e309", "1e-400", "0x10", "1_000", "1,5", "1.5.5",
              "9" * 400, "9" * 5000, "'", '"', "\\", "\n", "\r\n", "🙂", "\ud800"] + FORMULAS
HUGE_NUMBERS = [10 ** 400, -10 ** 400, 10 ** 308, 1e308, -1e308, 5e-324, 2 ** 63, 2 ** 64 + 1]
CPU_BUDGET = 1.0        # seconds of this thread's CPU per adversarial input (the machine may be shared)
WALL_BUDGET = 5.0       # and no more than this of wall-clock time (no sleeping, no hang)


def assert_one_line_refusal(e: Exception):
    assert isinstance(e, FormatError), f"{type(e).__name__}: {e}"
    assert str(e) and "\n" not in str(e) and "\r" not in str(e), repr(str(e))


def check_weights(blob):
    try:
        p = params_from_json(blob)
    except FormatError as e:
        assert_one_line_refusal(e)
        return None
    assert isinstance(p, (LSTMParams, RNNParams))
    for name, a in p.to_dict().items():
        assert np.all(np.isfinite(a)), name
    return p


def check_inputs(blob, D=None):
    try:
        x, names = inputs_from_csv(blob, D)
    except FormatError as e:
        assert_one_line_refusal(e)
        return None
    assert x.ndim == 2 and 1 <= x.shape[0] <= MAX_STEPS and 1 <= x.shape[1] <= MAX_SIZE
    assert np.all(np.isfinite(x)) and len(names) == x.shape[1]
    assert D is None or x.shape[1] == D
    return x, names


def check_sequence(text, D=1):
    try:
        x = parse_sequence_text(text, D)
    except FormatError as e:
        assert_one_line_refusal(e)
        return None
    assert x.ndim == 2 and x.shape[1] == D and 1 <= x.shape[0] <= 500 and np.all(np.isfinite(x))
    return x


def timed(f, *args):
    """f(*args), asserting it took at most CPU_BUDGET of CPU and WALL_BUDGET of wall time."""
    c0, w0 = time.thread_time(), time.perf_counter()
    out = f(*args)
    cpu, wall = time.thread_time() - c0, time.perf_counter() - w0
    assert cpu < CPU_BUDGET, f"{cpu:.2f} s of CPU"
    assert wall < WALL_BUDGET, f"{wall:.2f} s of wall-clock time"
    return out


# ---------------------------------------------------------------- weights JSON, fuzzed

def weights_dict(H, D, model="lstm", seed=0):
    rng = np.random.default_rng(seed)
    if model == "lstm":
        d = {"model": "lstm", "input_size": D, "hidden_size": H}
        for g in "fico":
            d[f"W_{g}"] = rng.normal(size=(H, H + D)).tolist()
            d[f"b_{g}"] = rng.normal(size=H).tolist()
        d["h0"], d["c0"] = [0.0] * H, [0.0] * H
        return d
    return {"model": "rnn", "input_size": D, "hidden_size": H, "W": rng.normal(size=(H, H + D)).tolist(),
            "b": rng.normal(size=H).tolist(), "h0": [0.0] * H}


def leaves(d):
    """Paths of every value in a nested dict/list."""
    out = []

    def walk(v, path):
        out.append(path)
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, path + (k,))
        elif isinstance(v, list):
            for k, x in enumerate(v):
                walk(x, path + (k,))
    walk(d, ())
    return out[1:]


def put(d, path, value):
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value


json_scalars = (st.none() | st.booleans() | st.integers() | st.sampled_from(HUGE_NUMBERS)
                | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(NASTY_TEXT) | st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=6), kids, max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(H=st.integers(1, 3), D=st.integers(1, 3), model=st.sampled_from(["lstm", "rnn"]),
       edits=st.lists(st.tuples(st.integers(0, 10 ** 6), st.sampled_from(["set", "drop", "add"]), json_values),
                      min_size=1, max_size=4))
def test_weights_reader_with_one_thing_wrong(H, D, model, edits):
    """A good weights file with a few entries replaced, dropped or added: refused with a
    message, or read into finite numbers."""
    d = weights_dict(H, D, model)
    for k, what, value in edits:
        paths = leaves(d)
        if not paths:
            break
        path = paths[k % len(paths)]
        if what == "set":
            put(d, path, value)
        elif what == "drop" and isinstance(d, dict) and len(path) == 1:
            d.pop(path[0], None)
        else:
            d[f"extra{k}"] = value
    blob = json.dumps(d)                 # NaN/Infinity never appear: json_values has none
    p = check_weights(blob)
    if p is not None:
        assert p.model == d["model"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('{}[]",:0123456789.eE-+ \n\tnultrfasNIy\\\x00') + ["\ud7ff", "é"]),
               max_size=400) | st.binary(max_size=400))
def test_weights_reader_with_json_like_noise(blob):
    check_weights(blob)


# ---------------------------------------------------------------- inputs CSV, fuzzed

cells = st.sampled_from(NASTY_TEXT) | st.floats(allow_nan=True, allow_infinity=True).map(repr) | st.text(max_size=12)


@settings(max_examples=150, deadline=None)
@given(header=st.lists(cells, min_size=1, max_size=4), rows=st.lists(st.lists(cells, min_size=0, max_size=5), max_size=6),
       D=st.none() | st.integers(1, 4), newline=st.sampled_from(["\n", "\r\n", "\r"]), as_bytes=st.booleans())
def test_inputs_reader_with_hostile_cells(header, rows, D, newline, as_bytes):
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows([header] + rows)
    text = buf.getvalue()
    blob = text.encode("utf-8", "surrogatepass") if as_bytes else text
    check_inputs(blob, D)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('x,"\n\r 0123456789.e-+=@\t\x00é') + ["\u2028", "１"]), max_size=300)
       | st.binary(max_size=300), st.none() | st.integers(1, 3))
def test_inputs_reader_with_csv_like_noise(blob, D):
    check_inputs(blob, D)


# ---------------------------------------------------------------- typed sequences, fuzzed

@settings(max_examples=200, deadline=None)
@given(st.lists(cells | st.sampled_from(["0", "1", "-0.5", "2e3"]), max_size=12),
       st.sampled_from([",", ", ", " ", ";", "\n", "\t", "\u2028", "\x00"]), st.integers(1, 4))
def test_typed_sequence_with_hostile_tokens(tokens, sep, D):
    check_sequence(sep.join(tokens), D)


# ---------------------------------------------------------------- adversarial cases, timed

def _max_weights_json():
    """A legitimate weights file near the size limit (about 3 MB): must be read, quickly."""
    H, D = 300, 200
    row = [0.5] * (H + D)
    d = {"model": "lstm", "input_size": D, "hidden_size": H,
         **{f"W_{g}": [row] * H for g in "fico"}, **{f"b_{g}": [0.25] * H for g in "fico"}}
    return json.dumps(d)


def _weights_with(value_text: str) -> str:
    d = weights_dict(1, 1)
    text = json.dumps(d)
    first = json.dumps(d["W_f"][0][0])
    return text.replace(first, value_text, 1)


ADVERSARIAL_JSON = {
    "deep [ 100000": "[" * 100_000,
    "deep [ ] 100000": "[" * 100_000 + "]" * 100_000,
    "deep { 100000": '{"a":' * 100_000,
    "deep nesting in a cell": _weights_with("[" * 900 + "]" * 900),
    "int of 400 digits in a matrix": _weights_with("9" * 400),
    "negative int of 400 digits": _weights_with("-" + "9" * 400),
    "int of 5000 digits": _weights_with("9" * 5000),
    "1e999999": _weights_with("1e999999"),
    "4 million digits after the point": _weights_with("0." + "1" * 4_000_000),
    "NaN": _weights_with("NaN"),
    "-Infinity": _weights_with("-Infinity"),
    "a string of 4.9 MB": json.dumps("a" * 4_900_000),
    "a model name of 4.9 MB": json.dumps({"model": "a" * 4_900_000}),
    "over the size limit": "[" + "0," * (MAX_JSON_BYTES // 2) + "0]",
    "300 000 keys": "{" + ",".join(f'"k{i}":0' for i in range(300_000)) + "}",
    "a million zeros for a bias": json.dumps({**weights_dict(1, 1), "b_f": [0] * 1_000_000}),
    "hidden_size 512 without rows": json.dumps({"model": "lstm", "input_size": 512, "hidden_size": 512, "W_f": []}),
    "hidden_size 10**400": '{"model": "lstm", "input_size": 1, "hidden_size": 1' + "0" * 400 + "}",
    "NUL bytes": "\x00" * 1000,
    "a NUL in the model name": '{"model": "lstm\\u0000"}',
    "a lone surrogate": '{"model": "\\ud800"}',
    "a formula as the model": json.dumps({"model": FORMULAS[0]}),
    "right-to-left override": json.dumps({**weights_dict(1, 1), "model": "\u202elstm"}),
    "fullwidth lstm": json.dumps({**weights_dict(1, 1), "model": "ｌｓｔｍ"}),
    "booleans for numbers": json.dumps({**weights_dict(1, 1), "b_f": [True]}),
    "strings for numbers": json.dumps({**weights_dict(1, 1), "b_f": ["1"]}),
    "duplicate keys": '{"model": "lstm", "model": "rnn"}',
    "the largest legitimate file": _max_weights_json(),
}
ADVERSARIAL_JSON_BYTES = {
    "5 MB + 1 byte": b" " * (MAX_JSON_BYTES + 1),
    "invalid UTF-8": b"\xff\xfe\xfd" * 1000,
    "UTF-16 with BOM": json.dumps(weights_dict(1, 1)).encode("utf-16"),
    "UTF-8 BOM": b"\xef\xbb\xbf" + json.dumps(weights_dict(1, 1)).encode(),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL_JSON))
def test_adversarial_weights_text(name):
    p = timed(check_weights, ADVERSARIAL_JSON[name])
    assert (p is not None) == (name in ("the largest legitimate file", "4 million digits after the point")), name


@pytest.mark.parametrize("name", sorted(ADVERSARIAL_JSON_BYTES))
def test_adversarial_weights_bytes(name):
    p = timed(check_weights, ADVERSARIAL_JSON_BYTES[name])
    assert (p is not None) == (name == "UTF-8 BOM")


def _csv(rows):
    return "\n".join(",".join(r) for r in rows) + "\n"


ADVERSARIAL_CSV = {
    "5 million blank lines": "x\n1\n" + "\n" * 4_900_000,
    "blank lines between the rows": "x\n" + "\n" * 2_000_000 + "1\n",
    "a header of 500 000 names": _csv([[f"c{i}" for i in range(500_000)], ["0"] * 500_000]),
    "a cell of 200 000 characters": "x\n" + "1" * 200_000 + "\n",
    "a number of 39 digits": "x\n" + "9" * 39 + "\n",
    "10 001 steps": "x\n" + "1\n" * (MAX_STEPS + 1),
    "2.5 million cells, the last one bad": _csv([["x"] * 250] + [["0"] * 250] * 4998 + [["0"] * 249 + ["abc"]]),
    "the largest legitimate file": _csv([[f"x{i}" for i in range(250)]] + [["0.5"] * 250] * 4900),
    "over the size limit": "x\n" + "1\n" * (MAX_CSV_BYTES // 2 + 1),
    "a formula header": "=cmd|' /C calc'!A0\n1\n",
    "formula cells": "x\n=1+1\n",
    "a NUL in the header": "x\x00\n1\n",
    "a line break inside a quoted name": '"a\nb",c\n1,2\n',
    "NUL cells": "x\n\x00\n",
    "1e309": "x\n1e309\n",
    "nan": "x\nnan\n",
    "underscores": "x\n1_000\n",
    "an unterminated quote": 'x\n"1\n',
    "old Mac line ends": "x\r1\r2\r",
    "only commas": ",,,\n,,,\n",
    "unicode digits": "x\n١٢٣\n",
}
ADVERSARIAL_CSV_BYTES = {
    "5 MB + 1 byte": b"x\n" + b"1" * MAX_CSV_BYTES,
    "invalid UTF-8": b"x\n\xff\n",
    "UTF-16": "x\n1\n".encode("utf-16"),
    "NUL bytes": b"\x00" * 100_000,
}
ACCEPTED_CSV = {"5 million blank lines", "a number of 39 digits", "the largest legitimate file", "a formula header",
                "an unterminated quote", "old Mac line ends", "unicode digits"}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL_CSV))
def test_adversarial_inputs_text(name):
    out = timed(check_inputs, ADVERSARIAL_CSV[name])
    assert (out is not None) == (name in ACCEPTED_CSV), name


@pytest.mark.parametrize("name", sorted(ADVERSARIAL_CSV_BYTES))
def test_adversarial_inputs_bytes(name):
    assert timed(check_inputs, ADVERSARIAL_CSV_BYTES[name]) is None


ADVERSARIAL_TYPED = {
    "100 000 characters of numbers": "1," * 50_000,
    "one 100 000-digit number": "1" * 100_000,
    "too long": "1" * 100_001,
    "100 000 minus signs": "-" * 100_000,
    "100 000 separators": ";" * 100_000,
    "NUL between numbers": "1\x002",
    "1e309": "1e309",
    "formula": FORMULAS[0],
    "unicode line separators": "1\u20282\u20293",
    "fullwidth and arabic digits": "１, ١",
    "a lone surrogate": "1, \ud800",
}


@pytest.mark.parametrize("D", [1, 3])
@pytest.mark.parametrize("name", sorted(ADVERSARIAL_TYPED))
def test_adversarial_typed_sequences(name, D):
    timed(check_sequence, ADVERSARIAL_TYPED[name], D)


def test_not_text_is_refused():
    for v in (None, b"1,2", 12, ["1"]):
        with pytest.raises(FormatError):
            parse_sequence_text(v)
    with pytest.raises(FormatError):
        inputs_from_csv(12)


def test_what_the_fixes_refuse_is_said_clearly():
    with pytest.raises(FormatError, match="not a finite number"):
        params_from_json(_weights_with("9" * 400))
    with pytest.raises(FormatError, match="the header names 513 features; at most 512"):
        inputs_from_csv(_csv([[f"c{i}" for i in range(513)], ["0"] * 513]))
    with pytest.raises(FormatError, match="control character"):
        inputs_from_csv(ADVERSARIAL_CSV["a NUL in the header"])
    with pytest.raises(FormatError, match="control character"):
        inputs_from_csv(ADVERSARIAL_CSV["a line break inside a quoted name"])
    with pytest.raises(FormatError, match="20,004 lines"):
        inputs_from_csv("x\n" + "\n" * 20_002 + "1\n")
    with pytest.raises(FormatError, match=r"row 4 \(step 3\), column 'b' is 'abc'"):
        inputs_from_csv(_csv([["a", "b"], ["1", "2"], ["3", "4"], ["5", "abc"], ["7", "8"]]))


# ---------------------------------------------------------------- CSV injection

PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def formula_cells(csv_text: str) -> list[str]:
    """The cells of a CSV text that a spreadsheet would run as a formula: starting with
    = + - @, tab or carriage return, other than plain numbers such as -0.5."""
    return [c for row in csv.reader(io.StringIO(csv_text)) for c in row
            if c.lstrip(" ").startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(c.strip())]


@pytest.mark.parametrize("name", FORMULAS)
def test_safe_csv_cell_defuses_formulas(name):
    cell = safe_csv_cell(name)
    assert not formula_cells(cell + "\n")
    assert next(csv.reader(io.StringIO(cell))) == ["'" + name]


def test_inputs_csv_never_writes_a_formula_from_an_uploaded_header():
    """An uploaded inputs CSV whose header is a formula: read, then written back (as the CLI
    or any export with names does) without a cell a spreadsheet would run."""
    upload = "=cmd|' /C calc'!A0,\"=HYPERLINK(\"\"http://x.invalid\"\")\",@SUM(A1),+1,-1,plain\n1,2,3,4,5,6\n"
    x, names = inputs_from_csv(upload)
    assert names[0] == "=cmd|' /C calc'!A0"                     # read as it is...
    out = inputs_to_csv(x, names)
    assert formula_cells(out) == []                              # ...written defused
    back, back_names = inputs_from_csv(out)
    np.testing.assert_array_equal(back, x)
    assert back_names == ["'" + n if n != "plain" else n for n in names]


@settings(max_examples=100, deadline=None)
@given(names=st.lists(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()), min_size=1, max_size=4),
       T=st.integers(1, 3))
def test_inputs_csv_with_any_names_has_no_formula_and_keeps_its_columns(names, T):
    x = np.arange(T * len(names), dtype=np.float64).reshape(T, len(names))
    out = inputs_to_csv(x, names)
    assert formula_cells(out) == []
    rows = list(csv.reader(io.StringIO(out)))
    assert [len(r) for r in rows] == [len(names)] * (T + 1)     # a comma or quote in a name keeps its column
    try:
        back, _ = inputs_from_csv(out)
    except FormatError as e:                                     # e.g. a name with a control character
        assert_one_line_refusal(e)
    else:
        np.testing.assert_array_equal(back, x)


def test_the_apps_own_exports_hold_no_formula():
    """What the app writes today: the inputs CSV (header x1..xD), the trace and gradients CSVs
    (fixed column names), the weights JSON: nothing a person typed starts a CSV cell."""
    from lstm_core import lstm_backward, lstm_forward
    from lstm_core.formats import gradients_to_csv, trace_to_csv

    p = random_lstm(2, 3, seed=1)
    x = np.array([[-1.0, 2.0], [-0.5, -3.0]])
    tr = lstm_forward(p, x)
    for text in (inputs_to_csv(x), trace_to_csv(tr), gradients_to_csv(lstm_backward(tr))):
        header = next(csv.reader(io.StringIO(text)))
        assert not formula_cells(",".join(header) + "\n")
    assert params_from_json(params_to_json(p)).hidden_size == 3


def test_the_pages_inputs_download_after_a_hostile_upload(media):
    """Page 2 through AppTest: upload an inputs CSV whose header is a formula, then read what
    the page's CSV downloads serve: no formula cell."""
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/gates_over_time.py")
    at.run()
    at.radio(key="keep.gates.x_source").set_value("upload").run()
    at.file_uploader(key="gates.x_upload").set_value(
        ("evil.csv", b"=cmd|' /C calc'!A0\n1\n0\n-1\n", "text/csv")).run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    csvs = {}
    for b in at.get("download_button"):
        name = media.names[b.proto.deferred_file_id] or ""
        if name.endswith(".csv"):
            csvs[name] = media[b.proto.deferred_file_id]().decode()
    assert csvs, "the page offers no CSV download"
    for name, text in csvs.items():
        assert formula_cells(text) == [], name
