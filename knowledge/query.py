"""Query analysis: from a citizen's raw message to what retrieval needs.

Steps: normalise → facet cues out → typo repair against the catalogue's vocabulary →
lexicon expansion → content words (stop words out, unless the catalogue's names bind them
into a term) → a text for the dense encoder, with diacritics restored from the catalogue
when the citizen typed none → for an English question, its gloss: its terms as the
catalogue's names write them (:class:`knowledge.english.EnglishGloss`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.ages import ages_stated
from knowledge.english import EnglishGloss, TermList, default_terms
from knowledge.facets import Facet, detect_facets, facet_cues
from knowledge.files import cached_json, content_key
from knowledge.focus import focus
from knowledge.function_words import (
    ACCENTED_FUNCTION_WORDS,
    ENGLISH_FUNCTION_WORDS,
    KINSHIP,
    STOPWORDS,
    bound_pairs,
    is_function_word,
)
from knowledge.lexicon import Lexicon
from knowledge.shorthand import Shorthand, default_shorthand
from knowledge.spelling import (
    MIN_PAIR,
    SYLLABLE_SHAPE,
    Speller,
    accent_table,
    speller_tables,
)
from knowledge.text import fold, has_diacritics, normalize, syllables

MAX_READ = 4000  # characters of a message read at all (the rest is never looked at)
DENSE_WORD_BUDGET = 64  # words the encoder reads at most, whatever the message's length

# Courtesies that open or close a question ("cho em hỏi …", "… ạ", "… với ad ơi"), folded.
# Stripped from the ends of the encoder's text: they don't change what is asked, and without
# them one question in many wrappings reads the same to the encoder and its cache. Folded
# forms that often mean something else at a question's edge are not here (nha: nhà, anh: ảnh,
# ban: bản, chi: chi phí, co: có thể, vay: vay vốn).
COURTESIES = frozenset(
    "cho em minh hoi xin ad admin oi a ah ak nhe voi chut please pls hi hello thanks".split()
)


# Courtesies whose folded form is ambiguous, recognised as typed with accents: "chị" (not
# "chi" phí), "vậy" (not "vay" vốn), "nha" and "nhé" particles (not "nhà").
ACCENTED_COURTESIES = frozenset("chị anh bạn vậy nha nhé nhá nhỉ ạ ơi với".split())
# People a citizen addresses ("chị ơi …"): courtesies when "ơi" is next to them.
ADDRESSES = frozenset("chi anh ban em ad admin co chu bac".split())


def _within_budget(text: str) -> str:
    """``text`` cut to the encoder's fixed budget of :data:`DENSE_WORD_BUDGET` words."""
    return " ".join(text.split()[:DENSE_WORD_BUDGET])


@dataclass(slots=True)
class Concept:
    """A unit of meaning in the query: one content word, or one lexicon phrase."""

    surface: str
    tokens: tuple[str, ...]  # what the catalogue should contain for this concept


@dataclass(frozen=True, slots=True)
class AnalyzedQuery:
    """Everything retrieval reads off one message (shared by the searches that repeat it:
    never changed once made)."""

    text: str
    tokens: list[str]
    facets: list[Facet]
    concepts: list[Concept] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    dense_text: str = ""
    language: str = "vi"
    expanded_tokens: list[str] = field(default_factory=list)  # lexicon phrases replaced
    narrative_dropped: bool = False  # a long message, read from the sentence that asks
    # an English question's terms in the catalogue's Vietnamese (knowledge.english.EnglishGloss)
    gloss: list[str] = field(default_factory=list)
    # ages the message states in figures, anywhere in it ("con tôi năm nay 15 tuổi")
    ages: list[int] = field(default_factory=list)

    @property
    def gloss_text(self) -> str:
        """The gloss as the encoder reads it ("" for a Vietnamese question), within its
        word budget."""
        return _within_budget("; ".join(self.gloss))

    @property
    def content_tokens(self) -> list[str]:
        """Every catalogue word the query asks for, expansions included, in order."""
        return [token for concept in self.concepts for token in concept.tokens]


@dataclass(slots=True)
class _Suspects:
    """Positions of a question's words that need care when repairing typos."""

    misspelt: set[int] = field(default_factory=set)
    names: set[int] = field(default_factory=set)


WORD_TABLES_VERSION = b"words-2"  # change when accent_table, bound_pairs or the gloss changes


