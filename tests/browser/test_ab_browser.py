"""benchmarks/ab_browser.py, the paired comparison of two checkouts, runs: here this checkout
against itself, two pairs of presses on the lesson's slider."""
from benchmarks.ab_browser import compare

from .harness import ROOT


def test_paired_presses_in_two_servers_are_timed(browser):
    r = compare(ROOT, ROOT, "lesson", 2, browser=browser)
    for side in ("before", "after"):
        assert len(r[side]) == 2 and all(0 < ms < 30_000 for ms in r[side])
        assert len(r["cpu_" + side]) == 2 and all(ms > 0 for ms in r["cpu_" + side])
