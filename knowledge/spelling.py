"""Typo repair against the catalogue's own words, judged by the words around them.

Citizens' typos are mostly a letter dropped or swapped, or a space lost between two
syllables ("khaisinh", "tạmtrú"). Without accents a dropped letter often leaves another real
syllable ("tình tang" for "tình trạng", "thuog" next to both "thuộc" and "thường"), so a word
list alone cannot tell which word was meant. The catalogue can: it is a large body of
administrative Vietnamese, and how often it writes two syllables side by side says which
candidate fits the neighbours (a noisy-channel speller with the catalogue as its language
model, every one-letter slip equally likely).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from knowledge.files import cached_json, content_key
from knowledge.text import fold, normalize, syllables

# The shape of a Vietnamese syllable once its accents are gone: an optional onset, a cluster
# of vowels, an optional final from the few Vietnamese allows. "register", "need" don't fit.
SYLLABLE_SHAPE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(ng|nh|ch|[mnptc])?$"
)

_WORD_RE = re.compile(r"[^\W_]+")
TABLES_VERSION = b"speller-1"  # change when the counting changes: old caches are then ignored
_PART_BREAK = "\x01"  # between the three kinds of text in a cache key
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"/\n]+")

# A pair the catalogue writes this often is evidence; rarer pairs are noise in legal text.
MIN_PAIR = 2
# A word that isn't a syllable is a repair target only if the catalogue writes it this often.
TARGET_MIN_COUNT = 5
# A suspect real word (see Speller.repair) is replaced by a one-letter variant only when the
# variant fits every neighbour and its pair counts sum to at least this much …
REAL_WORD_EVIDENCE = 5
REAL_WORD_MARGIN = 10  # … and to this many times the typed word's own
# A word the catalogue writes fewer times than this is judged like a suspect one.
RARE_WORD = 5


class Speller:
    """Repairs folded syllables and merged words using catalogue word and pair counts."""

    def __init__(
        self,
        counts: Mapping[str, int],
        protected: Iterable[str] = (),
        abbreviations: Iterable[str] = (),
    ) -> None:
        """``counts``: folded syllables and syllable pairs ("khai sinh") → how often the
        catalogue writes them (see :func:`syllable_counts`). ``protected``: words never taken
        for typos (function words, lexicon abbreviations). ``abbreviations``: the short forms
        citizens type ("lltp", "gplx"), which a word that is no syllable may be a slip of."""
        self._counts = counts
        self._protected = frozenset(protected)
        self._abbreviations = sorted(
            a for a in abbreviations if len(a) >= 3 and a.isalpha() and not SYLLABLE_SHAPE.match(a)
        )
        self.vocabulary = frozenset(w for w in counts if " " not in w)
        # What a typo may be repaired to: syllables, and other words the catalogue writes
        # often (abbreviations); not one-off run-together words of the source text.
        words = [
            w
            for w in self.vocabulary
            if w.isalpha() and (SYLLABLE_SHAPE.match(w) or counts[w] >= TARGET_MIN_COUNT)
        ]
        self._long = sorted(w for w in words if len(w) >= 3)
        self._short = sorted(w for w in words if 2 <= len(w) <= 5)

    def count(self, text: str) -> int:
        """How often the catalogue writes ``text`` (a folded syllable or pair)."""
        return self._counts.get(text, 0)

    def support(self, word: str, before: str | None, after: str | None) -> int:
        """How often the catalogue writes ``word`` next to these neighbours."""
        found = 0
        if before:
            found += self._counts.get(f"{before} {word}", 0)
        if after:
            found += self._counts.get(f"{word} {after}", 0)
        return found

    def split_merged(self, text: str) -> str:
        """``text`` with words that are two catalogue syllables run together split in two
        ("dang ky khaisinh" → "dang ky khai sinh"); accents and case are kept."""
        parts: list[str] = []
        end = 0
        for match in _WORD_RE.finditer(text):
            split = self._split_point(match.group())
            if split:
                parts.append(text[end : match.start() + split])
                parts.append(" ")
                end = match.start() + split
        if not parts:
            return text
        parts.append(text[end:])
        return "".join(parts)

    def _split_point(self, word: str) -> int:
        folded = fold(word)
        if (
            len(folded) != len(word)
            or len(folded) < 4
            or not folded.isalpha()
            or folded in self.vocabulary
            or folded in self._protected
        ):
            return 0
        best, best_count = 0, MIN_PAIR - 1
        for cut in range(2, len(folded) - 1):
            left, right = folded[:cut], folded[cut:]
            if not (SYLLABLE_SHAPE.match(left) and SYLLABLE_SHAPE.match(right)):
                continue
            pair = self._counts.get(f"{left} {right}", 0)
            if pair > best_count:
                best, best_count = cut, pair
        return best

    def repair(
        self, token: str, before: str | None, after: str | None, suspect: bool = False
    ) -> str:
        """The catalogue syllable ``token`` most likely stands for, given its neighbours.

        An unknown word goes to the one-letter (two for long words) variant that fits the
        neighbours best, else the commonest one; a short unknown word only when exactly one
        variant fits a neighbour ("khai sih" → "khai sinh"). A real word is replaced only when
        it is ``suspect`` (typed with accents the catalogue never writes it with: "đăn ký" is
        "dan ky" folded, but there is no "đăn" anywhere) and a variant fits the neighbours far
        better ("đăng ký"), or when the catalogue writes it only a handful of times (one of
        its own slips: "quyề"). Without accents a real word stays: "tình tang" may be a typo
        for "tình trạng", but "vo" may well be "vợ" where the catalogue has none. A word that
        is no syllable may be an abbreviation with a letter lost ("ltp": "lltp").
        """
        if not token.isalpha() or len(token) < 2:
            return token
        if token in self._protected:
            return token
        if token in self.vocabulary:
            # A word of three letters or more that the catalogue writes only a handful of
            # times may be one of its own typos ("quyề"): judged by its neighbours like a
            # suspect one. (Shorter rare words are mostly chat shorthand: "xn", "mt".)
            if suspect or (len(token) >= 3 and self.count(token) < RARE_WORD):
                return self._real_word(token, before, after)
            return token
        abbreviation = self._abbreviation(token)
        if abbreviation:
            return abbreviation
        short = len(token) < 4
        limit = 2 if len(token) >= 8 else 1
        candidates = [
            word
            for word, _, _ in process.extract(
                token,
                self._short if short else self._long,
                scorer=Levenshtein.distance,
                score_cutoff=limit,
                limit=None,
            )
        ]
        if not candidates:
            return token
        fitting = sorted(
            ((self.support(w, before, after), w) for w in candidates),
            reverse=True,
        )
        fitting = [(n, w) for n, w in fitting if n >= MIN_PAIR]
        if fitting:
            if len(fitting) == 1 or fitting[0][0] > fitting[1][0]:
                return fitting[0][1]
            return token if short else max(fitting[:2], key=lambda f: self.count(f[1]))[1]
        if short:
            return token
        nearest = min(Levenshtein.distance(token, w) for w in candidates)
        closest = [w for w in candidates if Levenshtein.distance(token, w) == nearest]
        return max(closest, key=lambda w: (self.count(w), w))

    def _abbreviation(self, token: str) -> str | None:
        """The abbreviation ``token`` is a slip of, when it is no syllable and one stands
        out: the only one it is with a letter lost ("ltp": "lltp", though "btp" is a letter
        away too), else the only one a letter away (for "dkk", among "dkkh", "dkks" and
        "dkkt", none)."""
        if len(token) < 3 or SYLLABLE_SHAPE.match(token):
            return None
        near = [
            word
            for word, _, _ in process.extract(
                token, self._abbreviations, scorer=Levenshtein.distance, score_cutoff=1, limit=None
            )
        ]
        found = [word for word in near if len(word) == len(token) + 1] or near
        return found[0] if len(found) == 1 else None

    def _real_word(self, token: str, before: str | None, after: str | None) -> str:
        # A function word next to it ("ad ơi đăn ký") says nothing about which word it is.
        before = None if before in self._protected else before
        after = None if after in self._protected else after
        if not before and not after:
            return token
        # The typed word may fit its neighbours a little ("dân ký" in "công dân ký"); a
        # variant must fit them far better ("đăng ký").
        own = self.support(token, before, after)
        best, best_support = token, max(REAL_WORD_EVIDENCE, REAL_WORD_MARGIN * own) - 1
        # A word may have lost a letter of a longer one ("thơng", five letters folded, for
        # "thường", six): every word of three letters or more is a candidate.
        pool = self._short if len(token) < 3 else self._long
        for word, _, _ in process.extract(
            token, pool, scorer=Levenshtein.distance, score_cutoff=1, limit=None
        ):
            # Every neighbour must fit: one-sided evidence turns "cho be" into "cho ben".
            left = self._counts.get(f"{before} {word}", 0) if before else None
            right = self._counts.get(f"{word} {after}", 0) if after else None
            sides = [n for n in (left, right) if n is not None]
            if min(sides) >= MIN_PAIR and sum(sides) > best_support:
                best, best_support = word, sum(sides)
        return best


def speller_tables(
    accented: Sequence[str], corpus: Sequence[str], phrasing: Sequence[str], cache_dir: Path | None
) -> tuple[dict[str, int], frozenset[str]]:
    """The speller's counts (:func:`syllable_counts` of all three) and the words the catalogue
    writes with accents (:func:`accented_words` of the first two), read from ``cache_dir``
    when the same texts were counted before (a few seconds for the national catalogue, a few
    hundredths from the cache), else counted and written there atomically."""
    parts = itertools.chain(accented, [_PART_BREAK], corpus, [_PART_BREAK], phrasing)
    path = cache_dir / f"speller-{content_key(TABLES_VERSION, parts)}.json" if cache_dir else None

    def count() -> dict[str, object]:
        counts = syllable_counts(itertools.chain(accented, corpus, phrasing))
        return {"counts": dict(counts), "written": sorted(accented_words([*accented, *corpus]))}

    saved = cached_json(path, count, ("counts", "written"))
    return saved["counts"], frozenset(saved["written"])


def syllable_counts(texts: Iterable[str]) -> Counter[str]:
    """How often ``texts`` write each folded syllable and each pair of adjacent syllables
    (pairs don't cross punctuation: "... khai sinh. Tờ khai" has no pair "sinh to")."""
    counts: Counter[str] = Counter()
    for text in texts:
        for clause in _CLAUSE_BREAK.split(text):
            words = syllables(clause)
            counts.update(words)
            counts.update(map(" ".join, itertools.pairwise(words)))
    return counts


def accented_words(texts: Iterable[str]) -> frozenset[str]:
    """Every word of ``texts`` as written, lower-cased (accents kept)."""
    return frozenset(w for text in texts for w in _WORD_RE.findall(normalize(text).lower()))


def accent_table(texts: Iterable[str]) -> dict[str, str]:
    """Each folded syllable's or syllable pair's most frequent accented spelling in ``texts``
    (to put accents back on a question typed without them)."""
    spellings: Counter[tuple[str, str]] = Counter()
    for text in texts:
        words = [w.strip(".,;:()\"'") for w in normalize(text).lower().split()]
        words = [w for w in words if w]
        for a, b in itertools.pairwise(words):
            spellings[(fold(f"{a} {b}"), f"{a} {b}")] += 1
        for w in words:
            spellings[(fold(w), w)] += 1
    best: dict[str, tuple[int, str]] = {}
    for (key, form), n in spellings.items():
        if n > best.get(key, (0, ""))[0]:
            best[key] = (n, form)
    return {key: form for key, (_, form) in best.items()}
