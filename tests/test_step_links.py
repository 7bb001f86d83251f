"""Page 1's settings in the link (ui/links.py): sizes, the unit shown and every slider that
differs from its default. A copied link opens the same sliders and the same belt in a new
session; every bad parameter opens the page with that setting at its default and a notice; the
"try this" buttons write the URL; presenter mode folds the weight tabs into an expander."""
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.plotly_data import figure_json, chart_elements
from tests.test_page_one_step import (GATES, P, assert_ok, check_numbers, numbers_table, open_tab, settings,
                                     shown_unit, sizes, slider_value)

PAGE = "pages/one_step.py"


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
    text = " ".join(w.value for w in at.warning if "this link" in w.value)
    return [re.sub(r"\\(.)", r"\1", line[2:]) for line in text.splitlines() if line.startswith("- ")]


def view(at):
    """Everything a student sees that the link must reproduce."""
    W, b, x, h, c = settings(at)
    return (sizes(at), shown_unit(at), {g: W[g].tolist() for g in W}, {g: b[g].tolist() for g in b},
            x.tolist(), h.tolist(), c.tolist(),
            figure_json(chart_elements(at)[0]), numbers_table(at),
            [x.value for x in at.markdown], [x.value for x in at.latex])


def test_defaults_make_an_empty_link():
    at = open_page()
    assert dict(at.query_params) == {}
    assert not at.warning
    check_numbers(at)


def test_link_round_trip_same_sliders_and_belt():
    at = open_page()
    at.radio(key=P + "H").set_value(2)
    at.radio(key=P + "D").set_value(2).run()
    at.radio(key=P + "unit").set_value(1)
    at.slider(key=P + "W_f.1.x1").set_value(-2.3)
    open_tab(at, "o")
    at.slider(key=P + "b_o.0").set_value(1.2)
    at.slider(key=P + "x.1").set_value(0.7)
    at.slider(key=P + "c.1").set_value(-1.9)
    at.slider(key=P + "h.0").set_value(2.0)
    at.run()
    check_numbers(at)
    link = dict(at.query_params)
    assert link == {"H": "2", "D": "2", "u": "1", "W_f.1.x1": "-2.3", "b_o.0": "1.2", "x.1": "0.7",
                    "c.1": "-1.9", "h.0": "2.0"}
    other = open_page(link)
    assert not other.warning
    assert view(other) == view(at)
    check_numbers(other)
    assert dict(other.query_params) == link


def test_weights_of_units_not_shown_stay_out_of_the_link():
    at = open_page({"H": "3", "W_c.2.h2": "-4.5"})
    assert slider_value(at, "W_c.2.h2") == -4.5
    assert open_tab(at, "c").slider(key=P + "W_c.2.h2").value == -4.5
    at.radio(key=P + "H").set_value(1).run()
    assert dict(at.query_params) == {}                  # unit 2 is not on the page any more
    check_numbers(at)


BAD = [  # (query, the parameter, words in the notice)
    ({"H": "4"}, "H", "out of range"),
    ({"H": "two"}, "H", "not a whole number"),
    ({"D": "0"}, "D", "out of range"),
    ({"H": "2", "u": "2"}, "u", "from 0 to 1"),
    ({"u": "1"}, "u", "from 0 to 0"),
    ({"H": "3", "u": "5"}, "u", "out of range"),
    ({"W_f.0.h0": "0.15"}, "W_f.0.h0", "not on the slider"),
    ({"W_f.0.h0": "7"}, "W_f.0.h0", "out of range"),
    ({"b_i.0": "-5.01"}, "b_i.0", "out of range"),
    ({"x.0": "abc"}, "x.0", "not a number"),
    ({"x.0": "nan"}, "x.0", "out of range"),
    ({"c.0": "inf"}, "c.0", "out of range"),
    ({"h.0": "<img src=x>"}, "h.0", "not a number"),
]


