"""Server-side rerun time and figure payload of every page, at its defaults.

    python benchmarks/bench_app.py [--repeat N]

For each page: load it with Streamlit's AppTest, then move its first slider one step at a
time to values it has not had before (so no cached result helps) and time each rerun: the
script's run with the new value (widgets, computations, figure building and serialisation;
no browser), plus AppTest's own overhead of a few ms. Prints the median and the
slowest rerun, and the bytes of figure JSON the page sends (the Plotly specs, as sent to the
browser). Targets (issue 3): median <= 50 ms, <= 300 KB of figure data per page.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.chdir(ROOT)

from streamlit.testing.v1 import AppTest  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests"))
from plotly_data import chart_elements, spec_text  # noqa: E402

PAGES = ["pages/home.py", "pages/lesson.py", "pages/one_step.py", "pages/gates_over_time.py", "pages/vanishing_gradient.py"]


def figure_bytes(at) -> int:
    """Bytes of figure JSON on the page: st.plotly_chart's and ui.charts' (the gates page)."""
    return sum(len(spec_text(c).encode()) for c in chart_elements(at))


def bench_page(path: str, repeat: int):
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=60)
    at.run()
    at.switch_page(path)
    at.run()
    if at.exception:
        raise RuntimeError(f"{path}: {at.exception[0].message}")
    size = figure_bytes(at)
    charts = len(chart_elements(at))
    if not at.slider:
        return None, None, size, charts, "no slider"
    s = at.slider[0]
    label, key = s.label, s.key
    lo, hi, step, start = s.min, s.max, s.step, s.value
    direction = 1 if start + repeat * step <= hi else -1
    times = []
    for k in range(1, repeat + 1):
        value = start + direction * k * step
        (at.slider(key=key) if key else at.slider[0]).set_value(type(start)(value))
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(f"{path}: {at.exception[0].message}")
    return statistics.median(times), max(times), size, charts, label


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args(argv)
    print(f"{'page':32} {'median ms':>9} {'max ms':>8} {'figure KB':>9} {'charts':>6}  slider moved")
    for path in PAGES:
        med, worst, size, charts, label = bench_page(path, args.repeat)
        m = f"{med * 1e3:9.1f}" if med is not None else f"{'-':>9}"
        w = f"{worst * 1e3:8.1f}" if worst is not None else f"{'-':>8}"
        print(f"{path:32} {m} {w} {size / 1024:9.1f} {charts:6d}  {label}")


if __name__ == "__main__":
    main()
