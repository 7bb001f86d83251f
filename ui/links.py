"""Settings in the link: every page keeps its settings in the URL's query parameters, so a
copied link opens the same view for anyone.

A page declares its parameters as Params (name in the URL, kind, default, allowed range).
`read_params` turns the URL's text into values: a missing parameter takes its default; a
malformed or out-of-range one takes its default too, with a short notice saying what was
wrong and what is allowed. `link_params` writes back only what differs from the defaults.
Both are pure functions (no Streamlit), fuzzed in tests/test_links_fuzz.py.

`sync_link(prefix, params)` is the Streamlit glue: on the first run of a page in a session
(or when the URL changed by hand) it seeds the page's kept widgets from the URL and shows the
notices; on every run it writes the current values back into the URL.

A browser sends its address with every rerun, and it may not yet hold the link the last run
wrote: a student who moves a slider twice quickly sends the second move with the link of a
run before (seconds before, when the browser is busy). That stale link is not a new one to
read: reading it would put the slider back where it was. Within a session, an address on a
page can only change by the page's own writes, by Back and Forward (which Streamlit flags),
or by the page's links to itself (the lesson's steps). So a link the page wrote earlier is
an echo to ignore (`is_echo`), unless the student went Back or Forward to it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

MAX_PARAM_CHARS = 2000      # longer values are refused (typed sequences that long go into a file)
ECHO_KEEP = 32              # how many of its own links a page remembers (a browser was seen 4 behind)


@dataclass(frozen=True)
class Param:
    name: str                       # the name in the URL (short: T, H, seed, ...)
    kind: str                       # "int", "float", "choice", "bool" or "text"
    default: object
    lo: float | None = None         # int/float: smallest allowed
    hi: float | None = None         # int/float: largest allowed
    choices: tuple = ()             # choice: the allowed values (strings)
    max_len: int = MAX_PARAM_CHARS  # text: longest allowed
    key: str | None = None          # the kept widget's name (ui.state), default: the URL name


def _allowed(p: Param) -> str:
    if p.kind in ("int", "float"):
        return f"a {'whole ' if p.kind == 'int' else ''}number from {p.lo:g} to {p.hi:g}"
    if p.kind == "choice":
        shown = ", ".join(map(str, p.choices[:8])) + (", ..." if len(p.choices) > 8 else "")
        return f"one of {shown}"
    if p.kind == "bool":
        return "1 or 0"
    return f"text of at most {p.max_len} characters"


def markdown_safe(text: str) -> str:
    """A notice made literal for st.warning / st.markdown (which render Markdown, LaTeX and
    some HTML): every ASCII punctuation mark is backslash-escaped, so a link's values show as
    typed and can never become a link, an image or a formula."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def _show(text: str) -> str:
    text = text if len(text) <= 30 else text[:27] + "..."
    return repr(text)


def parse_param(p: Param, text: str):
    """The value of one parameter from its URL text; ValueError with a notice if not allowed."""
    if not isinstance(text, str):
        raise ValueError(f"{p.name}: not text")
    limit = p.max_len if p.kind == "text" else 64      # no number or choice is longer than 64
    if len(text) > limit:
        raise ValueError(f"“{p.name}” is too long; it must be {_allowed(p)}")
    if p.kind == "int":
        try:
            v = int(text.strip())
        except ValueError:
            raise ValueError(f"“{p.name}={_show(text)}” is not a whole number; it must be {_allowed(p)}") from None
        if not p.lo <= v <= p.hi:
            raise ValueError(f"“{p.name}={v}” is out of range; it must be {_allowed(p)}")
        return v
    if p.kind == "float":
        try:
            v = float(text.strip())
        except ValueError:
            raise ValueError(f"“{p.name}={_show(text)}” is not a number; it must be {_allowed(p)}") from None
        if not math.isfinite(v) or not p.lo <= v <= p.hi:
            raise ValueError(f"“{p.name}={_show(text)}” is out of range; it must be {_allowed(p)}")
        return v
    if p.kind == "choice":
        if text not in [str(c) for c in p.choices]:
            raise ValueError(f"“{p.name}={_show(text)}” is not allowed; it must be {_allowed(p)}")
        return p.choices[[str(c) for c in p.choices].index(text)]
    if p.kind == "bool":
        if text not in ("0", "1"):
            raise ValueError(f"“{p.name}={_show(text)}” is not allowed; it must be {_allowed(p)}")
        return text == "1"
    if p.kind == "text":
        return text
    raise ValueError(f"unknown kind {p.kind!r}")


