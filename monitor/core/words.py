"""Words in any script: the folded form text is compared in, and its word tokens.

Two versions of a page are compared in a *folded* form, so that what no reader
sees never raises an alert: zero-width characters, bidi marks, soft hyphens,
Arabic tatweel, compatibility forms (Arabic presentation forms, full-width
Latin) and whitespace variants. Digits are never folded into each other: a
figure changed in Eastern Arabic or Persian digits is a changed figure.

Diffs name whole words. Scripts written with spaces split at spaces; Chinese,
Japanese, Thai, Lao, Khmer and Myanmar text has none, and is split by ICU's
dictionary word breaks when PyICU is installed (``monitor[icu]``). Without it
the fallback is ``script-runs``: a run of such text splits where the script
changes (kanji, hiragana, katakana) and at punctuation, which gives phrases
rather than words, never single characters. ``SEGMENTER`` names the one in use.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any


def _combining_marks() -> str:
    """Every combining mark of the Basic Multilingual Plane as a character-class body.

    Python's ``\\w`` leaves them out, so a word with Arabic harakat or Hindi
    vowel signs would otherwise split at every mark.
    """
    ranges: list[tuple[int, int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


MARKS = _combining_marks()
WORD_CHAR = rf"[\w{MARKS}]"
# Words keep inner punctuation (8,000 / 3.5 / don't / e-mail / ٨٠٬٠٠٠); quotes and
# trailing punctuation are tokens of their own, so a fragment is the words that changed.
TOKENS = re.compile(rf"\s+|{WORD_CHAR}(?:[\w{MARKS}'’.,%/\u066b\u066c-]*{WORD_CHAR})?|[^\w\s]")
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u0640\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
SPACES = re.compile(r"\s+")
# Scripts written without spaces between words.
UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                      "\u4e00-\u9fff\uf900-\ufaff]")
SCRIPT_RUN = re.compile("[\u3040-\u309f]+|[\u30a0-\u30ff\u30fc]+|[\u3400-\u4dbf\u4e00-\u9fff"
                        "\uf900-\ufaff]+|[\u0e00-\u0eff]+|[\u1000-\u109f]+|[\u1780-\u17ff]+"
                        "|[^\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff"
                        "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]+")


def unseen_removed(text: str) -> str:
    """Text without what no reader sees: invisible characters gone, Arabic presentation
    forms as the letters they show. Lighter than ``fold``: the text keeps its own
    punctuation (，stays ，), so it can be stored and shown."""
    if text.isascii():
        return text
    text = PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
    return INVISIBLE.sub("", text)


def fold(text: str) -> str:
    """The form two versions are compared in: NFKC, no invisible characters, single spaces."""
    if text.isascii():
        return SPACES.sub(" ", text).strip()
    return SPACES.sub(" ", INVISIBLE.sub("", unicodedata.normalize("NFKC", text))).strip()


def _load_icu() -> Any:
    try:
        import icu  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    return icu


_ICU = _load_icu()
SEGMENTER = "icu" if _ICU is not None else "script-runs"


def tokens(text: str) -> list[str]:
    """The text as tokens that join back into it: words, spaces and punctuation."""
    found = TOKENS.findall(text)
    if not UNSPACED.search(text):
        return found
    out: list[str] = []
    for token in found:
        out.extend(segment(token) if UNSPACED.search(token) else (token,))
    return out


@lru_cache(maxsize=4096)
def segment(run: str) -> tuple[str, ...]:
    """One token of unspaced script as words (ICU) or script runs (the fallback)."""
    if _ICU is not None and SEGMENTER == "icu":
        return _icu_words(run)
    return tuple(SCRIPT_RUN.findall(run))


def _icu_words(run: str) -> tuple[str, ...]:
    breaker = _word_breaker()
    breaker.setText(run)
    # ICU counts in UTF-16 units; outside the BMP, Python's indices differ.
    units = run.encode("utf-16-le")
    pieces: list[str] = []
    start = 0
    for end in breaker:
        pieces.append(units[start * 2:end * 2].decode("utf-16-le"))
        start = end
    return tuple(piece for piece in pieces if piece)


@lru_cache(maxsize=1)
def _word_breaker() -> Any:
    return _ICU.BreakIterator.createWordInstance(_ICU.Locale.getRoot())


def use_segmenter(name: str) -> None:
    """Choose ``icu`` or ``script-runs`` (tests and the bench compare the two)."""
    global SEGMENTER
    if name == "icu" and _ICU is None:
        raise RuntimeError("PyICU is not installed: pip install 'monitor[icu]'")
    if name not in ("icu", "script-runs"):
        raise ValueError(name)
    SEGMENTER = name
    segment.cache_clear()
