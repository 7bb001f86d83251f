"""Page 2 · Gates over time, through Streamlit's AppTest: defaults, every slider at both ends,
the figures carry lstm_core's numbers, the downloads are the CLI's bytes, and every bad input
gets its message while the previous figures stay."""
import json
import os
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, run_cli
from lstm_core import lstm_forward, params_from_json, params_to_json, trace_to_csv
from lstm_core.presets import PRESETS, random_lstm
from lstm_core.sequences import make_sequence
from plotly_data import chart_config, chart_elements, decode, figure_json, spec_text

PAGE = "pages/gates_over_time.py"
K = "keep.gates."
QUANTITIES = ("f", "i", "c_tilde", "o", "c", "h")


def open_page():
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def at():
    return open_page()


def charts(at):
    return [figure_json(c) for c in chart_elements(at)]


def specs(at):
    return [spec_text(c) for c in chart_elements(at)]


def shown(markdown: str) -> str:
    """An alert's text as the student reads it: the page backslash-escapes the Markdown marks
    in what a student typed (pages/gates_over_time.py: md)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def errors(at):
    return [shown(e.value) for e in at.error]


def assert_figures_are(at, params, x, unit=0):
    """Both charts carry exactly what lstm_core computes for params over x."""
    tr = lstm_forward(params, x)
    heat, lines = charts(at)
    T, H = tr.T, tr.hidden_size
    for r, key in enumerate(QUANTITIES):
        assert np.array_equal(decode(heat["data"][r]["z"]), getattr(tr, key)[:, 0, :].T), key
    assert len(heat["frames"]) == T
    for j, key in enumerate(("f", "i", "o", "c_tilde", "c", "h")):
        assert np.array_equal(decode(lines["data"][j]["y"]), getattr(tr, key)[:, 0, unit]), key
    return tr


def run_ok(at):
    at.run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)


# ---------------------------------------------------------------- defaults and sliders

def test_defaults_show_the_latch_on_its_pulse(at):
    assert not errors(at)
    assert len(chart_elements(at)) == 2
    p = PRESETS["latch"]
    assert_figures_are(at, p.params(), p.inputs(60))
    assert at.slider(key=K + "T").value == 60
    assert at.selectbox(key=K + "preset").value == "latch"
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert p.description in text
    assert "input_size = 1" in text                                       # the inputs follow the model
    for eq in ("f_t = \\sigma(W_f", "C_t = f_t * C_{t-1} + i_t * \\tilde C_t", "h_t = o_t * \\tanh(C_t)"):
        assert eq in text
    size = sum(len(s) for s in specs(at))
    assert size < 300_000, size


@pytest.mark.parametrize("T", [1, 500])
def test_length_slider_at_both_ends(at, T):
    at.slider(key=K + "T").set_value(T)
    run_ok(at)
    p = PRESETS["latch"]
    assert_figures_are(at, p.params(), p.inputs(T))


@pytest.mark.parametrize("H,D,seed,scale,fb", [(1, 1, 0, 0.0, -5.0), (16, 4, 1_000_000, 3.0, 5.0)])
def test_random_weights_sliders_at_both_ends(at, H, D, seed, scale, fb):
    at.radio(key=K + "w_source").set_value("random")
    run_ok(at)
    at.slider(key=K + "H").set_value(H)
    at.slider(key=K + "D").set_value(D)
    at.number_input(key=K + "seed").set_value(seed)
    at.slider(key=K + "scale").set_value(scale)
    at.slider(key=K + "forget_bias").set_value(fb)
    at.slider(key=K + "T").set_value(25)
    run_ok(at)
    params = random_lstm(D, H, seed=seed, scale=scale, forget_bias=fb)
    assert_figures_are(at, params, make_sequence("pulse", 25, D))
    at.selectbox(key=K + "unit").set_value(H - 1)
    run_ok(at)
    tr = assert_figures_are(at, params, make_sequence("pulse", 25, D), unit=H - 1)
    # the belt shows the chosen unit: the forget gate's line carries f of that unit at step 1
    heat = charts(at)[0]
    f_line = next(t for t in heat["data"] if t.get("name") == "f" and t["type"] == "scatter")
    assert decode(f_line["customdata"])[0] == tr.f[0, 0, H - 1]


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_with_its_own_sequence(at, name):
    at.selectbox(key=K + "preset").set_value(name)
    run_ok(at)
    p = PRESETS[name]
    assert at.selectbox(key=K + "seq").value == p.sequence
    assert_figures_are(at, p.params(), make_sequence(p.sequence, 60, p.input_size))


def test_noise_seed_and_other_sequences(at):
    at.selectbox(key=K + "seq").set_value("noise")
    run_ok(at)
    at.number_input(key=K + "noise_seed").set_value(1_000_000)
    run_ok(at)
    assert_figures_are(at, PRESETS["latch"].params(), make_sequence("noise", 60, 1, seed=1_000_000))


def test_widgets_keep_their_values_across_page_switches(at):
    at.slider(key=K + "T").set_value(37)
    at.selectbox(key=K + "seq").set_value("sine")
    run_ok(at)
    at.switch_page("pages/home.py")
    at.run()
    at.switch_page(PAGE)
    run_ok(at)
    assert at.slider(key=K + "T").value == 37
    assert at.selectbox(key=K + "seq").value == "sine"
    assert_figures_are(at, PRESETS["latch"].params(), make_sequence("sine", 37, 1))


# ---------------------------------------------------------------- downloads

def downloads(at, media):
    return {b.key.split(".")[-1]: media[b.proto.deferred_file_id]() for b in at.get("download_button")}


def test_every_download_is_made_on_click(media):
    """No button carries its file: a button with a URL makes the browser fetch the file whenever
    it changes, which every slider move would do (and on a quick move, fetch one already dropped)."""
    at = open_page()
    open_torch(at)
    buttons = at.get("download_button")
    assert len(buttons) == 4
    for b in buttons:
        assert b.proto.url == "" and b.proto.deferred_file_id in media, b.key


@pytest.mark.parametrize("setup", ["defaults", "random"])
def test_trace_download_is_the_clis_output_byte_for_byte(media, tmp_path, setup):
    at = open_page()
    if setup == "random":
        at.radio(key=K + "w_source").set_value("random")
        at.run()
        at.slider(key=K + "H").set_value(3)
        at.slider(key=K + "D").set_value(2)
        at.selectbox(key=K + "seq").set_value("noise")
        at.slider(key=K + "T").set_value(41)
        run_ok(at)
    files = downloads(at, media)
    assert set(files) == {"dl_trace", "dl_weights", "dl_inputs"}
    (tmp_path / "weights.json").write_bytes(files["dl_weights"])
    (tmp_path / "inputs.csv").write_bytes(files["dl_inputs"])
    cli = run_cli("trace", "--weights", str(tmp_path / "weights.json"), "--inputs", str(tmp_path / "inputs.csv"),
                  "--out", str(tmp_path / "cli.csv"))
    assert cli.returncode == 0, cli.stderr
    assert files["dl_trace"] == (tmp_path / "cli.csv").read_bytes()
    # and they are the settings on screen, as lstm_core computes them
    if setup == "defaults":
        params, x = PRESETS["latch"].params(), PRESETS["latch"].inputs(60)
    else:
        params, x = random_lstm(2, 3, seed=0), make_sequence("noise", 41, 2)
    assert files["dl_weights"].decode() == params_to_json(params)
    assert files["dl_trace"].decode() == trace_to_csv(lstm_forward(params, x))
    assert_figures_are(at, params_from_json(files["dl_weights"]), x)


# ---------------------------------------------------------------- bad input

def switch_to_typing(at):
    at.radio(key=K + "x_source").set_value("typed")
    run_ok(at)
    before = specs(at)
    assert_figures_are(at, PRESETS["latch"].params(), np.array([[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0.0]]).T)
    return before


@pytest.mark.parametrize("text,message", [
    ("a,b", "step 1 is 'a', not a number"),
    ("", "the sequence is empty"),
    ("nan", "only finite numbers are allowed"),
    (", ".join(["1"] * 10_000), "the sequence has 10,000 steps; at most 500 are allowed"),
    ("0, 1e300, 0", "keep inputs between -1,000,000 and 1,000,000"),
])
def test_bad_typed_inputs_get_a_message_and_the_figures_stay(at, text, message):
    before = switch_to_typing(at)
    at.text_area(key=K + "typed").set_value(text)
    at.run()
    assert not at.exception
    errs = errors(at)
    assert len(errs) == 1 and message in errs[0] and "Allowed:" in errs[0], errs
    assert specs(at) == before                                  # the last good figures, unchanged
    assert any("last good run" in w.value for w in at.warning)
    # a good sequence afterwards is drawn
    at.text_area(key=K + "typed").set_value("0 1 0.5 -2")
    run_ok(at)
    assert_figures_are(at, PRESETS["latch"].params(), np.array([[0, 1, 0.5, -2.0]]).T)


def test_typed_inputs_must_follow_the_models_input_size(at):
    at.selectbox(key=K + "preset").set_value("hidden_until_cue")      # input_size 2
    run_ok(at)
    before = specs(at)
    at.radio(key=K + "x_source").set_value("typed")
    at.run()                                          # the default text has one number per step
    assert "step 1 has 12 numbers; each step needs 2" in " ".join(errors(at))
    assert specs(at) == before
    at.text_area(key=K + "typed").set_value("1, 0, 0")
    at.run()
    errs = errors(at)
    assert len(errs) == 1 and "step 1 has 3 numbers; each step needs 2" in errs[0]
    assert specs(at) == before
    at.text_area(key=K + "typed").set_value("1, 0\n0, 0\n0, 1")
    run_ok(at)
    assert_figures_are(at, PRESETS["hidden_until_cue"].params(), np.array([[1, 0], [0, 0], [0, 1.0]]))


def upload_inputs(at, content: bytes, name="inputs.csv"):
    at.radio(key=K + "x_source").set_value("upload")
    at.run()
    at.file_uploader(key="gates.x_upload").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception


def test_uploaded_inputs_csv(at):
    upload_inputs(at, b"x1\n0\n1\n0\n0.25\n")
    assert not errors(at)
    assert_figures_are(at, PRESETS["latch"].params(), np.array([[0, 1, 0, 0.25]]).T)


@pytest.mark.parametrize("content,message", [
    (b"x1,x2\n1,2\n3,4\n", "the file has 2 columns (x1, x2), but the model's input_size is 1"),
    (b"x1\n" + b"0\n" * 600, "the sequence has 600 steps; this page draws 1 to 500 steps"),
    (b"x1\n" + b"0\n" * 10_000, "the sequence has 10,000 steps"),
    (b"x1\n0\nnan\n", "only finite numbers are allowed"),
    (b"x1\n", "no time steps"),
    (params_to_json(random_lstm(1, 1)).encode(), "row 2 (step 1) has 2 cells, the header names 1 feature"),
])
def test_bad_inputs_upload_gets_a_message_and_the_figures_stay(at, content, message):
    before = specs(at)
    upload_inputs(at, content)
    errs = errors(at)
    assert len(errs) == 1 and message in errs[0] and "Allowed:" in errs[0], errs
    assert specs(at) == before


def upload_weights(at, content: bytes, name="weights.json"):
    at.radio(key=K + "w_source").set_value("upload")
    at.run()
    at.file_uploader(key="gates.w_upload").set_value((name, content, "application/json"))
    at.run()
    assert not at.exception


def test_uploaded_weights_json(at):
    params = random_lstm(1, 5, seed=3, forget_bias=2.0)
    upload_weights(at, params_to_json(params).encode())
    assert not errors(at)
    assert_figures_are(at, params, PRESETS["latch"].inputs(60))


@pytest.mark.parametrize("content,message", [
    (b'{"model": "lstm", "input_size": 1,', "not valid JSON"),
    (b"x1\n0\n1\n", "not valid JSON"),
    (b'{"model": "rnn", "input_size": 1, "hidden_size": 1, "W": [[0.5, 1.0]], "b": [0.0]}', "this page runs an LSTM"),
    (params_to_json(random_lstm(1, 17)).encode(), "hidden_size 17; this page draws 1 to 16 units"),
    (b'{"model": "lstm", "input_size": 1, "hidden_size": 1, "W_f": [[1, NaN]]}', "NaN is not allowed"),
    (json.dumps({**json.loads(params_to_json(random_lstm(1, 1))), "b_i": [1, 2]}).encode(),
     '"b_i" must be a list of 1 numbers'),
])
def test_bad_weights_upload_gets_a_message_and_the_figures_stay(at, content, message):
    before = specs(at)
    upload_weights(at, content)
    errs = errors(at)
    assert len(errs) == 1 and message in errs[0] and "Allowed:" in errs[0], errs
    assert specs(at) == before


def test_weights_of_another_input_size_with_inputs_that_do_not_fit(at):
    """A 2-input model over a typed 1-input sequence: the message names both sizes."""
    at.radio(key=K + "x_source").set_value("typed")
    run_ok(at)
    before = specs(at)
    upload_weights(at, params_to_json(random_lstm(2, 2, seed=1)).encode())
    errs = errors(at)
    assert len(errs) == 1 and "each step needs 2" in errs[0]
    assert specs(at) == before


# ---------------------------------------------------------------- the table of weights

def open_table(at):
    at.toggle(key=K + "by_hand").set_value(True)
    run_ok(at)
    assert len(at.data_editor) == 1
    ed = at.data_editor[0]
    return ed.key, list(ed.value["weight"])


def edit(at, key, row, value):
    at.session_state[key] = {"edited_rows": {row: {"value": value}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception


def test_the_table_lists_every_weight_and_an_edit_reruns_the_model(at):
    key, names = open_table(at)
    assert names == ["W_f[unit 0, h_0]", "W_f[unit 0, x_1]", "b_f[unit 0]", "W_i[unit 0, h_0]",
                     "W_i[unit 0, x_1]", "b_i[unit 0]", "W_c[unit 0, h_0]", "W_c[unit 0, x_1]", "b_c[unit 0]",
                     "W_o[unit 0, h_0]", "W_o[unit 0, x_1]", "b_o[unit 0]", "h0[unit 0]", "c0[unit 0]"]
    p = PRESETS["latch"].params()
    assert list(at.data_editor[0].value["value"]) == [0, 0, 20, 0, 20, -10, 0, 3, 0, 0, 0, 10, 0, 0]
    edit(at, key, names.index("b_f[unit 0]"), -3.0)                 # the latch now forgets
    assert not errors(at)
    assert_figures_are(at, p.replace(b_f=np.array([-3.0])), PRESETS["latch"].inputs(60))


@pytest.mark.parametrize("value,message", [(None, "b_f[unit 0] is empty or not a number"),
                                           ("abc", "b_f[unit 0] is empty or not a number"),
                                           (float("inf"), "b_f[unit 0] is inf"),
                                           (1e7, "between -1,000,000 and 1,000,000")])
def test_bad_table_edits_are_refused_and_the_figures_stay(at, value, message):
    key, names = open_table(at)
    before = specs(at)
    edit(at, key, names.index("b_f[unit 0]"), value)
    errs = errors(at)
    assert len(errs) == 1 and message in errs[0], errs
    assert specs(at) == before


def test_table_of_a_bigger_model():
    at = open_page()
    at.radio(key=K + "w_source").set_value("random")
    at.run()
    at.slider(key=K + "H").set_value(2)
    at.slider(key=K + "D").set_value(2)
    run_ok(at)
    key, names = open_table(at)
    assert len(names) == 4 * (2 * 4 + 2) + 4
    assert names[:5] == ["W_f[unit 0, h_0]", "W_f[unit 0, h_1]", "W_f[unit 0, x_1]", "W_f[unit 0, x_2]",
                         "W_f[unit 1, h_0]"]
    row = names.index("W_o[unit 1, x_2]")
    edit(at, key, row, 4.5)
    assert not errors(at)
    p = random_lstm(2, 2, seed=0)
    W_o = p.W_o.copy()
    W_o[1, 3] = 4.5
    assert_figures_are(at, p.replace(W_o=W_o), make_sequence("pulse", 60, 2))


# ---------------------------------------------------------------- holding gates (interventions)

from lstm_core import Clamp  # noqa: E402
from lstm_core.export import trace_with_text_csv  # noqa: E402
from lstm_core.textseq import encode  # noqa: E402


def open_torch(at):
    """Open the expander "The same model in PyTorch" (its snippet is built only when open)."""
    at.session_state["gates.torch"] = True
    run_ok(at)


def hold(at, f="free", i="free", steps=None):
    """Hold the forget gate at f and the input gate at i ("free": computed), on `steps`."""
    code = {("free", "free"): "free", ("1", "free"): "f1", ("0", "free"): "f0", ("free", "0"): "i0",
            ("1", "0"): "f1i0", ("0", "0"): "f0i0"}[(f, i)]
    at.selectbox(key=K + "hold").set_value(code)
    run_ok(at)
    if steps is not None:
        at.slider(key=K + "clamp_range").set_value(steps)
        run_ok(at)


def test_forget_gate_at_1_and_input_gate_shut_freeze_the_cell_state(at):
    """C_t = f_t * C_{t-1} + i_t * C~_t with f = 1, i = 0: C_t = C_{t-1}, in the figures' data."""
    at.radio(key=K + "w_source").set_value("random")
    run_ok(at)
    at.slider(key=K + "H").set_value(3)
    at.selectbox(key=K + "seq").set_value("noise")
    at.slider(key=K + "T").set_value(40)
    run_ok(at)
    hold(at, "1", "0", (11, 30))
    params, x = random_lstm(1, 3, seed=0), make_sequence("noise", 40, 1)
    heat, lines = charts(at)
    c, f, i = (decode(heat["data"][r]["z"]) for r in (4, 0, 1))
    assert np.all(f[:, 10:30] == 1.0) and np.all(i[:, 10:30] == 0.0)
    assert np.all(c[:, 10:30] == c[:, [9]])                     # constant over steps 11..30: C_10 throughout
    assert not np.all(c[:, 30:] == c[:, [9]])                   # and free again afterwards
    c_line = decode(lines["data"][4]["y"])
    assert np.all(c_line[10:30] == c_line[9])
    free = lstm_forward(params, x)
    assert np.array_equal(c[:, :10], free.c[:10, 0, :].T)       # before the range: the free run
    assert_figures_are_clamped(at, params, x, (Clamp("f", 1.0, 11, 30), Clamp("i", 0.0, 11, 30)))
    info = " ".join(a.value for a in at.info)
    assert "C_t = C_{t-1}" in info and "the belt is frozen" in info
    shapes = [s for s in heat["layout"]["shapes"] if s.get("name") == "held"]      # (the belt's fixed parts are shapes too)
    assert [s["label"]["text"] for s in shapes] == ["f held at 1 on steps 11\u201330: nothing forgotten",
                                                    "i held at 0 on steps 11\u201330: nothing written"]


