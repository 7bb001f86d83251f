"""Page 3, "The vanishing gradient", through Streamlit's AppTest: the figure and the numbers on the
page are lstm_core's, every slider works at both ends, the scenarios show what they claim and the
settings survive a page switch."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from figures.gradients import fmt_norm
from lstm_core import Clamp, lstm_backward, lstm_forward, rnn_backward, rnn_forward
from lstm_core.presets import random_lstm, random_rnn
from lstm_core.sequences import SEQUENCES, make_sequence
from tests.plotly_data import decode, figure_json, chart_elements
from ui.cache_gradient import SCENARIOS, Settings

PAGE = "pages/vanishing_gradient.py"
K = "keep.vanishing_gradient."


@pytest.fixture
def at():
    at = AppTest.from_file("../app.py", default_timeout=30)   # relative to this file
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


def clamps_of(s: Settings):
    """The page's intervention as lstm_core Clamps, written out here from the settings."""
    if s.clamp == "none":
        return ()
    if s.clamp == "1997":
        return (Clamp("f", 1.0, 1, s.T),)
    gate, value = {"f1": ("f", 1.0), "f0": ("f", 0.0), "i0": ("i", 0.0)}[s.clamp]
    return (Clamp(gate, value, *s.clamp_steps),)


def core(s: Settings):
    """lstm_core's norms for the page's settings, computed here independently of the page."""
    x = make_sequence(s.sequence, s.T, 1, s.seed)
    params = random_lstm(1, s.hidden_size, s.seed, s.scale, s.input_scale, s.forget_bias)
    lt = lstm_forward(params, x, clamps=clamps_of(s))
    rt = rnn_forward(random_rnn(1, s.hidden_size, s.seed, s.scale, s.input_scale), x)
    lg, rg = lstm_backward(lt), rnn_backward(rt)
    f = lt.f[:, 0, :]
    prod = np.ones_like(f)
    for t in range(s.T - 2, -1, -1):                  # f_T * ... * f_{t+1}, by hand
        prod[t] = prod[t + 1] * f[t + 1]
    out = {"RNN ‖dL/dh<sub>t</sub>‖": rg.grad_h_norm()[:, 0],
           "LSTM ‖dL/dh<sub>t</sub>‖": lg.grad_h_norm()[:, 0],
           "LSTM ‖dL/dC<sub>t</sub>‖": lg.grad_c_norm()[:, 0],
           "forget": prod.mean(axis=1)}
    if clamps_of(s):
        free = lstm_backward(lstm_forward(params, x))
        out["LSTM ‖dL/dh<sub>t</sub>‖, no gate held"] = free.grad_h_norm()[:, 0]
        out["LSTM ‖dL/dC<sub>t</sub>‖, no gate held"] = free.grad_c_norm()[:, 0]
    if s.clip:
        # lstm_core's clipping divides by underflowed norms in a branch it then discards (reported)
        with np.errstate(over="ignore", invalid="ignore"):
            out[f"RNN ‖dL/dh<sub>t</sub>‖, clipped at {s.clip_value:g}"] = \
                rnn_backward(rt, clip_step=s.clip_value).grad_h_norm()[:, 0]
    return out


def settings_of(at) -> Settings:
    return Settings(T=at.slider(key=K + "T").value, hidden_size=at.slider(key=K + "hidden_size").value,
                    scale=at.slider(key=K + "scale").value, input_scale=at.select_slider(key=K + "input_scale").value,
                    forget_bias=at.slider(key=K + "forget_bias").value, sequence=at.selectbox(key=K + "sequence").value,
                    seed=int(at.number_input(key=K + "seed").value), clip=at.checkbox(key=K + "clip").value,
                    clip_value=at.select_slider(key=K + "clip_value").value,
                    clamp=at.radio(key=K + "clamp").value, clamp_steps=at.slider(key=K + "clamp_steps").value)


def chart(at):
    charts = chart_elements(at)
    assert len(charts) == 1
    return figure_json(charts[0])


