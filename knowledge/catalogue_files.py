"""Reading and writing catalogues: the embedded one, portal crawls, and motcua's own format."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from knowledge.embedded_build import CURATED_TAG, FORMAT_TAG
from knowledge.files import write_atomically
from knowledge.portal_import import import_portal_file
from knowledge.schema import Catalogue, Procedure

EMBEDDED_NAME = "data/procedures.json"
CURATED_NAME = "data/curated.json"


@lru_cache(maxsize=1)
def embedded_catalogue() -> Catalogue:
    """The catalogue shipped inside the package: the national records' facts (generated)
    with the team's curated words (aliases, summary, ``common``) on top."""
    package = resources.files("knowledge")
    facts = _from_payload(
        json.loads(package.joinpath(EMBEDDED_NAME).read_text("utf-8")), "embedded"
    )
    curated = json.loads(package.joinpath(CURATED_NAME).read_text("utf-8"))
    if curated.get("format") != CURATED_TAG:
        raise ValueError(f"embedded curated file: format {curated.get('format')!r}")
    return Catalogue(
        [with_curated(p, curated["procedures"].get(p.code, {})) for p in facts],
        source="embedded",
    )


def with_curated(procedure: Procedure, words: dict[str, Any]) -> Procedure:
    """``procedure`` with curated words added (they never replace a fact)."""
    return replace(
        procedure,
        aliases=tuple(words.get("aliases", ())),
        summary=words.get("summary", ""),
        common=bool(words.get("common", False)),
        name_en=words.get("name_en", ""),
    )


def _from_payload(payload: dict, source: str) -> Catalogue:
    if payload.get("format") != FORMAT_TAG:
        raise ValueError(f"{source}: not a motcua catalogue (format {payload.get('format')!r})")
    return Catalogue([Procedure.from_dict(p) for p in payload["procedures"]], source=source)


def save_catalogue(catalogue: Catalogue, path: Path) -> None:
    """Write ``catalogue`` in motcua's format (gzip when the name ends in .gz), atomically."""
    payload = {"format": FORMAT_TAG, "procedures": [p.to_dict() for p in catalogue]}
    data = json.dumps(payload, ensure_ascii=False, indent=None).encode("utf-8")
    write_atomically(path, gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)


def load_catalogue(path: str | Path | None, enrich: bool = True) -> Catalogue:
    """Load a catalogue: ``None`` → the embedded one; a portal crawl (``.jsonl[.gz]``) is
    imported; a motcua file (``.json[.gz]``) is read. With ``enrich``, the embedded
    catalogue's aliases and summaries are folded into procedures of the same code."""
    if path is None:
        return embedded_catalogue()
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"catalogue not found: {path}")
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        catalogue, _ = import_portal_file(path)
    else:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            catalogue = _from_payload(json.load(handle), source=str(path))
    if enrich:
        catalogue = catalogue.merged_with(embedded_catalogue())
    return catalogue