def assert_figures_are_clamped(at, params, x, clamps, unit=0):
    tr = lstm_forward(params, x, clamps=clamps)
    heat, lines = charts(at)
    for r, key in enumerate(QUANTITIES):
        assert np.array_equal(decode(heat["data"][r]["z"]), getattr(tr, key)[:, 0, :].T), key
    for j, key in enumerate(("f", "i", "o", "c_tilde", "c", "h")):
        assert np.array_equal(decode(lines["data"][j]["y"]), getattr(tr, key)[:, 0, unit]), key
    return tr


def test_the_lstm_of_1997_in_one_click(at):
    next(b for b in at.button if "1997" in b.label).click()
    run_ok(at)
    assert at.selectbox(key=K + "hold").value == "f1"
    assert at.slider(key=K + "clamp_range").value == (1, 60)
    p = PRESETS["latch"]
    tr = assert_figures_are_clamped(at, p.params(), p.inputs(60), (Clamp("f", 1.0, 1, 60),))
    # nothing forgotten: C_t = C_{t-1} + i_t C~_t at every step
    c, i, ct = tr.c[:, 0, 0], tr.i[:, 0, 0], tr.c_tilde[:, 0, 0]
    np.testing.assert_allclose(c, np.cumsum(i * ct), rtol=1e-12, atol=1e-15)
    assert "1997" in " ".join(a.value for a in at.info)
    hold(at, "free", "free")
    assert_figures_are(at, p.params(), p.inputs(60))
    assert not at.info or "held" not in " ".join(a.value for a in at.info)


