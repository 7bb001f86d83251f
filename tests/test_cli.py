"""The CLI: verbs, standard output, help, and every kind of bad input."""
import json
import os

import pytest

from conftest import CASES_DIR, run_cli

CASE = os.path.join(CASES_DIR, "case00_lstm_D4_H2_T3")
GOOD_W = os.path.join(CASE, "weights.json")
GOOD_X = os.path.join(CASE, "inputs.csv")


def good_weights():
    with open(GOOD_W) as fh:
        return json.load(fh)


def test_stdout_when_out_is_dash_or_missing():
    a = run_cli("trace", "--weights", GOOD_W, "--inputs", GOOD_X, "--out", "-")
    b = run_cli("trace", "--weights", GOOD_W, "--inputs", GOOD_X)
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout
    assert a.stdout.splitlines()[0] == "t,unit,forget_gate,input_gate,candidate,output_gate,cell_state,hidden_state"
    assert len(a.stdout.splitlines()) == 1 + 3 * 2
    g = run_cli("gradients", "--weights", GOOD_W, "--inputs", GOOD_X)
    assert g.stdout.splitlines()[0] == "t,grad_h_norm,grad_c_norm"
    assert g.stdout.splitlines()[-1].startswith("3,1.4142135623730951,")   # dL/dh_T = ones(2)


def test_help_explains_verbs_and_points_to_formats():
    p = run_cli("--help")
    assert p.returncode == 0
    assert "trace" in p.stdout and "gradients" in p.stdout and "Formats" in p.stdout
    for verb in ("trace", "gradients"):
        h = run_cli(verb, "--help")
        assert h.returncode == 0 and "--weights" in h.stdout and "--out" in h.stdout and "Formats" in h.stdout


BAD_WEIGHTS = {
    "malformed.json": ('{"model": "lstm", "input_size": 4,', "not valid JSON"),
    "empty.json": ("", "empty"),
    "unknown.json": (json.dumps({**good_weights(), "model": "gru"}), '"model"'),
    "shape.json": (json.dumps({**good_weights(), "input_size": 3}), "W_f"),
    "rows.json": (json.dumps({**good_weights(), "b_o": [1.0]}), "b_o"),
    "nan.json": (json.dumps(good_weights()).replace("0.6741034067170488", "NaN"), "NaN"),
    "inf.json": (json.dumps(good_weights()).replace("0.6741034067170488", "Infinity"), "Infinity"),
    "huge.json": (json.dumps(good_weights()).replace("0.6741034067170488", "1e999"), "finite"),
    "text.json": (json.dumps(good_weights()).replace("0.6741034067170488", '"abc"'), "not a number"),
    "list.json": ("[1, 2, 3]", "JSON object"),
}

BAD_INPUTS = {
    "empty.csv": ("", "empty"),
    "header_only.csv": ("x1,x2,x3,x4\n", "no time steps"),
    "columns.csv": ("x1,x2,x3\n1,2,3\n", "input_size is 4"),
    "text.csv": ("x1,x2,x3,x4\n1,2,abc,4\n", "'abc', not a number"),
    "nan.csv": ("x1,x2,x3,x4\n1,2,nan,4\n", "finite"),
    "inf.csv": ("x1,x2,x3,x4\n1,2,inf,4\n", "finite"),
    "ragged.csv": ("x1,x2,x3,x4\n1,2,3,4\n1,2,3\n", "row 3"),
    "no_header.csv": ("1,2,3,4\n1,2,3,4\n", "header"),
    "binary.csv": (b"\xff\xfe\x00\x01", "UTF-8"),
}


def _check_refused(p, path, out, phrase):
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert path in lines[0] and phrase in lines[0], lines[0]
    assert "Traceback" not in p.stderr
    assert not os.path.exists(out)
    assert not [f for f in os.listdir(os.path.dirname(out)) if f.endswith(".tmp")]


@pytest.mark.parametrize("verb", ["trace", "gradients"])
@pytest.mark.parametrize("name", sorted(BAD_WEIGHTS))
def test_bad_weights_file(tmp_path, verb, name):
    text, phrase = BAD_WEIGHTS[name]
    w = tmp_path / name
    w.write_text(text)
    out = str(tmp_path / "out.csv")
    _check_refused(run_cli(verb, "--weights", str(w), "--inputs", GOOD_X, "--out", out), str(w), out, phrase)


@pytest.mark.parametrize("verb", ["trace", "gradients"])
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_inputs_file(tmp_path, verb, name):
    text, phrase = BAD_INPUTS[name]
    x = tmp_path / name
    x.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = str(tmp_path / "out.csv")
    _check_refused(run_cli(verb, "--weights", GOOD_W, "--inputs", str(x), "--out", out), str(x), out, phrase)


def test_missing_files_and_unwritable_out(tmp_path):
    out = str(tmp_path / "out.csv")
    missing = str(tmp_path / "nope.json")
    _check_refused(run_cli("trace", "--weights", missing, "--inputs", GOOD_X, "--out", out), missing, out, "no such file")
    missing = str(tmp_path / "nope.csv")
    _check_refused(run_cli("trace", "--weights", GOOD_W, "--inputs", missing, "--out", out), missing, out, "no such file")
    bad_out = str(tmp_path / "no_such_folder" / "out.csv")
    p = run_cli("trace", "--weights", GOOD_W, "--inputs", GOOD_X, "--out", bad_out)
    assert p.returncode == 2 and bad_out in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = run_cli("trace", "--weights", GOOD_W, "--inputs", GOOD_X, "--out", str(tmp_path))
    assert p.returncode == 2 and "folder" in p.stderr


def test_existing_output_is_untouched_on_failure(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("keep me\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("x1\n1\n")
    p = run_cli("trace", "--weights", GOOD_W, "--inputs", str(bad), "--out", str(out))
    assert p.returncode == 2
    assert out.read_text() == "keep me\n"
