"""Start the app on a loopback port and drive it with Debian's Chromium through Playwright.

Used by the browser tests, the browser benchmark and the screenshot script.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = os.environ.get("LSTM_LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
HOW_TO_ENABLE = ("the browser tests need Debian's Chromium at /usr/bin/chromium "
                 "(sudo apt-get install chromium) or LSTM_LAB_CHROMIUM=/path/to/chromium")


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or bool(shutil.which(CHROMIUM))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(port: int | None = None, extra_args=(), timeout: float = 60.0, root: str = ROOT):
    """Run `streamlit run app.py` on 127.0.0.1; yield its base URL; stop it afterwards.
    `root`: the checkout to serve (this one by default; benchmarks/ab_browser.py serves two)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", os.path.join(root, "app.py"),
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", *extra_args]
    log = open(os.path.join(ROOT, ".pytest_cache", f"streamlit-{port}.log") if os.path.isdir(
        os.path.join(ROOT, ".pytest_cache")) else os.devnull, "w")
    proc = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with status {proc.returncode} before answering")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the app has finished its current run: the script state attribute of the
    app root returns to notRunning (and stays there through the next animation frame)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_function(
        """() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(
             document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state') === 'notRunning'))))""",
        timeout=timeout)


def open_page(page, url: str, path: str = "") -> None:
    page.goto(url + "/" + path.lstrip("/"))
    page.wait_for_selector('[data-testid="stApp"]', timeout=30_000)
    wait_idle(page)


# The gates page draws its charts with ui.charts: each in an iframe of the app's own origin.
CHART_FRAME = 'iframe[src*="/component/ui.charts.chart/"]'
# JavaScript for every Plotly chart on the page, in page order: those drawn by st.plotly_chart
# and those inside ui.charts frames (same origin, so the page can read into them).
PLOTS_JS = ("[...document.querySelectorAll('.js-plotly-plot, iframe')].flatMap(e => e.tagName !== 'IFRAME' ? [e]"
            " : [...((e.contentDocument && e.contentDocument.querySelectorAll('.js-plotly-plot')) || [])])")


def chart_frame(page, n: int = 0):
    """A locator inside the n-th ui.charts frame of the page (its elements, for the mouse)."""
    return page.frame_locator(CHART_FRAME).nth(n)
