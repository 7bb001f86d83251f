"""Exports that leave the app: a runnable PyTorch snippet, and a trace CSV with the text read.

    pytorch_snippet(params, x)        Python source that builds torch.nn.LSTM(D, H) in float64,
                                      loads these weights, runs x from h0/c0 and checks that its
                                      hidden states equal lstm_core's
    csv_text_cell(text)               a CSV cell holding user text that no spreadsheet runs as a
                                      formula: a leading = + - @ (or tab, carriage return) gets a '
    trace_with_text_csv(trace, text)  the trace CSV (FORMATS.md) with one more column, `character`,
                                      the character read at step t

PyTorch packs the four gates of one layer in the order i, f, g, o (g is the candidate C~):
weight_ih = rows (W_i, W_f, W_c, W_o)[:, H:], weight_hh = rows (W_i, W_f, W_c, W_o)[:, :H],
and b = bias_ih + bias_hh. The snippet puts all of b in bias_ih and zeros in bias_hh.
"""
from __future__ import annotations

import numpy as np

from .formats import fmt, trace_to_csv
from .lstm import lstm_forward
from .params import LSTMParams

TORCH_GATE_ORDER = ("i", "f", "c", "o")     # PyTorch's i, f, g, o; g is our candidate c
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _row(v) -> str:
    return "[" + ", ".join(fmt(a) for a in np.asarray(v, dtype=np.float64).reshape(-1)) + "]"


def _rows(name: str, a, comment: str) -> str:
    a = np.asarray(a, dtype=np.float64)
    return "\n".join([f"{name} = [  # {comment}"] + [f"    {_row(r)}," for r in a] + ["]"])


def pytorch_snippet(params: LSTMParams, x, *, text: str | None = None, encoding: str | None = None) -> str:
    """A short Python program that runs these weights over x (T, D) with PyTorch's LSTM in
    float64 from the initial state params.h0, params.c0, prints the hidden states and asserts
    that they equal lstm_core's (rtol 1e-9). text/encoding: the text x encodes, for a comment."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != params.input_size:
        raise ValueError(f"x must have shape (T, {params.input_size}), not {x.shape}")
    H, D, T = params.hidden_size, params.input_size, x.shape[0]
    h = lstm_forward(params, x).h[:, 0, :]                          # (T, H) lstm_core's h_t
    lines = [
        "# LSTM Gate Lab: this model and input sequence, run by PyTorch's own torch.nn.LSTM in float64.",
        "# Needs PyTorch (pip install torch). Prints the hidden states h_t and checks them against",
        "# the numbers LSTM Gate Lab computed (NumPy, float64).",
        "#",
        "#   f_t = sigmoid(W_f [h_{t-1}, x_t] + b_f)    i_t = sigmoid(W_i [h_{t-1}, x_t] + b_i)",
        "#   C~_t = tanh(W_c [h_{t-1}, x_t] + b_c)       o_t = sigmoid(W_o [h_{t-1}, x_t] + b_o)",
        "#   C_t = f_t * C_{t-1} + i_t * C~_t            h_t = o_t * tanh(C_t)",
        "#",
        "# Each W is (H, H + D): its first H columns multiply h_{t-1}, its last D columns multiply x_t.",
        "# PyTorch packs the four gates in the order i, f, g, o (g is the candidate C~):",
        "#   weight_ih = rows (W_i, W_f, W_c, W_o)[:, H:]    (4H, D)",
        "#   weight_hh = rows (W_i, W_f, W_c, W_o)[:, :H]    (4H, H)",
        "#   bias_ih + bias_hh = (b_i, b_f, b_c, b_o): all of b goes into bias_ih, zeros into bias_hh.",
        "import torch",
        "",
        f"H, D = {H}, {D}  # hidden units, inputs per step",
    ]
    if text is not None:
        how = {"one-hot": "one input per distinct character (one-hot)",
               "embedding": "4 numbers per character, sin(sqrt(p) * code point), p = 2, 3, 5, 7"}
        lines.append(f"text = {text!r}  # what x encodes, one character per step: "
                     f"{how.get(encoding or '', encoding or 'encoded')}")
    for g in "fico":
        lines.append(_rows(f"W_{g}", getattr(params, f"W_{g}"), "(H, H + D)"))
    for g in "fico":
        lines.append(f"b_{g} = {_row(getattr(params, f'b_{g}'))}")
    lines += [f"h0 = {_row(params.h0)}  # h_0", f"c0 = {_row(params.c0)}  # C_0",
              _rows("x", x, f"(T, D) = ({T}, {D}): one row per step t = 1..T"),
              _rows("expected_h", h, "(T, H): h_t as LSTM Gate Lab computed it"),
              "",
              "f64 = torch.float64",
              "lstm = torch.nn.LSTM(input_size=D, hidden_size=H, dtype=f64)",
              "with torch.no_grad():",
              "    W = torch.tensor(W_i + W_f + W_c + W_o, dtype=f64)  # (4H, H + D), gate order i, f, g, o",
              "    lstm.weight_ih_l0.copy_(W[:, H:])",
              "    lstm.weight_hh_l0.copy_(W[:, :H])",
              "    lstm.bias_ih_l0.copy_(torch.tensor(b_i + b_f + b_c + b_o, dtype=f64))",
              "    lstm.bias_hh_l0.zero_()",
              "    state = (torch.tensor(h0, dtype=f64).view(1, 1, H), torch.tensor(c0, dtype=f64).view(1, 1, H))",
              "    out, (h_T, c_T) = lstm(torch.tensor(x, dtype=f64).view(-1, 1, D), state)  # (T, batch 1, H)",
              "h = out[:, 0, :]  # (T, H): h_t for t = 1..T",
              "print(\"h_t, one row per step t = 1..T:\")",
              "print(h)",
              "assert torch.allclose(h, torch.tensor(expected_h, dtype=f64), rtol=1e-9, atol=1e-12), \\",
              "    \"PyTorch's h_t differ from LSTM Gate Lab's\"",
              "print(\"PyTorch's h_t equal LSTM Gate Lab's (to 1e-9).\")",
              ""]
    return "\n".join(lines)


def csv_text_cell(text: str) -> str:
    """User text for a CSV cell: prefixed with ' when it starts with = + - @ (or a tab or
    carriage return), which a spreadsheet would read as the start of a formula."""
    text = str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _quoted(cell: str) -> str:
    """A CSV cell (RFC 4180): quoted when it holds a comma, quote, line break or space."""
    if cell == "" or any(c in cell for c in ',"\r\n ') or cell != cell.strip():
        return '"' + cell.replace('"', '""') + '"'
    return cell


def trace_with_text_csv(trace, text: str) -> str:
    """The trace CSV of a run over `text` (one step per character) with a last column
    `character`: the character read at step t, made safe by csv_text_cell and quoted as CSV
    needs (a space is written " ", a comma ","). The other columns are trace_to_csv's."""
    if trace.batched:
        raise ValueError("a trace with text is one sequence, not a batch")
    if len(text) != trace.T:
        raise ValueError(f"the text has {len(text)} characters but the trace {trace.T} steps")
    H = trace.hidden_size
    lines = trace_to_csv(trace).splitlines()
    out = [lines[0] + ",character"]
    for k, line in enumerate(lines[1:]):
        out.append(line + "," + _quoted(csv_text_cell(text[k // H])))
    return "\n".join(out) + "\n"