@pytest.mark.parametrize("query,name,words", BAD)
def test_each_bad_parameter_opens_with_its_notice(query, name, words):
    at = open_page(query)
    assert_ok(at)
    shown = notices(at)
    assert len(shown) == 1, shown
    assert shown[0].startswith(f"“{name}=") and words in shown[0] and "instead" in shown[0]
    defaults = open_page()
    if name in ("H", "D"):
        assert sizes(at) == (1, 1)
    elif name == "u":
        assert shown_unit(at) == 0
        assert sizes(at)[0] == int(query.get("H", 1))   # the good parameter is used
    else:
        assert slider_value(at, name) == slider_value(defaults, name)
    check_numbers(at)
    assert name not in at.query_params
    at.slider(key=P + "b_f.0").set_value(0.1).run()       # the notice does not come back
    assert not notices(at)


def test_try_this_buttons_write_the_link():
    at = open_page({"H": "2"})
    for button in ("try_remember", "try_overwrite", "try_hide", "try_limit"):
        at.button(key="one_step." + button).click().run()
        s = check_numbers(at)
        link = dict(at.query_params)
        assert link["H"] == "2" and len(link) > 1
        other = open_page(link)
        assert view(other) == view(at), button
        o = check_numbers(other)
        assert all(np.array_equal(o[k], s[k]) for k in s)
    at.button(key="one_step.reset").click().run()
    assert dict(at.query_params) == {"H": "2"}


def test_remember_writes_its_biases():
    at = open_page()
    at.button(key="one_step.try_remember").click().run()
    link = dict(at.query_params)
    assert link["b_f.0"] == "5.0" and link["b_i.0"] == "-5.0"
    assert link["W_f.0.h0"] == "0.0" and link["W_i.0.x0"] == "0.0"


def test_presenter_mode_folds_the_weights_into_an_expander():
    at = open_page({"W_o.0.x0": "-1.5"})
    normal = figure_json(chart_elements(at)[0])
    assert not at.expander or all("Weights" not in e.label for e in at.expander)
    at.session_state["keep.presenter"] = True
    at.run()
    assert_ok(at)
    box = [e for e in at.expander if e.label.startswith("Weights and biases")]
    assert len(box) == 1
    inside = {s.key for s in box[0].slider}
    assert inside == {P + "W_f.0.h0", P + "W_f.0.x0", P + "b_f.0"}       # the open tab's
    assert slider_value(at, "W_o.0.x0") == -1.5
    assert P + "W_o.0.x0" in {s.key for s in open_tab(at, "o").slider}
    # the inputs and states stay in view; the explanations stay
    assert P + "x.0" not in inside and P + "x.0" in {s.key for s in at.slider}
    assert any("h_t = o_t * \\tanh(C_t)" in x.value for x in at.latex)
    fig = figure_json(chart_elements(at)[0])
    assert fig["data"] == normal["data"]
    assert fig["layout"]["font"]["size"] == 16 and fig["layout"]["height"] == round(normal["layout"]["height"] * 1.35)
    check_numbers(at)
    assert dict(at.query_params) == {"W_o.0.x0": "-1.5"}


def test_units_are_numbered_from_zero_everywhere():
    at = open_page({"H": "3", "D": "2", "u": "2"})
    check_numbers(at)
    assert [o for o in at.radio(key=P + "unit").options] == ["unit 0", "unit 1", "unit 2"]
    assert list(numbers_table(at)) == ["unit 0", "unit 1", "unit 2"]
    labels = [s.label for g in GATES for s in open_tab(at, g).slider]
    assert "$W_f[0,0]$ on $h_{t-1,0}$" in labels and "$W_o[2,4]$ on $x_{t,1}$" in labels
    assert "$b_c[2]$" in labels and "$C_{t-1,0}$" in labels and "$x_{t,0}$" in labels
    assert not any("[3," in l or ",5]" in l for l in labels)
    tex = "\n".join(x.value for x in list(at.latex) + list(at.markdown))
    assert "f_t^{[2]}" in tex and "W_f{[2,0]}" in tex
    title = figure_json(chart_elements(at)[0])["layout"]["title"]["text"]
    assert title.startswith("unit 2")