@dataclass(frozen=True, slots=True)
class WordTables:
    """What a catalogue's words teach the analyser, learned once and kept on disk."""

    restore: dict[str, str]  # folded syllables → the catalogue's accented spelling
    bound: frozenset[tuple[str, str]]  # function words the names bind into a term
    gloss: EnglishGloss  # English terms → the Vietnamese the names use


def word_tables(
    accented: Sequence[str],
    names: Sequence[str],
    cache_dir: Path | None,
    terms: TermList | None = None,
) -> WordTables:
    """:func:`accent_table` of ``accented``, :func:`bound_pairs` of ``names`` and the
    :class:`EnglishGloss` of ``terms`` (the shipped term list by default) for those names,
    read from ``cache_dir`` when the same texts were read before: over half a second of a
    cold start for the national catalogue, a few milliseconds from the cache."""
    terms = terms or default_terms()
    english = [f"{' '.join(key)}\t{'; '.join(words)}" for key, words in terms.english_of()]
    parts = itertools.chain(
        accented,
        ["\x01"],
        names,
        ["\x01"],
        sorted(STOPWORDS),
        sorted(ACCENTED_FUNCTION_WORDS),
        ["\x01"],
        english,
        sorted(ENGLISH_FUNCTION_WORDS),  # the gloss matches English phrases without them
    )
    key = content_key(WORD_TABLES_VERSION, parts)
    path = cache_dir / f"words-{key}.json" if cache_dir else None

    def build() -> dict[str, object]:
        gloss = EnglishGloss.learn(terms, names).phrases()
        return {
            "restore": accent_table(accented),
            "bound": sorted(bound_pairs(names)),
            "gloss": sorted([" ".join(stems), words] for stems, words in gloss.items()),
        }

    saved = cached_json(path, build, ("restore", "bound", "gloss"))
    return WordTables(
        saved["restore"],
        frozenset((a, b) for a, b in saved["bound"]),
        EnglishGloss({tuple(stems.split()): words for stems, words in saved["gloss"]}),
    )


