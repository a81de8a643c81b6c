"""Query analysis: from a citizen's raw message to what retrieval needs.

Steps: normalise → facet cues out → typo repair against the catalogue's vocabulary →
lexicon expansion → content words (stop words out) → a text for the dense encoder, with
diacritics restored from the catalogue when the citizen typed none.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from knowledge.facets import Facet, detect_facets
from knowledge.lexicon import Lexicon
from knowledge.text import fold, has_diacritics, normalize, syllables

# Function words of citizens' questions, Vietnamese (folded) and English. They carry no
# procedure meaning; they are dropped from the content words.
STOPWORDS = frozenset(
    """
    a ad ah ak admin anh ban be bi cac cach cau cho cua da day de den di do duoc em gi gio
    giup ha hay hen hoi j ji khi khong la lam luon minh muon nao ne neu nhe nhi nho nhu nhung
    nua o oi phai qua ra roi se t ta thi the thoi toi va vay ve voi vs xin xem ya u uh vang
    thanks thank please pls hello hi i me my we our you your the an of to for in on at is are
    am do does did how what which when where who why could should would will with and or from
    by it this that there get need want about as ok okay dc k ko hok nhieu it bac ninh ubnd
    moi hom nay tuan truoc sau luc hien
    """.split()
)


# Courtesies that open or close a question ("cho em hỏi …", "… ạ", "… với ad ơi"), folded.
# Stripped from the ends of the encoder's text: they don't change what is asked, and without
# them one question in many wrappings reads the same to the encoder and its cache. Folded
# forms that often mean something else at a question's edge are not here (nha: nhà, anh: ảnh,
# ban: bản, chi: chi phí, co: có thể, vay: vay vốn).
COURTESIES = frozenset(
    "cho em minh hoi xin ad admin oi a ah ak nhe voi chut please pls hi hello thanks".split()
)


@dataclass(slots=True)
class Concept:
    """A unit of meaning in the query: one content word, or one lexicon phrase."""

    surface: str
    tokens: tuple[str, ...]  # what the catalogue should contain for this concept


@dataclass(slots=True)
class AnalyzedQuery:
    """Everything retrieval reads off one message."""

    text: str
    tokens: list[str]
    facets: list[Facet]
    concepts: list[Concept] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    dense_text: str = ""
    language: str = "vi"
    expanded_tokens: list[str] = field(default_factory=list)  # lexicon phrases replaced

    @property
    def content_tokens(self) -> list[str]:
        """Every catalogue word the query asks for, expansions included, in order."""
        return [token for concept in self.concepts for token in concept.tokens]


class QueryAnalyzer:
    """Analyses queries against one catalogue's vocabulary and a lexicon."""

    def __init__(self, lexicon: Lexicon, vocabulary: Iterable[str], accented: Iterable[str]):
        self.lexicon = lexicon
        self.vocabulary = frozenset(vocabulary)
        self._spellable = sorted(w for w in self.vocabulary if len(w) >= 3 and w.isalpha())
        self._short = sorted(w for w in self.vocabulary if 2 <= len(w) <= 5 and w.isalpha())
        self._restore = _restoration_table(accented)

    def analyze(self, raw: str) -> AnalyzedQuery:
        """Analyse one message (any length; only the first 400 characters are read)."""
        text = normalize(raw[:400])
        facets, cue_positions = detect_facets(text)
        tokens = syllables(text)
        corrections: dict[str, str] = {}
        repaired = []
        for position, token in enumerate(tokens):
            fixed = self._repair(
                token,
                tokens[position - 1] if position else None,
                tokens[position + 1] if position + 1 < len(tokens) else None,
            )
            if fixed != token:
                corrections[token] = fixed
            repaired.append(fixed)
        concepts: list[Concept] = []
        expansions: list[str] = []
        expanded: list[str] = []
        hits = {hit.start: hit for hit in self.lexicon.find(repaired)}
        position = 0
        while position < len(repaired):
            hit = hits.get(position)
            if hit is not None:
                words = tuple(w for e in hit.expansions for w in syllables(e))
                concepts.append(Concept(hit.phrase, words))
                expansions.extend(hit.expansions)
                expanded.extend(syllables(hit.expansions[0]))
                position = hit.end
                continue
            token = repaired[position]
            expanded.append(token)
            if position not in cue_positions and token not in STOPWORDS and not token.isdigit():
                concepts.append(Concept(token, (token,)))
            position += 1
        dense_text = self._dense_text(text, tokens, repaired, cue_positions)
        if expansions:
            dense_text = f"{dense_text} ({'; '.join(dict.fromkeys(expansions))})"
        return AnalyzedQuery(
            text=text,
            tokens=tokens,
            facets=facets,
            concepts=concepts,
            corrections=corrections,
            dense_text=dense_text,
            language=guess_language(text),
            expanded_tokens=expanded,
        )

    def _repair(self, token: str, before: str | None = None, after: str | None = None) -> str:
        """The catalogue word a typo most likely meant (one edit; two for long words).

        A short unknown word ("sih", "lch", "hn") is too ambiguous alone; it is repaired only
        to a word one edit away that the catalogue writes next to its neighbour ("khai sih" →
        "khai sinh"), and only when exactly one such word exists.
        """
        if token in self.vocabulary or token in STOPWORDS or token.isdigit() or len(token) < 2:
            return token
        if len(token) < 4:
            return self._repair_in_context(token, before, after)
        limit = 2 if len(token) >= 8 else 1
        best = process.extractOne(
            token, self._spellable, scorer=Levenshtein.distance, score_cutoff=limit
        )
        return best[0] if best else token

    def _repair_in_context(self, token: str, before: str | None, after: str | None) -> str:
        candidates = process.extract(
            token, self._short, scorer=Levenshtein.distance, score_cutoff=1, limit=None
        )
        fitting = {
            word
            for word, _, _ in candidates
            if (before and f"{before} {word}" in self._restore)
            or (after and f"{word} {after}" in self._restore)
        }
        return fitting.pop() if len(fitting) == 1 else token

    def _dense_text(
        self, text: str, tokens: list[str], repaired: list[str], cue_positions: set[int]
    ) -> str:
        """The query for the encoder: its own words, typos repaired, minus facet cues ("mất
        bao lâu" would read as "lost"), with diacritics restored when the citizen typed none.
        A misspelt question thus reads to the encoder (and its cache) as the spelt one, and
        so does one wrapped in courtesies ("cho em hỏi … ạ")."""
        left_out = cue_positions | _courtesy_positions(tokens, cue_positions)
        if not has_diacritics(text):
            kept = [t for i, t in enumerate(repaired) if i not in left_out]
            return self._restore_diacritics(kept)
        words = _WORD_RE.findall(text)
        if len(words) != len(tokens):
            return text
        return " ".join(
            word if fixed == token else self._restore.get(fixed, fixed)
            for i, (word, token, fixed) in enumerate(zip(words, tokens, repaired, strict=True))
            if i not in left_out
        )

    def _restore_diacritics(self, tokens: list[str]) -> str:
        """Put back the catalogue's most frequent accented form of each syllable pair."""
        out: list[str] = []
        i = 0
        while i < len(tokens):
            pair = self._restore.get(" ".join(tokens[i : i + 2])) if i + 1 < len(tokens) else None
            if pair:
                out.append(pair)
                i += 2
                continue
            out.append(self._restore.get(tokens[i], tokens[i]))
            i += 1
        return " ".join(out)


