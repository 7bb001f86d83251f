"""lstm_core/export.py: the PyTorch snippet carries the weights and inputs exactly and, run
by PyTorch, gives lstm_core's hidden states; the trace CSV with the text keeps the trace's
bytes and writes every character so that no spreadsheet reads it as a formula."""
import ast
import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core import lstm_forward, trace_to_csv
from lstm_core.export import csv_text_cell, pytorch_snippet, trace_with_text_csv
from lstm_core.presets import PRESETS, random_lstm
from lstm_core.sequences import make_sequence
from lstm_core.textseq import encode


def cases():
    """(name, params, x, text, encoding): a preset, random weights with a non-zero initial
    state, a bigger model, and text in both encodings."""
    p = random_lstm(2, 3, seed=5, scale=1.7, forget_bias=-0.5).replace(h0=[0.3, -0.7, 0.1], c0=[1.5, 0.0, -2.0])
    one_hot = encode('she said "hi"', "one-hot")
    emb = encode("The 'quick' fox, 42!", "embedding")
    return [
        ("latch", PRESETS["latch"].params(), PRESETS["latch"].inputs(60), None, None),
        ("random, h0 and c0", p, make_sequence("noise", 23, 2, seed=3), None, None),
        ("H=16, D=4", random_lstm(4, 16, seed=9, scale=2.5), make_sequence("sine", 40, 4), None, None),
        ("text one-hot", random_lstm(one_hot.x.shape[1], 4, seed=1), one_hot.x, one_hot.text, "one-hot"),
        ("text embedding", random_lstm(4, 5, seed=2), emb.x, emb.text, "embedding"),
    ]


def assignments(code: str) -> dict:
    """The snippet's literal assignments (W_f = [...], x = [...], ...), read without running it."""
    out = {}
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple):
            for name, value in zip(node.targets[0].elts, node.value.elts):
                out[name.id] = ast.literal_eval(value)
    return out


@pytest.mark.parametrize("name,params,x,text,encoding", cases(), ids=[c[0] for c in cases()])
def test_snippet_carries_the_weights_and_inputs_exactly(name, params, x, text, encoding):
    code = pytorch_snippet(params, x, text=text, encoding=encoding)
    compile(code, "snippet.py", "exec")
    v = assignments(code)
    assert (v["H"], v["D"]) == (params.hidden_size, params.input_size)
    for key, a in params.to_dict().items():
        assert np.array_equal(np.array(v[key], dtype=np.float64), a), key          # bit for bit
    assert np.array_equal(np.array(v["x"], dtype=np.float64), x)
    assert np.array_equal(np.array(v["expected_h"]), lstm_forward(params, x).h[:, 0, :])
    if text is not None:
        assert v["text"] == text
    # the gate order is named, and the weights go where PyTorch expects them
    assert "# PyTorch packs the four gates in the order i, f, g, o" in code
    assert "W = torch.tensor(W_i + W_f + W_c + W_o, dtype=f64)" in code
    assert "lstm.weight_ih_l0.copy_(W[:, H:])" in code and "lstm.weight_hh_l0.copy_(W[:, :H])" in code
    assert "lstm.bias_ih_l0.copy_(torch.tensor(b_i + b_f + b_c + b_o, dtype=f64))" in code
    assert "lstm.bias_hh_l0.zero_()" in code


@pytest.mark.parametrize("name,params,x,text,encoding", cases(), ids=[c[0] for c in cases()])
def test_snippet_run_by_pytorch_gives_lstm_cores_hidden_states(name, params, x, text, encoding, capsys):
    try:
        import torch  # noqa: F401
    except ImportError:
        pytest.skip("torch (PyTorch) is not installed here: the snippet cannot be run; "
                    "install torch to run this comparison")
    code = pytorch_snippet(params, x, text=text, encoding=encoding)
    ns = {}
    exec(compile(code, "snippet.py", "exec"), ns)              # its own assert compares with lstm_core
    h = ns["h"].detach().numpy()
    want = lstm_forward(params, x).h[:, 0, :]
    assert h.dtype == np.float64 and h.shape == want.shape
    np.testing.assert_allclose(h, want, rtol=1e-9, atol=1e-12)
    assert "equal LSTM Gate Lab's" in capsys.readouterr().out


def test_snippet_refuses_inputs_of_another_size():
    with pytest.raises(ValueError, match=r"shape \(T, 1\)"):
        pytorch_snippet(PRESETS["latch"].params(), np.zeros((5, 2)))


@pytest.mark.parametrize("cell,want", [("=1+1", "'=1+1"), ("+", "'+"), ("-", "'-"), ("@SUM(A1)", "'@SUM(A1)"),
                                       ("\t", "'\t"), ("\r", "'\r"), ("a", "a"), (" ", " "), ("'", "'"),
                                       ("1", "1"), ("é", "é")])
def test_csv_text_cell(cell, want):
    assert csv_text_cell(cell) == want


def read(csv_text: str):
    rows = list(csv.reader(io.StringIO(csv_text)))
    return rows[0], rows[1:]


@pytest.mark.parametrize("text", ['=cmd|" /C calc"!A0', "-2+3=1 @home, \"quoted\"", "a b,c", "héllo 🙂"])
def test_trace_with_text_keeps_the_trace_and_guards_every_character(text):
    x = encode(text, "embedding").x
    tr = lstm_forward(random_lstm(4, 3, seed=4), x)
    out = trace_with_text_csv(tr, text)
    header, rows = read(out)
    plain_header, plain_rows = read(trace_to_csv(tr))
    assert header == plain_header + ["character"]
    assert [r[:-1] for r in rows] == plain_rows                 # the numbers are the trace's, as written
    assert len(rows) == tr.T * tr.hidden_size
    for k, r in enumerate(rows):
        ch = text[int(r[0]) - 1]
        assert r[-1] == ("'" + ch if ch in "=+-@" else ch)
        assert not r[-1].startswith(("=", "+", "-", "@"))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs")), min_size=1, max_size=30))
def test_no_character_cell_starts_a_formula(text):
    tr = lstm_forward(random_lstm(4, 1, seed=0), encode(text, "embedding").x)
    header, rows = read(trace_with_text_csv(tr, text))
    assert [r[-1] for r in rows] == ["'" + ch if ch in "=+-@" else ch for ch in text]
    assert not any(r[-1].startswith(("=", "+", "-", "@")) for r in rows)
