"""Command line: traces and gradient norms for a weights file and an inputs file.

    python -m lstm_core trace     --weights W.json --inputs X.csv [--out trace.csv]
    python -m lstm_core gradients --weights W.json --inputs X.csv [--out grads.csv]

Formats: README.md, section "Formats". Bad input ends with exit status 2 and one line on
standard error naming the file; no output file is left behind.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

from .backprop import backward
from .formats import FormatError, gradients_to_csv, inputs_from_csv, params_from_json, trace_to_csv
from .lstm import lstm_forward
from .rnn import rnn_forward

FORMATS_HELP = ("File formats (README.md, 'Formats'): weights are JSON "
                '{"model": "lstm"|"rnn", "input_size": D, "hidden_size": H, "W_f": [[H+D numbers] x H], ..., "b_f": [H numbers], ...}; '
                "inputs are CSV with a header naming the D features, then one row per time step.")


class CLIError(Exception):
    pass


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise CLIError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CLIError(f"{path}: is a folder, not a file") from None
    except OSError as e:
        raise CLIError(f"{path}: cannot be read ({e.strerror})") from None


def load(weights_path: str, inputs_path: str):
    """(params, inputs (T, D)) from the two files; CLIError names the file at fault."""
    try:
        params = params_from_json(_read(weights_path))
    except FormatError as e:
        raise CLIError(f"{weights_path}: {e}") from None
    try:
        x, _ = inputs_from_csv(_read(inputs_path), params.input_size)
    except FormatError as e:
        raise CLIError(f"{inputs_path}: {e}") from None
    return params, x


def run_trace(params, x) -> str:
    run = lstm_forward if params.model == "lstm" else rnn_forward
    return trace_to_csv(run(params, x))


def run_gradients(params, x) -> str:
    run = lstm_forward if params.model == "lstm" else rnn_forward
    return gradients_to_csv(backward(run(params, x)))


def write_out(text: str, out: str | None) -> None:
    """Write to stdout ('-' or None) or atomically to a file: a failure leaves no file."""
    if out in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    folder = os.path.dirname(os.path.abspath(out))
    if os.path.isdir(out):
        raise CLIError(f"{out}: is a folder; give a file name for --out")
    if not os.path.isdir(folder):
        raise CLIError(f"{out}: the folder {folder} does not exist")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".lstm_core-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", newline="") as fh:
            fh.write(text)
        os.replace(tmp, out)
        tmp = None
    except OSError as e:
        raise CLIError(f"{out}: cannot be written ({e.strerror})") from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m lstm_core",
        description="Run an LSTM or vanilla RNN (NumPy, float64) and write what it computed.",
        epilog=FORMATS_HELP)
    sub = p.add_subparsers(dest="verb", required=True, metavar="{trace,gradients}")
    for verb, what in (
        ("trace", "every gate and state at every step: CSV with columns t, unit, forget_gate, "
                  "input_gate, candidate, output_gate, cell_state, hidden_state (RNN: t, unit, hidden_state)"),
        ("gradients", "per-step gradient norms for the loss L = sum of h_T: CSV with columns "
                      "t, grad_h_norm, grad_c_norm (RNN: t, grad_h_norm), the norms of dL/dh_t and dL/dC_t"),
    ):
        s = sub.add_parser(verb, help=what, description=f"Write {what}.", epilog=FORMATS_HELP)
        s.add_argument("--weights", required=True, metavar="W.json", help="the model's weights (weights JSON)")
        s.add_argument("--inputs", required=True, metavar="X.csv", help="the input sequence (inputs CSV)")
        s.add_argument("--out", default=None, metavar="FILE", help="where to write; '-' or omitted: standard output")
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        params, x = load(args.weights, args.inputs)
        text = run_trace(params, x) if args.verb == "trace" else run_gradients(params, x)
        write_out(text, args.out)
    except CLIError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0
