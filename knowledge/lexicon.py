"""The lexicon of abbreviations, slang, synonyms and English terms (``data/lexicon.tsv``, with
the abbreviations the catalogue defines, ``data/abbreviations.tsv``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from knowledge.abbreviations import default_abbreviations
from knowledge.text import fold, has_diacritics, normalize, syllables


@dataclass(frozen=True, slots=True)
class Expansion:
    """A lexicon hit: where in the query it matched and the catalogue words it stands for."""

    start: int
    end: int
    phrase: str
    expansions: tuple[str, ...]


class Lexicon:
    """Maps folded phrases (one or more syllables) to catalogue wording."""

    def __init__(
        self,
        entries: dict[tuple[str, ...], tuple[str, ...]],
        spelt: dict[str, frozenset[str]] | None = None,
        english_only: frozenset[tuple[str, ...]] = frozenset(),
    ) -> None:
        self._entries = entries
        # Phrases read in English messages only: "uk" is the United Kingdom there, and
        # Vietnamese chat's "ừ" (yes) elsewhere; "thai" is Thai there, "thai sản" elsewhere.
        self._english_only = english_only
        self._longest = max((len(key) for key in entries), default=0)
        # One-word phrases written with accents ("bố"), by folded form: typed with other
        # accents ("bộ", as in "cán bộ", "bộ hồ sơ") the word is another word.
        self._spelt = spelt or {}

    @classmethod
    def parse(cls, text: str) -> Lexicon:
        """Build a lexicon from TSV text (``phrase<TAB>expansion | expansion``, and a third
        column ``en`` for a phrase read in English messages only)."""
        entries: dict[tuple[str, ...], tuple[str, ...]] = {}
        spelt: dict[str, set[str]] = {}
        english_only: set[tuple[str, ...]] = set()
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            phrase, sep, rest = line.partition("\t")
            expansion, _, column = rest.partition("\t")
            language = column.strip()
            key = tuple(syllables(phrase))
            values = tuple(v.strip() for v in expansion.split("|") if v.strip())
            if not sep or not key or not values:
                raise ValueError(f"lexicon line {number}: expected 'phrase<TAB>expansion'")
            if language not in ("", "en"):
                raise ValueError(f"lexicon line {number}: the third column may only be 'en'")
            if language:
                english_only.add(key)
            entries[key] = tuple(dict.fromkeys(entries.get(key, ()) + values))
            word = normalize(phrase).lower()
            if len(key) == 1 and has_diacritics(word) and fold(word) == key[0]:
                spelt.setdefault(key[0], set()).add(word)
        forms = {word: frozenset(spellings) for word, spellings in spelt.items()}
        return cls(entries, forms, frozenset(english_only))

    def __len__(self) -> int:
        return len(self._entries)

    def extended(self, other: Lexicon) -> Lexicon:
        """This lexicon with ``other``'s phrases that it doesn't define (its own lines win)."""
        entries = dict(self._entries)
        spelt = dict(self._spelt)
        english_only = set(self._english_only)
        for key, values in other._entries.items():
            if key not in entries:
                entries[key] = values
                if len(key) == 1 and key[0] in other._spelt:
                    spelt[key[0]] = other._spelt[key[0]]
                if key in other._english_only:
                    english_only.add(key)
        return Lexicon(entries, spelt, frozenset(english_only))

    def entries(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every (folded phrase, catalogue wordings) pair."""
        return [(" ".join(key), values) for key, values in self._entries.items()]

    def _misspelt(self, word: str, typed: str) -> bool:
        """Whether ``typed`` (accented) is another word than the one-word phrase ``word``."""
        forms = self._spelt.get(word)
        return forms is not None and has_diacritics(typed) and typed not in forms

    def words(self) -> frozenset[str]:
        """The one-syllable phrases the lexicon knows ("cccd", "lltp", "passport")."""
        return frozenset(key[0] for key in self._entries if len(key) == 1)

    def phrases(self) -> list[str]:
        """Every phrase the lexicon knows and every catalogue wording it maps to."""
        found = [" ".join(key) for key in self._entries]
        found += [text for values in self._entries.values() for text in values]
        return found

    def find(
        self, tokens: list[str], typed: list[str] | None = None, language: str = "vi"
    ) -> list[Expansion]:
        """Lexicon phrases in ``tokens`` (folded syllables), longest match first, no overlap.
        ``typed``: the same words as the citizen wrote them (lower case), when known: a
        one-word phrase written with accents matches only its own spelling or none.
        ``language``: the message's; the English-only phrases match only in ``"en"``."""
        hits: list[Expansion] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + size])
                if size == 1 and typed is not None and self._misspelt(key[0], typed[i]):
                    continue
                if key in self._entries and (language == "en" or key not in self._english_only):
                    hits.append(Expansion(i, i + size, " ".join(key), self._entries[key]))
                    i += size
                    break
            else:
                i += 1
        return hits


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped with the package: the team's lines, then the abbreviations learned
    from the catalogue that those lines don't define."""
    text = resources.files("knowledge").joinpath("data/lexicon.tsv").read_text("utf-8")
    learned = Lexicon.parse("\n".join(default_abbreviations().lexicon_lines()))
    return Lexicon.parse(text).extended(learned)
