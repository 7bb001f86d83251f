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


def test_plotly_js_is_the_installed_plotly_packages_release():
    # The frame lives at /component/<frame name>/index.html and fetches PLOTLY_URL relative to it.
    installed = plotly.offline.get_plotlyjs_version()
    base = f"http://host/component/{charts._frame.name}/index.html"
    url = urllib.parse.urlsplit(urllib.parse.urljoin(base, charts.PLOTLY_URL))
    name, file = url.path.removeprefix("/component/").split("/", 1)
    folder = {charts._frame.name: charts.FRAME_DIR, charts._plotly_js.name: charts._plotly_js.path}[name]
    path = os.path.join(folder, file)
    assert os.path.isfile(path)
    assert urllib.parse.parse_qs(url.query) == {"v": [installed]}        # a new release, a new address
    with open(path, encoding="utf-8") as f:
        head = f.read(300)
    assert re.search(r"plotly\.js (?:\(cartesian - minified\) )?v" + re.escape(installed) + r"\b", head), head
    # the cartesian bundle beside the frame is the one used whenever it is the package's release
    cartesian = charts.bundle_version(os.path.join(charts.FRAME_DIR, charts.CARTESIAN_FILE))
    assert cartesian is not None
    assert (file == charts.CARTESIAN_FILE) == (cartesian == installed)


def test_a_plotly_package_of_another_release_gets_its_own_full_copy():
    assert charts.plotly_url("4.1.1", "4.1.1", "pkg") == "plotly-cartesian.min.js?v=4.1.1"
    assert charts.plotly_url("4.2.0", "4.1.1", "pkg") == "../pkg/plotly.min.js?v=4.2.0"
    assert charts.plotly_url("4.1.1", None, "pkg") == "../pkg/plotly.min.js?v=4.1.1"
    assert charts.bundle_version(os.path.join(charts.PLOTLY_DIR, "plotly.min.js")) is None   # not "(cartesian)"
    assert charts.bundle_version("/no/such/file.js") is None


def test_every_chart_draws_only_traces_of_the_cartesian_bundle():
    """The figures that go through ui.charts (pages 2 and 4), in every variant the pages ask for."""
    from figures.heatmaps import gates_over_time_figure
    from figures.lines import unit_lines_figure
    from lstm_core import lstm_forward
    from lstm_core.presets import random_lstm
    from lstm_core.sequences import make_sequence
    tr = lstm_forward(random_lstm(2, 3, seed=1), make_sequence("noise", 9, 2, seed=1))
    figs = [gates_over_time_figure(tr, 1), gates_over_time_figure(tr, 0, width=400, held=(("f", 1.0, 2, 4),),
                                                                  chars=list("abcdefghi")),
            unit_lines_figure(tr, 2), unit_lines_figure(tr, 0, chars=list("abcdefghi"), held=(("i", 0.0, 1, 3),),
                                                        features=["x0", "x1"])]
    for fig in figs:
        d = figure_json(fig)
        types = {t.get("type", "scatter") for t in d["data"]}
        types |= {t.get("type", "scatter") for fr in d.get("frames", []) for t in fr.get("data", [])}
        assert types <= charts.CARTESIAN_TRACES, types


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


def test_a_narrow_chart_is_sent_the_stacked_figure_and_bad_widths_read_as_wide():
    """The frame reports a narrow width as the chart's value (ui/chart_frame/index.html); the
    page lays the heatmaps figure out for it. What the browser sends is checked: anything but
    a whole number of WIDTH_STEP px under the line is the wide layout."""
    from figures.heatmaps import NARROW_BELOW
    at = _gates()

    def heatmaps():
        e = chart_elements(at)[0]
        return json.loads(e.proto.json_args), figure_json(e)

    args, fig = heatmaps()
    assert (args["narrow_below"], args["width"]) == (NARROW_BELOW, 0)
    assert fig["layout"]["xaxis2"]["domain"] == [0.58, 1.0]                   # beside the heatmaps
    for width in (350, 550, 750):
        at.session_state["gates.heatmaps"] = width
        at.run()
        args, fig = heatmaps()
        assert args["width"] == width and fig["layout"]["xaxis2"]["domain"] == [0.0, 1.0]   # under them
    for bad in (0, 351, 760, 10**9, -50, 150, True, 350.0, "350", [350], None):
        at.session_state["gates.heatmaps"] = bad
        at.run()
        assert not at.exception, (bad, at.exception)
        args, fig = heatmaps()
        assert args["width"] == 0 and fig["layout"]["xaxis2"]["domain"] == [0.58, 1.0], bad
