"""Page 4's settings in the link: a copied URL opens the same settings; bad values a notice."""
from streamlit.testing.v1 import AppTest

from ui.state import keep


def open_page(query=None):
    at = AppTest.from_file("../app.py", default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    at.switch_page("pages/training.py")
    at.run()
    assert not at.exception
    return at


def settings(at):
    return {k: at.session_state[keep("training." + k)] for k in ("task", "T", "hidden_size", "lr", "batch_size", "seed")}


def test_defaults_make_an_empty_link():
    at = open_page()
    assert not any(k in at.query_params for k in ("task", "T", "H", "lr", "batch", "seed"))


def test_link_round_trip():
    at = open_page()
    at.slider(key=keep("training.T")).set_value(120)
    at.slider(key=keep("training.hidden_size")).set_value(4)
    at.selectbox(key=keep("training.task")).set_value("temporal_order")
    at.number_input(key=keep("training.seed")).set_value(7)
    at.run()
    link = {k: at.query_params[k] for k in at.query_params}
    assert link == {"T": "120", "H": "4", "task": "temporal_order", "seed": "7"}
    other = open_page(link)
    assert settings(other) == settings(at)
    assert not other.warning


def test_bad_parameters_open_with_defaults_and_a_notice():
    at = open_page({"T": "5000", "H": "abc", "lr": "7", "task": "[x](http://ev.il)"})
    s = settings(at)
    assert (s["T"], s["hidden_size"], s["lr"], s["task"]) == (50, 8, 0.01, "adding")
    raw = " ".join(w.value for w in at.warning)          # Markdown, with the link's text escaped
    text = raw.replace("\\", "")
    assert "T=5000" in text and "out of range" in text and "not a whole number" in text
    assert "[x](http" in text and "](" not in raw        # shown literally, never as a link
