"""A bound on the work the encoder may be given: at most ``limit`` questions are encoded at
once in a process, each cut to ``max_chars``. Long ones (over ``long_chars``, which real
questions rarely are) take only half of those places and at most ``long_per_minute`` of them
are encoded a minute (the ``limits`` library's moving window), so a flood of long unique
messages costs the encoder a fixed trickle. A question that finds no place, or no budget, is
not queued: it raises :class:`EncoderBusy` at once and the retriever answers it lexical-only.
Under overload answers degrade in quality, not in latency."""

from __future__ import annotations

import threading

import numpy as np
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from knowledge.dense import Encoder

QUERY_CHARS = 200  # questions are short (the dev set's longest: 81); the encoder reads this much
LONG_CHARS = 120  # a question longer than this may use only half of the encoder's places
LONG_PER_MINUTE = 30  # and only this many of them are encoded a minute in a process


class EncoderBusy(RuntimeError):
    """Every place at the encoder is taken: search without it."""


class BoundedEncoder:
    """Wraps an :class:`~knowledge.dense.Encoder`; passages (index builds) pass through."""

    def __init__(
        self,
        inner: Encoder,
        limit: int,
        max_chars: int = QUERY_CHARS,
        long_chars: int = LONG_CHARS,
        long_per_minute: int = LONG_PER_MINUTE,
    ) -> None:
        self.inner = inner
        self.name = inner.name  # the embedding cache is keyed by the model, not the wrapper
        self.replicas = inner.replicas
        self.limit = max(1, limit)
        self.max_chars = max_chars
        self.long_chars = long_chars
        self._places = threading.BoundedSemaphore(self.limit)
        self._long_places = threading.BoundedSemaphore(max(1, self.limit // 2))
        self._long_budget = RateLimitItemPerMinute(max(1, long_per_minute))
        self._long_spent = MovingWindowRateLimiter(MemoryStorage())
        self.refused = 0  # questions sent lexical-only because the encoder was full

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        long = any(len(text) > self.long_chars for text in texts)
        if long and not self._long_places.acquire(blocking=False):
            self._refuse("long questions")
        if long and not self._long_spent.hit(self._long_budget, "long"):
            self._long_places.release()
            self._refuse("long questions this minute")
        try:
            if not self._places.acquire(blocking=False):
                self._refuse("questions")
            try:
                return self.inner.encode_queries([text[: self.max_chars] for text in texts])
            finally:
                self._places.release()
        finally:
            if long:
                self._long_places.release()

    def _refuse(self, kind: str) -> None:
        self.refused += 1
        raise EncoderBusy(f"the encoder has no place left for {kind}")

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode_passages(texts)


def bounded(encoder: Encoder | None, limit: int) -> Encoder | None:
    """``encoder`` behind a :class:`BoundedEncoder` (None stays None: lexical-only)."""
    return None if encoder is None else BoundedEncoder(encoder, limit)