class QueryAnalyzer:
    """Analyses queries against one catalogue's vocabulary and a lexicon."""

    def __init__(
        self,
        lexicon: Lexicon,
        accented: list[str],
        corpus: Sequence[str] = (),
        cache_dir: Path | None = None,
        names: Sequence[str] = (),
        shorthand: Shorthand | None = None,
    ):
        """``accented``: the catalogue's searchable text (names, aliases, …), which also
        gives diacritics back to questions typed without them; ``corpus``: more catalogue
        text (document lists, conditions, steps) for the speller's word-pair counts, which
        are kept in ``cache_dir``; ``names``: the procedures' names, which tell the function
        words that are part of a term ("giải thể"); ``shorthand``: the chat shorthand written
        out before a message is read (by default the package's table)."""
        self.lexicon = lexicon
        self.shorthand = shorthand or default_shorthand()
        # Accents to give back, and function words that names bind into terms ("giải thể").
        tables = word_tables(accented, names, cache_dir)
        self._restore, self._bound, self._gloss = tables.restore, tables.bound, tables.gloss
        # How citizens ask and what they call things: evidence as good as the catalogue's.
        phrasing = [*facet_cues(), *lexicon.phrases()] * MIN_PAIR
        counts, self._written = speller_tables(accented, corpus, phrasing, cache_dir)
        lexicon_words = lexicon.words()
        self.speller = Speller(counts, STOPWORDS | KINSHIP | lexicon_words, lexicon_words)

    def analyze(self, raw: str) -> AnalyzedQuery:
        """Analyse one message of any length: a long one is first narrowed to its request
        (:func:`knowledge.focus.focus`), so every message costs about the same."""
        focused = focus(self._written_out(raw[:MAX_READ]))
        text = normalize(focused.text)
        language = guess_language(text)
        if language == "vi":
            text = self.speller.split_merged(text)
        facets, cue_positions = detect_facets(text)
        tokens = syllables(text)
        suspects = self._suspects(text, tokens)
        corrections: dict[str, str] = {}
        repaired = []
        for position, token in enumerate(tokens):
            if language != "vi" or position in suspects.names:
                repaired.append(token)
                continue
            fixed = self.speller.repair(
                token,
                repaired[-1] if repaired else None,
                tokens[position + 1] if position + 1 < len(tokens) else None,
                position in suspects.misspelt,
            )
            if fixed != token:
                corrections[token] = fixed
            repaired.append(fixed)
        concepts: list[Concept] = []
        expansions: list[str] = []
        expanded: list[str] = []
        typed = [w.lower() for w in _WORD_RE.findall(text)]
        aligned = typed if len(typed) == len(repaired) else None
        hits = {hit.start: hit for hit in self.lexicon.find(repaired, aligned, language)}
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
            typed_word = aligned[position] if aligned is not None else None
            if (
                position not in cue_positions
                and (
                    not is_function_word(token, typed_word)
                    or self._in_term(position, repaired, aligned)
                )
                and not token.isdigit()
            ):
                concepts.append(Concept(token, (token,)))
            position += 1
        dense_text = self._dense_text(text, tokens, repaired, cue_positions, language == "en")
        if expansions:
            dense_text = f"{dense_text} ({'; '.join(dict.fromkeys(expansions))})"
        dense_text = _within_budget(dense_text)
        gloss = self._gloss.vietnamese(text) if language == "en" else []
        return AnalyzedQuery(
            text=text,
            tokens=tokens,
            facets=facets,
            concepts=concepts,
            corrections=corrections,
            dense_text=dense_text,
            language=language,
            expanded_tokens=expanded,
            narrative_dropped=focused.narrative_dropped,
            gloss=gloss,
            ages=ages_stated(fold(raw[:MAX_READ])),
        )

    def _written_out(self, raw: str) -> str:
        """``raw`` with its chat shorthand written out, unless that reads as English ("what
        r the fees": English chat has shorthand of its own)."""
        written = self.shorthand.write_out(raw)
        if written == raw or guess_language(normalize(written)) == "en":
            return raw
        return written

    def _in_term(self, position: int, tokens: list[str], typed: list[str] | None) -> bool:
        """Whether the function word at ``position`` is part of a term with a neighbour, as
        procedure names write it ("giải thể", "nhà ở"): read as typed, or, typed without
        accents, as the catalogue most often spells the pair ("giai the": "giải thể")."""
        for a in (position - 1, position):
            b = a + 1
            if a < 0 or b >= len(tokens):
                continue
            if typed is not None and has_diacritics(typed[a] + typed[b]):
                pair = (typed[a], typed[b])
            else:
                spelt = self._restore.get(f"{tokens[a]} {tokens[b]}", "").split()
                pair = (spelt[0], spelt[1]) if len(spelt) == 2 else ("", "")
            if pair in self._bound:
                return True
        return False

    def _suspects(self, text: str, tokens: list[str]) -> _Suspects:
        """In a question typed with accents: words the catalogue never writes as typed
        ("đăn", "mấ": typos even though "dan", "ma" are words), and capitalised words after
        the first (names: "Yên Phong" must not become "lên Phong")."""
        found = _Suspects()
        if not has_diacritics(text):
            return found
        words = _WORD_RE.findall(text)
        if len(words) != len(tokens):
            return found
        for position, word in enumerate(words):
            if position and word[0].isupper():
                found.names.add(position)
            elif word.lower() not in self._written and has_diacritics(word):
                found.misspelt.add(position)
        return found

    def _dense_text(
        self,
        text: str,
        tokens: list[str],
        repaired: list[str],
        cue_positions: set[int],
        english: bool = False,
    ) -> str:
        """The query for the encoder: its own words, typos repaired, minus facet cues ("mất
        bao lâu" would read as "lost"), with diacritics restored when the citizen typed none
        (in an ``english`` question only on the Vietnamese pairs it quotes: "bac ninh", "so
        do"; its own words keep their spelling, "pho", "long", "bay" among them).
        A misspelt question thus reads to the encoder (and its cache) as the spelt one, and
        so does one wrapped in courtesies ("cho em hỏi … ạ")."""
        words = _WORD_RE.findall(text)
        if len(words) != len(tokens):
            left_out = cue_positions | _courtesy_positions(tokens, cue_positions)
            if not has_diacritics(text):
                kept = [t for i, t in enumerate(repaired) if i not in left_out]
                return self._restore_diacritics(kept, english)
            return text
        lowered = [w.lower() for w in words]
        left_out = cue_positions | _courtesy_positions(tokens, cue_positions, lowered)
        # Typed without accents, courtesies aside: "cho mình hỏi dang ky tam tru" is
        # an unaccented question whatever the greeting the keyboard filled in.
        if not any(has_diacritics(w) for i, w in enumerate(words) if i not in left_out):
            kept = [t for i, t in enumerate(repaired) if i not in left_out]
            return self._restore_diacritics(kept, english)
        return " ".join(
            word if fixed == token else self._respelt(repaired, i)
            for i, (word, token, fixed) in enumerate(zip(words, tokens, repaired, strict=True))
            if i not in left_out
        )

    def _respelt(self, repaired: list[str], position: int) -> str:
        """The accented spelling of the repaired word at ``position``, as the catalogue
        writes it next to a neighbour ("thuong tru": "thường trú", where "thuong" alone is
        most often "thương"), else alone."""
        word = repaired[position]
        for start in (position, position - 1):
            if start < 0 or start + 1 >= len(repaired):
                continue
            spelt = self._restore.get(f"{repaired[start]} {repaired[start + 1]}", "").split()
            if len(spelt) == 2:
                return spelt[position - start]
        return self._restore.get(word, word)

    def _restore_diacritics(self, tokens: list[str], english: bool = False) -> str:
        """Put back the catalogue's most frequent accented form of each syllable pair, and of
        each syllable left over unless the question is ``english`` (there a lone word is an
        English one: "long", "pho"; its function words pair with nothing either)."""
        as_typed = ENGLISH_FUNCTION_WORDS if english else frozenset()
        out: list[str] = []
        i = 0
        while i < len(tokens):
            if tokens[i] in as_typed:
                out.append(tokens[i])
                i += 1
                continue
            pairs = i + 1 < len(tokens) and tokens[i + 1] not in as_typed
            pair = self._restore.get(" ".join(tokens[i : i + 2])) if pairs else None
            if pair:
                out.append(pair)
                i += 2
                continue
            out.append(tokens[i] if english else self._restore.get(tokens[i], tokens[i]))
            i += 1
        return " ".join(out)


