"""The lexicon of abbreviations, slang, synonyms and English terms (``data/lexicon.tsv``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from knowledge.text import syllables


@dataclass(frozen=True, slots=True)
class Expansion:
    """A lexicon hit: where in the query it matched and the catalogue words it stands for."""

    start: int
    end: int
    phrase: str
    expansions: tuple[str, ...]


class Lexicon:
    """Maps folded phrases (one or more syllables) to catalogue wording."""

    def __init__(self, entries: dict[tuple[str, ...], tuple[str, ...]]) -> None:
        self._entries = entries
        self._longest = max((len(key) for key in entries), default=0)

    @classmethod
    def parse(cls, text: str) -> Lexicon:
        """Build a lexicon from TSV text (``phrase<TAB>expansion | expansion``)."""
        entries: dict[tuple[str, ...], tuple[str, ...]] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            phrase, sep, expansion = line.partition("\t")
            key = tuple(syllables(phrase))
            values = tuple(v.strip() for v in expansion.split("|") if v.strip())
            if not sep or not key or not values:
                raise ValueError(f"lexicon line {number}: expected 'phrase<TAB>expansion'")
            entries[key] = tuple(dict.fromkeys(entries.get(key, ()) + values))
        return cls(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every (folded phrase, catalogue wordings) pair."""
        return [(" ".join(key), values) for key, values in self._entries.items()]

    def words(self) -> frozenset[str]:
        """The one-syllable phrases the lexicon knows ("cccd", "lltp", "passport")."""
        return frozenset(key[0] for key in self._entries if len(key) == 1)

    def phrases(self) -> list[str]:
        """Every phrase the lexicon knows and every catalogue wording it maps to."""
        found = [" ".join(key) for key in self._entries]
        found += [text for values in self._entries.values() for text in values]
        return found

    def find(self, tokens: list[str]) -> list[Expansion]:
        """Lexicon phrases in ``tokens`` (folded syllables), longest match first, no overlap."""
        hits: list[Expansion] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + size])
                if key in self._entries:
                    hits.append(Expansion(i, i + size, " ".join(key), self._entries[key]))
                    i += size
                    break
            else:
                i += 1
        return hits


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped with the package."""
    text = resources.files("knowledge").joinpath("data/lexicon.tsv").read_text("utf-8")
    return Lexicon.parse(text)
