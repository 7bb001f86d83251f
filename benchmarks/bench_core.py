"""Benchmark of the NumPy core against PyTorch's nn.LSTM (when torch is importable).

    python benchmarks/bench_core.py [--repeat N]

Prints, for (D, H, T, B) = (1, 8, 100, 1), (4, 32, 500, 16), (8, 128, 1000, 64), float64,
one thread each: the median time of our recorded forward pass (every gate of every step
kept), of forward + backward (BPTT for L = sum of h_T, every parameter gradient and every
per-step dL/dh_t, dL/dC_t), and PyTorch's nn.LSTM forward and forward + autograd backward
(which record nothing) beside them.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):   # one thread each
    os.environ[var] = "1"
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from lstm_core import lstm_backward, lstm_forward  # noqa: E402
from lstm_core.presets import random_lstm  # noqa: E402

SIZES = [(1, 8, 100, 1), (4, 32, 500, 16), (8, 128, 1000, 64)]


def median_times(fns, repeat):
    """Median wall time of each function, the runs interleaved (a, b, c, a, b, c, ...) so
    that a busy machine slows all of them alike."""
    for fn in fns:
        fn()  # warm up
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [statistics.median(ts) for ts in times]


def torch_lstm(params, torch):
    """nn.LSTM (float64) holding the same weights: PyTorch packs the gates i, f, g, o."""
    H, D = params.hidden_size, params.input_size
    m = torch.nn.LSTM(D, H).double()
    W = np.concatenate([params.W_i, params.W_f, params.W_c, params.W_o])      # (4H, H+D), order i, f, g, o
    b = np.concatenate([params.b_i, params.b_f, params.b_c, params.b_o])
    with torch.no_grad():
        m.weight_hh_l0.copy_(torch.from_numpy(W[:, :H]))
        m.weight_ih_l0.copy_(torch.from_numpy(W[:, H:]))
        m.bias_ih_l0.copy_(torch.from_numpy(b))
        m.bias_hh_l0.zero_()
    return m


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i.get('architecture')}, {i['num_threads']} thread)"
                         for i in threadpool_info() if i["user_api"] == "blas")
    except ImportError:
        blas = "unknown BLAS"
    print(f"numpy {np.__version__} [{blas}]" + (f"; torch {torch.__version__}" if torch else "; torch not installed"))
    print(f"median of {args.repeat} runs, float64, one thread; times in ms")
    head = f"{'D':>3} {'H':>4} {'T':>5} {'B':>3} | {'ours fwd':>9} {'torch fwd':>9} | {'ours f+b':>9} {'torch f+b':>9}"
    print(head)
    print("-" * len(head))
    for D, H, T, B in SIZES:
        p = random_lstm(D, H, seed=0)
        x = np.random.default_rng(0).standard_normal((T, B, D))
        fns = [lambda: lstm_forward(p, x), lambda: lstm_backward(lstm_forward(p, x))]
        if torch is not None:
            m = torch_lstm(p, torch)
            xt = torch.from_numpy(x)

            def t_fwd():
                with torch.no_grad():
                    m(xt)

            def t_both():
                m.zero_grad()
                out, _ = m(xt)
                out[-1].sum().backward()

            fns += [t_fwd, t_both]
        fwd, both, tf, tb = (median_times(fns, args.repeat) + [float("nan")] * 2)[:4]
        print(f"{D:>3} {H:>4} {T:>5} {B:>3} | {fwd * 1e3:9.2f} {tf * 1e3:9.2f} | {both * 1e3:9.2f} {tb * 1e3:9.2f}")


if __name__ == "__main__":
    main()