_WORD_RE = re.compile(r"[^\W_]+")

_ENGLISH_GREETINGS = frozenset("hello hi hey thanks thank help please".split())
ACCENTED_SHARE = 0.25  # of a message's words carrying diacritics, that make it Vietnamese


def guess_language(text: str) -> str:
    """'en' when the message reads as English, else 'vi' (the default).

    Accents mostly settle it: Vietnamese typed with them accents most of its words, so a
    quarter of the words accented makes it Vietnamese. An English sentence may carry one or
    two ("fiancée", "café", "Bắc Ninh"). Otherwise, plain Vietnamese ("lam cccd lan dau can
    giay to gi") is made of words shaped like Vietnamese syllables; English mostly is not. A
    few words fit both ("can", "to", "the"); an abbreviation or two ("cccd") does not make a
    message English.
    """
    typed = _WORD_RE.findall(text)
    accented = sum(has_diacritics(word) for word in typed)
    if accented and accented >= ACCENTED_SHARE * len(typed):
        return "vi"
    words = [w for w in syllables(text) if w.isalpha()]
    if not words:
        return "vi"
    if len(words) <= 2 and all(w in _ENGLISH_GREETINGS for w in words):
        return "en"
    foreign = [w for w in words if not SYLLABLE_SHAPE.match(w)]
    return "en" if len(foreign) >= 2 and len(foreign) / len(words) >= 0.4 else "vi"


def _courtesy_positions(
    tokens: list[str], cue_positions: set[int], words: list[str] | None = None
) -> set[int]:
    """Positions of the courtesies at either end of the question (facet cues don't stop the
    run); none when nothing else would be left. ``words``, the question's words as typed
    (lower-cased), settle the folded forms that are ambiguous: "vậy" is a courtesy, "vay"
    may be a loan."""

    def courtesy(i: int) -> bool:
        if tokens[i] in COURTESIES:
            return True
        if words is not None and words[i] in ACCENTED_COURTESIES:
            return True
        # An address followed or preceded by "ơi" ("chị ơi", "anh ơi") whatever the accents.
        return tokens[i] in ADDRESSES and (
            (i + 1 < len(tokens) and tokens[i + 1] == "oi") or (i > 0 and tokens[i - 1] == "oi")
        )

    ends: set[int] = set()
    for order in (range(len(tokens)), range(len(tokens) - 1, -1, -1)):
        for i in order:
            if courtesy(i):
                ends.add(i)
            elif i not in cue_positions:
                break
    if all(i in ends or i in cue_positions for i in range(len(tokens))):
        return set()
    return ends
