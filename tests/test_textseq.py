"""lstm_core/textseq.py: text as an input sequence, one character per step. The encoder never
crashes on any text (it encodes it or refuses it with FormatError), its shape follows the
text, it is deterministic, and its numbers are the documented ones."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core.formats import FormatError
from lstm_core.textseq import (EMBED_DIM, ENCODINGS, MAX_CHARS, MAX_ONE_HOT, alphabet, check_text, embed,
                               embed_char, encode, one_hot)

pytestmark = pytest.mark.usefixtures("strict_numerics")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=260), st.sampled_from(ENCODINGS))
def test_any_text_is_encoded_or_refused_with_a_message(text, encoding):
    try:
        e = encode(text, encoding)
    except FormatError as err:
        assert str(err)                                         # says what is wrong
        return
    T = len(text)
    assert 1 <= T <= MAX_CHARS
    assert e.x.dtype == np.float64 and e.x.shape[0] == T and np.isfinite(e.x).all()
    assert e.chars == tuple(text)
    if e.encoding == "one-hot":
        assert encoding == "one-hot" and e.x.shape[1] == len(set(text)) <= MAX_ONE_HOT
        assert np.array_equal(e.x.sum(axis=1), np.ones(T))    # exactly one input is 1 at each step
        assert [e.features[int(np.argmax(row))] for row in e.x] == list(text)
    else:
        assert e.x.shape[1] == EMBED_DIM and np.all(np.abs(e.x) <= 1.0)
        assert e.fell_back == (encoding == "one-hot")
    again = encode(text, encoding)                              # deterministic
    assert np.array_equal(again.x, e.x) and again.features == e.features


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_the_embedding_of_a_character_does_not_depend_on_the_text(a, b):
    for text in (a, b):
        try:
            check_text(text)
        except FormatError:
            return
    ea, eb = embed(a), embed(b)
    for k, ch in enumerate(a):
        for j, other in enumerate(b):
            if ch == other:
                assert np.array_equal(ea[k], eb[j])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs")), min_size=1, max_size=MAX_CHARS))
def test_printable_text_is_always_accepted(text):
    e = encode(text, "one-hot")
    assert e.x.shape[0] == len(text)


def test_one_hot_by_hand():
    x = one_hot("hello")
    assert alphabet("hello") == ("h", "e", "l", "o")
    assert x.tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    e = encode('she said "hi"', "one-hot")
    assert e.encoding == "one-hot" and e.features == ("s", "h", "e", " ", "a", "i", "d", '"')
    assert e.x.shape == (13, 8)


def test_embedding_by_hand():
    # "A" is code point 65: (sin(sqrt(2) 65), sin(sqrt(3) 65), sin(sqrt(5) 65), sin(sqrt(7) 65))
    want = [math.sin(math.sqrt(p) * 65) for p in (2, 3, 5, 7)]
    assert list(embed_char("A")) == want
    assert embed("AA").tolist() == [want, want]
    e = encode("A", "embedding")
    assert e.encoding == "embedding" and not e.fell_back and e.x.tolist() == [want]


def test_distinct_characters_get_distinct_embeddings():
    vectors = {embed_char(chr(n)) for n in range(32, 20_000)}
    assert len(vectors) == 20_000 - 32


def test_one_hot_falls_back_to_the_embedding_beyond_eight_distinct_characters():
    assert encode("abcdefgh", "one-hot").encoding == "one-hot"
    e = encode("abcdefghi", "one-hot")
    assert e.encoding == "embedding" and e.fell_back and e.x.shape == (9, 4)


@pytest.mark.parametrize("text,message", [
    ("", "the text is empty"),
    ("a" * (MAX_CHARS + 1), f"the text has 201 characters; at most {MAX_CHARS} are allowed"),
    ("two\nlines", "character 4 is a control character, U+000A"),
    ("tab\there", "character 4 is a control character, U+0009"),
    ("nul\x00", "character 4 is a control character, U+0000"),
    ("bell\x07", "U+0007"),
    ("del\x7f", "U+007F"),
    ("bidi\u202eevil", "character 5 is an invisible formatting character, U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("half\ud800", "a lone surrogate"),
    (None, "must be a string"),
])
def test_refused_text_says_what_is_wrong(text, message):
    with pytest.raises(FormatError, match=None) as err:
        encode(text)
    assert message in str(err.value)


def test_the_longest_text_is_accepted_and_unknown_encodings_refused():
    assert encode("ab" * (MAX_CHARS // 2)).x.shape == (MAX_CHARS, 2)
    with pytest.raises(FormatError, match="unknown encoding"):
        encode("abc", "utf-8")