def test_forget_gate_at_0_keeps_only_the_newest_candidate(at):
    hold(at, "0", "free", (5, 60))
    p = PRESETS["latch"]
    tr = assert_figures_are_clamped(at, p.params(), p.inputs(60), (Clamp("f", 0.0, 5, 60),))
    np.testing.assert_array_equal(tr.c[4:, 0, 0], tr.i[4:, 0, 0] * tr.c_tilde[4:, 0, 0])   # C_t = i_t C~_t
    assert "C_t = i_t\\,\\tilde C_t" in " ".join(a.value for a in at.info)


def test_with_gates_held_the_trace_download_is_the_held_run_and_says_so(media):
    at = open_page()
    hold(at, "1", "0", (3, 20))
    buttons = {b.key.split(".")[-1]: b for b in at.get("download_button")}
    assert buttons["dl_trace"].label == "Trace CSV (gates held)"
    files = downloads(at, media)
    assert media.names[buttons["dl_trace"].proto.deferred_file_id] == "trace_gates_held.csv"
    p = PRESETS["latch"]
    clamps = (Clamp("f", 1.0, 3, 20), Clamp("i", 0.0, 3, 20))
    assert files["dl_trace"].decode() == trace_to_csv(lstm_forward(p.params(), p.inputs(60), clamps=clamps))
    assert files["dl_trace"].decode() != trace_to_csv(lstm_forward(p.params(), p.inputs(60)))
    text = " ".join(m.value for m in at.markdown)
    assert "the run with the gates held" in text and "cannot hold gates" in text
    # the PyTorch snippet runs the free model, and says so
    open_torch(at)
    assert "PyTorch's LSTM cannot hold a gate" in " ".join(m.value for m in at.markdown)
    # set free again: the CLI's bytes
    hold(at, "free", "free")
    files = downloads(at, media)
    assert files["dl_trace"].decode() == trace_to_csv(lstm_forward(p.params(), p.inputs(60)))


