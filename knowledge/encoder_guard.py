"""A bound on the work the encoder may be given: at most ``limit`` questions are encoded at
once in a process, each cut to ``max_chars``; a question that finds every place taken is not
queued, it raises :class:`EncoderBusy` at once and the retriever answers it lexical-only.
Under overload (many long unique messages) answers degrade in quality, not in latency."""

from __future__ import annotations

import threading

import numpy as np

from knowledge.dense import Encoder

QUERY_CHARS = 300  # questions are short; the encoder reads at most this much of one


class EncoderBusy(RuntimeError):
    """Every place at the encoder is taken: search without it."""


class BoundedEncoder:
    """Wraps an :class:`~knowledge.dense.Encoder`; passages (index builds) pass through."""

    def __init__(self, inner: Encoder, limit: int, max_chars: int = QUERY_CHARS) -> None:
        self.inner = inner
        self.name = inner.name  # the embedding cache is keyed by the model, not the wrapper
        self.limit = max(1, limit)
        self.max_chars = max_chars
        self._places = threading.BoundedSemaphore(self.limit)
        self.refused = 0  # questions sent lexical-only because the encoder was full

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if not self._places.acquire(blocking=False):
            self.refused += 1
            raise EncoderBusy(f"{self.limit} questions are being encoded already")
        try:
            return self.inner.encode_queries([text[: self.max_chars] for text in texts])
        finally:
            self._places.release()

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode_passages(texts)


def bounded(encoder: Encoder | None, limit: int) -> Encoder | None:
    """``encoder`` behind a :class:`BoundedEncoder` (None stays None: lexical-only)."""
    return None if encoder is None else BoundedEncoder(encoder, limit)
