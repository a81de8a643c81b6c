"""Chat shorthand written out: "ck" is "chồng", "gp" "giấy phép", "cần j" "cần gì".

Citizens on Zalo and Messenger type the shorthand of chat. Written out before a message is
read, its words reach the focus on long messages, the facets ("cần j" asks for documents),
the lexicon and the encoder as the words they stand for. The table (``data/shorthand.tsv``)
holds only forms that stand for one word in a question to a public desk.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from knowledge.text import fold, has_diacritics

_WORD_RE = re.compile(r"[^\W_]+")


class Shorthand:
    """Whole-word shorthand → the words it stands for (typed with accents)."""

    def __init__(self, table: dict[str, str]) -> None:
        self._table = {short.lower(): full for short, full in table.items()}

    @classmethod
    def parse(cls, text: str) -> Shorthand:
        """Read ``shorthand<TAB>written out`` lines; ``#`` starts a comment line."""
        table: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            short, sep, full = line.partition("\t")
            if not sep or not short.strip() or not full.strip():
                raise ValueError(f"shorthand line {number}: expected shorthand<TAB>words")
            table[short.strip()] = full.strip()
        return cls(table)

    def write_out(self, text: str) -> str:
        """``text`` with its shorthand written out: with accents when the message has any,
        without when it has none (so an unaccented message stays one for what reads it).
        "k" after a number ("200 k", a sum) is left as typed."""
        accented = has_diacritics(text)
        previous_end = 0
        previous_word = ""
        pieces: list[str] = []
        for match in _WORD_RE.finditer(text):
            word = match.group()
            full = self._table.get(word.lower())
            if full is not None and not (word.lower() == "k" and previous_word.isdigit()):
                pieces.append(text[previous_end : match.start()])
                pieces.append(full if accented else fold(full))
                previous_end = match.end()
            previous_word = word
        if not pieces:
            return text
        pieces.append(text[previous_end:])
        return "".join(pieces)


@lru_cache(maxsize=1)
def default_shorthand() -> Shorthand:
    """The table shipped with the package."""
    text = resources.files("knowledge").joinpath("data/shorthand.tsv").read_text("utf-8")
    return Shorthand.parse(text)
