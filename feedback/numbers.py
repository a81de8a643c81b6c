"""Whole numbers read strictly from outside input (query parameters, path segments)."""

from __future__ import annotations

import re

MAX_ROW_ID = 2**63 - 1  # the largest id a database column here can hold
_DIGITS_RE = re.compile(r"[0-9]{1,19}")


def row_id_or_none(raw: str | None, default: int = 0) -> int | None:
    """A non-negative id or position from ``raw`` (``default`` when absent), or None when
    ``raw`` is not a whole number a database column can hold."""
    if raw is None or raw == "":
        return default
    if not _DIGITS_RE.fullmatch(raw) or int(raw) > MAX_ROW_ID:
        return None
    return int(raw)