def read_params(params, query) -> tuple[dict, list[str]]:
    """(values by name, notices) from a mapping of URL names to text. Unknown names are ignored."""
    values, notices = {}, []
    for p in params:
        if p.name not in query:
            values[p.name] = p.default
            continue
        try:
            values[p.name] = parse_param(p, query[p.name])
        except ValueError as e:
            values[p.name] = p.default
            notices.append(f"{e} — using {p.default!r} instead.")
    return values, notices


def format_param(p: Param, value) -> str:
    if p.kind == "bool":
        return "1" if value else "0"
    if p.kind == "float":
        return repr(float(value))
    return str(value)


def link_params(params, values: dict) -> dict[str, str]:
    """The query parameters for `values`: only those that differ from their defaults."""
    return {p.name: format_param(p, values[p.name]) for p in params
            if p.name in values and values[p.name] != p.default}


def link_key(query: dict) -> tuple:
    return tuple(sorted(query.items()))


def is_echo(written: tuple, query: dict) -> bool:
    """Whether `query` is one of the links this page wrote (`written`, by `remember`)."""
    return link_key(query) in written


def remember(written: tuple, link: dict) -> tuple:
    """`written` with `link` as the newest, each link once, at most ECHO_KEEP of them."""
    key = link_key(link)
    if written and written[0] == key:
        return written
    return (key,) + tuple(k for k in written if k != key)[:ECHO_KEEP - 1]


# ---------------------------------------------------------------- Streamlit glue

def _history_navigation() -> bool:
    """Whether this run comes from the browser's Back or Forward button (Streamlit's flag)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


def sync_link(prefix: str, params, links_to_itself: bool = False) -> list[str]:
    """Seed this page's kept widgets from the URL when it is new to this session (or edited
    by hand), then return the notices for the parameters that could not be used.
    Call before the page's widgets; call `write_link` after them. A page with links to itself
    (the lesson's step links) says so: a link it wrote before may then be a click on one of
    those links, to be read, not a stale address."""
    import streamlit as st

    from .state import keep

    query = st.query_params.to_dict()        # the last value of a repeated key, as st.query_params[k]
    seen_key = f"_link_seen.{prefix}"
    relevant = {p.name: query[p.name] for p in params if p.name in query}
    if st.session_state.get(seen_key) == relevant:
        return []
    if (not links_to_itself and not _history_navigation()
            and is_echo(st.session_state.get(f"_link_written.{prefix}", ()), relevant)):
        return []                            # a link this page wrote before: nothing new
    st.session_state[seen_key] = relevant
    st.session_state[f"_link_fresh.{prefix}"] = True
    values, notices = read_params(params, query)
    for p in params:
        if p.name in query and p.name in values:
            st.session_state[keep(prefix + (p.key or p.name))] = values[p.name]
    return notices


def write_link(prefix: str, params, values: dict) -> None:
    """Put the page's current settings into the URL (only non-default ones)."""
    import streamlit as st

    wanted = link_params(params, values)
    in_url = st.query_params.to_dict()       # read once: each st.query_params lookup takes locks (page 1 has 84 params)
    current = {p.name: in_url[p.name] for p in params if p.name in in_url}
    # A link just read (st.page_link to this same page, say) may not be in the browser's
    # address bar yet although the server has it: setting it again makes the browser show it.
    fresh = st.session_state.pop(f"_link_fresh.{prefix}", False)
    # Noted before the address is changed: changing it sends a message, where Streamlit may
    # stop this run for the next move; a link sent but not noted would be read as a new one.
    written_key = f"_link_written.{prefix}"
    st.session_state[written_key] = remember(st.session_state.get(written_key, ()), wanted)
    st.session_state[f"_link_seen.{prefix}"] = wanted
    if wanted != current or (fresh and wanted):
        for name in current.keys() - wanted.keys():
            del st.query_params[name]
        st.query_params.update(wanted)
