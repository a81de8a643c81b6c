"""Hybrid retrieval: BM25 over folded syllables fused with dense embeddings, then a decision.

Public surface: :class:`Retriever` (built once from a catalogue) and its :meth:`search`,
which returns ranked hits with scores and a decision: ``answer`` (one procedure fits),
``choose`` (a few close candidates for the citizen to pick from) or ``abstain`` (nothing in
the catalogue fits: say so and offer staff).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge.abbreviations import Abbreviations, default_abbreviations
from knowledge.actions import ActionHeads, asked_words, english_words
from knowledge.ages import bound_of, fits
from knowledge.applicants import compatible, kinds_named
from knowledge.decision import Decision, DecisionRule, decide
from knowledge.dense import Encoder, cached_passage_embeddings
from knowledge.derived import base_name
from knowledge.encoder_guard import EncoderBusy
from knowledge.english import EnglishNames, english_stems
from knowledge.facets import Facet
from knowledge.lexical import BM25Index, terms
from knowledge.lexicon import Lexicon, default_lexicon
from knowledge.off_catalogue import OffCatalogue, OffCatalogueMatch
from knowledge.query import AnalyzedQuery, QueryAnalyzer
from knowledge.schema import Catalogue, Procedure
from knowledge.scope import OutOfScopeTopic, ScopeRules, default_scope_rules
from knowledge.text import fold, normalize, syllables

# Words that open what a request is for ("… để đi làm ở nước ngoài"): as typed with accents,
# or their folded spelling typed without any ("de", "nham").
PURPOSE_WORDS = frozenset(("để", "nhằm"))
_PURPOSE_UNACCENTED = frozenset(fold(word) for word in PURPOSE_WORDS)


def _opens_purpose(word: str) -> bool:
    word = word.lower().strip(",.;:!?")
    return word in PURPOSE_WORDS or word in _PURPOSE_UNACCENTED


@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    """Fusion weights and decision thresholds (see docs/retrieval.md for how they were set)."""

    lexical_weight: float = 0.55
    dense_weight: float = 0.45
    common_prior: float = 0.08  # procedures citizens ask about most (the embedded catalogue)
    local_prior: float = 0.04  # filed at a commune or provincial centre, not a ministry
    alias_boost: float = 0.12  # the question contains one of a procedure's curated phrasings
    # answer, choose or abstain (knowledge/decision.py)
    rule: DecisionRule = field(default_factory=DecisionRule)
    skip_dense_margin: float | None = 0.15  # lexical lead that makes the encoder unnecessary
    query_cache: int = 4096  # query vectors kept (citizens ask the same things over and over)
    result_cache: int = 4096  # whole searches kept, by the question's exact words
    served_topic: float = 0.6  # coverage a served procedure needs to answer an off-topic question
    rerank_depth: int = 20  # top candidates re-scored on what the question states
    action_penalty: float = 0.2  # per unit of action weight a record's name states unasked
    english_action_penalty: float = 0.1  # the same, read on English names for English questions
    applicant_penalty: float = 0.3  # a record whose name is for another kind of applicant
    age_penalty: float = 0.3  # a record whose name bounds the age to none the question states
    # An English question is ranked on the mean of its own cosines and its gloss's (its terms
    # in the catalogue's Vietnamese); how sure the decision is, on its own alone.
    gloss_weight: float = 0.5


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked procedure with its fused score and the parts it was fused from."""

    procedure: Procedure
    score: float
    lexical: float
    dense: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Ranked hits, the decision, and what the question asked about (the same object may be
    handed to every citizen who asks the same words: never changed once made)."""

    query: AnalyzedQuery
    hits: list[Hit]
    decision: Decision
    confidence: float
    choices: list[Hit] = field(default_factory=list)
    out_of_scope: list[OutOfScopeTopic] = field(default_factory=list)
    # how much nearer the question is to a subject the desks don't handle than to any
    # procedure (knowledge/off_catalogue.py); None when the encoder was not asked
    off_catalogue: OffCatalogueMatch | None = None

    @property
    def facets(self) -> list[Facet]:
        return self.query.facets

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


def _lexical_text(proc: Procedure, abbreviations: Abbreviations) -> str:
    """What BM25 reads of a record: its name twice (the second time with the abbreviations it
    writes spelt out: "TNLĐ" → "tai nạn lao động"), aliases, field and result."""
    name = proc.name
    return " . ".join(
        [name, abbreviations.written_out(name), *proc.aliases, proc.field, proc.result]
    )


def _speller_text(proc: Procedure) -> Iterator[str]:
    """The rest of a procedure's wording, for the speller's counts of which words go together."""
    yield proc.applicants
    yield proc.conditions
    yield proc.steps
    for document in proc.documents:
        yield document.name


def _dense_text(proc: Procedure) -> str:
    aliases = "; ".join(proc.aliases[:6])
    return f"{proc.name}. {aliases}" if aliases else proc.name


class Retriever:
    """An index over one catalogue; thread-safe for concurrent :meth:`search` calls."""

    def __init__(
        self,
        catalogue: Catalogue,
        encoder: Encoder | None = None,
        cache_dir: Path | None = None,
        lexicon: Lexicon | None = None,
        settings: RetrievalSettings | None = None,
        scope: ScopeRules | None = None,
        abbreviations: Abbreviations | None = None,
    ) -> None:
        """``abbreviations``: the pairs whose words a record's text gains (by default those
        learned from the national catalogue; the lexicon expands them in questions)."""
        self.catalogue = catalogue
        self.procedures = list(catalogue)
        self.settings = settings or RetrievalSettings()
        self.encoder = encoder
        self.scope = scope or default_scope_rules()
        if abbreviations is None:
            abbreviations = default_abbreviations()
        lexical_texts = [normalize(_lexical_text(p, abbreviations)) for p in self.procedures]
        doc_tokens = [syllables(text) for text in lexical_texts]
        self.bm25 = BM25Index(doc_tokens)
        self._doc_vocab = [frozenset(tokens) for tokens in doc_tokens]
        lexicon = lexicon or default_lexicon()
        self.analyzer = QueryAnalyzer(
            lexicon,
            lexical_texts,
            [text for p in self.procedures for text in _speller_text(p)],
            cache_dir,
            [p.name for p in self.procedures],
        )
        self._max_idf = max(self.bm25.idf.values(), default=1.0)
        # English questions are also matched on English names made from the term list.
        self.english = EnglishNames(self.procedures)
        english_tokens = [
            english_stems(self.english.matching_text(i)) for i in range(len(self.procedures))
        ]
        self.english_bm25 = BM25Index(english_tokens)
        self._english_vocab = [frozenset(tokens) for tokens in english_tokens]
        self._prior = np.array(
            [
                self.settings.common_prior * p.common
                + self.settings.local_prior * bool({"commune", "province"} & set(p.levels))
                for p in self.procedures
            ],
            dtype=np.float32,
        )
        self._aliases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for doc, proc in enumerate(self.procedures):
            for alias in proc.aliases:
                words = tuple(syllables(alias))
                if len(words) >= 2:
                    self._aliases.setdefault(words[0], []).append((words, doc))
        self.actions = ActionHeads.cached([p.name for p in self.procedures], cache_dir)
        self._applicants = [kinds_named(syllables(p.name)) for p in self.procedures]
        self._age_bounds = [bound_of(fold(p.name)) for p in self.procedures]
        self.english_actions = ActionHeads.cached(
            [self.english.name_text(i) for i in range(len(self.procedures))],
            cache_dir,
            english_words,
            "en",
        )
        self._query_vector = lru_cache(maxsize=self.settings.query_cache)(self._encode_query)
        self._repeated = lru_cache(maxsize=self.settings.result_cache)(self._search)
        self.searches = 0  # counters for /metrics: how often the encoder had to run
        self.encoder_calls = 0
        self.embeddings: np.ndarray | None = None
        self.off_catalogue: OffCatalogue | None = None
        if encoder is not None:
            passages = [_dense_text(p) for p in self.procedures]
            self.embeddings = cached_passage_embeddings(encoder, passages, cache_dir)
            self.off_catalogue = OffCatalogue(encoder, cache_dir)

    def __len__(self) -> int:
        return len(self.procedures)

    def _encode_query(self, dense_text: str) -> np.ndarray:
        assert self.encoder is not None
        self.encoder_calls += 1
        return self.encoder.encode_queries([dense_text])[0]

    def search(self, text: str, k: int = 5) -> SearchResult:
        """Rank procedures for ``text`` and decide whether to answer, offer choices or abstain.

        The lexical ranking comes first; when it is already decisive (every concept of the
        question found in a procedure that leads the next by a clear margin) the encoder is
        not asked. Otherwise lexical and dense scores are fused. A question asked before in
        the same words gets the same result without any of that.
        """
        self.searches += 1
        try:
            return self._repeated(text, k)
        except EncoderBusy:  # overloaded: answer lexical-only now rather than queue (not cached)
            return self._search(text, k, dense=False)

    def search_without(self, text: str, hidden: frozenset[int], k: int = 5) -> SearchResult:
        """:meth:`search` as if the procedures at positions ``hidden`` were not in the
        catalogue (for calibrating "not found" on questions whose procedure is left out);
        not cached."""
        return self._search(text, k, hidden=hidden)

    def _search(
        self, text: str, k: int, dense: bool = True, hidden: frozenset[int] = frozenset()
    ) -> SearchResult:
        query = self.analyzer.analyze(text)
        if not self.procedures:
            return SearchResult(query, [], "abstain", 0.0)
        lexical = self.bm25.scores(self._query_terms(query))
        mask = np.fromiter(hidden, dtype=np.int64, count=len(hidden))
        lexical[mask] = -1.0  # ranked last (see _ranked)
        top_lexical = float(lexical.max()) if lexical.size else 0.0
        lexical_rel = lexical / top_lexical if top_lexical > 0 else lexical
        if query.language == "en":
            english = self.english_bm25.scores(terms(self._english_terms(query)))
            english[mask] = -1.0
            top_english = float(english.max()) if english.size else 0.0
            if top_english > 0:
                lexical_rel = np.maximum(lexical_rel, english / top_english)
        aliases = {d: v for d, v in self._alias_matches(query).items() if d not in hidden}
        topics, topic_positions = self.scope.find(query.tokens)
        result = self._ranked(query, lexical_rel, aliases, None, k, topics, topic_positions)
        if not dense or self.embeddings is None or not query.concepts or self._decisive(result):
            return result
        vector = self._query_vector(query.dense_text)  # cached by text
        cosines = self.embeddings @ vector
        cosines[mask] = -1.0
        off = None
        if self.off_catalogue is not None:
            off = self.off_catalogue.nearest(vector, float(cosines.max()))
        ranking = None
        if query.gloss_text and self.settings.gloss_weight > 0:
            glossed = self.embeddings @ self._query_vector(query.gloss_text)
            glossed[mask] = -1.0
            weight = self.settings.gloss_weight
            ranking = weight * glossed + (1.0 - weight) * cosines
        return self._ranked(
            query, lexical_rel, aliases, cosines, k, topics, topic_positions, off, ranking
        )

    def _decisive(self, result: SearchResult) -> bool:
        margin = self.settings.skip_dense_margin
        if margin is None or result.decision != "answer" or result.out_of_scope:
            return False
        hits = result.hits
        leads = len(hits) < 2 or hits[0].score - hits[1].score >= margin
        return result.confidence >= 0.99 and leads

    def _ranked(
        self,
        query: AnalyzedQuery,
        lexical_rel: np.ndarray,
        aliases: dict[int, float],
        cosines: np.ndarray | None,
        k: int,
        topics: list[OutOfScopeTopic],
        topic_positions: set[int],
        off: OffCatalogueMatch | None = None,
        ranking: np.ndarray | None = None,
    ) -> SearchResult:
        """Fuse, re-rank and decide. ``cosines`` tell how close the question is (the
        decision's closeness); ``ranking``, when given, is what orders the procedures by
        meaning instead (an English question's, its gloss included)."""
        weights = self.settings
        dense_rel = np.zeros_like(lexical_rel)
        if cosines is not None:
            ranked_by = cosines if ranking is None else ranking
            floor = float(np.median(ranked_by))
            span = max(float(ranked_by.max()) - floor, 1e-6)
            dense_rel = np.clip((ranked_by - floor) / span, 0.0, 1.0)
        dense_weight = weights.dense_weight if cosines is not None else 0.0
        fused = weights.lexical_weight * lexical_rel + dense_weight * dense_rel + self._prior
        for doc, share in aliases.items():
            fused[doc] += weights.alias_boost * share
        fused /= weights.lexical_weight + dense_weight
        fused[lexical_rel < 0] = -1.0
        plain = fused.copy()
        self._rerank(query, fused)
        order = np.argsort(-fused)[: max(k, weights.rule.max_choices)]
        hits = [
            Hit(
                self.procedures[i],
                float(fused[i]),
                float(lexical_rel[i]),
                float(cosines[i]) if cosines is not None else 0.0,
            )
            for i in order
        ]
        top = int(order[0])
        coverage = self.coverage(query, top)
        cosine = float(cosines[top]) if cosines is not None else None
        confidence = self._confidence(coverage, cosine)
        if topics and not self._served_despite_topic(query, topic_positions, top):
            return SearchResult(query, hits[:k], "abstain", confidence, [], topics, off)
        if self._off_catalogue(off, query, top, coverage):
            assert off is not None
            topic = self.scope.topic(off.topic)
            if off.votes < 2:  # the nearest descriptions disagree: no referral to trust
                topic = OutOfScopeTopic(off.topic, "")
            return SearchResult(query, hits[:k], "abstain", confidence, [], [topic], off)
        before_rerank = {
            hit.procedure.code: float(plain[i]) for hit, i in zip(hits, order, strict=True)
        }
        decision, choices = self._decide(hits, confidence, query, before_rerank)
        return SearchResult(query, hits[:k], decision, confidence, choices, topics, off)

    def _off_catalogue(
        self, off: OffCatalogueMatch | None, query: AnalyzedQuery, top: int, coverage: float
    ) -> bool:
        """Whether the question is about a subject the desks don't handle: nearer to it than
        to any procedure by the calibrated margin, and neither every one of its concepts nor
        every one it asks before saying what for found in the top procedure ``top`` (a
        question the catalogue words in full is never sent away)."""
        if off is None or coverage >= 0.99:
            return False
        if off.margin < self.settings.rule.off_catalogue_margin:
            return False
        return not self._asked_before_purpose(query, top)

    def _asked_before_purpose(self, query: AnalyzedQuery, top: int) -> bool:
        """Whether what a question asks before it says what for ("lý lịch tư pháp | để đi
        xuất khẩu lao động") is all found in procedure ``top``: the purpose may be a subject
        the desks don't handle, the paper asked for is still theirs to give."""
        words = query.text.split()
        cut = next((i for i, word in enumerate(words) if _opens_purpose(word)), None)
        if not cut:  # no purpose word, or nothing asked before it
            return False
        asked = self.analyzer.analyze(" ".join(words[:cut]))
        return bool(asked.concepts) and self.coverage(asked, top) >= 0.99

    def _rerank(self, query: AnalyzedQuery, fused: np.ndarray) -> None:
        """Re-score the top candidates (in place) on what the question states: a record
        whose name states an action the question doesn't ("xóa đăng ký …", "đăng ký lại …")
        falls behind the one of the same object that doesn't, and (Vietnamese questions) one
        whose name is for another kind of applicant than the question names ("của hộ kinh
        doanh" when a company asks) behind one for that kind (knowledge/applicants.py); and
        (any language) one whose name bounds the age ("dưới 14 tuổi") behind the others when
        the message states ages and none is within the bound (knowledge/ages.py)."""
        depth = self.settings.rerank_depth
        if depth <= 0 or not query.concepts:
            return
        penalty = self.settings.action_penalty
        if query.language == "vi":
            actions = self.actions
            asked = asked_words(
                [*query.tokens, *query.expanded_tokens, *query.content_tokens],
                f"{query.text} {query.dense_text}",
            )
        else:
            actions = self.english_actions
            penalty = self.settings.english_action_penalty
            surfaces = " ".join([query.text, *(c.surface for c in query.concepts)])
            asked = asked_words([w for w, _ in english_words(surfaces)], "")
        top = np.argpartition(-fused, min(depth, fused.size - 1))[:depth]
        for doc in top:
            if fused[doc] > 0:
                fused[doc] -= penalty * actions.unstated(int(doc), asked)
        for doc in top:
            if fused[doc] > 0 and not fits(self._age_bounds[int(doc)], query.ages):
                fused[doc] -= self.settings.age_penalty
        if query.language != "vi":
            return
        applicants = kinds_named(query.tokens) | kinds_named(query.expanded_tokens)
        for doc in top:
            if fused[doc] > 0 and not compatible(applicants, self._applicants[int(doc)]):
                fused[doc] -= self.settings.applicant_penalty

    def _served_despite_topic(self, query: AnalyzedQuery, positions: set[int], top: int) -> bool:
        """Whether a question that mentions another agency's topic still asks, in its other
        words, for a procedure the desks serve ("lý lịch tư pháp để đi xuất khẩu lao động")."""
        if not self.procedures[top].common:
            return False
        rest = " ".join(t for i, t in enumerate(query.tokens) if i not in positions)
        residual = self.analyzer.analyze(rest)
        if not residual.concepts:
            return False
        return self.coverage(residual, top) >= self.settings.served_topic

    def _alias_matches(self, query: AnalyzedQuery) -> dict[int, float]:
        """Procedures one of whose aliases appears word for word in the question, with the
        share of the question's content words that alias accounts for (longest wins)."""
        found: dict[int, float] = {}
        content = max(len(query.content_tokens), 1)
        for sequence in (query.tokens, query.expanded_tokens):
            for start, word in enumerate(sequence):
                for alias, doc in self._aliases.get(word, ()):
                    if tuple(sequence[start : start + len(alias)]) == alias:
                        share = min(1.0, 0.5 + 0.5 * len(alias) / content)
                        found[doc] = max(found.get(doc, 0.0), share)
        return found

    def _query_terms(self, query: AnalyzedQuery) -> list[str]:
        """What BM25 looks for: the concepts' words, and an English question's gloss."""
        found: list[str] = []
        for concept in query.concepts:
            found.extend(terms(concept.tokens))
        found.extend(terms(query.content_tokens))
        for words in query.gloss:
            found.extend(terms(syllables(words)))
        return found

    def _idf(self, token: str) -> float:
        return self.bm25.idf.get(token, self._max_idf)

    def _english_terms(self, query: AnalyzedQuery) -> list[str]:
        """Stems of an English question's own content words (lexicon phrases included)."""
        return [stem for concept in query.concepts for stem in english_stems(concept.surface)]

    def coverage(self, query: AnalyzedQuery, doc: int) -> float:
        """IDF-weighted share of the query's concepts that procedure ``doc`` mentions (in
        its Vietnamese words or, for an English question, its English name)."""
        vocab = self._doc_vocab[doc]
        english = self._english_vocab[doc] if query.language == "en" else frozenset()
        total = covered = 0.0
        for concept in query.concepts:
            # A lexicon phrase is a core concept and weighs what its words weigh together;
            # a lone word is capped, since rare words in questions are often context
            # (a place, a time) rather than the procedure asked about.
            idfs = [self._idf(t) for t in dict.fromkeys(concept.tokens)]
            weight = min(sum(idfs), 8.0) if len(idfs) > 1 else min(idfs[0], 4.5)
            share = sum(t in vocab for t in concept.tokens) / len(concept.tokens)
            if english:
                stems = english_stems(concept.surface)
                if stems:
                    share = max(share, sum(t in english for t in stems) / len(stems))
            total += weight
            covered += weight * share
        return covered / total if total else 0.0

    @staticmethod
    def _confidence(coverage: float, cosine: float | None) -> float:
        """√(coverage × closeness) of the top procedure; the coverage alone without an encoder."""
        if cosine is None:
            return coverage
        # With e5, unrelated Vietnamese texts score a cosine near 0.80 and paraphrases 0.92.
        closeness = float(np.clip((cosine - 0.80) / 0.12, 0.0, 1.0))
        return math.sqrt(coverage * closeness)

    def _decide(
        self,
        hits: list[Hit],
        confidence: float,
        query: AnalyzedQuery,
        before_rerank: dict[str, float],
    ) -> tuple[Decision, list[Hit]]:
        """Answer, choose or abstain on the hits in their final order, judged on the scores
        before :meth:`_rerank` (the scale the thresholds were calibrated on): the action rule
        changes which record comes first, never how sure the decision is: the top's lead is
        taken over the best-scoring other one, and a record the rule moved above one that
        scored higher leads by less than nothing, so the citizen chooses."""
        contenders = _unstated_cases_dropped(hits, query) if hits else hits
        scores = [before_rerank[h.procedure.code] for h in contenders]
        # The top's lead is over the best of the others, wherever the rule put them.
        scores[1:] = sorted(scores[1:], reverse=True)
        rule = self.settings.rule
        decision, offered = decide(
            scores, confidence, rule, query.language, query.narrative_dropped
        )
        return decision, contenders[:offered]


def _unstated_cases_dropped(hits: list[Hit], query: AnalyzedQuery) -> list[Hit]:
    """The hits without those that are a special case of the top one the message doesn't
    state: "đăng ký khai sinh có yếu tố nước ngoài" competes with "đăng ký khai sinh" only
    when the message says "nước ngoài" (a clerk uses the case-specific procedure only when
    the citizen states the case)."""
    top = syllables(base_name(hits[0].procedure.name))
    asked = set(query.tokens) | set(query.expanded_tokens) | set(query.content_tokens)
    kept = [hits[0]]
    for hit in hits[1:]:
        words = syllables(base_name(hit.procedure.name))
        extra = set(words[len(top) :]) - set(top)  # the words that state the case
        if len(words) > len(top) and words[: len(top)] == top and not extra & asked:
            continue
        kept.append(hit)
    return kept
