"""Text as an input sequence: the cell reads one character per step.

    check_text(text)        the text, or FormatError: empty, longer than MAX_CHARS, or holding
                            a control or invisible formatting character (new line, tab, NUL, ...)
    alphabet(text)          its distinct characters, in the order they first appear
    one_hot(text, letters)  (T, D): x_t,d = 1 if character t is letters[d], else 0
    embed(text)             (T, 4): x_t,d = sin(sqrt(p_d) * n_t), n_t the character's code point
                            (Unicode number, ord), p = (2, 3, 5, 7)
    encode(text, encoding)  an Encoded: the inputs x (T, D), the name of each input, the encoding used

One step is one Unicode code point (what Python's str iterates over): an accented letter typed
as one character is one step, an emoji made of several code points is several.

One-hot gives the cell one input per distinct character, and the clearest picture (input d is
1 exactly when its character is read), but D grows with the text: it is used up to
MAX_ONE_HOT distinct characters. The embedding always has D = 4: four fixed numbers between -1
and 1 per character, the same for that character in every text, different for different
characters (the frequencies sqrt(2), sqrt(3), sqrt(5), sqrt(7) are irrational, so no two code
points give the same four sines). It is not learned: it only tells characters apart.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np

from .formats import FormatError

MAX_CHARS = 200                 # longest text accepted (one step per character)
MAX_ONE_HOT = 8                 # most distinct characters one-hot encodes
EMBED_PRIMES = (2, 3, 5, 7)     # embedding frequencies: sqrt of these
EMBED_DIM = len(EMBED_PRIMES)
ENCODINGS = ("one-hot", "embedding")
REFUSED_CATEGORIES = {"Cc": "a control character", "Cf": "an invisible formatting character",
                      "Cs": "a lone surrogate (half of a character)"}


def _name(ch: str) -> str:
    """How a refused character is named in a message: U+000A (LINE FEED)."""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        name = {"\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\t": "TAB", "\x00": "NUL"}.get(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def check_text(text) -> str:
    """The text, if the cell can read it; FormatError saying what is wrong otherwise."""
    if not isinstance(text, str):
        raise FormatError("the text must be a string of characters")
    if not text:
        raise FormatError("the text is empty: type at least one character")
    if len(text) > MAX_CHARS:
        raise FormatError(f"the text has {len(text):,} characters; at most {MAX_CHARS} are allowed")
    for k, ch in enumerate(text, start=1):
        what = REFUSED_CATEGORIES.get(unicodedata.category(ch))
        if what:
            raise FormatError(f"character {k} is {what}, {_name(ch)}; type letters, digits, spaces "
                              "and punctuation on one line")
    return text


def alphabet(text: str) -> tuple[str, ...]:
    """The distinct characters of text, in the order they first appear."""
    return tuple(dict.fromkeys(text))


def one_hot(text: str, letters=None) -> np.ndarray:
    """(T, D) float64: x[t, d] = 1 where character t is letters[d] (default: alphabet(text))."""
    letters = tuple(letters) if letters is not None else alphabet(text)
    index = {ch: d for d, ch in enumerate(letters)}
    x = np.zeros((len(text), len(letters)))
    for t, ch in enumerate(text):
        x[t, index[ch]] = 1.0
    return x


def embed_char(ch: str) -> tuple[float, ...]:
    """The four embedding numbers of one character: sin(sqrt(p) * ord(ch)), p = 2, 3, 5, 7."""
    n = ord(ch)
    return tuple(math.sin(math.sqrt(p) * n) for p in EMBED_PRIMES)


def embed(text: str) -> np.ndarray:
    """(T, 4) float64: each character's embed_char."""
    return np.array([embed_char(ch) for ch in text], dtype=np.float64).reshape(len(text), EMBED_DIM)


@dataclass(frozen=True)
class Encoded:
    text: str
    x: np.ndarray                    # (T, D) the inputs, one row per character
    features: tuple[str, ...]        # what each input is: a character (one-hot) or "sin(sqrt(p)·n)"
    encoding: str                    # "one-hot" or "embedding": the one used
    fell_back: bool = False          # one-hot was asked for but the text has too many distinct characters

    @property
    def chars(self) -> tuple[str, ...]:
        return tuple(self.text)


def encode(text: str, encoding: str = "one-hot") -> Encoded:
    """The text as inputs (check_text first). encoding "one-hot" falls back to the embedding
    when the text has more than MAX_ONE_HOT distinct characters (fell_back is then True)."""
    text = check_text(text)
    if encoding not in ENCODINGS:
        raise FormatError(f"unknown encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    letters = alphabet(text)
    if encoding == "one-hot" and len(letters) <= MAX_ONE_HOT:
        return Encoded(text, one_hot(text, letters), letters, "one-hot")
    features = tuple(f"sin(√{p}·n)" for p in EMBED_PRIMES)
    return Encoded(text, embed(text), features, "embedding", fell_back=encoding == "one-hot")
