"""Files the index keeps: a key naming a cache file by its content, atomic writes, and
tables cached as JSON."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def content_key(salt: bytes, texts: Iterable[str]) -> str:
    """A short hex name for ``texts`` (in order) under ``salt`` (a model, a format version):
    equal only when every text is."""
    digest = hashlib.sha256(salt)
    for text in texts:
        digest.update(b"\x00" + text.encode("utf-8"))
    return digest.hexdigest()[:24]


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one (a
    temporary file of this process, then a rename), making the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def cached_json(
    path: Path | None, build: Callable[[], dict[str, Any]], fields: tuple[str, ...]
) -> dict[str, Any]:
    """``build()``'s table (a JSON-serialisable dict with ``fields``), read from ``path`` when
    an earlier run wrote it there, else built and written there atomically; built every time
    without a path. A file that can't be read, or lacks a field, is logged and replaced."""
    if path is not None and path.exists():
        try:
            saved = json.loads(path.read_text("utf-8"))
            if isinstance(saved, dict) and all(name in saved for name in fields):
                return saved
            log.warning("ignoring cache %s: not a table of %s", path, ", ".join(fields))
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable cache %s: %s", path, exc)
    built = build()
    if path is not None:
        write_atomically(path, json.dumps(built, ensure_ascii=False).encode("utf-8"))
    return built
