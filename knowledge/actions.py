"""What a procedure's name does to its object, learned from the catalogue's names.

Procedure names open with an action phrase ("đăng ký", "cấp lại", "xóa đăng ký", "giải thể",
"thông báo tạm ngừng", "đăng ký lại") followed by the object ("tạm trú", "doanh nghiệp").
Records of one object that differ only by their action ("Đăng ký tạm trú" / "Xóa đăng ký
tạm trú", "Đăng ký khai tử" / "Đăng ký lại khai tử") score alike on the object's words, so a
question that states one action must not be handed the other.

Nothing here is a hand-made list: how action-like a word is, is the share of its
occurrences in names that fall in a name's opening words ("lại", "xóa", "giải thể" are
almost always there; "tạm", "giấy", "đất" mostly elsewhere). A name's *head* is its first
few words (after "thủ tục"); a name that lists alternative actions ("Cấp, cấp lại giấy
phép …") has one head per alternative. The *unstated action* of a record for a question is
the action weight of its head words the question doesn't say (the cheapest alternative).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from knowledge.derived import base_name
from knowledge.english import english_stems
from knowledge.files import cached_json, content_key
from knowledge.text import fold, normalize

HEAD_WORDS = 3  # the opening words of a name read as its action
# A word's weight is its share of leading occurrences, drawn towards PRIOR as if seen
# SMOOTHING more times: a word seen once or twice tells little either way.
PRIOR = 0.3
SMOOTHING = 2
_ALTERNATIVES = re.compile(r"[,;/]")
_PREAMBLE = ("thu", "tuc")  # "Thủ tục …" opens many names and says nothing
_WORD_RE = re.compile(r"[^\W_]+")


Words = Callable[[str], list[tuple[str, str]]]


def _opening(name: str, words: Words) -> list[str]:
    found = [word for word, _ in words(name)]
    return found[2:] if tuple(found[:2]) == _PREAMBLE else found


def _words(text: str) -> list[tuple[str, str]]:
    """(folded, accented lower-case) of each word of ``text``."""
    return [(fold(w), w) for w in _WORD_RE.findall(normalize(text).lower())]


_ENGLISH_GLUE = frozenset("procedur of for the and or to in on at by with a an".split())


def english_words(text: str) -> list[tuple[str, str]]:
    """(stem, stem) of each content word of an English text (its glue words left out)."""
    return [(s, s) for s in english_stems(text) if s not in _ENGLISH_GLUE]


def _heads(name: str, words: Words) -> list[list[tuple[str, str]]]:
    """The name's action heads, one per alternative it lists before the object."""
    parts = [words(part) for part in _ALTERNATIVES.split(base_name(name))]
    parts = [p for p in parts if p]
    if not parts:
        return [[]]
    if tuple(f for f, _ in parts[0][:2]) == _PREAMBLE:
        parts[0] = parts[0][2:]
    heads: list[list[tuple[str, str]]] = []
    for part in parts:
        heads.append(part[:HEAD_WORDS])
        if len(part) > 2:  # the object starts: later commas list objects, not actions
            break
    return heads


def asked_words(folded: Iterable[str], accented_text: str) -> dict[str, frozenset[str]]:
    """The words a question states: each folded word → the accented forms it was written
    in (``accented_text``: the question's words, typos repaired, and its lexicon
    expansions). A word with no accented form, or one typed without accents, matches any
    spelling; one typed with accents matches only that spelling ("lái" is not "lại")."""
    forms: dict[str, set[str]] = {word: set() for word in folded}
    for word, accented in _words(accented_text):
        if word in forms and accented != word:
            forms[word].add(accented)
    for word, accented in _words(accented_text):
        if accented == word and word in forms:
            forms[word] = set()  # typed without accents somewhere: any spelling
    return {word: frozenset(found) for word, found in forms.items()}


Head = tuple[tuple[str, str, float], ...]  # (folded word, accented word, action weight)


class ActionHeads:
    """Every record's action heads with each word's action weight (0–1)."""

    def __init__(self, weight: dict[str, float], heads: list[list[Head]]) -> None:
        """``weight``: word → action weight; ``heads``: each record's alternative heads (see
        :meth:`learn`)."""
        self.weight = weight
        self._heads = heads

    @classmethod
    def learn(cls, names: Sequence[str], words: Words = _words) -> ActionHeads:
        """The heads and weights the procedures' ``names`` teach."""
        distinct = list(dict.fromkeys(" ".join(_opening(n, words)) for n in names))
        everywhere: Counter[str] = Counter()
        leading: Counter[str] = Counter()
        for name in distinct:
            everywhere.update(name.split())
        for name in dict.fromkeys(base_name(n) for n in names):
            for part in _ALTERNATIVES.split(name):
                leading.update(set(_opening(part, words)[:HEAD_WORDS]))
        weight = {
            word: min(1.0, (leading[word] + PRIOR * SMOOTHING) / (count + SMOOTHING))
            for word, count in everywhere.items()
            if leading[word]
        }
        heads = [
            [tuple((f, a, weight.get(f, 0.0)) for f, a in head) for head in _heads(n, words)]
            for n in names
        ]
        return cls(weight, heads)

    @classmethod
    def cached(
        cls, names: Sequence[str], cache_dir: Path | None, words: Words = _words, label: str = "vi"
    ) -> ActionHeads:
        """:meth:`learn`, kept in ``cache_dir`` (``label`` names the ``words`` reader) and read
        back when the same names were read before: learning takes a fifth of a second for the
        national catalogue's names."""
        salt = f"actions-1 {label} {HEAD_WORDS} {PRIOR} {SMOOTHING}".encode()
        key = content_key(salt, names)
        path = cache_dir / f"actions-{label}-{key}.json" if cache_dir else None

        def build() -> dict[str, Any]:
            learned = cls.learn(names, words)
            return {"weight": learned.weight, "heads": learned._heads}

        table = cached_json(path, build, ("weight", "heads"))
        heads = [  # JSON has lists where the heads had tuples
            [tuple((str(f), str(a), float(w)) for f, a, w in head) for head in alternatives]
            for alternatives in table["heads"]
        ]
        return cls(table["weight"], heads)

    def unstated(self, doc: int, asked: Mapping[str, Collection[str]]) -> float:
        """Action weight of record ``doc``'s head words the question doesn't state
        (``asked``: from :func:`asked_words`), for the alternative it comes closest to."""
        return min(
            sum(
                weight
                for word, accented, weight in head
                if word not in asked or (asked[word] and accented not in asked[word])
            )
            for head in self._heads[doc]
        )
