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


def _page(path):
    """The app at the page `path`, after its first run, with no exception."""
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception
    return at


def _gates():
    return _page("pages/gates_over_time.py")


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


# ---- figures ahead of a slider (ui.charts.Ahead) ----

def test_the_figures_ahead_are_laid_end_to_end_with_their_values_digests_and_texts():
    figs = [PlotlySpec([{"type": "scatter", "y": np.arange(k + 2, dtype=np.float64)}], {}) for k in range(3)]
    text, blob = charts.pack_ahead((charts.Ahead("T", 5, 1, ((4, figs[0], "four"), (6, figs[1], None))),
                                    charts.Ahead("$x_t$", 0.5, 0.1, ((0.6, charts.figure_bytes(figs[2]), "x"),))))
    sliders = json.loads(text)["sliders"]
    assert [(s["slider"], s["at"], s["tol"]) for s in sliders] == [("T", 5, 0.5), ("$x_t$", 0.5, 0.05)]
    entries = sliders[0]["entries"] + sliders[1]["entries"]
    assert [e[0] for e in entries] == [4, 6, 0.6] and [e[4] for e in entries] == ["four", "", "x"]
    assert entries[0][1] == 0 and entries[-1][2] == len(blob)
    for (value, start, end, dig, _), fig in zip(entries, figs):
        assert blob[start:end] == charts.figure_bytes(fig)                         # the bytes the page sends
        assert dig == hashlib.blake2b(blob[start:end], digest_size=16).hexdigest()
    assert charts.pack_ahead(()) == ("", b"")
    # a slider with nothing ahead, or no finite value, sends nothing
    assert charts.pack_ahead((charts.Ahead("T", 1, 1, ()), charts.Ahead("T", float("nan"), 1, ((1, figs[0], ""),)))) \
        == ("", b"")


def test_the_values_next_to_a_slider_stay_in_its_range_on_its_grid():
    assert charts.neighbours(60, 1, 1, 500) == [59, 61]
    assert charts.neighbours(1, 1, 1, 500) == [2] and charts.neighbours(500, 1, 1, 500) == [499]
    assert charts.neighbours(2, 1, 2, 500) == [3]
    assert charts.neighbours(1.0, 0.1, -2.0, 2.0, digits=1) == [0.9, 1.1]
    assert charts.neighbours(0.3, 0.1, -2.0, 2.0, digits=1) == [0.2, 0.4]          # not 0.19999999999999998
    assert charts.neighbours(2.0, 0.1, -2.0, 2.0, digits=1) == [1.9]
    assert charts.neighbours(-2.0, 0.1, -2.0, 2.0, digits=1) == [-1.9]
    assert charts.neighbours(5, 1, 5, 5) == []


def ahead_of(element) -> dict:
    """{slider label: {value: (figure bytes, digest, alt)}} of a ui.charts element."""
    args = json.loads(element.proto.json_args)
    if not args["ahead"]:
        return {}
    blob = next(a.bytes for a in element.proto.special_args if a.key == "ahead_spec")
    return {s["slider"]: {e[0]: (blob[e[1]:e[2]], e[3], e[4]) for e in s["entries"]}
            for s in json.loads(args["ahead"])["sliders"]}


def assert_ahead_is_what_the_page_sends(at, key, label, moves, chart=0):
    """Each figure ahead of the slider `key` (named `label`) is, byte for byte and with its alt
    text, what the page sends once the slider is at that value. (Read again after each move
    back: a move may change what the page keeps, like held steps cut to a shorter sequence.)"""
    base = at.slider(key=key).value
    for value in moves:
        ahead = ahead_of(chart_elements(at)[chart])[label]
        assert sorted(ahead) == sorted(moves)
        at.slider(key=key).set_value(value)
        at.run()
        assert not at.exception
        e = chart_elements(at)[chart]
        spec, dig, alt = ahead[value]
        assert spec_text(e).encode("utf-8") == spec
        args = json.loads(e.proto.json_args)
        assert (args["digest"], args["alt"]) == (dig, alt)
        at.slider(key=key).set_value(base)
        at.run()