# ---------------------------------------------------------------- text, one character per step

def to_text(at, text="hello world", encoding="one-hot"):
    at.radio(key=K + "mode").set_value("text")
    run_ok(at)
    at.text_input(key=K + "text").set_value(text)
    at.radio(key=K + "encoding").set_value(encoding)
    run_ok(at)


@pytest.mark.parametrize("text,encoding,D", [("hello world", "one-hot", 8), ("hello world", "embedding", 4),
                                             ("the cat's \"hat\", 42!", "one-hot", 4)])
def test_text_runs_through_random_weights_with_characters_on_every_time_axis(at, text, encoding, D):
    to_text(at, text, encoding)
    e = encode(text, encoding)
    assert e.x.shape[1] == D
    params = random_lstm(D, 4, seed=0)
    assert_figures_are(at, params, e.x)
    heat, lines = charts(at)
    labels = ["\u2423" if ch == " " else ch.replace("&", "&amp;").replace("<", "&lt;") for ch in text]
    assert heat["layout"]["xaxis"]["ticktext"] == labels and lines["layout"]["xaxis"]["ticktext"] == labels
    assert heat["data"][0]["customdata"][0] == labels                       # hover names the character
    assert next(t for t in lines["data"] if t["name"] == "character")["customdata"] == labels
    if e.encoding == "embedding" and encoding == "one-hot":
        assert any("too many for one-hot" in i.value for i in at.info)
    captions = " ".join(c.value for c in at.caption)
    assert ("One-hot" in captions) == (e.encoding == "one-hot")


