"""Vietnamese text normalisation: NFC, one tone-mark placement, diacritic folding, syllables.

Citizens type the same word many ways: composed or decomposed Unicode, the old or the new
tone-mark placement (``hòa``/``hoà``), with or without diacritics (``đăng ký``/``dang ky``).
Everything that compares text goes through :func:`fold` so that all of those meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Tone marks as combining characters (after NFD): grave, acute, hook, tilde, dot below.
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_TONE_RE = re.compile(f"[{_TONES}]")
# Open syllables ending in "oa", "oe", "uy" carry the tone on the first vowel in the
# orthography the national catalogue uses ("hòa", "thủy"); the newer style writes "hoà",
# "thuỷ". We rewrite the newer style to the catalogue's, but never after "q" ("quý"), and
# only when nothing follows the tone mark: not another mark ("hoặc", where NFD puts the dot
# below before the breve) nor a final consonant ("hoàng").
_NEW_STYLE_RE = re.compile(
    f"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?![\\w\u0300-\u036f])",
)
_SYLLABLE_RE = re.compile(r"[0-9a-z]+")


def unify_tones(text: str) -> str:
    """Return NFC ``text`` with tone marks placed as in the national catalogue (hoà → hòa)."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _NEW_STYLE_RE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", moved)


def visible_nfc(text: str) -> str:
    """``text`` in NFC without invisible format characters (zero-width spaces, direction marks,
    byte-order marks) that pages carry inside words; line breaks and spacing are kept."""
    composed = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in composed if unicodedata.category(ch) != "Cf")


def normalize(text: str) -> str:
    """NFC, unified tone placement and collapsed white space; case and diacritics are kept."""
    return " ".join(unify_tones(text).split())


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    stripped = _TONE_RE.sub("", unicodedata.normalize("NFD", word))
    stripped = "".join(ch for ch in stripped if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "d").lower()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip every diacritic (đ → d): the form all matching uses."""
    return " ".join(_fold_word(word) for word in text.split())


def syllables(text: str) -> list[str]:
    """Folded syllables of ``text`` (letters and digits; punctuation dropped)."""
    return _SYLLABLE_RE.findall(fold(text))


def has_diacritics(text: str) -> bool:
    """True when ``text`` carries any Vietnamese diacritic (so it was typed with accents)."""
    return any(ord(ch) > 127 and ch.isalpha() for ch in unicodedata.normalize("NFC", text))
