"""CSV downloads that a spreadsheet opens safely: no cell is read as a formula.

A cell a citizen wrote ("=HYPERLINK(…)", "+cmd|…", "@SUM(…)", "-2+3+cmd") would run as a
formula in Excel or LibreOffice. ``defusedcsv`` prefixes such cells with an apostrophe (OWASP's
advice); cells starting with a tab or a carriage return, which it leaves alone, get the same
prefix here. Excel set to Vietnamese regional settings splits columns on ``;``: every export
is offered that way too (``?sep=semicolon``).
"""

from __future__ import annotations

import io
from datetime import datetime

from aiohttp import web
from defusedcsv import csv

from feedback.web.common import LOCAL
from feedback.web.labels import CSV_HEADERS

SEPARATORS = {"comma": ",", "semicolon": ";"}
_LEADING_WHITESPACE_TRIGGERS = ("\t", "\r")


def neutralised(value: object) -> object:
    """``value`` made safe for a spreadsheet cell (the prefix defusedcsv does not add)."""
    if isinstance(value, str) and value.startswith(_LEADING_WHITESPACE_TRIGGERS):
        return "'" + value
    return value


def separator(request: web.Request) -> str:
    """The column separator asked for (``?sep=comma|semicolon``), or 400."""
    name = request.query.get("sep", "comma")
    if name not in SEPARATORS:
        raise web.HTTPBadRequest(text="sep must be comma or semicolon")
    return SEPARATORS[name]


def csv_response(
    name: str, columns: list[str], rows: list[dict], delimiter: str = ","
) -> web.Response:
    """``rows`` as a CSV download (UTF-8 with BOM for spreadsheet programs), headed by the
    columns' Vietnamese names."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", delimiter=delimiter)
    writer.writerow({column: CSV_HEADERS.get(column, column) for column in columns})
    writer.writerows({key: neutralised(value) for key, value in row.items()} for row in rows)
    stamp = datetime.now(LOCAL).strftime("%Y%m%d")
    return web.Response(
        body=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'},
    )
