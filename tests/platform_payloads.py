"""The platforms' recorded payloads (tests/fixtures/platform-payloads, written from each
platform's documentation: see its README for the sources and uncertain points)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "fixtures" / "platform-payloads"


def payload(name: str) -> Any:
    """One recorded payload, ``platform/file.json``, parsed."""
    return json.loads((PAYLOADS / name).read_text("utf-8"))


def compact(name: str, ascii_only: bool) -> bytes:
    """The payload serialised as the README's worked signature examples do."""
    text = json.dumps(payload(name), ensure_ascii=ascii_only, separators=(",", ":"))
    return text.encode("utf-8")
