"""A whole class at once: N simulated students against one LSTM Gate Lab server.

    .venv/bin/python loadtest/run_load.py --students 30 --seconds 60

Each student is a real Streamlit session over the app's websocket (loadtest/student.py): it
opens a page (default: the gates-over-time page, /gates_over_time) and moves one of its
sliders, at random, every 1 to 3 s (uniformly), by a random number of steps, for --seconds;
after each move it waits for the rerun to finish (the script_finished message), as a
student watching the figure does, and moves again at its next time (at once if the rerun
took longer). Without --url the script starts the app itself (`streamlit run app.py` on a
free port of 127.0.0.1, with the project's .streamlit/config.toml) and stops it afterwards.
Only the loopback interface is ever contacted.

It reports
- reruns per second (finished reruns caused by moves), median and 95th-percentile time from
  a move to its finished rerun, and the same counted from the time the move was due (so a
  slow server cannot hide its backlog by delaying the students: "from due");
- errors: exceptions in the deltas, disconnects, timeouts, pages not found;
- the server's memory (resident set size, /proc/<pid>/status) before (after one warm-up
  session), during (the largest sample) and after every session has closed;
- the saturation point: the reruns per second the server sustains when every student moves
  again as soon as its previous rerun has finished (--saturation-seconds, 0 to skip);
- how busy the machine was: the server's and this client's CPU use, and the whole
  machine's (all processes, /proc/stat), during each phase.

Exit status 0 when there was no error, 1 otherwise (figures are printed either way);
--json FILE also writes every figure as JSON. Targets (issue 7, 2 cores, default page):
30 students with no error and p95 <= 1 s; 60 students p95 <= 2 s; memory back within 50 MB
of its start after the sessions close.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from loadtest.student import FINISHED_OK, LOOPBACK, Student, StudentError, user_key  # noqa: E402

MB = 1024 * 1024


# ---------------------------------------------------------------- the server under test

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}/_stcore/health did not answer within {timeout:.0f} s")
        time.sleep(0.2)


@contextlib.contextmanager
def app_server(port: int | None = None, extra_args=(), log_path: str | None = None, timeout: float = 60.0,
               script: str | None = None, cwd: str = ROOT, malloc_arena_max: int = 2):
    """Run `streamlit run app.py` (or `script`) on 127.0.0.1 from `cwd` (whose
    .streamlit/config.toml applies: the project's by default); yield (base URL, process);
    stop it afterwards. MALLOC_ARENA_MAX=2 (as loadtest/README.md recommends for a class:
    glibc then keeps fewer per-thread arenas of freed memory); 0 leaves glibc's default."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", script or os.path.join(ROOT, "app.py"),
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           *extra_args]
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    env = dict(os.environ)
    if malloc_arena_max:
        env["MALLOC_ARENA_MAX"] = str(malloc_arena_max)
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, timeout, proc)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log_path:
            log.close()


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"refusing {url}: the load test only runs against the loopback interface "
                         f"(127.0.0.1, localhost, ::1)")


# ---------------------------------------------------------------- /proc

def rss_bytes(pid: int) -> int:
    """Resident set size of a process (VmRSS), in bytes; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v) - idle, sum(v)


class Sampler:
    """Samples the servers' RSS every `every` seconds in a thread; CPU use over its life."""

    def __init__(self, pids: list[int], every: float = 0.5):
        self.pids, self.every = pids, every
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def rss(self) -> int:
        return sum(rss_bytes(p) for p in self.pids)

    def _loop(self):
        while not self._stop.is_set():
            self.samples.append(self.rss())
            self._stop.wait(self.every)

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.server_cpu0 = [cpu_seconds(p) for p in self.pids]
        self.client_cpu0 = sum(os.times()[:2])
        self.machine0 = machine_busy()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        wall = time.perf_counter() - self.t0
        busy1, total1 = machine_busy()
        per = [(cpu_seconds(p) - c0) / wall for p, c0 in zip(self.pids, self.server_cpu0)]
        self.cpu = {
            "server_cores": sum(per),
            "server_cores_per_process": per,
            "client_cores": (sum(os.times()[:2]) - self.client_cpu0) / wall,
            "machine_busy_fraction": (busy1 - self.machine0[0]) / max(1, total1 - self.machine0[1]),
            "cores": os.cpu_count(),
            "loadavg_1min_after": os.getloadavg()[0],
        }


