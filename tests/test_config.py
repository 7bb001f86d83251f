"""The hardened server configuration (.streamlit/config.toml), read as a file and seen working
in a real server: XSRF on (an upload without the token is refused), uploads capped at 5 MB
and the app's own file limits inside that cap, no usage statistics, error details hidden from
students but kept in the log, no static file serving, no file watching, the viewer toolbar,
no magic, no post-run full garbage collection, a cap on what one browser may send, only
Community Cloud's sites allowed to drive the app from around it, a compressed websocket."""
import json
import os
import shutil
import sys
import tomllib
import urllib.error
import urllib.request

import pytest
from streamlit import config as st_config

from conftest import ROOT

sys.path.insert(0, ROOT)
from loadtest.run_load import app_server  # noqa: E402
from loadtest.student import Student, StudentError  # noqa: E402
from lstm_core.formats import MAX_CSV_BYTES, MAX_JSON_BYTES  # noqa: E402

CONFIG = os.path.join(ROOT, ".streamlit", "config.toml")
EXPECTED = {
    ("server", "enableXsrfProtection"): True,
    ("server", "enableCORS"): True,
    ("server", "maxUploadSize"): 5,
    ("server", "enableStaticServing"): False,
    ("server", "fileWatcherType"): "none",
    ("server", "runOnSave"): False,
    ("server", "maxWidgetStateSize"): 2,
    ("server", "enableAgentApi"): False,
    ("server", "headless"): True,
    ("server", "enableWebsocketCompression"): True,   # figures ahead of a slider: page 2's compress 17 to 1
    ("browser", "gatherUsageStats"): False,
    ("client", "showErrorDetails"): "none",
    ("client", "showErrorLinks"): False,
    ("client", "toolbarMode"): "viewer",
    ("runner", "magicEnabled"): False,
    ("runner", "postScriptGC"): False,
    ("global", "maxCachedMessageAge"): 50,        # with Streamlit's 2, a held arrow key could kill the page
    ("client", "allowedOrigins"): ["https://*.streamlit.app", "https://share.streamlit.io"],  # Community Cloud's
}


@pytest.fixture(scope="module")
def cfg():
    with open(CONFIG, "rb") as f:
        return tomllib.load(f)


@pytest.mark.parametrize("section,key", sorted(EXPECTED))
def test_setting(cfg, section, key):
    assert cfg.get(section, {}).get(key) == EXPECTED[section, key], f"[{section}] {key}"


def test_every_setting_is_one_streamlit_knows(cfg):
    """A misspelt option is silently ignored by Streamlit: every key must be a real one."""
    known = set(st_config._config_options_template)
    for section, values in cfg.items():
        for key in values:
            assert f"{section}.{key}" in known, f"{section}.{key} is not a Streamlit option"


def test_the_apps_file_limits_fit_in_the_upload_limit(cfg):
    cap = cfg["server"]["maxUploadSize"] * 1024 * 1024      # Streamlit counts MB of 2**20 bytes
    assert MAX_JSON_BYTES <= cap and MAX_CSV_BYTES <= cap
    # ... and the cap is no bigger than it needs to be (an upload is held in memory)
    assert cap < 2 * max(MAX_JSON_BYTES, MAX_CSV_BYTES)


# ---------------------------------------------------------------- in a real server

TOY_APP = '''
import streamlit as st
st.title("config check")
st.file_uploader("A file", key="f")
st.text_area("Text", key="t")
if st.query_params.get("boom"):
    raise ValueError("secret-detail-4242 in /very/secret/path.py")
st.write("ok")
'''


@pytest.fixture(scope="module")
def toy_server(tmp_path_factory):
    """A tiny app that can fail on demand, served with the project's config.toml."""
    d = tmp_path_factory.mktemp("toy")
    (d / ".streamlit").mkdir()
    shutil.copy(CONFIG, d / ".streamlit" / "config.toml")
    (d / "app.py").write_text(TOY_APP)
    (d / "static").mkdir()
    (d / "static" / "secret.txt").write_text("static-file-content-777")
    log = d / "server.log"
    with app_server(script=str(d / "app.py"), cwd=str(d), log_path=str(log)) as (url, proc):
        yield url, log


def test_a_student_sees_a_redacted_error_and_the_log_keeps_the_detail(toy_server):
    url, log = toy_server
    with Student(url, query="boom=1", timeout=30) as s:
        run = s.open()
    excs = [p for t, p in run.elements.values() if t == "exception"]
    assert len(excs) == 1
    shown = excs[0]
    assert "secret-detail-4242" not in shown.message and "/very/secret" not in shown.message
    assert not shown.stack_trace and not shown.type
    assert "error" in shown.message.lower()
    text = log.read_text()
    assert "secret-detail-4242" in text and "Traceback" in text


def test_the_client_config_is_the_viewer_toolbar_without_error_links(toy_server):
    url, _ = toy_server
    with Student(url, timeout=30) as s:
        s.open()
        conf = s.new_session.config
    assert conf.toolbar_mode == conf.VIEWER
    assert conf.show_error_links == conf.SHOW_ERROR_LINKS_FALSE


def test_an_upload_without_the_xsrf_token_is_refused(toy_server):
    url, _ = toy_server
    with Student(url, timeout=30) as s:
        s.open()
        assert s.upload_status("a.json", b"{}", with_xsrf=False) == 403
        assert s.upload_status("a.json", b"{}", with_xsrf=True) == 204


def test_an_upload_over_5_mb_is_refused(toy_server):
    url, _ = toy_server
    with Student(url, timeout=30) as s:
        s.open(xsrf=True)
        assert s.upload_status("big.json", b"0" * (5 * 1024 * 1024 + 1), with_xsrf=True) == 413


def test_no_static_files_are_served(toy_server):
    url, _ = toy_server
    try:
        with urllib.request.urlopen(url + "/app/static/secret.txt", timeout=10) as r:
            body = r.read().decode(errors="replace")
    except urllib.error.HTTPError:
        body = ""
    assert "static-file-content-777" not in body


def test_a_browser_sending_more_than_2_mb_is_cut_off(toy_server):
    url, _ = toy_server
    with Student(url, timeout=30) as s:
        s.open()
        wid = s.find("t")[1].id
        s.send_raw_rerun(wid, "1" * (3 * 1024 * 1024))
        with pytest.raises(StudentError):
            s.rerun()
        assert s.closed_by_server


def test_the_host_config_names_only_community_clouds_sites(toy_server):
    """The browser reads the sites allowed to drive the app from this endpoint, and checks every
    message the page receives against each of them."""
    url, _ = toy_server
    with urllib.request.urlopen(url + "/_stcore/host-config", timeout=10) as r:
        host = json.loads(r.read())
    assert host["allowedOrigins"] == ["https://*.streamlit.app", "https://share.streamlit.io"]


def test_the_websocket_is_compressed_for_a_browser_that_offers_it(toy_server):
    """The handshake a browser makes, by hand: the server takes permessage-deflate."""
    import base64
    import socket
    import urllib.parse
    url, _ = toy_server
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      f"Origin: {url}\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                      "Sec-WebSocket-Protocol: streamlit\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].split()[1] == "101", lines[0]
    extensions = [v for k, _, v in (line.partition(":") for line in lines[1:])
                  if k.lower() == "sec-websocket-extensions"]
    assert extensions and extensions[0].strip().startswith("permessage-deflate"), lines
