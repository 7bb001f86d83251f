"""One simulated student: a real Streamlit session over the app's websocket, as a browser
opens it, without a browser.

It speaks the protocol of the Streamlit frontend (the installed streamlit package's
protobufs): it opens ws://HOST/_stcore/stream with the subprotocol "streamlit", asks for a
page with a BackMsg `rerun_script` (ClientState: page name, query string, every widget's
value, the hashes of the messages it has cached), and reads the ForwardMsgs until the
run's `script_finished`. Like the frontend it

- keeps every widget's value as the last run drew it (the value the server set, or the
  widget's default) and sends all of them with each rerun, changed or not;
- keeps a cache of the large messages the server marks `cacheable` and resolves the
  `ref_hash` messages the server sends instead of repeating them;
- follows the address the page writes (st.query_params: a `page_info_changed` message) and
  sends it back with the next rerun, as the browser's address bar does;
- uploads a file the way st.file_uploader does: a `file_urls_request`, then an HTTP PUT of
  the file (with the XSRF cookie and header), then a rerun with the uploader's new state.

Used by loadtest/run_load.py (many students at once) and the tests (tests/test_isolation.py,
tests/test_config.py, tests/test_loadtest_smoke.py). It refuses any host but the loopback
interface (127.0.0.1, localhost, ::1).
"""
from __future__ import annotations

import http.client
import json
import socket
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websocket   # websocket-client
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED_OK = ForwardMsg.FINISHED_SUCCESSFULLY
FINISHED_EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
FINISHED_COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
XSRF_COOKIE = "_streamlit_xsrf"
CACHE_RUNS = 3                 # cached messages not seen in this many runs are dropped (as the frontend does)


class StudentError(RuntimeError):
    """The session failed: the websocket closed, a run timed out, the page was not found."""


@dataclass
class Run:
    """What one script run sent to this student."""
    status: int = -1                       # the script_finished status (FINISHED_OK, ...)
    seconds: float = 0.0                   # from the request to script_finished
    elements: dict = field(default_factory=dict)   # delta path (tuple) -> (element type, element proto)
    exceptions: list = field(default_factory=list)  # (type, message) of every st.exception delta
    bytes: int = 0                         # bytes received for this run
    messages: int = 0
    early: int = 0                         # runs of this request stopped early (rerun inside the run)
    page_not_found: bool = False

    def of_type(self, etype: str) -> list:
        return [proto for path, (t, proto) in sorted(self.elements.items()) if t == etype]

    def alerts(self, kind: str = "error") -> list[str]:
        """The bodies of the st.error / st.warning / st.info / st.success boxes."""
        code = {"error": 1, "warning": 2, "info": 3, "success": 4}[kind]
        return [a.body for a in self.of_type("alert") if a.format == code]

    def plotly_specs(self) -> list[str]:
        """The JSON of every chart drawn, in page order: st.plotly_chart's, and those of the
        app's in-place charts (ui.charts, a custom component that sends the figure as bytes)."""
        out = []
        for path, (t, proto) in sorted(self.elements.items()):
            if t == "plotly_chart":
                out.append(proto.spec)
            elif t == "component_instance" and proto.component_name == "ui.charts.chart":
                out.append(next(a.bytes for a in proto.special_args if a.key == "spec").decode("utf-8"))
        return out

    def widget(self, key: str):
        """The element proto of the widget with this user key (or label)."""
        for _, (t, proto) in sorted(self.elements.items()):
            wid = getattr(proto, "id", "") if t in WIDGET_KINDS else ""
            if wid and (user_key(wid) == key or getattr(proto, "label", None) == key):
                return proto
        raise KeyError(f"no widget {key!r} on the page")