def assert_page_shows_core(at, s: Settings):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    fig = chart(at)
    expected = core(s)
    drawn = {tr["name"]: decode(tr["y"]) for tr in fig["data"]}
    assert len(drawn) == len(expected)
    for name, values in expected.items():
        key = next(n for n in drawn if n.startswith("LSTM forget")) if name == "forget" else name
        y, v = drawn[key], values[::-1]                 # the figure runs in steps back
        ok = np.isfinite(v) & (v > 0)
        assert np.all(np.isnan(y[~ok]))                 # zeros are left off the log axis
        if name == "forget":
            np.testing.assert_allclose(y[ok], v[ok], rtol=1e-12)
        else:
            np.testing.assert_array_equal(y[ok], v[ok])
        assert y.shape == (s.T,)
    # the numbers under the figure are the same as the core's
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["RNN ‖dL/dh₁‖"] == fmt_norm(expected["RNN ‖dL/dh<sub>t</sub>‖"][0])
    assert metrics["LSTM ‖dL/dh₁‖"] == fmt_norm(expected["LSTM ‖dL/dh<sub>t</sub>‖"][0])
    assert metrics["LSTM ‖dL/dC₁‖"] == fmt_norm(expected["LSTM ‖dL/dC<sub>t</sub>‖"][0])
    v = expected["LSTM ‖dL/dC<sub>t</sub>‖"][0]
    if 0 < v < np.inf:
        assert float(metrics["LSTM ‖dL/dC₁‖"]) == pytest.approx(v, rel=5e-3)
    assert float(metrics["f_T·…·f₂, mean over units"].split()[0]) == pytest.approx(expected["forget"][0],
                                                                                  rel=5e-3, abs=0)
    return fig, expected


def test_defaults(at):
    assert settings_of(at) == Settings()
    fig, expected = assert_page_shows_core(at, Settings())
    assert float([m.value for m in at.metric if m.label == "RNN ‖dL/dh₁‖"][0]) < 1e-18
    assert len(fig["frames"]) == 34
    assert len(at.latex) >= 4                          # the equations are next to the figure
    assert any("W_h^{\\top}" in x.value for x in at.latex)
    assert any("f_t * \\frac{\\partial L}{\\partial C_t}" in x.value for x in at.latex)
    # the numbers in the explanation are the core's too
    text = " ".join(m.value for m in at.markdown)
    sigma = np.linalg.norm(random_rnn(1, 16, 0, 1.0, 1.0).W[:, :16], 2)
    rnn = expected["RNN ‖dL/dh<sub>t</sub>‖"]
    assert f"**{sigma:.3g}**" in text
    assert f"**{(rnn[0] / rnn[-1]) ** (1 / 99):.4g}**" in text
    assert f"**{fmt_norm(expected['forget'][0])}**" in text


@pytest.mark.parametrize("kind,key,low,high", [
    ("slider", "T", 2, 500),
    ("slider", "hidden_size", 1, 64),
    ("slider", "scale", 0.1, 4.0),
    ("slider", "forget_bias", -4.0, 8.0),
    ("select_slider", "input_scale", 0.001, 2.0),
    ("number_input", "seed", 0, 9999),
])
def test_each_control_at_both_ends(at, kind, key, low, high):
    for value in (low, high):
        getattr(at, kind)(key=K + key).set_value(value).run()
        s = settings_of(at)
        assert getattr(s, key) == value
        assert_page_shows_core(at, s)


def test_every_sequence(at):
    for kind in SEQUENCES:
        at.selectbox(key=K + "sequence").select(kind).run()
        assert_page_shows_core(at, settings_of(at))


