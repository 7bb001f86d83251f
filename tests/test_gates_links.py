"""Page 2 · Gates over time: its settings live in the link. Settings -> link -> a fresh session
opened on that link shows the same settings and the same figures; every bad parameter opens
the page with that parameter at its default and a notice, never an error; what a link cannot
carry (uploaded or edited weights, uploaded inputs) is said on the page and in the link."""
import os
import re
import urllib.parse

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from lstm_core import Clamp, lstm_forward, params_to_json
from lstm_core.presets import PRESETS, random_lstm
from lstm_core.sequences import make_sequence
from lstm_core.textseq import encode
from plotly_data import decode, figure_json, chart_elements, spec_text

PAGE = "pages/gates_over_time.py"
K = "keep.gates."
QUANTITIES = ("f", "i", "c_tilde", "o", "c", "h")


def open_page(query=None) -> AppTest:
    """A new session (a fresh browser) opening the page, on a link with `query`."""
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def run_ok(at):
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def specs(at):
    return [spec_text(c) for c in chart_elements(at)]


def notices(at):
    """The link's notices (they carry the link icon)."""
    return [re.sub(r"\\(.)", r"\1", a.value) for a in list(at.warning) + list(at.info)
            if a.proto.icon == ":material/link:"]


def widget_values(at) -> dict:
    """Every kept widget of the page on screen, by key."""
    out = {}
    for kind in ("radio", "selectbox", "slider", "number_input", "text_input", "text_area", "toggle"):
        for w in at.get(kind):
            if w.key and w.key.startswith(K):
                out[w.key] = w.value
    return out


def assert_figures_are(at, params, x, unit=0, clamps=()):
    tr = lstm_forward(params, x, clamps=clamps)
    heat, lines = (figure_json(c) for c in chart_elements(at))
    for r, key in enumerate(QUANTITIES):
        assert np.array_equal(decode(heat["data"][r]["z"]), getattr(tr, key)[:, 0, :].T), key
    assert np.array_equal(decode(lines["data"][5]["y"]), tr.h[:, 0, unit])
    return tr


# ---------------------------------------------------------------- settings -> link -> same view

def set_random(at):
    at.radio(key=K + "w_source").set_value("random")
    run_ok(at)
    at.slider(key=K + "H").set_value(3)
    at.slider(key=K + "D").set_value(2)
    at.number_input(key=K + "seed").set_value(7)
    at.slider(key=K + "scale").set_value(1.5)
    at.slider(key=K + "forget_bias").set_value(-1.0)
    at.selectbox(key=K + "seq").set_value("noise")
    at.slider(key=K + "T").set_value(41)
    run_ok(at)
    at.number_input(key=K + "noise_seed").set_value(5)
    at.selectbox(key=K + "unit").set_value(2)
    run_ok(at)


def set_held_gates(at):
    at.selectbox(key=K + "preset").set_value("forgetful")
    at.slider(key=K + "T").set_value(25)
    at.selectbox(key=K + "hold").set_value("f1i0")
    run_ok(at)
    at.slider(key=K + "clamp_range").set_value((5, 12))
    run_ok(at)


def set_typed(at):
    at.selectbox(key=K + "preset").set_value("hidden_until_cue")
    run_ok(at)
    at.radio(key=K + "x_source").set_value("typed")
    at.run()                                                   # the default text has one number per step
    at.text_area(key=K + "typed").set_value("1, 0\n0, 0\n0, 1\n0.5, -2")
    run_ok(at)


def set_text(at):
    at.radio(key=K + "mode").set_value("text")
    run_ok(at)
    at.text_input(key=K + "text").set_value("it's 'quoted', isn't it?")
    at.radio(key=K + "encoding").set_value("embedding")
    at.slider(key=K + "H").set_value(5)
    at.number_input(key=K + "seed").set_value(3)
    run_ok(at)
    at.selectbox(key=K + "unit").set_value(4)
    at.selectbox(key=K + "hold").set_value("f0")
    run_ok(at)
    at.slider(key=K + "clamp_range").set_value((2, 24))         # to the end of the 24 characters
    run_ok(at)


def set_1997(at):
    at.radio(key=K + "w_source").set_value("random")
    run_ok(at)
    next(b for b in at.button if "1997" in b.label).click()
    run_ok(at)