# ---------------------------------------------------------------- the students

@dataclass
class Tally:
    """Everything the students of one phase recorded (appended from their threads)."""
    latencies: list = field(default_factory=list)      # move -> finished rerun, seconds
    from_due: list = field(default_factory=list)       # due time of the move -> finished rerun
    finished_at: list = field(default_factory=list)    # perf_counter of each finished rerun
    opens: list = field(default_factory=list)          # page-open times
    errors: dict = field(default_factory=dict)         # kind -> count
    error_examples: list = field(default_factory=list)
    early: int = 0                                     # runs stopped early for a rerun inside them
    app_errors: int = 0                                # st.error boxes the app showed (not failures)
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str, detail: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.error_examples) < 10:
                self.error_examples.append(f"{kind}: {detail}"[:300])


def pick_move(student: Student, rng: random.Random, max_step: float = 0.02, only=()):
    """A slider and a new value for it, as a student nudges it: a random slider of the page
    (or of `only`, by key), moved by 1 step up to `max_step` of its range (2%: 1 to 10 steps of
    a 1..500 slider), up or down, staying inside it; of a range slider, one end moves. Repeated,
    this is a random walk from the page's defaults."""
    sliders = [(wid, proto) for wid, proto in student.sliders() if not only or user_key(wid) in only]
    if not sliders:
        return None
    wid, proto = rng.choice(sliders)
    step = proto.step or 1.0
    n_steps = max(1, int(round((proto.max - proto.min) / step)))
    cur = student.slider_value(wid) or list(proto.default) or [proto.min]
    idx = [int(round((v - proto.min) / step)) for v in cur]
    j = rng.randrange(len(idx))                        # the end that moves
    lo = idx[j - 1] if j > 0 else 0
    hi = idx[j + 1] if j + 1 < len(idx) else n_steps
    k = rng.randint(1, max(1, int(n_steps * max_step))) * rng.choice((-1, 1))
    new_i = idx[j] + k
    if not lo <= new_i <= hi:
        new_i = idx[j] - k                             # bounce off the end
    idx[j] = min(max(new_i, lo), hi)
    new = [proto.min + i * step for i in idx]
    if new == cur:                                     # this end cannot move
        return None
    if proto.data_type in (proto.INT, proto.DATETIME, proto.DATE, proto.TIME):
        new = [int(round(v)) for v in new]
    return wid, new


def record_run(tally: Tally, run, due: float | None = None, sent: float | None = None) -> None:
    with tally.lock:
        tally.bytes += run.bytes
        tally.early += run.early
        tally.app_errors += len(run.alerts("error"))
    if run.exceptions:
        for etype, message in run.exceptions:
            tally.error("exception", f"{etype}: {message}")
    if run.page_not_found:
        tally.error("page not found", "")
    if run.status != FINISHED_OK:
        tally.error("script did not finish", f"status {run.status}")


def student_loop(url: str, page: str, query: str, start_at: float, end_at: float, pace: tuple[float, float] | None,
                 tally: Tally, seed: int, timeout: float, max_step: float, only=()) -> None:
    """One student: open the page at start_at, move sliders until end_at, then leave.
    pace=(lo, hi): a move every uniform(lo, hi) s; pace=None: move again at once."""
    rng = random.Random(seed)
    s = Student(url, page=page, query=query, timeout=timeout)
    try:
        time.sleep(max(0.0, start_at - time.perf_counter()))
        opened = False
        while not opened and time.perf_counter() < end_at:
            try:
                run = s.open(xsrf=True)
            except StudentError as e:
                tally.error("disconnect" if "closed" in str(e) or "open" in str(e) else "timeout", str(e))
                s.close()
                time.sleep(1.0)
                continue
            with tally.lock:
                tally.opens.append(run.seconds)
            record_run(tally, run)
            opened = True
        if not opened:
            return
        due = time.perf_counter() + (rng.uniform(0, pace[1] - pace[0]) if pace else 0.0)
        while True:
            now = time.perf_counter()
            if due > now:
                if due >= end_at:
                    break
                time.sleep(due - now)
            elif now >= end_at:
                break
            move = None
            for _ in range(5):
                move = pick_move(s, rng, max_step, only)
                if move is not None:
                    break
            if move is None:
                if not [w for w, _ in s.sliders() if not only or user_key(w) in only]:
                    tally.error("no slider", f"the page {page!r} has no slider {' '.join(only)} to move")
                    break
                due = max(due + rng.uniform(*pace), time.perf_counter()) if pace else time.perf_counter()
                continue
            wid, value = move
            s.stage_id(wid, value)
            try:
                sent = s.request()
                run = s.wait(sent)
            except StudentError as e:
                tally.error("disconnect" if s.closed_by_server or "closed" in str(e) else "timeout", str(e))
                s.close()
                try:
                    s = Student(url, page=page, query=query, timeout=timeout)
                    s.open(xsrf=True)
                except StudentError as e2:
                    tally.error("disconnect", f"reconnecting: {e2}")
                    break
                due = time.perf_counter() + (rng.uniform(*pace) if pace else 0.0)
                continue
            done = time.perf_counter()
            record_run(tally, run)
            if run.status == FINISHED_OK:
                with tally.lock:
                    tally.latencies.append(run.seconds)
                    tally.from_due.append(done - min(due, sent))
                    tally.finished_at.append(done)
            due = max(due + rng.uniform(*pace), time.perf_counter()) if pace else time.perf_counter()
    finally:
        s.close()


