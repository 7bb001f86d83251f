"""The twelve PyTorch (float64) reference cases, reproduced by the library and by the CLI."""
import csv
import io
import json
import os

import numpy as np
import pytest

from lstm_core import backward, inputs_from_csv, lstm_forward, params_from_json, rnn_forward
from conftest import CASES, CASES_DIR, run_cli

pytestmark = pytest.mark.usefixtures("strict_numerics")


def read_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])


def load_case(name):
    d = os.path.join(CASES_DIR, name)
    with open(os.path.join(d, "weights.json"), "rb") as fh:
        params = params_from_json(fh.read())
    with open(os.path.join(d, "inputs.csv"), "rb") as fh:
        x, _ = inputs_from_csv(fh.read(), params.input_size)
    files = {}
    for f in ("trace.csv", "gradients.csv", "param_grads.json"):
        with open(os.path.join(d, f)) as fh:
            files[f] = fh.read()
    return params, x, files


def run(params, x):
    return (lstm_forward if params.model == "lstm" else rnn_forward)(params, x)


@pytest.mark.parametrize("name", CASES)
def test_trace_matches_pytorch(name):
    params, x, files = load_case(name)
    trace = run(params, x)
    header, expected = read_csv(files["trace.csv"])
    cols = trace.columns()
    T, _, H = trace.h.shape
    assert expected.shape[0] == T * H
    assert header[:2] == ["t", "unit"] and header[2:] == list(cols)
    for k, name_ in enumerate(header[2:], start=2):
        got = cols[name_][:, 0, :].reshape(-1)
        np.testing.assert_allclose(got, expected[:, k], rtol=1e-9, atol=1e-12, err_msg=name_)


@pytest.mark.parametrize("name", CASES)
def test_gradient_norms_match_pytorch(name):
    params, x, files = load_case(name)
    grads = backward(run(params, x))
    header, expected = read_csv(files["gradients.csv"])
    np.testing.assert_allclose(grads.grad_h_norm()[:, 0], expected[:, 1], rtol=1e-5, atol=1e-300)
    if params.model == "lstm":
        np.testing.assert_allclose(grads.grad_c_norm()[:, 0], expected[:, 2], rtol=1e-5, atol=1e-300)


@pytest.mark.parametrize("name", CASES)
def test_parameter_gradients_match_pytorch(name):
    params, x, files = load_case(name)
    got = backward(run(params, x)).params()
    expected = json.loads(files["param_grads.json"])
    assert set(got) == set(expected)
    for k, v in expected.items():
        np.testing.assert_allclose(got[k], np.array(v), rtol=1e-7, atol=1e-300, err_msg=k)


@pytest.mark.parametrize("name", CASES[:3] + CASES[-1:])
def test_cli_output_matches_reference(name, tmp_path):
    d = os.path.join(CASES_DIR, name)
    _, _, files = load_case(name)
    for verb, fname, rtol, atol in (("trace", "trace.csv", 1e-9, 1e-12), ("gradients", "gradients.csv", 1e-5, 1e-300)):
        out = tmp_path / f"{verb}.csv"
        p = run_cli(verb, "--weights", os.path.join(d, "weights.json"), "--inputs", os.path.join(d, "inputs.csv"),
                    "--out", str(out))
        assert p.returncode == 0, p.stderr
        gh, got = read_csv(out.read_text())
        eh, exp = read_csv(files[fname])
        assert gh == eh
        np.testing.assert_allclose(got, exp, rtol=rtol, atol=atol)
