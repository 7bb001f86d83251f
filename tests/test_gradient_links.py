"""Page 3's settings in the link (ui/links.py): a link copied from one session opens the same
settings and the same figure data in a new session; every bad parameter opens the page with that
setting at its default and a notice; the scenario and 1997 buttons write the URL; presenter mode
hides the seed and input scale but keeps their values and the link."""
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.plotly_data import figure_json, chart_elements
from tests.test_page_vanishing_gradient import K, PAGE, assert_page_shows_core, settings_of
from ui.cache_gradient import SCENARIOS, Settings

D = Settings()


def open_page(query=None):
    """A new session (a fresh browser) opening the page, with the link's query parameters."""
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.run()
    at.switch_page(PAGE)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def notices(at) -> list[str]:
    """The link notices as a reader sees them (markdown escapes removed)."""
    text = " ".join(w.value for w in at.warning if "this link" in w.value)
    return [re.sub(r"\\(.)", r"\1", line[2:]) for line in text.splitlines() if line.startswith("- ")]


def figure(at):
    charts = chart_elements(at)
    assert len(charts) == 1
    return figure_json(charts[0])


def change_everything(at):
    at.slider(key=K + "T").set_value(150)
    at.slider(key=K + "hidden_size").set_value(8)
    at.slider(key=K + "scale").set_value(1.7)
    at.slider(key=K + "forget_bias").set_value(-1.5)
    at.selectbox(key=K + "sequence").select("sine")
    at.select_slider(key=K + "input_scale").set_value(0.1)
    at.number_input(key=K + "seed").set_value(42)
    at.checkbox(key=K + "clip").check()
    at.run()
    at.select_slider(key=K + "clip_value").set_value(5.0)
    at.radio(key=K + "clamp").set_value("f0")
    at.run()
    at.slider(key=K + "clamp_steps").set_value((20, 70)).run()
    assert not at.exception


def test_defaults_make_an_empty_link():
    at = open_page()
    assert dict(at.query_params) == {}
    assert settings_of(at) == D
    assert not at.warning


def test_link_round_trip_same_settings_and_figure():
    at = open_page()
    change_everything(at)
    s = settings_of(at)
    assert s == Settings(T=150, hidden_size=8, scale=1.7, input_scale=0.1, forget_bias=-1.5, sequence="sine",
                         seed=42, clip=True, clip_value=5.0, clamp="f0", clamp_steps=(20, 70))
    link = dict(at.query_params)
    assert link == {"T": "150", "H": "8", "scale": "1.7", "in_scale": "0.1", "fb": "-1.5", "seq": "sine",
                    "seed": "42", "clip": "1", "clip_at": "5.0", "hold": "f0", "from": "20", "to": "70"}
    fig = figure(at)
    assert_page_shows_core(at, s)

    other = open_page(link)                       # someone else opens the link
    assert settings_of(other) == s
    assert not other.warning
    assert figure(other) == fig                   # the same data, layout and frames
    assert_page_shows_core(other, s)
    assert dict(other.query_params) == link       # and the link stays as it was


def test_link_edited_by_hand_mid_session():
    at = open_page({"T": "60"})
    assert settings_of(at).T == 60
    at.query_params["T"] = "80"
    at.query_params["hold"] = "1997"
    at.run()
    s = settings_of(at)
    assert s.T == 80 and s.clamp == "1997"
    assert_page_shows_core(at, s)


BAD = [  # (parameter, text, words in the notice)
    ("T", "abc", "not a whole number"),
    ("T", "1000", "out of range"),
    ("T", "2.5", "not a whole number"),
    ("H", "0", "out of range"),
    ("scale", "0.15", "not on the slider"),
    ("scale", "nan", "out of range"),
    ("scale", "9", "out of range"),
    ("in_scale", "3", "not allowed"),
    ("fb", "1.25", "not on the slider"),
    ("fb", "-inf", "out of range"),
    ("seq", "[click](http://example.com)", "not allowed"),
    ("seq", "$x^2$", "not allowed"),
    ("seed", "-1", "out of range"),
    ("seed", "1e3", "not a whole number"),
    ("clip", "yes", "not allowed"),
    ("clip_at", "7", "not allowed"),
    ("hold", "f2", "not allowed"),
    ("from", "70", "is after “to=60”"),                 # to: its default, 60
    ("from", "0", "out of range"),
    ("from", "junk", "not a whole number"),
    ("to", "101", "at most T = 100"),
    ("to", "501", "out of range"),
    ("to", "x" * 3000, "too long"),
]
FIELD = {"T": "T", "H": "hidden_size", "scale": "scale", "in_scale": "input_scale", "fb": "forget_bias",
         "seq": "sequence", "seed": "seed", "clip": "clip", "clip_at": "clip_value", "hold": "clamp",
         "from": "clamp_steps", "to": "clamp_steps"}


