"""Text from outside made safe to store and to show: no control characters PostgreSQL refuses
or a terminal obeys, no invisible characters that hide digits or reorder a line."""

from __future__ import annotations

import re

# C0 control characters but tab and newline.
_CONTROLS_RE = re.compile(r"[\x00-\x08\x0b-\x1f]")
# Zero-width spaces and joiners, directional marks, embeddings, overrides and isolates, word
# joiners and invisible operators, the byte-order mark.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def strip_controls(text: str) -> str:
    """``text`` without NUL and the other C0 control characters (tab and newline stay)."""
    return _CONTROLS_RE.sub("", text)


def has_controls(text: str) -> bool:
    """Whether ``text`` holds any C0 control character, tab and newline included."""
    return bool(_CONTROLS_RE.search(text)) or "\n" in text or "\t" in text


def strip_invisible(text: str) -> str:
    """``text`` without zero-width and bidirectional control characters (which could hide
    digits from a pattern or make a name reorder the text shown beside it)."""
    return _INVISIBLE_RE.sub("", text)


def clean_name(name: str | None) -> str:
    """A citizen-written name fit to show: no invisible, direction-changing or control
    characters."""
    return strip_invisible(strip_controls(name or "")).strip()
