"""ui.charts, the chart element that updates in place: what it sends, where its plotly.js comes
from, and what the frame page may load. (The browser tests draw it: tests/browser.)"""
import hashlib
import json
import os
import re
import urllib.parse

import numpy as np
import plotly
import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from figures.sending import PlotlySpec
from plotly_data import chart_config, chart_elements, decode, figure_json, spec_text
from ui import charts

FRAME_HTML = os.path.join(ROOT, "ui", "chart_frame", "index.html")


def test_the_figure_travels_as_the_json_plotly_py_writes():
    z = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    fig = PlotlySpec([{"type": "heatmap", "z": z}], {"height": 300})
    sent = json.loads(charts.figure_bytes(fig))
    assert sent == json.loads(fig.to_json()) == json.loads(plotly.io.to_json(fig, validate=False))
    np.testing.assert_array_equal(decode(sent["data"][0]["z"]), z)       # float64, bit for bit
    plain = go.Figure(go.Scatter(y=[1.5, 2.5]))
    assert json.loads(charts.figure_bytes(plain)) == json.loads(plain.to_json())


def test_plotly_js_is_the_installed_plotly_packages_own_copy():
    # The frame lives at /component/<frame name>/index.html and fetches PLOTLY_URL relative to it.
    base = f"http://host/component/{charts._frame.name}/index.html"
    url = urllib.parse.urlsplit(urllib.parse.urljoin(base, charts.PLOTLY_URL))
    name, file = url.path.removeprefix("/component/").split("/", 1)
    assert name == charts._plotly_js.name and file == "plotly.min.js"
    assert os.path.isfile(os.path.join(charts._plotly_js.path, file))
    assert urllib.parse.parse_qs(url.query) == {"v": [plotly.__version__]}     # a new version, a new address
    with open(os.path.join(charts._plotly_js.path, file), encoding="utf-8") as f:
        head = f.read(300)
    assert re.search(r"plotly\.js v\d+\.\d+\.\d+", head), head


def test_the_frame_page_loads_nothing_from_elsewhere():
    with open(FRAME_HTML, encoding="utf-8") as f:
        html = f.read()
    assert not re.search(r"(?:src|href)\s*=", html)                  # no scripts, styles or images by address
    assert not re.search(r"https?://", html.split("-->", 1)[1])      # nothing fetched from the internet
    assert "innerHTML" not in html and "insertAdjacentHTML" not in html and "document.write" not in html
    assert 'fetch(url, {cache: "force-cache"})' in html               # the browser keeps its copy
    # the toolbar's camera stays: the frame's own defaults remove only the selection tools
    removed = re.search(r"modeBarButtonsToRemove:\s*\[([^\]]*)\]", html).group(1)
    assert "toImage" not in removed


def _gates():
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/gates_over_time.py")
    at.run()
    assert not at.exception
    return at


def test_the_gates_page_sends_its_charts_to_the_frame_with_a_digest_of_each_figure():
    at = _gates()
    els = chart_elements(at)
    assert [e.type for e in els] == ["component_instance"] * 2
    assert {e.proto.component_name for e in els} == {charts._frame.name}
    before = []
    for e in els:
        args = json.loads(e.proto.json_args)
        spec = spec_text(e).encode("utf-8")
        # Streamlit re-sends arguments to the frame only when their JSON changes: the digest does
        assert args["digest"] == hashlib.blake2b(spec, digest_size=16).hexdigest()
        assert args["plotly"] == charts.PLOTLY_URL
        assert args["alt"] and chart_config(e)["toImageButtonOptions"]["format"] == "png"
        before.append(args["digest"])
    assert figure_json(els[0])["layout"]["height"] > 0
    at.slider(key="keep.gates.T").set_value(30)       # the kept key of the "Length T" slider (ui.state.kept)
    at.run()
    after = [json.loads(e.proto.json_args)["digest"] for e in chart_elements(at)]
    assert after[0] != before[0] and after[1] != before[1]
    at.slider(key="keep.gates.T").set_value(60)
    at.run()
    assert [json.loads(e.proto.json_args)["digest"] for e in chart_elements(at)] == before   # same view, same figure