def test_clipping_at_both_ends(at):
    at.checkbox(key=K + "clip").check().run()
    for value in (0.5, 1000.0):
        at.select_slider(key=K + "clip_value").set_value(value).run()
        s = settings_of(at)
        assert s.clip and s.clip_value == value
        fig, expected = assert_page_shows_core(at, s)
        clipped = decode(next(tr for tr in fig["data"] if "clipped" in tr["name"])["y"])
        assert np.nanmax(clipped) <= value * (1 + 1e-12)


def test_extremes_together(at):
    """The largest settings at once still run and show the core's numbers."""
    at.slider(key=K + "T").set_value(500)
    at.slider(key=K + "hidden_size").set_value(64)
    at.slider(key=K + "scale").set_value(4.0)
    at.checkbox(key=K + "clip").check()
    at.run()
    assert_page_shows_core(at, settings_of(at))
    at.slider(key=K + "scale").set_value(0.1).run()
    fig, expected = assert_page_shows_core(at, settings_of(at))
    # the RNN's gradient underflows to 0 here: the page says so, the figure leaves those steps out
    assert (expected["RNN ‖dL/dh<sub>t</sub>‖"] == 0).any()
    assert any("underflow" in c.value for c in at.caption)
    assert [m.value for m in at.metric if m.label == "RNN ‖dL/dh₁‖"] == ["0 (underflow)"]


@pytest.mark.parametrize("index", range(len(SCENARIOS)))
def test_scenarios(at, index):
    sc = SCENARIOS[index]
    at.button(key=f"vanishing_gradient.scenario{index}").click().run()
    assert settings_of(at) == sc.settings
    fig, expected = assert_page_shows_core(at, sc.settings)
    y = {tr["name"]: decode(tr["y"]) for tr in fig["data"]}
    rnn = y["RNN ‖dL/dh<sub>t</sub>‖"]                # steps back: rnn[0] is step T, rnn[-1] step 1
    lstm_c = y["LSTM ‖dL/dC<sub>t</sub>‖"]
    if sc.label == "Vanishing (default)":
        assert rnn[-1] / rnn[0] < 1e-18 and 0.1 < lstm_c[-1] / lstm_c[0] < 10
    elif sc.label == "Forget gate half shut":
        assert lstm_c[-1] / lstm_c[0] < 1e-15
    elif sc.label == "Long memory, 500 steps":
        assert rnn[-1] < 1e-100 and lstm_c[-1] / lstm_c[0] > 1e-2
    elif sc.label.startswith("Cut the belt"):           # f = 0 on steps 40-60
        free = y["LSTM ‖dL/dC<sub>t</sub>‖, no gate held"]
        assert lstm_c[-1] / free[-1] < 1e-15
        assert not np.array_equal(lstm_c, free)
    elif sc.label.startswith("The 1997 LSTM"):          # f = 1 on every step, forget bias 0
        free = y["LSTM ‖dL/dC<sub>t</sub>‖, no gate held"]
        assert free[-1] / free[0] < 1e-15 and lstm_c[-1] / lstm_c[0] > 1
        f = y["LSTM forget gates f<sub>T</sub>·…·f<sub>t+1</sub>, mean over units"]
        assert np.all(f == 1.0)
    elif sc.label.startswith("Exploding"):
        assert rnn[-1] / rnn[0] > 1e10                 # grows by more than 10 orders of magnitude
        if sc.settings.clip:
            clipped = y["RNN ‖dL/dh<sub>t</sub>‖, clipped at 10"]
            assert np.nanmax(clipped) <= 10.0 * (1 + 1e-12)
            assert np.nanmax(clipped) > 9.99
    else:
        pytest.fail(f"no check for scenario {sc.label!r}")


def test_settings_survive_a_page_switch(at):
    at.slider(key=K + "T").set_value(250).run()
    at.slider(key=K + "forget_bias").set_value(-1.5).run()
    at.switch_page("pages/home.py").run()          # another page: this page's widgets are not shown
    assert not chart_elements(at)
    at.switch_page(PAGE).run()
    s = settings_of(at)
    assert s.T == 250 and s.forget_bias == -1.5
    assert_page_shows_core(at, s)