def user_key(widget_id: str) -> str:
    """The key the page gave a widget: widget ids are '$$ID-<hash>-<key>'."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and widget_id.startswith("$$ID") else widget_id


# ---------------------------------------------------------------- widget values, as the frontend keeps them

def _double_array(ws: WidgetState, values) -> None:
    ws.double_array_value.data.extend(float(v) for v in values)


def _widget_value(etype: str, proto) -> WidgetState | None:
    """The WidgetState the frontend holds for a widget just drawn: the value the server set,
    else its default. None for widgets that hold no value between runs (buttons...)."""
    ws = WidgetState(id=proto.id)
    if etype == "slider":
        _double_array(ws, proto.value if proto.set_value and len(proto.value) else proto.default)
    elif etype == "checkbox":
        ws.bool_value = proto.value if proto.set_value else proto.default
    elif etype in ("radio", "selectbox"):
        if proto.HasField("raw_value"):
            ws.string_value = proto.raw_value
        elif proto.HasField("default") and 0 <= proto.default < len(proto.options):
            ws.string_value = proto.options[proto.default]
        else:
            return None
    elif etype == "number_input":
        v = proto.value if proto.set_value else proto.default
        if proto.data_type == proto.INT:
            ws.int_value = int(v)
        else:
            ws.double_value = float(v)
    elif etype in ("text_area", "text_input"):
        ws.string_value = proto.value if proto.set_value else proto.default
    else:
        return None
    return ws


WIDGET_KINDS = ("slider", "checkbox", "radio", "selectbox", "number_input", "text_area", "text_input",
                "button", "download_button", "file_uploader", "plotly_chart", "arrow_data_frame",
                "select_slider", "multiselect", "button_group")


def set_widget_value(state: WidgetState, etype: str, proto, value) -> None:
    """Put `value` (a Python value as the student would pick it) into a WidgetState."""
    state.Clear()
    state.id = proto.id
    if etype == "slider":
        _double_array(state, value if isinstance(value, (list, tuple)) else [value])
    elif etype == "checkbox":
        state.bool_value = bool(value)
    elif etype in ("radio", "selectbox"):
        if str(value) not in list(proto.options):
            raise ValueError(f"{value!r} is not one of {list(proto.options)}")
        state.string_value = str(value)
    elif etype == "number_input":
        if proto.data_type == proto.INT:
            state.int_value = int(value)
        else:
            state.double_value = float(value)
    elif etype in ("text_area", "text_input"):
        state.string_value = str(value)
    else:
        raise ValueError(f"cannot set a {etype}")


# ---------------------------------------------------------------- the session

class Student:
    """A browser tab's worth of Streamlit session, driven from Python.

        s = Student("http://127.0.0.1:8501", page="gates_over_time")
        run = s.open()                       # the page's first run
        run = s.set("keep.gates.T", 61)      # move the slider; returns the rerun
        s.close()
    """

    def __init__(self, base_url: str, page: str = "", query: str = "", timeout: float = 60.0):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"base_url must be http://host:port, got {base_url!r}")
        if parts.hostname not in LOOPBACK:
            raise ValueError(f"refusing {parts.hostname!r}: only the loopback interface is allowed")
        self.base_url = base_url.rstrip("/")
        self.host, self.port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        self.page, self.query, self.timeout = page, query, timeout
        self.ws: websocket.WebSocket | None = None
        self.session_id = ""
        self.page_script_hash = ""
        self.new_session = None                          # the last NewSession message (the app's config)
        self.pages: dict[str, str] = {}                 # url path -> page script hash, from the navigation
        self.states: dict[str, WidgetState] = {}        # widget id -> what we send
        self.kinds: dict[str, tuple[str, object]] = {}  # widget id -> (element type, proto) of the last run
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}   # hash -> (message, run number last used)
        self.runs = 0
        self.last: Run | None = None
        self.xsrf = ""
        self.closed_by_server = False

    # ------------------------------------------------------------ connection

    def _ws_url(self) -> str:
        scheme = "wss" if self.base_url.startswith("https") else "ws"
        return f"{scheme}://{self.base_url.split('://', 1)[1]}/_stcore/stream"

    def open(self, xsrf: bool = False) -> Run:
        """Connect and run the page once, as a browser opening its address."""
        cookie = None
        if xsrf:
            self.xsrf = self._fetch_xsrf_cookie()
            cookie = f"{XSRF_COOKIE}={self.xsrf}"
        protocols = ["streamlit", self.xsrf] if self.xsrf else ["streamlit"]
        try:
            self.ws = websocket.create_connection(self._ws_url(), subprotocols=protocols, timeout=self.timeout,
                                                  cookie=cookie, origin=self.base_url,
                                                  sockopt=((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),))
        except (OSError, websocket.WebSocketException) as e:
            raise StudentError(f"could not open the websocket: {e}") from e
        return self.rerun(first=True)

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.ws.close(timeout=2)
            except (OSError, websocket.WebSocketException):
                pass
            self.ws = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ runs

    def request(self, first: bool = False) -> float:
        """Send a rerun with every widget's value; return the time it was sent."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if first or not self.page_script_hash:
            cs.page_name = self.page
        else:
            cs.page_script_hash = self.page_script_hash
        cs.widget_states.widgets.extend(self.states.values())
        cs.cached_message_hashes.extend(self.cache.keys())
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        cs.context_info.url = f"{self.base_url}/{self.page}" + (f"?{self.query}" if self.query else "")
        return self._send(msg)

    def _send(self, msg: BackMsg) -> float:
        if self.ws is None:
            raise StudentError("not connected")
        t = time.perf_counter()
        try:
            self.ws.send_binary(msg.SerializeToString())
        except (OSError, websocket.WebSocketException) as e:
            raise StudentError(f"the websocket closed while sending: {e}") from e
        return t

    def _receive(self, deadline: float) -> tuple[ForwardMsg, int]:
        if self.ws is None:
            raise StudentError("not connected")
        self.ws.settimeout(max(0.01, deadline - time.perf_counter()))
        try:
            op, data = self.ws.recv_data()
        except websocket.WebSocketTimeoutException:
            raise StudentError(f"no answer within {self.timeout:g} s") from None
        except (OSError, websocket.WebSocketException) as e:
            self.closed_by_server = True
            raise StudentError(f"the websocket closed: {e}") from e
        if op == websocket.ABNF.OPCODE_CLOSE:
            self.closed_by_server = True
            raise StudentError("the server closed the websocket")
        msg = ForwardMsg()
        msg.ParseFromString(data)
        return msg, len(data)

    def wait(self, sent: float) -> Run:
        """Read messages until the run asked for at `sent` has finished; return it.
        A run stopped early by a rerun inside the script (st.rerun) is followed by another:
        wait for that one."""
        deadline = sent + self.timeout
        run = Run()
        while True:
            msg, n = self._receive(deadline)
            run.bytes += n
            run.messages += 1
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                if msg.ref_hash not in self.cache:
                    raise StudentError(f"the server referred to a message this client never cached ({msg.ref_hash})")
                cached, _ = self.cache[msg.ref_hash]
                self.cache[msg.ref_hash] = (cached, self.runs)
                meta = msg.metadata
                msg = ForwardMsg()
                msg.CopyFrom(cached)
                msg.metadata.CopyFrom(meta)
                kind = msg.WhichOneof("type")
            elif msg.metadata.cacheable and msg.hash:
                self.cache[msg.hash] = (msg, self.runs)
            if kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id or self.session_id
                self.new_session = msg.new_session
                run.elements = {}
            elif kind == "navigation":
                self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            elif kind == "delta":
                self._delta(msg, run)
            elif kind == "page_info_changed":       # the page wrote its settings into the URL
                self.query = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                run.page_not_found = True
            elif kind == "script_finished":
                if msg.script_finished == FINISHED_EARLY:
                    run.early += 1
                    continue
                run.status = msg.script_finished
                run.seconds = time.perf_counter() - sent
                self._finished(run)
                return run

    def _delta(self, msg: ForwardMsg, run: Run) -> None:
        d = msg.delta
        path = tuple(msg.metadata.delta_path)
        dtype = d.WhichOneof("type")
        if dtype == "new_element":
            etype = d.new_element.WhichOneof("type")
            proto = getattr(d.new_element, etype)
            run.elements[path] = (etype, proto)
            if etype == "exception":
                run.exceptions.append((proto.type, proto.message))
        elif dtype == "add_block":
            run.elements[path] = ("block", d.add_block)

    def _finished(self, run: Run) -> None:
        """After a run: keep the widgets it drew, with the frontend's values."""
        self.runs += 1
        states, kinds = {}, {}
        for etype, proto in run.elements.values():
            wid = getattr(proto, "id", "") if etype in WIDGET_KINDS else ""
            if not wid:
                continue
            kinds[wid] = (etype, proto)
            setv = getattr(proto, "set_value", False)
            if wid in self.states and not setv:
                states[wid] = self.states[wid]         # the frontend keeps what the student chose
            else:
                ws = _widget_value(etype, proto)
                if ws is not None:
                    states[wid] = ws
        self.states, self.kinds = states, kinds
        self.cache = {h: (m, r) for h, (m, r) in self.cache.items() if self.runs - r <= CACHE_RUNS}
        self.last = run

    def rerun(self, first: bool = False) -> Run:
        return self.wait(self.request(first=first))

    # ------------------------------------------------------------ the student's hands

    def find(self, key: str) -> tuple[str, object]:
        """(element type, proto) of the widget with this user key (or label) in the last run."""
        for wid, (etype, proto) in self.kinds.items():
            if user_key(wid) == key or getattr(proto, "label", None) == key:
                return etype, proto
        raise KeyError(f"no widget {key!r} on the page; there are {[user_key(w) for w in self.kinds]}")

    def sliders(self) -> list[tuple[str, object]]:
        """(id, proto) of every plain numeric slider on the page."""
        return [(wid, proto) for wid, (etype, proto) in self.kinds.items()
                if etype == "slider" and not proto.options and not proto.disabled]

    def slider_value(self, wid: str) -> list[float]:
        return list(self.states[wid].double_array_value.data) if wid in self.states else []

    def stage(self, key: str, value) -> None:
        """Change a widget's value, without rerunning yet."""
        etype, proto = self.find(key)
        state = self.states.setdefault(proto.id, WidgetState(id=proto.id))
        set_widget_value(state, etype, proto, value)

    def stage_id(self, wid: str, value) -> None:
        etype, proto = self.kinds[wid]
        state = self.states.setdefault(wid, WidgetState(id=wid))
        set_widget_value(state, etype, proto, value)

    def set(self, key: str, value) -> Run:
        """Change a widget's value and rerun, as a student moving it."""
        self.stage(key, value)
        return self.rerun()

    def click(self, key: str) -> Run:
        """Press a button."""
        etype, proto = self.find(key)
        self.states[proto.id] = WidgetState(id=proto.id, trigger_value=True)
        try:
            return self.rerun()
        finally:
            self.states.pop(proto.id, None)

    # ------------------------------------------------------------ uploads

    def _http(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.getheaders(), r.read()
        except OSError as e:
            raise StudentError(f"{method} {path}: {e}") from e
        finally:
            conn.close()

    def _fetch_xsrf_cookie(self) -> str:
        status, headers, _ = self._http("GET", "/_stcore/health")
        for name, value in headers:
            if name.lower() == "set-cookie" and value.startswith(XSRF_COOKIE + "="):
                return value.split(";", 1)[0].split("=", 1)[1].strip('"')
        raise StudentError(f"the server set no {XSRF_COOKIE} cookie (health answered {status})")

    def _upload_urls(self, filename: str):
        """Ask the server where to put a file (BackMsg file_urls_request), as the uploader does."""
        req = BackMsg()
        rid = uuid.uuid4().hex
        req.file_urls_request.request_id = rid
        req.file_urls_request.session_id = self.session_id
        req.file_urls_request.file_names.append(filename)
        sent = self._send(req)
        while True:
            msg, _ = self._receive(sent + self.timeout)
            if msg.WhichOneof("type") == "file_urls_response" and msg.file_urls_response.response_id == rid:
                if msg.file_urls_response.error_msg:
                    raise StudentError(f"upload refused: {msg.file_urls_response.error_msg}")
                return msg.file_urls_response.file_urls[0]

    def _put(self, urls, filename: str, data: bytes, mime: str, with_xsrf: bool) -> tuple[int, bytes]:
        """PUT the file as multipart form data; (HTTP status, body)."""
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {mime}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": self.base_url}
        if with_xsrf:
            token = self.xsrf or self._fetch_xsrf_cookie()
            headers.update({"X-Xsrftoken": token, "Cookie": f"{XSRF_COOKIE}={token}"})
        path = urls.upload_url if urls.upload_url.startswith("/") else urlsplit(urls.upload_url).path
        status, _, answer = self._http("PUT", path, body, headers)
        return status, answer

    def upload(self, key: str, filename: str, data: bytes, mime: str = "application/octet-stream") -> Run:
        """Upload one file into the file uploader `key`, as the browser does, and rerun."""
        etype, proto = self.find(key)
        if etype != "file_uploader":
            raise KeyError(f"{key!r} is a {etype}, not a file uploader")
        urls = self._upload_urls(filename)
        status, answer = self._put(urls, filename, data, mime, with_xsrf=True)
        if status not in (200, 204):
            raise StudentError(f"upload answered HTTP {status}: {answer[:200]!r}")
        state = WidgetState(id=proto.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, filename, len(data)
        info.file_urls.CopyFrom(urls)
        self.states[proto.id] = state
        return self.rerun()

    def upload_status(self, filename: str, data: bytes, with_xsrf: bool) -> int:
        """The HTTP status of a PUT of a file, with or without the XSRF token (for the
        configuration test: without it, the server must refuse)."""
        return self._put(self._upload_urls(filename), filename, data, "application/octet-stream", with_xsrf)[0]

    def send_raw_rerun(self, widget_id: str, text: str) -> None:
        """Send a rerun whose text widget `widget_id` holds `text` (any size), without waiting."""
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_script_hash = self.page_script_hash
        msg.rerun_script.widget_states.widgets.add(id=widget_id, string_value=text)
        self._send(msg)


_DTYPES = {"f8": "<f8", "f4": "<f4", "i1": "<i1", "u1": "<u1", "i2": "<i2", "u2": "<u2",
           "i4": "<i4", "u4": "<u4", "i8": "<i8", "u8": "<u8"}


def figure_numbers(spec: str):
    """Every number in a Plotly figure spec as the browser receives it (JSON, with NumPy data
    as base64 typed arrays), as one flat float64 array: to compare what two students see."""
    import base64

    import numpy as np

    out = []

    def walk(v):
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return
        if isinstance(v, (int, float)):
            out.append(np.array([float(v)]))
        elif isinstance(v, dict):
            if "bdata" in v and v.get("dtype") in _DTYPES:
                out.append(np.frombuffer(base64.b64decode(v["bdata"]), dtype=_DTYPES[v["dtype"]]).astype(np.float64))
                return
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(json.loads(spec))
    return np.concatenate(out) if out else np.zeros(0)