SETTINGS = {"defaults": (lambda at: None, {}),
            "random": (set_random, {"w": "random", "H": "3", "D": "2", "seed": "7", "scale": "1.5", "fb": "-1.0",
                                    "seq": "noise", "T": "41", "nseed": "5", "u": "2"}),
            "held gates": (set_held_gates, {"p": "forgetful", "seq": "sine", "T": "25", "hold": "f1i0",
                                            "from": "5", "to": "12"}),
            "typed": (set_typed, {"p": "hidden_until_cue", "x": "typed",
                                  "typed": "1, 0\n0, 0\n0, 1\n0.5, -2"}),
            "text": (set_text, {"m": "text", "H": "5", "seed": "3", "enc": "embedding",
                                "text": "it's 'quoted', isn't it?", "u": "4", "hold": "f0", "from": "2"}),
            "1997": (set_1997, {"w": "random", "hold": "f1"})}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_a_link_opens_the_same_view_in_a_fresh_session(name):
    apply, want = SETTINGS[name]
    at = open_page()
    apply(at)
    link = dict(at.query_params)
    assert link == want                                        # only what differs from the defaults
    box = [c.value for c in at.code if "gates_over_time" in c.value]
    assert box == ["/gates_over_time" + ("?" + urllib.parse.urlencode(link) if link else "")]
    fresh = open_page(link)
    assert not fresh.error and not notices(fresh)
    assert widget_values(fresh) == widget_values(at)
    assert specs(fresh) == specs(at)                           # the same figure data, byte for byte
    assert dict(fresh.query_params) == link                    # and the link stays as it was


def test_the_link_box_holds_the_link():
    at = open_page()
    set_held_gates(at)
    box = next(c.value for c in at.code if "gates_over_time" in c.value)
    assert box == "/gates_over_time?p=forgetful&seq=sine&T=25&hold=f1i0&from=5&to=12"


def test_held_gates_from_a_link_are_the_equations():
    at = open_page({"p": "forgetful", "T": "25", "seq": "sine", "hold": "f1i0", "from": "5", "to": "12"})
    clamps = (Clamp("f", 1.0, 5, 12), Clamp("i", 0.0, 5, 12))
    tr = assert_figures_are(at, PRESETS["forgetful"].params(), make_sequence("sine", 25, 1), clamps=clamps)
    c = tr.c[:, 0, 0]
    assert np.all(c[4:12] == c[3])                             # C_t = C_{t-1} on steps 5..12


def test_a_range_to_the_end_follows_the_length():
    at = open_page({"hold": "f1"})                             # f held at 1 from step 1 to the end
    assert at.slider(key=K + "clamp_range").value == (1, 60)
    at.slider(key=K + "T").set_value(80)
    run_ok(at)
    assert at.slider(key=K + "clamp_range").value == (1, 80)
    assert "to" not in at.query_params and at.query_params["hold"] == "f1"
    at.slider(key=K + "clamp_range").set_value((3, 40))
    run_ok(at)
    at.slider(key=K + "T").set_value(30)                       # a range past the end is cut to it
    run_ok(at)
    assert at.slider(key=K + "clamp_range").value == (3, 30)
    p = PRESETS["latch"]
    assert_figures_are(at, p.params(), p.inputs(30), clamps=(Clamp("f", 1.0, 3, 30),))


# ---------------------------------------------------------------- bad parameters

LATCH = (PRESETS["latch"].params(), PRESETS["latch"].inputs(60))
BAD = [
    ({"T": "abc"}, "“T='abc'” is not a whole number; it must be a whole number from 1 to 500 — using 60"),
    ({"T": "0"}, "“T=0” is out of range"),
    ({"T": "501"}, "“T=501” is out of range"),
    ({"T": "1e3"}, "is not a whole number"),
    ({"w": "random", "H": "17"}, "“H=17” is out of range; it must be a whole number from 1 to 16 — using 4"),
    ({"w": "random", "scale": "nan"}, "“scale='nan'” is out of range"),
    ({"w": "random", "fb": "inf"}, "“fb='inf'” is out of range"),
    ({"w": "random", "seed": "-1"}, "“seed=-1” is out of range"),
    ({"p": "nonsense"}, "“p='nonsense'” is not allowed; it must be one of latch"),
    ({"seq": "<script>"}, "“seq='<script>'” is not allowed"),
    ({"w": "file:///etc/passwd"}, "is not allowed; it must be one of preset, random, upload"),
    ({"m": "video"}, "“m='video'” is not allowed"),
    ({"u": "3"}, "“u=3” is not a unit of this model (units 0 to 0) — using unit 0"),
    ({"u": "99"}, "“u=99” is out of range"),
    ({"hold": "f2"}, "“hold='f2'” is not allowed; it must be one of free, f1, f0, i0, f1i0, f0i0"),
    ({"hold": "f1", "from": "600"}, "“from=600” is out of range"),
    ({"hold": "f1", "from": "70"}, "“from=70” in the link is beyond the sequence's 60 steps"),
    ({"hold": "f1", "from": "50", "to": "10"}, "“from=50” in the link is after “to=10”"),
    ({"x": "typed", "typed": "a,b"}, "“typed” in the link is not a sequence this model reads: step 1 is 'a'"),
    ({"x": "typed", "typed": "1, " * 300}, "“typed” is too long"),
    ({"m": "text", "text": "two\nlines"}, "“text” in the link is not allowed: character 4 is a control character"),
    ({"m": "text", "text": "x" * 201}, "“text” is too long"),
    ({"m": "text", "enc": "utf-8"}, "“enc='utf-8'” is not allowed"),
    ({"cw": "yes"}, "“cw='yes'” is not allowed; it must be 1 or 0"),
]