def _restoration_table(accented: Iterable[str]) -> dict[str, str]:
    """folded syllable or pair → its most frequent accented spelling in ``accented`` texts."""
    counts: Counter[tuple[str, str]] = Counter()
    for text in accented:
        words = [w.strip(".,;:()\"'") for w in normalize(text).lower().split()]
        words = [w for w in words if w]
        for a, b in itertools.pairwise(words):
            counts[(fold(f"{a} {b}"), f"{a} {b}")] += 1
        for w in words:
            counts[(fold(w), w)] += 1
    table: dict[str, tuple[int, str]] = {}
    for (key, form), n in counts.items():
        if n > table.get(key, (0, ""))[0]:
            table[key] = (n, form)
    return {key: form for key, (_, form) in table.items()}


_WORD_RE = re.compile(r"[^\W_]+")

_ENGLISH_GREETINGS = frozenset("hello hi hey thanks thank help please".split())
# The shape of a Vietnamese syllable once its accents are gone: an optional onset, a cluster of
# vowels, an optional final from the few Vietnamese allows. "register", "need", "time" don't fit.
_SYLLABLE_SHAPE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(ng|nh|ch|[mnptc])?$"
)


def guess_language(text: str) -> str:
    """'en' when the message reads as English, else 'vi' (the default).

    Accents settle it. Without them, plain Vietnamese ("lam cccd lan dau can giay to gi") is
    made of words shaped like Vietnamese syllables; English mostly is not. A few words fit both
    ("can", "to", "the"); an abbreviation or two ("cccd") does not make a message English.
    """
    if has_diacritics(text):
        return "vi"
    words = [w for w in syllables(text) if w.isalpha()]
    if not words:
        return "vi"
    if len(words) <= 2 and all(w in _ENGLISH_GREETINGS for w in words):
        return "en"
    foreign = [w for w in words if not _SYLLABLE_SHAPE.match(w)]
    return "en" if len(foreign) >= 2 and len(foreign) / len(words) >= 0.4 else "vi"


def _courtesy_positions(tokens: list[str], cue_positions: set[int]) -> set[int]:
    """Positions of the courtesies at either end of the question (facet cues don't stop the
    run); none when nothing else would be left."""
    ends: set[int] = set()
    for order in (range(len(tokens)), range(len(tokens) - 1, -1, -1)):
        for i in order:
            if tokens[i] in COURTESIES:
                ends.add(i)
            elif i not in cue_positions:
                break
    if all(i in ends or i in cue_positions for i in range(len(tokens))):
        return set()
    return ends