def test_more_than_eight_distinct_characters_use_the_embedding(at):
    to_text(at, "the quick brown fox", "one-hot")
    assert any("too many for one-hot" in i.value for i in at.info)
    assert_figures_are(at, random_lstm(4, 4, seed=0), encode("the quick brown fox", "embedding").x)


@pytest.mark.parametrize("text,message", [("", "the text is empty"),
                                          ("x" * 201, "the text has 201 characters; at most 200"),
                                          ("tab\there", "character 4 is a control character, U+0009"),
                                          ("nul\x00", "U+0000"),
                                          ("rtl\u202e", "invisible formatting character")])
def test_bad_text_gets_a_message_and_the_figures_stay(at, text, message):
    to_text(at, "hi there")
    before = specs(at)
    at.text_input(key=K + "text").set_value(text)
    at.run()
    assert not at.exception
    errs = errors(at)
    assert len(errs) == 1 and message in errs[0] and "Allowed: 1 to 200 characters on one line" in errs[0], errs
    assert specs(at) == before
    assert any("last good run" in w.value for w in at.warning)


def test_text_downloads_guard_the_characters(media):
    at = open_page()
    to_text(at, "=1+2 -3 @x", "one-hot")
    open_torch(at)
    files = downloads(at, media)
    assert set(files) == {"dl_trace", "dl_weights", "dl_inputs", "dl_trace_text", "dl_pytorch"}
    e = encode("=1+2 -3 @x", "one-hot")
    params = random_lstm(e.x.shape[1], 4, seed=0)
    tr = lstm_forward(params, e.x)
    assert files["dl_trace"].decode() == trace_to_csv(tr)                 # the CLI's format, unchanged
    assert files["dl_trace_text"].decode() == trace_with_text_csv(tr, "=1+2 -3 @x")
    import csv as _csv
    import io as _io
    rows = list(_csv.reader(_io.StringIO(files["dl_trace_text"].decode())))
    assert rows[0][-1] == "character"
    cells = [r[-1] for r in rows[1:]]
    assert cells[0] == "'=" and "'+" in cells and "'-" in cells and "'@" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "written with a ' in front" in " ".join(m.value for m in at.markdown)
    assert files["dl_weights"].decode() == params_to_json(params)
    assert "text = '=1+2 -3 @x'" in files["dl_pytorch"].decode()


