"""Files the index keeps: a key naming a cache file by its content, and atomic writes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


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