@pytest.mark.parametrize("name,text,words", BAD)
def test_each_bad_parameter_opens_with_its_notice(name, text, words):
    query = {name: text, "T": "120"} if name != "T" else {name: text}
    if name in ("from", "to"):
        query = {name: text, "hold": "f1"}
    at = open_page(query)
    assert not at.error, [e.value for e in at.error]
    shown = notices(at)
    assert len(shown) == 1, shown
    assert shown[0].startswith(f"“{name}") and words in shown[0] and "instead" in shown[0]
    if len(text) < 30:
        assert text in shown[0]
    s = settings_of(at)
    assert getattr(s, FIELD[name]) == getattr(D, FIELD[name])           # that setting: its default
    if name != "T":
        assert s.T == (100 if name in ("from", "to") else 120)           # the good ones are used
    assert_page_shows_core(at, s)
    assert name not in at.query_params                 # the bad value left the URL (the default is not written)
    # the notice shows once: the next rerun (any slider) does not repeat it
    at.slider(key=K + "scale").set_value(1.1).run()
    assert not notices(at)


def test_notice_text_is_never_markup():
    at = open_page({"seq": "<b>x</b>[a](http://e.com)$y$"})
    raw = " ".join(w.value for w in at.warning)
    for ch in "<>[]()$":
        assert "\\" + ch in raw                    # every markup character is escaped
    assert not at.exception and not at.error


def test_several_bad_parameters_each_get_a_notice_good_ones_are_kept():
    at = open_page({"T": "x", "H": "200", "fb": "2.0", "seq": "pulse", "hold": "nope"})
    shown = notices(at)
    assert len(shown) == 3 and {n[1:3] for n in shown} == {"T=", "H=", "ho"}
    s = settings_of(at)
    assert (s.T, s.hidden_size, s.forget_bias, s.sequence, s.clamp) == (100, 16, 2.0, "pulse", "none")
    assert_page_shows_core(at, s)


@pytest.mark.parametrize("index", range(len(SCENARIOS)))
def test_scenario_buttons_write_the_link(index):
    at = open_page({"T": "77", "seed": "5"})
    at.button(key=f"vanishing_gradient.scenario{index}").click().run()
    sc = SCENARIOS[index].settings
    assert settings_of(at) == sc
    link = dict(at.query_params)
    # the link holds exactly the scenario's settings that differ from the defaults
    assert (link.get("T"), link.get("seed")) == ((str(sc.T) if sc.T != D.T else None), None)
    assert link.get("hold") == (sc.clamp if sc.clamp != D.clamp else None)
    assert link.get("fb") == (repr(sc.forget_bias) if sc.forget_bias != D.forget_bias else None)
    other = open_page(link)
    assert settings_of(other) == sc
    assert figure(other) == figure(at)


def test_1997_option_writes_the_link():
    at = open_page()
    at.radio(key=K + "clamp").set_value("1997").run()     # one click
    assert settings_of(at).clamp == "1997"
    assert dict(at.query_params) == {"hold": "1997"}
    assert_page_shows_core(at, settings_of(at))


def test_presenter_mode_hides_seed_and_input_scale_keeps_values():
    at = open_page({"seed": "7", "in_scale": "0.5"})
    normal = figure(at)
    at.session_state["keep.presenter"] = True
    at.run()
    assert not at.exception and not at.error
    assert not at.number_input
    keys = {w.key for w in list(at.select_slider) + list(at.number_input)}
    assert K + "seed" not in keys and K + "input_scale" not in keys
    assert any("seed 7" in c.value and "0.5" in c.value for c in at.caption)
    # the explanations stay
    assert any("W_h^{\\top}" in x.value for x in at.latex)
    # the figure is the same data, larger
    fig = figure(at)
    assert fig["data"] == normal["data"]
    assert fig["layout"]["font"]["size"] == 16 and fig["layout"]["height"] == round(normal["layout"]["height"] * 1.35)
    assert dict(at.query_params) == {"seed": "7", "in_scale": "0.5"}
    # a slider moved in presenter mode still computes with the hidden seed and input scale
    at.slider(key=K + "T").set_value(90).run()
    s = Settings(T=90, seed=7, input_scale=0.5)
    assert_page_shows_core(at, s)
    at.session_state["keep.presenter"] = False
    at.run()
    assert settings_of(at) == s


def test_forget_product_held_at_zero_is_not_called_an_underflow():
    at = open_page({"hold": "f0", "from": "40", "to": "60"})
    product = [m for m in at.metric if m.label.startswith("f_T")][0]
    assert product.value == "0 (f held at 0)"
    free = open_page({"fb": "-4.0", "T": "500"})
    assert [m for m in free.metric if m.label.startswith("f_T")][0].value == "0 (underflow)"
