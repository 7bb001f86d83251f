"""The load test, briefly, as CI runs it: 3 simulated students for 5 s against a server the
script starts on a loopback port (the command of loadtest/README.md, shortened). No errors,
reruns happened, every figure is reported. And the nginx configuration for scaling out
carries what websockets and sticky sessions need (checked with `nginx -t` when nginx is
installed)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

RUN_LOAD = os.path.join(ROOT, "loadtest", "run_load.py")
TEMPLATE = os.path.join(ROOT, "loadtest", "nginx.conf.template")


def test_three_students_for_five_seconds(tmp_path):
    out = tmp_path / "result.json"
    p = subprocess.run([sys.executable, RUN_LOAD, "--students", "3", "--seconds", "5", "--ramp", "1",
                        "--saturation-seconds", "4", "--settle", "1", "--json", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads(out.read_text())
    urlhost = r["url"].split("//")[1].split(":")[0]
    assert urlhost == "127.0.0.1"
    for phase in ("paced", "saturation"):
        ph = r[phase]
        assert ph["error_count"] == 0, ph["error_examples"]
        assert ph["opened"] == 3
        assert ph["reruns"] >= 3 and ph["reruns_per_second"] > 0
        assert 0 < ph["median_s"] <= ph["p95_s"] <= ph["max_s"]
        assert ph["rss_during_max_mb"] > 30
        assert ph["cpu"]["server_cores"] > 0
    # moving without pause reruns more often than moving every 1 to 3 s
    assert r["saturation"]["reruns_per_second"] > r["paced"]["reruns_per_second"]
    assert r["rss_before_mb"] > 30 and r["rss_after_paced_mb"] > 30
    for line in ("reruns", "move -> finished", "server memory", "saturation point", "no errors"):
        assert line in p.stdout


def test_the_load_test_refuses_any_address_but_loopback():
    p = subprocess.run([sys.executable, RUN_LOAD, "--url", "http://192.0.2.1:8501", "--seconds", "1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "loopback" in (p.stdout + p.stderr)
    sys.path.insert(0, ROOT)
    from loadtest.student import Student
    with pytest.raises(ValueError, match="loopback"):
        Student("http://example.com:8501")


def test_nginx_config_has_websockets_and_sticky_sessions(tmp_path):
    text = open(TEMPLATE).read()
    for needed in ("proxy_http_version 1.1", "proxy_set_header Upgrade $http_upgrade",
                   "proxy_set_header Connection $connection_upgrade", "proxy_read_timeout",
                   "hash $cookie__streamlit_xsrf", "proxy_set_header Host $http_host", "client_max_body_size"):
        assert needed in text, needed
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        pytest.skip("nginx is not installed (loadtest/scale_out.sh installs it); the template was checked as text")
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / d).mkdir(parents=True)
    conf = (text.replace("@PREFIX@", str(tmp_path)).replace("@LISTEN@", "127.0.0.1:8600")
            .replace("@WORKERS@", "1").replace("@SERVERS@", "        server 127.0.0.1:8601;\n        server 127.0.0.1:8602;"))
    (tmp_path / "nginx.conf").write_text(conf)
    p = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
