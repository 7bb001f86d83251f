"""Hostile links: the settings a page reads from its URL (ui/links.py: parse_param,
read_params) under random and adversarial values - huge numbers, Unicode digits, NUL bytes,
formulas, megabytes of text, values that are not text at all. Every value is either used
(inside its allowed range or choices) or replaced by its default with a short one-line
notice; nothing else is raised, nothing takes long, and a notice never repeats more than a
few characters of what the link said. A hostile link to page 2 opens the page with notices
and its figures, without an exception."""
import math
import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from plotly_data import chart_elements
from ui.links import (ECHO_KEEP, MAX_PARAM_CHARS, Param, format_param, is_echo, link_params, parse_param,
                      read_params, remember)

PARAMS = (
    Param("T", "int", 60, 1, 500),
    Param("seed", "int", 0, 0, 1_000_000),
    Param("neg", "int", -3, -10, -1),
    Param("scale", "float", 1.0, 0.0, 3.0),
    Param("fb", "float", 1.0, -5.0, 5.0),
    Param("p", "choice", "latch", choices=("latch", "forgetful", "accumulator")),
    Param("k", "choice", 3, choices=(1, 2, 3)),
    Param("cw", "bool", False),
    Param("typed", "text", "0, 1", max_len=400),
    Param("text", "text", "hi", max_len=MAX_PARAM_CHARS),
)
HOSTILE = ["", " ", "\x00", "1\x00", "\x00" * 64, "9" * 64, "9" * 65, "9" * 5000, "-" + "9" * 63, "1e309", "-1e309",
           "nan", "NaN", "inf", "-inf", "Infinity", "1e-400", "0x10", "1_000", "١٢٣", "１", "𝟙", "½", "²", "1.5", "1,5",
           " 60 ", "60\n", "+60", "True", "true", "1.0", "0.0", "00", "-0", "=cmd|' /C calc'!A0", "@SUM(A1)", "+1+1",
           "[x](http://ev.il)", "![](http://ev.il/p.png)", "<script>alert(1)</script>", "\u202elatch", "latch ",
           "LATCH", "latch\x00", "\ud800", "🙂" * 100, "a" * 399, "a" * 400, "a" * 401, "a" * 2000, "a" * 2001,
           "a" * 1_000_000]


def in_domain(p: Param, v) -> bool:
    if p.kind == "int":
        return isinstance(v, int) and not isinstance(v, bool) and p.lo <= v <= p.hi
    if p.kind == "float":
        return isinstance(v, float) and math.isfinite(v) and p.lo <= v <= p.hi
    if p.kind == "choice":
        return v in p.choices
    if p.kind == "bool":
        return isinstance(v, bool)
    return isinstance(v, str) and len(v) <= p.max_len


def check_one(p: Param, text):
    t0 = time.thread_time()
    try:
        v = parse_param(p, text)
    except ValueError as e:
        msg = str(e)
        assert msg and "\n" not in msg and len(msg) < 400, repr(msg)
        assert p.name in msg
    else:
        assert in_domain(p, v), (p, text, v)
    assert time.thread_time() - t0 < 0.5


@pytest.mark.parametrize("p", PARAMS, ids=[p.name for p in PARAMS])
def test_every_hostile_value_is_used_or_refused_with_a_notice(p):
    for text in HOSTILE:
        check_one(p, text)


@pytest.mark.parametrize("p", PARAMS, ids=[p.name for p in PARAMS])
def test_values_that_are_not_text(p):
    for v in (None, 5, 1.5, b"60", ["60"], {"a": 1}):
        with pytest.raises(ValueError):
            parse_param(p, v)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PARAMS), st.text(max_size=80) | st.sampled_from(HOSTILE[:-1])
       | st.integers().map(str) | st.floats().map(repr))
def test_any_text(p, text):
    check_one(p, text)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([p.name for p in PARAMS] + ["junk", "", "T "]),
                       st.text(max_size=30) | st.sampled_from(HOSTILE[:-1]) | st.none() | st.integers(), max_size=8))