def test_page_2_sends_the_heatmaps_of_the_next_lengths_ahead():
    at = _page("pages/gates_over_time.py")
    assert_ahead_is_what_the_page_sends(at, "keep.gates.T", "Length T (steps)", [59, 61])
    assert ahead_of(chart_elements(at)[1]) == {}                   # the line chart follows the rerun
    # with a gate held on steps 10..60 (to the end): at 59 it is held on 10..59, at 61 on 10..61
    at.selectbox(key="keep.gates.hold").set_value("f1")
    at.run()
    at.slider(key="keep.gates.clamp_range").set_value((10, 60))
    at.run()
    assert_ahead_is_what_the_page_sends(at, "keep.gates.T", "Length T (steps)", [59, 61])
    at.slider(key="keep.gates.clamp_range").set_value((10, 30))
    at.run()
    assert_ahead_is_what_the_page_sends(at, "keep.gates.T", "Length T (steps)", [59, 61])
    at.slider(key="keep.gates.T").set_value(2)         # a jump: nothing ahead (see ui.charts.stepped)
    at.run()
    assert ahead_of(chart_elements(at)[0]) == {}
    at.slider(key="keep.gates.T").set_value(1)         # one step: ahead again; 1 is the slider's lowest
    at.run()
    assert_ahead_is_what_the_page_sends(at, "keep.gates.T", "Length T (steps)", [2])


def test_figures_ahead_are_sent_while_a_student_steps_the_slider_and_not_after_a_jump():
    at = _page("pages/gates_over_time.py")
    sent = lambda: bool(ahead_of(chart_elements(at)[0]))      # noqa: E731
    assert sent()                                              # the page's first run
    for T, want in ((70, False), (71, True), (72, True), (70, False), (69, True)):
        at.slider(key="keep.gates.T").set_value(T)
        at.run()
        assert sent() == want, T
    at.selectbox(key="keep.gates.seq").set_value("sine")      # another widget: as the last run
    at.run()
    assert sent()
    assert_ahead_is_what_the_page_sends(at, "keep.gates.T", "Length T (steps)", [68, 70])
    at.slider(key="keep.gates.T").set_value(100)
    at.run()
    at.selectbox(key="keep.gates.seq").set_value("pulse")
    at.run()
    assert not sent()
    # typed inputs have no length slider: nothing ahead
    at.radio(key="keep.gates.x_source").set_value("typed")
    at.run()
    assert not at.exception and not sent()


def test_page_3_sends_the_chart_of_the_next_lengths_ahead():
    at = _page("pages/vanishing_gradient.py")
    assert_ahead_is_what_the_page_sends(at, "keep.vanishing_gradient.T", "Sequence length T", [99, 101])
    # the forget gate held on steps 50..100: at 99 the held steps are cut to 50..99
    at.radio(key="keep.vanishing_gradient.clamp").set_value("f1")
    at.run()
    at.slider(key="keep.vanishing_gradient.clamp_steps").set_value((50, 100))
    at.run()
    assert_ahead_is_what_the_page_sends(at, "keep.vanishing_gradient.T", "Sequence length T", [99, 101])
    at.radio(key="keep.vanishing_gradient.clamp").set_value("1997")
    at.run()
    assert_ahead_is_what_the_page_sends(at, "keep.vanishing_gradient.T", "Sequence length T", [99, 101])


def test_page_1_sends_the_belt_ahead_of_the_input_or_state_slider_being_stepped():
    at = _page("pages/one_step.py")
    belt = lambda: list(ahead_of(chart_elements(at)[0]))       # noqa: E731
    assert belt() == ["$x_t$"]                                   # at first: x_t, the first slider
    assert_ahead_is_what_the_page_sends(at, "keep.one_step.x.0", "$x_t$", [0.9, 1.1])
    for key, label, base, moves in (("keep.one_step.h.0", "$h_{t-1}$", 0.5, [0.4, 0.6]),
                                    ("keep.one_step.c.0", "$C_{t-1}$", 1.0, [0.9, 1.1])):
        at.slider(key=key).set_value(round(base + 0.1, 1))     # one step of that slider: its figures come
        at.run()
        assert belt() == [label]
        at.slider(key=key).set_value(base)
        at.run()
        assert_ahead_is_what_the_page_sends(at, key, label, moves)
    at.slider(key="keep.one_step.W_f.0.x0").set_value(1.5)    # a weight: the same slider's, for the new weight
    at.run()
    assert belt() == ["$C_{t-1}$"]
    assert_ahead_is_what_the_page_sends(at, "keep.one_step.c.0", "$C_{t-1}$", [0.9, 1.1])
    at.slider(key="keep.one_step.x.0").set_value(2.0)         # a jump: none
    at.run()
    assert belt() == []
    at.slider(key="keep.one_step.x.0").set_value(1.9)         # a step: x_t's again
    at.run()
    assert belt() == ["$x_t$"]
    at.slider(key="keep.one_step.x.0").set_value(2.0)         # the slider's end: one value ahead
    at.run()
    assert_ahead_is_what_the_page_sends(at, "keep.one_step.x.0", "$x_t$", [1.9])