def run_phase(url: str, n: int, seconds: float, page: str, query: str, pace, ramp: float, seed: int,
              timeout: float, pids: list[int], max_step: float = 0.02, only=()) -> dict:
    tally = Tally()
    t0 = time.perf_counter()
    start_ats = [t0 + ramp * k / max(1, n) for k in range(n)]
    end_at = t0 + ramp + seconds
    threads = [threading.Thread(target=student_loop, daemon=True,
                                args=(url, page, query, start_ats[k], end_at, pace, tally, seed * 1000 + k,
                                      timeout, max_step, tuple(only)))
               for k in range(n)]
    with Sampler(pids) as sampler:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=ramp + seconds + timeout + 30)
    w0, w1 = t0 + ramp, end_at                          # the window every student is in
    in_window = sum(1 for t in tally.finished_at if w0 <= t <= w1)
    lat = sorted(tally.latencies)
    due = sorted(tally.from_due)
    return {
        "students": n, "seconds": seconds, "ramp_seconds": ramp, "max_step_fraction": max_step,
        "sliders": list(only) or "all",
        "pace_seconds": list(pace) if pace else "none (saturation)",
        "reruns": len(lat), "reruns_per_second": in_window / (w1 - w0),
        "median_s": pct(lat, 50), "p95_s": pct(lat, 95), "max_s": lat[-1] if lat else None,
        "median_from_due_s": pct(due, 50), "p95_from_due_s": pct(due, 95),
        "page_open_median_s": pct(sorted(tally.opens), 50), "page_open_p95_s": pct(sorted(tally.opens), 95),
        "opened": len(tally.opens),
        "errors": dict(tally.errors), "error_count": sum(tally.errors.values()),
        "error_examples": tally.error_examples,
        "runs_stopped_early": tally.early, "app_error_boxes": tally.app_errors,
        "mb_received": tally.bytes / MB,
        "rss_during_max_mb": max(sampler.samples) / MB if sampler.samples else None,
        "rss_during_mean_mb": statistics.fmean(sampler.samples) / MB if sampler.samples else None,
        "cpu": sampler.cpu,
    }


def pct(sorted_values: list, q: float):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def warm_up(url: str, page: str, query: str, timeout: float, moves: int = 5, only=()) -> None:
    """One session that opens the page and moves its sliders a few times: loads every module
    the page needs, so 'before' is the memory of a server that has served the page."""
    rng = random.Random(12345)
    with Student(url, page=page, query=query, timeout=timeout) as s:
        run = s.open(xsrf=True)
        if run.exceptions or run.page_not_found:
            raise SystemExit(f"the page {page!r} fails before any load: {run.exceptions or 'page not found'}")
        for _ in range(moves):
            move = pick_move(s, rng, only=only)
            if move is None:
                continue
            s.stage_id(*move)
            s.rerun()


def settle(sampler_pids: list[int], seconds: float) -> int:
    time.sleep(seconds)
    return sum(rss_bytes(p) for p in sampler_pids)


# ---------------------------------------------------------------- report

def fmt_s(v) -> str:
    return "-" if v is None else f"{v * 1000:.0f} ms"


