"""Abbreviations the national catalogue defines (``data/abbreviations.tsv``) and their use.

Procedure names write "TNLĐ, BNN", "BHXH", "UBND" where citizens write the words out, and
citizens type "bhxh" where names write "bảo hiểm xã hội". The pairs are learned from the
catalogue's own text by :mod:`knowledge.build_abbreviations`; here they are read, and used both
ways: a record's text gains the words of each abbreviation it writes (:meth:`Abbreviations.
written_out`), and a question's abbreviation is expanded by the lexicon (:meth:`Abbreviations.
lexicon_lines`, merged into :func:`knowledge.lexicon.default_lexicon`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from knowledge.text import fold

DATA_NAME = "data/abbreviations.tsv"
QUERY_MIN_LETTERS = 3  # shorter abbreviations are spelt out in records, not in questions

# A written abbreviation: two or more capitals (Đ included), each optionally followed by one
# small letter that belongs to its initial ("Ng"), ending with a capital: "TNLĐ", "BHXH".
ABBREVIATION = re.compile(r"(?<!\w)(?:[A-ZĐ][a-zđ]?)+[A-ZĐ](?!\w)")
# A legal reference ("13/2023/NĐ-CP", "613/QĐ-TTg"): its capitals are a document's number.
LEGAL_REFERENCE = re.compile(r"\S*\d\S*/\S*")


def initial_key(word: str) -> str:
    """A word as its initial is compared: folded, lower case, but "đ" kept apart from "d"
    (Vietnamese abbreviations write "Đ" for "đất" and "D" for "dụng")."""
    folded = fold(word)
    return "đ" + folded[1:] if word[:1] in "đĐ" else folded


def spelt_lengths(abbreviation: str, keys: list[str]) -> list[int]:
    """How many of ``keys`` (words by :func:`initial_key`, from the first) spell
    ``abbreviation`` by their initials: "TNLĐ" and "tai nạn lao động …" → [4]. A small letter
    after a capital may continue that word's initial ("Ng" → "người") or start the next."""
    target = abbreviation.lower()
    found: list[int] = []

    def walk(letter: int, word: int) -> None:
        if letter == len(target):
            found.append(word)
            return
        if word >= len(keys):
            return
        key = keys[word]
        size = 1
        while letter + size <= len(target):
            if size > 1 and not abbreviation[letter + 1 : letter + size].islower():
                break
            if key.startswith(target[letter : letter + size]):
                walk(letter + size, word + 1)
            size += 1

    walk(0, 0)
    return sorted(set(found))


@dataclass(frozen=True, slots=True)
class Pair:
    """One learned abbreviation, as the catalogue writes it, and its words."""

    abbreviation: str  # "TNLĐ"
    expansion: str  # "tai nạn lao động"
    records: int  # records where both forms occur
    defined: int  # inline definitions seen ("… (TNLĐ)")


class Abbreviations:
    """The learned pairs, by abbreviation as written."""

    def __init__(self, pairs: list[Pair]) -> None:
        self.pairs = pairs
        self._by_written = {p.abbreviation: p.expansion for p in pairs}

    @classmethod
    def parse(cls, text: str) -> Abbreviations:
        """Read the data file's text (``ABBR<TAB>expansion<TAB>records<TAB>defined``)."""
        pairs = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 4:
                raise ValueError(f"abbreviations line {number}: expected four columns")
            pairs.append(Pair(fields[0], fields[1], int(fields[2]), int(fields[3])))
        return cls(pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def expansion(self, written: str) -> str | None:
        """The words of an abbreviation as written ("BHXH"), if learned."""
        return self._by_written.get(written)

    def written_out(self, text: str) -> str:
        """``text`` with each learned abbreviation it writes replaced by its words ("chế độ
        TNLĐ, BNN" → "chế độ tai nạn lao động, bệnh nghề nghiệp"); ``text`` itself when it
        writes none."""
        if not ABBREVIATION.search(text):
            return text
        parts = LEGAL_REFERENCE.split(text)
        references = LEGAL_REFERENCE.findall(text)
        out = [ABBREVIATION.sub(self._words, parts[0])]
        for reference, part in zip(references, parts[1:], strict=True):
            out += [reference, ABBREVIATION.sub(self._words, part)]
        return "".join(out)

    def _words(self, match: re.Match[str]) -> str:
        return self._by_written.get(match.group(), match.group())

    def lexicon_lines(self) -> list[str]:
        """The pairs as lexicon lines (``abbreviation<TAB>words``), for the query side; not
        those of two letters, which in a citizen's message mean too many things ("tk" is
        "tờ khai" in the catalogue, "tài khoản" or "thanks" in messages)."""
        return [
            f"{p.abbreviation.lower()}\t{p.expansion}"
            for p in self.pairs
            if len(p.abbreviation) >= QUERY_MIN_LETTERS
        ]


@lru_cache(maxsize=1)
def default_abbreviations() -> Abbreviations:
    """The pairs shipped with the package (learned from the national catalogue)."""
    text = resources.files("knowledge").joinpath(DATA_NAME).read_text("utf-8")
    return Abbreviations.parse(text)
