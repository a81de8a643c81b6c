"""Processing times of the national record, per channel row, always with a unit.

The time column is a number and a unit ("5 Ngày làm việc"); about 860 rows give a bare
number, and many rows state cases in their description ("20 ngày làm việc đối với trường hợp
…"). :func:`read_time` returns the time with its unit, falling back on a time the description
states, and otherwise says plainly that the record gives no unit; :func:`case_of` picks the
short case description a card shows when the record distinguishes cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.schema import ChannelOption

_UNITS = {
    "vi": {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ", "months": "tháng"},
    "en": {"working_days": "working days", "days": "days", "hours": "hours", "months": "months"},
}
_TIME_IN_TEXT_RE = re.compile(
    r"(\d{1,3})\s*(?:\([^)]{0,20}\)\s*)?(ngày làm việc|ngày|giờ làm việc|giờ|tháng)",
    re.IGNORECASE,
)
_CASE_RE = re.compile(r"trường hợp|đối với|nếu|riêng", re.IGNORECASE)
CASE_CHARS = 160


@dataclass(frozen=True, slots=True)
class TimeReading:
    """A row's time as a card states it, and where the words came from."""

    text: str
    source: str  # "time" (the time column) or "description"
    value: float | None = None


def read_time(option: ChannelOption, lang: str = "vi") -> TimeReading | None:
    """The row's time with its unit, or None when the record states no time at all."""
    units = _UNITS.get(lang, _UNITS["vi"])
    if option.time_value is not None and option.time_unit is not None:
        return TimeReading(f"{option.time_value:g} {units[option.time_unit]}", "time")
    described = _TIME_IN_TEXT_RE.search(option.description)
    if option.time_value is None:
        return None
    if described and float(described.group(1)) == option.time_value:
        value = int(described.group(1))
        return TimeReading(f"{value} {described.group(2).lower()}", "description", value)
    bare = f"{option.time_value:g}"
    if lang == "vi":
        return TimeReading(f"{bare} (Cổng DVC không ghi đơn vị; vui lòng hỏi cán bộ)", "time")
    return TimeReading(f"{bare} (the portal gives no unit; please ask the desk)", "time")


def case_of(option: ChannelOption, several_rows: bool) -> str:
    """The short case a row describes ("" when the row names none).

    A row's description is shown when its channel has several rows that differ, or when the
    description itself states several times or a case with its own time. The row's own
    time's sentence comes first; a lone row also lists its other timed cases (at most three).
    """
    text = " ".join(option.description.split())
    if not text:
        return ""
    times = {(int(m.group(1)), m.group(2).lower()) for m in _TIME_IN_TEXT_RE.finditer(text)}
    if not several_rows and not (len(times) > 1 or (times and _CASE_RE.search(text))):
        return ""
    sentences = [s.strip(" -+;") for s in _SENTENCE_SPLIT_RE.split(text) if s.strip(" -+;")]
    own = [s for s in sentences if _states_time(s, option.time_value)]
    if several_rows:
        cases = [s for s in sentences if _CASE_RE.search(s) and _TIME_IN_TEXT_RE.search(s)]
        return shorten((own or cases or sentences or [text])[0], CASE_CHARS)
    # One row whose description names several cases: each case with its own time.
    timed = own + [s for s in sentences if _TIME_IN_TEXT_RE.search(s)]
    parts = dict.fromkeys(shorten(s, CASE_CHARS).rstrip(".") for s in timed)
    return "; ".join(list(parts)[:3])


_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.;])\s+|\s+(?=[-+]\s)")


def _states_time(sentence: str, value: float | None) -> bool:
    if value is None:
        return False
    return any(float(m.group(1)) == value for m in _TIME_IN_TEXT_RE.finditer(sentence))


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary before ``limit`` characters, with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-") + " …"