# ---------------------------------------------------------------- presenter mode, PNG, PyTorch

def test_presenter_mode_hides_uploads_table_and_downloads_and_keeps_the_edits(at):
    key, names = open_table(at)
    edit(at, key, names.index("b_f[unit 0]"), -3.0)
    open_torch(at)
    assert [c for c in at.code if "torch" in c.value]
    edited = PRESETS["latch"].params().replace(b_f=np.array([-3.0]))
    sizes = [figure_json(c)["layout"]["height"] for c in chart_elements(at)]
    at.toggle(key="keep.presenter").set_value(True)
    run_ok(at)
    assert not at.get("download_button") and not at.data_editor and not at.get("file_uploader")
    assert not [t for t in at.toggle if t.key == K + "by_hand"]
    assert not [c for c in at.code if "torch" in c.value]
    assert_figures_are(at, edited, PRESETS["latch"].inputs(60))            # the edits stay on screen
    assert [figure_json(c)["layout"]["height"] for c in chart_elements(at)] == [round(h * 1.35) for h in sizes]
    at.radio(key=K + "x_source").set_value("upload")
    run_ok(at)
    assert not at.get("file_uploader")
    assert_figures_are(at, edited, PRESETS["latch"].inputs(60))
    at.radio(key=K + "x_source").set_value("preset")
    at.toggle(key="keep.presenter").set_value(False)
    run_ok(at)
    assert at.data_editor and at.get("download_button")
    assert_figures_are(at, edited, PRESETS["latch"].inputs(60))            # the table comes back with them
    assert list(at.data_editor[0].value["value"])[names.index("b_f[unit 0]")] == -3.0