def test_read_params_never_raises(query):
    values, notices = read_params(PARAMS, query)
    assert set(values) == {p.name for p in PARAMS}
    for p in PARAMS:
        assert in_domain(p, values[p.name]) or values[p.name] == p.default
    bad = [p for p in PARAMS if p.name in query and values[p.name] == p.default and not _parses_to_default(p, query[p.name])]
    assert len(notices) == len(bad)
    for n in notices:
        assert "\n" not in n and len(n) < 500


def _parses_to_default(p, text):
    try:
        return parse_param(p, text) == p.default
    except ValueError:
        return False


def test_a_megabyte_value_costs_nothing_and_is_not_repeated():
    query = {p.name: "7" * 1_000_000 for p in PARAMS}
    t0 = time.thread_time()
    values, notices = read_params(PARAMS, query)
    assert time.thread_time() - t0 < 0.5
    assert values == {p.name: p.default for p in PARAMS}
    assert len(notices) == len(PARAMS)
    assert all(len(n) < 400 and "7" * 40 not in n for n in notices)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_link_reads_back_to_its_values(data):
    values = {}
    for p in PARAMS:
        if p.kind == "int":
            values[p.name] = data.draw(st.integers(int(p.lo), int(p.hi)))
        elif p.kind == "float":
            values[p.name] = data.draw(st.floats(p.lo, p.hi))
        elif p.kind == "choice":
            values[p.name] = data.draw(st.sampled_from(p.choices))
        elif p.kind == "bool":
            values[p.name] = data.draw(st.booleans())
        else:
            values[p.name] = data.draw(st.text(max_size=p.max_len // 8))
    back, notices = read_params(PARAMS, link_params(PARAMS, values))
    assert notices == []
    assert back == values
    for p in PARAMS:
        assert format_param(p, values[p.name]) == format_param(p, back[p.name])


def test_a_notice_shown_carries_no_markdown_from_the_link():
    """Notices are plain text; pages show them through markdown_safe (or their own equivalent),
    so a crafted link can't become a clickable link or an outside image in the warning box."""
    from ui.links import markdown_safe

    _, notices = read_params(PARAMS, {"T": "[x](http://ev.il)", "p": "![](http://ev.il/p.png)"})
    assert len(notices) == 2
    for n in notices:
        shown = markdown_safe(n)
        assert "](" not in shown and "![" not in shown and "$" not in shown.replace("\\$", ""), shown


# ---------------------------------------------------------------- page 2 with a hostile link

HOSTILE_LINK = {"T": "9" * 100, "H": "1e309", "seed": "\x00", "p": "=cmd|' /C calc'!A0", "scale": "nan",
                "x": "[x](http://ev.il)", "typed": "1," * 300, "u": "-1", "from": "١", "cw": "2", "seq": "🙂" * 50,
                "junk": "a" * 10_000}


def test_page_2_opens_from_a_hostile_link():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/gates_over_time.py")
    at.query_params.update(HOSTILE_LINK)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(chart_elements(at)) >= 2
    shown = [w.value for w in at.warning] + [e.value for e in at.error] + [i.value for i in at.info]
    assert len(at.warning) >= 5, shown
    for text in shown:
        assert "9" * 40 not in text and "🙂" * 31 not in text and "a" * 100 not in text
    assert at.slider(key="keep.gates.T").value == 60         # the defaults, not the link's values


LINKS = st.dictionaries(st.sampled_from(["T", "H", "seed"]), st.sampled_from(["1", "2", "60", "61"]), max_size=3)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINKS, min_size=1, max_size=60), LINKS)
def test_a_stale_link_is_one_the_page_wrote(writes, other):
    """Links written one after another: each of the last ECHO_KEEP different links is an echo
    (however long ago it was written: a busy browser was seen seconds behind), a link never
    written is not, and the newest comes first."""
    written = ()
    for link in writes:
        written = remember(written, link)
    distinct = []
    for link in reversed(writes):
        if link not in distinct:
            distinct.append(link)
    for k, link in enumerate(distinct):
        assert is_echo(written, link) == (k < ECHO_KEEP)
    if other not in writes:
        assert not is_echo(written, other)
    assert written[0] == tuple(sorted(writes[-1].items())) and len(written) == min(len(distinct), ECHO_KEEP)