@pytest.mark.parametrize("query,notice", BAD, ids=[",".join(q) + f"-{k}" for k, (q, _) in enumerate(BAD)])
def test_each_bad_parameter_opens_with_its_default_and_a_notice(query, notice):
    at = open_page(query)
    assert not at.error, [e.value for e in at.error]
    got = notices(at)
    assert any(notice in n for n in got), got
    assert len(chart_elements(at)) == 2
    if query.get("m") == "text":
        e = encode('she said "hi"' if "text" in query else 'she said "hi"', "one-hot")
        assert_figures_are(at, random_lstm(e.x.shape[1], 4, seed=0), e.x)
    elif query.get("w") == "random":
        assert_figures_are(at, random_lstm(1, 4, seed=0), make_sequence("pulse", 60, 1))
    elif query.get("x") == "typed":
        assert_figures_are(at, LATCH[0], np.array([[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0.0]]).T)
    elif query.get("hold") == "f1":                                # the range falls back to every step
        assert_figures_are(at, *LATCH, clamps=(Clamp("f", 1.0, 1, 60),))
        assert at.slider(key=K + "clamp_range").value == (1, 60)
    else:
        assert_figures_are(at, *LATCH)
    # the notice is for the opening only: the next change of a widget clears it
    at.selectbox(key=K + "unit").set_value(0)
    run_ok(at)
    assert not at.warning


def test_custom_weights_are_not_in_the_link_and_the_page_says_so():
    at = open_page()
    at.radio(key=K + "w_source").set_value("upload")
    at.run()
    params = random_lstm(1, 3, seed=11)
    at.file_uploader(key="gates.w_upload").set_value(("w.json", params_to_json(params).encode(), "application/json"))
    run_ok(at)
    assert dict(at.query_params) == {"w": "upload", "cw": "1"}
    assert any("a link is too short to carry them" in w.value for w in at.warning)
    fresh = open_page(dict(at.query_params))
    assert any("weights uploaded or edited by hand, which a link cannot carry" in i.value for i in fresh.info)
    assert not fresh.error


def test_edited_weights_are_flagged_in_the_link():
    at = open_page()
    at.toggle(key=K + "by_hand").set_value(True)
    run_ok(at)
    ed = at.data_editor[0]
    at.session_state[ed.key] = {"edited_rows": {2: {"value": -3.0}}, "added_rows": [], "deleted_rows": []}
    run_ok(at)
    assert dict(at.query_params) == {"cw": "1"}
    fresh = open_page({"cw": "1"})
    assert any("cannot carry" in i.value for i in fresh.info)
    assert_figures_are(fresh, *LATCH)                          # the preset, unedited


def test_uploaded_inputs_and_long_typed_inputs_are_flagged():
    at = open_page()
    at.radio(key=K + "x_source").set_value("typed")
    run_ok(at)
    long = ", ".join(["0.125"] * 100)
    at.text_area(key=K + "typed").set_value(long)
    run_ok(at)
    assert dict(at.query_params) == {"x": "typed", "cx": "1"}
    assert any("too long for a link" in c.value for c in at.caption)
    fresh = open_page(dict(at.query_params))
    assert any("inputs uploaded or typed at length" in i.value for i in fresh.info)


def test_a_stale_link_sent_with_a_quick_move_does_not_undo_it():
    """A browser sends its address with every rerun. A student who moves the slider twice
    quickly may send the second move before the link of the first run has reached the address
    bar: the page must not read that old link as a new one and put the slider back."""
    at = open_page()
    for T in (61, 62):
        at.slider(key=K + "T").set_value(T)
        run_ok(at)
        assert at.query_params["T"] in (str(T), [str(T)])
    at.slider(key=K + "T").set_value(63)
    at.query_params["T"] = "61"                  # the address bar did not have T=62 yet
    run_ok(at)
    assert at.slider(key=K + "T").value == 63 and not notices(at)
    assert at.query_params["T"] in ("63", ["63"])
    assert_figures_are(at, PRESETS["latch"].params(), make_sequence("pulse", 63, 1))
    at.query_params["T"] = "90"                  # a link this page never wrote is read
    run_ok(at)
    assert at.slider(key=K + "T").value == 90
