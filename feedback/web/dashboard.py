"""The admin dashboard: the figures a province reports, with charts, and CSV exports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from feedback.stats import Dashboard, dashboard
from feedback.web.auth import require
from feedback.web.common import local_time, page
from feedback.web.context import STAFF
from feedback.web.csv_export import csv_response, separator
from feedback.web.labels import CHANNELS, TOPICS

routes = web.RouteTableDef()
EXPORTS = ("daily", "procedures", "unanswered", "ratings")


def _days(request: web.Request) -> int:
    try:
        return max(1, min(366, int(request.query.get("days", "30"))))
    except ValueError as exc:
        raise web.HTTPBadRequest(text="days must be a number") from exc


def _day(iso: str) -> str:
    """A stored ``yyyy-mm-dd`` day as staff write it, dd/mm/yyyy."""
    year, month, day = iso[:10].split("-")
    return f"{day}/{month}/{year}"


def _board(request: web.Request) -> Callable[[], Dashboard]:
    """A function computing the dashboard for the requested window (run in a thread)."""
    store = request.app[STAFF].store
    days = _days(request)

    def compute() -> Dashboard:
        with store.session() as session:
            return dashboard(session, days)

    return compute


LABEL_CHARACTERS = 48  # a longer label is cut, its full text shown on hover


def short(label: str, limit: int = LABEL_CHARACTERS) -> str:
    """``label`` cut at a word to at most ``limit`` characters, with "…" when cut."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0] if " " in label[: limit - 1] else label[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


def bars(items: list[tuple[str, int]]) -> dict:
    """A horizontal bar chart for the template: each row's label (short and full), value and
    bar length in percent of the longest. Labels and values are HTML text beside the bar, so
    neither is ever clipped and both stay readable on a phone."""
    top = max((v for _, v in items), default=0) or 1
    return {
        "rows": [
            {
                "label": short(label),
                "full": label,
                "value": value,
                "percent": max(0.5, round(100 * value / top, 1)) if value else 0,
            }
            for label, value in items
        ],
    }


@routes.get("/staff/dashboard")
@require("admin")
async def dashboard_page(request: web.Request) -> web.Response:
    staff = request.app[STAFF]
    board = await asyncio.to_thread(_board(request))
    per_day: dict[str, int] = {}
    for row in board.daily:
        per_day[row["day"]] = per_day.get(row["day"], 0) + row["conversations"]
    procedures = [(staff.procedure_name(code), n) for code, n in board.top_procedures]
    channels = [
        (CHANNELS.get(name, name), v["conversations"])
        for name, v in sorted(board.per_channel.items())
    ]
    unanswered = [
        {"at": local_time(u.created_at), "text": u.text, "topic": TOPICS.get(u.topic or "", "")}
        for u in board.unanswered
    ]
    return await page(
        request,
        "dashboard.html",
        board=board,
        days=_days(request),
        daily_chart=bars([(_day(day), n) for day, n in sorted(per_day.items())[-31:]]),
        channel_chart=bars(channels),
        procedure_chart=bars(procedures),
        ratings=[
            (staff.procedure_name(code), up, down) for code, up, down in board.ratings_by_procedure
        ],
        unanswered=unanswered,
        exports=EXPORTS,
    )


@routes.get("/staff/export/{name}.csv")
@require("admin")
async def export(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in EXPORTS:
        raise web.HTTPNotFound(text="no such export")
    staff = request.app[STAFF]
    sep = separator(request)
    board = await asyncio.to_thread(_board(request))
    if name == "daily":
        daily = [
            {
                **row,
                "day": _day(row["day"]),
                "channel": CHANNELS.get(row["channel"], row["channel"]),
            }
            for row in board.daily
        ]
        return csv_response(
            "hoi-thoai-theo-ngay", ["day", "channel", "conversations", "helped"], daily, sep
        )
    if name == "procedures":
        rows = [
            {"code": code, "name": staff.procedure_name(code), "answers": n}
            for code, n in board.top_procedures
        ]
        return csv_response("thu-tuc-hoi-nhieu", ["code", "name", "answers"], rows, sep)
    if name == "unanswered":
        rows = [
            {
                "at": local_time(u.created_at),
                "question": u.text,
                "best_code": u.best_code or "",
                "confidence": f"{u.confidence:.2f}",
                "topic": TOPICS.get(u.topic or "", u.topic or ""),
            }
            for u in board.unanswered
        ]
        return csv_response(
            "cau-hoi-chua-tra-loi",
            ["at", "question", "best_code", "confidence", "topic"],
            rows,
            sep,
        )
    rows = [
        {"code": code, "name": staff.procedure_name(code), "helpful": up, "not_helpful": down}
        for code, up, down in board.ratings_by_procedure
    ]
    return csv_response("danh-gia", ["code", "name", "helpful", "not_helpful"], rows, sep)