def print_phase(name: str, r: dict) -> None:
    c = r["cpu"]
    print(f"\n== {name}: {r['students']} students, {r['seconds']:g} s, pace {r['pace_seconds']}, "
          f"moves up to {r['max_step_fraction']:.0%} of a slider's range, sliders: {r['sliders']}")
    print(f"  reruns            {r['reruns']} finished, {r['reruns_per_second']:.1f} per second")
    print(f"  move -> finished  median {fmt_s(r['median_s'])}, p95 {fmt_s(r['p95_s'])}, max {fmt_s(r['max_s'])}")
    print(f"  from due time     median {fmt_s(r['median_from_due_s'])}, p95 {fmt_s(r['p95_from_due_s'])}")
    print(f"  page opens        {r['opened']}, median {fmt_s(r['page_open_median_s'])}, "
          f"p95 {fmt_s(r['page_open_p95_s'])}")
    print(f"  errors            {r['error_count']} {r['errors'] or ''}")
    for e in r["error_examples"][:5]:
        print(f"                    {e}")
    print(f"  received          {r['mb_received']:.0f} MB; {r['runs_stopped_early']} runs stopped early; "
          f"{r['app_error_boxes']} st.error boxes shown by the app")
    print(f"  server RSS        max {r['rss_during_max_mb']:.0f} MB, mean {r['rss_during_mean_mb']:.0f} MB")
    print(f"  CPU               server {c['server_cores']:.2f} cores, this client {c['client_cores']:.2f} cores, "
          f"whole machine {c['machine_busy_fraction'] * 100:.0f}% of {c['cores']} cores busy "
          f"(load average {c['loadavg_1min_after']:.2f})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=30, help="simulated students (default 30)")
    ap.add_argument("--seconds", type=float, default=60, help="how long they move sliders (default 60)")
    ap.add_argument("--page", default="gates_over_time", help="the page's URL path (default gates_over_time)")
    ap.add_argument("--query", default="", help="query string of the page's address, e.g. 'T=100'")
    ap.add_argument("--pace", type=float, nargs=2, default=(1.0, 3.0), metavar=("LO", "HI"),
                    help="seconds between a student's moves, uniform (default 1 3)")
    ap.add_argument("--max-step", type=float, default=0.02,
                    help="largest move, as a fraction of the slider's range (default 0.02: 1 to 10 steps of T)")
    ap.add_argument("--slider", action="append", default=[], metavar="KEY",
                    help="move only this slider (its widget key, e.g. keep.gates.T; repeatable); "
                         "default: every slider of the page")
    ap.add_argument("--ramp", type=float, default=5.0, help="seconds over which the students arrive (default 5)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the paced phase this many times, each with new sessions, measuring the memory after "
                         "each: if it stops growing, sessions leave nothing behind (default 1)")
    ap.add_argument("--saturation-seconds", type=float, default=20,
                    help="length of the saturation phase, students moving without pause (0: skip; default 20)")
    ap.add_argument("--saturation-students", type=int, default=None,
                    help="students in the saturation phase (default: --students)")
    ap.add_argument("--url", help="an already running app (loopback only); default: start one")
    ap.add_argument("--server-pids", default="",
                    help="with --url: comma-separated PIDs of the app processes, for their memory")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra argument for `streamlit run` when the script starts the app (repeatable)")
    ap.add_argument("--server-log", help="where the started app's log goes")
    ap.add_argument("--malloc-arena-max", type=int, default=2,
                    help="MALLOC_ARENA_MAX for the app the script starts (default 2, as recommended in "
                         "loadtest/README.md; 0: glibc's default)")
    ap.add_argument("--settle", type=float, default=10.0,
                    help="seconds to wait after the sessions close before measuring memory (default 10)")
    ap.add_argument("--wait-ttl", type=float, default=0.0, metavar="SECONDS",
                    help="after everything, wait this long (Streamlit keeps a closed session "
                         "server.disconnectedSessionTTL = 120 s for a reconnect), open and close one more session "
                         "(which lets Streamlit drop the expired ones) and measure the memory again (default 0: skip)")
    ap.add_argument("--timeout", type=float, default=60.0, help="longest wait for one rerun (default 60)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write every figure to this file")
    args = ap.parse_args(argv)

    with contextlib.ExitStack() as stack:
        if args.url:
            check_loopback(args.url)
            url = args.url.rstrip("/")
            pids = [int(p) for p in args.server_pids.split(",") if p.strip()]
            wait_healthy(url)
        else:
            url, proc = stack.enter_context(app_server(extra_args=args.server_arg, log_path=args.server_log,
                                                       malloc_arena_max=args.malloc_arena_max))
            pids = [proc.pid]
        result = {"url": url, "page": args.page, "server_pids": pids, "cores": os.cpu_count(),
                  "loadavg_before": os.getloadavg()}
        print(f"LSTM Gate Lab load test: {url}/{args.page}, server PIDs {pids or 'unknown'}, "
              f"{os.cpu_count()} cores, load average before {os.getloadavg()[0]:.2f}")
        result["rss_cold_mb"] = sum(rss_bytes(p) for p in pids) / MB
        warm_up(url, args.page, args.query, args.timeout, only=args.slider)
        before = settle(pids, 2.0)
        result["rss_before_mb"] = before / MB

        result["rss_after_each_round_mb"] = []
        for k in range(args.rounds):
            paced = run_phase(url, args.students, args.seconds, args.page, args.query, tuple(args.pace), args.ramp,
                              args.seed + 100 * k, args.timeout, pids, args.max_step, args.slider)
            print_phase("students at their own pace" + (f", round {k + 1} of {args.rounds}" if args.rounds > 1 else ""),
                        paced)
            result["rss_after_each_round_mb"].append(settle(pids, args.settle) / MB)
            result.setdefault("paced_rounds", []).append(paced)
        result["paced"] = paced = result["paced_rounds"][0]
        result["rss_after_paced_mb"] = result["rss_after_each_round_mb"][0]

        if args.saturation_seconds > 0:
            n_sat = args.saturation_students or args.students
            sat = run_phase(url, n_sat, args.saturation_seconds, args.page, args.query, None,
                            min(args.ramp, 2.0), args.seed + 7, args.timeout, pids, args.max_step,
                            args.slider)
            result["saturation"] = sat
            print_phase("saturation (every student moves again at once)", sat)
            result["rss_after_all_mb"] = settle(pids, args.settle) / MB
        if args.wait_ttl > 0:
            print(f"\n(waiting {args.wait_ttl:g} s for the closed sessions to expire)", flush=True)
            time.sleep(args.wait_ttl)
            with Student(url, page=args.page, query=args.query, timeout=args.timeout) as probe:
                probe.open(xsrf=True)
            result["rss_after_ttl_mb"] = settle(pids, args.settle) / MB

    mem = (f"\n== server memory (RSS{', sum of ' + str(len(pids)) + ' processes' if len(pids) > 1 else ''}): "
           f"cold {result['rss_cold_mb']:.0f} MB, before {result['rss_before_mb']:.0f} MB (after one warm-up "
           f"session), during max {max(r['rss_during_max_mb'] for r in result['paced_rounds']):.0f} MB, after the sessions closed "
           f"{result['rss_after_paced_mb']:.0f} MB ({result['rss_after_paced_mb'] - result['rss_before_mb']:+.0f} MB)")
    if args.rounds > 1:
        mem += ("; after each round of new sessions " +
                ", ".join(f"{m:.0f}" for m in result["rss_after_each_round_mb"]) + " MB")
    if "rss_after_all_mb" in result:
        mem += (f"; after the saturation phase too {result['rss_after_all_mb']:.0f} MB "
                f"({result['rss_after_all_mb'] - result['rss_before_mb']:+.0f} MB)")
    if "rss_after_ttl_mb" in result:
        mem += (f"; {args.wait_ttl:g} s later, once the closed sessions expired, "
                f"{result['rss_after_ttl_mb']:.0f} MB ({result['rss_after_ttl_mb'] - result['rss_before_mb']:+.0f} MB)")
    print(mem)
    if "saturation" in result:
        print(f"== saturation point: {result['saturation']['reruns_per_second']:.1f} reruns per second "
              f"({result['saturation']['students']} students moving without pause, p95 "
              f"{fmt_s(result['saturation']['p95_s'])})")
    errors = (sum(r["error_count"] for r in result["paced_rounds"])
              + result.get("saturation", {}).get("error_count", 0))
    print(f"== {'no errors' if not errors else f'{errors} ERRORS'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
