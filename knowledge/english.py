"""English names for procedures, built from their Vietnamese names with a reviewed bilingual
term list (``data/english_terms.tsv``), and the English word forms retrieval matches on.

A name is rendered term by term, longest Vietnamese term first; the level in brackets becomes
"(commune level)" and so on. A name is given an English form only when the terms cover nearly
all of it: a half-translated name would mislead a reader (it still helps matching, see
:meth:`EnglishNames.matching_text`). Nothing is translated at run time beyond this lookup.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import snowballstemmer

from knowledge.derived import base_name
from knowledge.function_words import ENGLISH_FUNCTION_WORDS
from knowledge.schema import Procedure
from knowledge.text import fold, normalize

FULL_COVERAGE = 0.85  # share of a name's syllables the terms must cover for a shown name
_LEVEL_RE = re.compile(r"\(([^()]*)\)\s*$")
_LEVELS = (
    ("cap xa", "commune level"),
    ("cap huyen", "district level"),
    ("cap tinh", "provincial level"),
    ("trung uong", "central level"),
    ("cap bo", "central level"),
)
_STEMMER = snowballstemmer.stemmer("english")


def _words(text: str) -> list[str]:
    """Lower-case accented words of ``text`` (the catalogue's names are always accented)."""
    return re.findall(r"[^\W_]+", normalize(text).lower())


_STEMMER_LOCK = threading.Lock()  # the stemmer keeps its word in itself while it works


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """One word's stem; remembered, since the catalogue's names repeat the same few thousand
    words (stemming them afresh made up most of an index build)."""
    with _STEMMER_LOCK:
        return _STEMMER.stemWord(word)


def english_stems(text: str) -> list[str]:
    """Lower-case English word stems ("registering" → "regist")."""
    return [_stem(word) for word in re.findall(r"[a-z0-9]+", text.lower())]


@dataclass(frozen=True, slots=True)
class EnglishName:
    text: str
    coverage: float  # share of the Vietnamese name's syllables the terms translated
    synonyms: str = ""  # what English speakers also call the name's terms (matching only)


class TermList:
    """Vietnamese term (lower-case syllables) → English term, and the everyday English
    synonyms of it that questions use ("nhập quốc tịch" → "naturalisation"; also
    "citizenship application")."""

    def __init__(
        self,
        terms: dict[tuple[str, ...], str],
        synonyms: dict[tuple[str, ...], tuple[str, ...]] | None = None,
    ) -> None:
        self._terms = terms
        self._synonyms = synonyms or {}
        self._longest = max((len(k) for k in terms), default=0)

    @classmethod
    def parse(cls, text: str) -> TermList:
        """Read ``term<TAB>English[<TAB>synonym; synonym…]`` lines; terms are matched with
        their accents (folded, "được" and "dược" would meet)."""
        terms: dict[tuple[str, ...], str] = {}
        synonyms: dict[tuple[str, ...], tuple[str, ...]] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            vietnamese, sep, english = line.partition("\t")
            key = tuple(_words(vietnamese))
            if not sep or not key:
                raise ValueError(f"english terms line {number}: expected 'term<TAB>English'")
            shown, _, also = english.partition("\t")
            terms.setdefault(key, shown.strip())
            if also.strip():
                synonyms.setdefault(key, tuple(s.strip() for s in also.split(";") if s.strip()))
        return cls(terms, synonyms)

    def __len__(self) -> int:
        return len(self._terms)

    def english_of(self) -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Each Vietnamese term with its English: the shown term, then its synonyms."""
        for key, shown in self._terms.items():
            yield key, (shown, *self._synonyms.get(key, ()))

    def render(self, vietnamese: str) -> EnglishName:
        """``vietnamese`` term by term; untranslated syllables are left out and counted."""
        tokens = _words(vietnamese)
        out: list[str] = []
        also: list[str] = []
        covered = 0
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                term = tuple(tokens[i : i + size])
                english = self._terms.get(term)
                if english is not None:
                    if english and (not out or out[-1] != english):
                        out.append(english)
                    also.extend(self._synonyms.get(term, ()))
                    covered += size
                    i += size
                    break
            else:
                i += 1
        share = covered / len(tokens) if tokens else 0.0
        return EnglishName(" ".join(out), share, " ".join(also))

    def name_of(self, proc: Procedure) -> EnglishName:
        """The procedure's English name, its level in brackets."""
        rendered = self.render(base_name(proc.name))
        level = _LEVEL_RE.search(proc.name)
        if level:
            folded = fold(level.group(1))
            found = next((en for vi, en in _LEVELS if vi in folded), None)
            if found:
                rendered = EnglishName(
                    f"{rendered.text} ({found})", rendered.coverage, rendered.synonyms
                )
        text = rendered.text[:1].upper() + rendered.text[1:]
        return EnglishName(text.replace(" of of ", " of "), rendered.coverage, rendered.synonyms)


class EnglishNames:
    """English names of a catalogue's procedures (those the term list covers)."""

    def __init__(self, procedures: list[Procedure], terms: TermList | None = None) -> None:
        terms = terms or default_terms()
        self._names = [terms.name_of(p) for p in procedures]
        self._codes = {p.code: i for i, p in enumerate(procedures)}

    def shown(self, code: str) -> str | None:
        """The English name to show for ``code``, when the terms cover the name."""
        i = self._codes.get(code)
        if i is None or self._names[i].coverage < FULL_COVERAGE:
            return None
        return _shown(self._names[i].text)

    def matching_text(self, position: int) -> str:
        """What English questions are matched against for the procedure at ``position``
        (whatever the coverage: a partly rendered name still carries its key words), with
        the everyday synonyms of its terms after it."""
        name = self._names[position]
        return f"{name.text} {name.synonyms}" if name.synonyms else name.text

    def name_text(self, position: int) -> str:
        """The English name alone of the procedure at ``position`` (whatever the coverage),
        whose opening words say its action."""
        return self._names[position].text

    def covered(self) -> int:
        """How many procedures have a shown English name."""
        return sum(name.coverage >= FULL_COVERAGE for name in self._names)


@lru_cache(maxsize=1)
def default_terms() -> TermList:
    """The term list shipped with the package."""
    text = resources.files("knowledge").joinpath("data/english_terms.tsv").read_text("utf-8")
    return TermList.parse(text)


def shown_english_name(proc: Procedure) -> str | None:
    """The procedure's English name when the term list covers it, else None."""
    name = default_terms().name_of(proc)
    return _shown(name.text) if name.coverage >= FULL_COVERAGE else None


def _shown(text: str) -> str:
    """An English name as a reader sees it: without the "Procedure" that renders the "Thủ
    tục" many names open with ("Procedure registration of death" → "Registration of death")."""
    rest = text.removeprefix("Procedure ")
    return rest[:1].upper() + rest[1:] if rest != text and rest else text


class EnglishGloss:
    """The catalogue's Vietnamese words for the English terms of a question: the term list
    read backwards ("temporary residence card" → "thẻ tạm trú", "maternity" → "thai sản").

    English phrases (a term's shown English and its synonyms) are matched on Snowball stems
    with English function words left out, longest first. Where several Vietnamese terms share
    one English phrase ("certificate": "giấy chứng nhận", "chứng chỉ", "giấy"…), the one most
    of the catalogue's names use is given. Nothing is translated beyond this lookup.
    """

    def __init__(self, phrases: Mapping[tuple[str, ...], str]) -> None:
        """``phrases``: English stems → the Vietnamese term (see :meth:`learn`)."""
        self._phrases = dict(phrases)
        self._longest = max((len(key) for key in self._phrases), default=0)

    @classmethod
    def learn(cls, terms: TermList, names: Sequence[str]) -> EnglishGloss:
        """The gloss of ``terms`` for a catalogue whose procedures are called ``names``."""
        in_names = _term_counts(terms, names)
        found: dict[tuple[str, ...], tuple[int, str]] = {}
        for vietnamese, english in terms.english_of():
            uses = in_names[vietnamese]
            if not uses:
                continue  # a term no name uses would lead nowhere
            for phrase in english:
                key = _english_key(phrase)
                if key and uses > found.get(key, (0, ""))[0]:
                    found[key] = (uses, " ".join(vietnamese))
        return cls({key: words for key, (_, words) in found.items()})

    def phrases(self) -> dict[tuple[str, ...], str]:
        """What the gloss knows: English stems → Vietnamese term."""
        return dict(self._phrases)

    def __len__(self) -> int:
        return len(self._phrases)

    def vietnamese(self, text: str) -> list[str]:
        """The Vietnamese terms for the English phrases of ``text``, in order, each once."""
        stems = _english_key(text)
        found: dict[str, None] = {}
        i = 0
        while i < len(stems):
            for size in range(min(self._longest, len(stems) - i), 0, -1):
                words = self._phrases.get(stems[i : i + size])
                if words is not None:
                    found[words] = None
                    i += size
                    break
            else:
                i += 1
        return list(found)


def _english_key(phrase: str) -> tuple[str, ...]:
    """The stems of an English phrase's words, its function words and brackets left out
    ("renewal (exchange) of" → ("renew",))."""
    phrase = re.sub(r"\([^)]*\)", " ", phrase.lower())
    words = re.findall(r"[a-z0-9]+", phrase)
    return tuple(_stem(word) for word in words if word not in ENGLISH_FUNCTION_WORDS)


def _term_counts(terms: TermList, names: Sequence[str]) -> Counter[tuple[str, ...]]:
    """How many of ``names`` use each Vietnamese term of ``terms``."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for key, _ in terms.english_of():
        by_first.setdefault(key[0], []).append(key)
    counts: Counter[tuple[str, ...]] = Counter()
    for name in names:
        words = _words(name)
        seen = {
            key
            for i, word in enumerate(words)
            for key in by_first.get(word, ())
            if tuple(words[i : i + len(key)]) == key
        }
        counts.update(seen)
    return counts
