"""Is a change faster for a student? Two checkouts side by side in one headless Chromium.

    git worktree add /tmp/before <revision>        # the code to compare against
    python benchmarks/ab_browser.py /tmp/before . --page gates_over_time --moves 40

Serves both checkouts (each with its own server), opens the page in each, and presses the
page's first slider's arrow key in one, then the other, alternating which goes first, each
press made once the browser is idle. Each press is timed as bench_browser times it (keydown
to the first frame with the figure's new data). Prints both medians, the median of the paired
differences (after - before) and in how many pairs "after" was faster, with the browser's
work per press (Chromium's TaskDuration).

This machine's speed changes within minutes: two runs of bench_browser a few minutes apart
differ by more than most changes gain. Pairs made seconds apart share the machine's state,
so their differences show a change of 10-20 ms in 40 pairs.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks.bench_browser import SETTLE, open_drawn, timed_press  # noqa: E402
from tests.browser.harness import app_server, launch_browser  # noqa: E402


def task_ms(cdp) -> float:
    return 1000 * next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]
                       if m["name"] == "TaskDuration")


def compare(before: str, after: str, page_path: str, moves: int, browser=None) -> dict:
    """Paired presses in the two checkouts: {"before": [ms], "after": [ms], "cpu_before": [ms], ...}.
    `browser`: a Playwright browser to use (else Chromium is launched here)."""
    out = {"before": [], "after": [], "cpu_before": [], "cpu_after": []}
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(app_server(root=os.path.abspath(r))) for r in (before, after)]
        if browser is None:
            browser = launch_browser(stack.enter_context(sync_playwright()))
        sides = []
        for url in urls:
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = ctx.new_page()
            open_drawn(page, url, page_path)
            cdp = ctx.new_cdp_session(page)
            cdp.send("Performance.enable")
            stack.callback(ctx.close)
            sides.append((page, page.get_by_role("slider").first, cdp))
        for k in range(moves):
            for which in ((0, 1) if k % 2 == 0 else (1, 0)):
                page, thumb, cdp = sides[which]
                page.bring_to_front()
                page.evaluate(SETTLE)
                cpu0 = task_ms(cdp)
                name = ("before", "after")[which]
                out[name].append(timed_press(page, thumb, "ArrowRight" if k % 2 == 0 else "ArrowLeft"))
                out["cpu_" + name].append(task_ms(cdp) - cpu0)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", help="a checkout of the code to compare against (git worktree add ...)")
    ap.add_argument("after", help="the checkout with the change (usually .)")
    ap.add_argument("--page", default="gates_over_time", help="the page's address, e.g. one_step")
    ap.add_argument("--moves", type=int, default=40, help="pairs of presses")
    args = ap.parse_args(argv)
    r = compare(args.before, args.after, args.page, args.moves)
    for name in ("before", "after"):
        t = r[name]
        print(f"{name:6} {os.path.abspath(getattr(args, name)):40} median {statistics.median(t):5.0f} ms"
              f"  (min {min(t):.0f}, max {max(t):.0f})  browser work per press {statistics.median(r['cpu_' + name]):.0f} ms")
    d = [a - b for a, b in zip(r["after"], r["before"])]
    print(f"after - before: median {statistics.median(d):+.0f} ms; after faster in {sum(x < 0 for x in d)} of {len(d)} pairs")


if __name__ == "__main__":
    main()
