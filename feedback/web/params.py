"""Query and path parameters read strictly: anything malformed is a 400 naming the parameter,
never a 500 from deeper down (a database refusing an id too large for its columns)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from aiohttp import web

from feedback.numbers import MAX_ROW_ID, row_id_or_none
from feedback.web.common import LOCAL

EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def bad_request(message: str) -> web.HTTPBadRequest:
    """A 400 whose reason and body both say what was wrong."""
    return web.HTTPBadRequest(reason=message, text=message)


def row_id(raw: str | None, name: str, default: int = 0) -> int:
    """A non-negative id or position (``after=``, a case number), or 400."""
    value = row_id_or_none(raw, default)
    if value is None:
        raise bad_request(f"{name} must be a whole number from 0 to {MAX_ROW_ID}")
    return value


def local_day(raw: str | None, end: bool = False) -> datetime | None:
    """A ``YYYY-MM-DD`` day in Vietnam time as the UTC instant it starts (or ends), or 400."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise bad_request(f"bad date {raw[:40]!r}; use YYYY-MM-DD") from exc
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise bad_request(f"dates must fall between {EARLIEST_YEAR} and {LATEST_YEAR}")
    local = datetime.combine(day, time.max if end else time.min, tzinfo=LOCAL)
    return local.astimezone(UTC)
