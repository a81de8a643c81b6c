"""BM25 over folded syllables and syllable pairs."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np


def terms(tokens: Sequence[str]) -> list[str]:
    """Index terms of a token sequence: every syllable and every adjacent pair ("khai_sinh")."""
    return list(tokens) + [f"{a}_{b}" for a, b in itertools.pairwise(tokens)]


class BM25Index:
    """An inverted index scored with Okapi BM25 (k1, b as in the literature)."""

    def __init__(self, documents: Iterable[Sequence[str]], k1: float = 1.2, b: float = 0.5):
        self.k1 = k1
        self.b = b
        numbers: dict[str, int] = {}  # term → its number, in order of first occurrence
        found: list[int] = []  # one (term number, document, term frequency) per posting
        in_doc: list[int] = []
        frequencies: list[int] = []
        lengths: list[int] = []
        for doc_id, tokens in enumerate(documents):
            counts = Counter(terms(tokens))
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                found.append(numbers.setdefault(term, len(numbers)))
                in_doc.append(doc_id)
                frequencies.append(tf)
        self.size = len(lengths)
        self._lengths = np.asarray(lengths, dtype=np.float32)
        average = float(self._lengths.mean()) if self.size else 1.0
        self._norm = k1 * (1 - b + b * self._lengths / max(average, 1e-9))
        # Postings grouped by term in one sort (documents stay in order within a term).
        order = np.argsort(np.asarray(found, dtype=np.int32), kind="stable")
        ids = np.asarray(in_doc, dtype=np.int32)[order]
        tfs = np.asarray(frequencies, dtype=np.float32)[order]
        starts = np.concatenate(([0], np.cumsum(np.bincount(found, minlength=len(numbers)))))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        for term, number in numbers.items():
            start, end = int(starts[number]), int(starts[number + 1])
            self._postings[term] = (ids[start:end], tfs[start:end])
            df = end - start
            self.idf[term] = math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def __contains__(self, term: str) -> bool:
        return term in self._postings

    def scores(
        self, query_terms: Iterable[str], weights: dict[str, float] | None = None
    ) -> np.ndarray:
        """BM25 score of every document for ``query_terms`` (a float32 array)."""
        total = np.zeros(self.size, dtype=np.float32)
        for term in set(query_terms):
            posting = self._postings.get(term)
            if posting is None:
                continue
            ids, tfs = posting
            weight = self.idf[term] * (weights.get(term, 1.0) if weights else 1.0)
            total[ids] += weight * tfs * (self.k1 + 1) / (tfs + self._norm[ids])
        return total

    def matched(self, doc_id: int, query_terms: Iterable[str]) -> set[str]:
        """The query terms that occur in document ``doc_id``."""
        found = set()
        for term in set(query_terms):
            posting = self._postings.get(term)
            if posting is not None and doc_id in posting[0]:
                found.add(term)
        return found