def test_every_chart_keeps_the_download_as_png_button(at):
    for c in chart_elements(at):
        config = chart_config(c)
        assert config["toImageButtonOptions"]["format"] == "png"
        assert config["toImageButtonOptions"]["filename"].startswith("lstm-")
        assert "toImage" not in config.get("modeBarButtonsToRemove", [])
        assert config.get("displayModeBar", True) is not False


def test_the_pytorch_snippet_is_shown_and_is_the_export(media):
    at = open_page()
    assert not [c for c in at.code if "torch" in c.value]      # built only when its expander is opened
    open_torch(at)
    files = downloads(at, media)
    code = next(c.value for c in at.code if "torch" in c.value)
    assert files["dl_pytorch"].decode().rstrip("\n") == code.rstrip("\n")
    from lstm_core.export import pytorch_snippet
    p = PRESETS["latch"]
    assert files["dl_pytorch"].decode() == pytorch_snippet(p.params(), p.inputs(60))
    assert media.names[next(b.proto.deferred_file_id for b in at.get("download_button") if b.key.endswith("dl_pytorch"))] \
        == "lstm_gate_lab_pytorch.py"


@pytest.mark.parametrize("typed,literal", [("$x$, 1", "'$x$'"), ("[a](http://x.example)", "'[a](http://x.example)'"),
                                           ("*b*", "'*b*'")])
def test_typed_text_in_a_message_is_never_markdown(at, typed, literal):
    """What a student typed is shown as typed: no formula, no link, no emphasis."""
    switch_to_typing(at)
    at.text_area(key=K + "typed").set_value(typed)
    at.run()
    raw = at.error[0].value
    assert literal in shown(raw)                    # the student reads exactly what they typed
    assert md_escaped(literal) in raw               # because every mark is escaped in the Markdown


def md_escaped(text):
    return "".join("\\" + c if c in "\\`*_[]<>$|~" else c for c in text)
