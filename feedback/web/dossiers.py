"""Dossiers on the staff web: a hotline worker's lookup by receipt code in agent assist (the
whole status card, the applicant's name masked), and the list of citizens the watch poller
could not tell about a change, for staff to call."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.contract.dossiers import (
    PORTAL,
    Dossier,
    DossierNotFound,
    DossierSource,
    DossierUnavailable,
    status_words,
)
from feedback import dossier_events
from feedback.dossier_watches import mark_contacted, unreachable
from feedback.models import utcnow
from feedback.privacy import mask_name
from feedback.store import Store
from feedback.web.auth import USER, require
from feedback.web.common import local_time, page
from feedback.web.context import STAFF
from feedback.web.labels import CHANNELS
from feedback.web.params import row_id

routes = web.RouteTableDef()


@dataclass(frozen=True)
class StaffLookup:
    """What the province's system said about ``code``: ``found`` (with ``card``), ``unknown``,
    ``down`` (it did not answer) or ``off`` (no system connected)."""

    code: str
    result: str
    card: dict | None = None


def _fees(dossier: Dossier) -> str:
    if not dossier.fees_due_vnd:
        return "Không thu phí, lệ phí"
    amount = f"{dossier.fees_due_vnd:,}".replace(",", ".")
    return f"{amount} đồng, {'đã nộp' if dossier.fees_paid else 'chưa nộp'}"


def _clock(days: int | None) -> str:
    if days is None:
        return ""
    if days > 0:
        return f"Còn {days} ngày đến hạn"
    return "Hạn trả là hôm nay" if days == 0 else f"Đã quá hạn {-days} ngày"


def card_view(dossier: Dossier, now: datetime) -> dict:
    """The status card as staff read it out: every step, fees paid or not, the name masked."""
    status, days = dossier.status(now), dossier.days_to_due(now)
    current = dossier.current_step
    finished = dossier.stage in ("returned", "rejected")
    return {
        "code": dossier.receipt_code,
        "procedure": dossier.procedure_name,
        "procedure_code": dossier.procedure_code,
        "applicant": mask_name(dossier.applicant_name),
        "status": status,
        "status_words": status_words("vi", status),
        "received": local_time(dossier.received_at),
        "due": local_time(dossier.due_at, "%d/%m/%Y"),
        "clock": _clock(days),
        "late": days is not None and days < 0,
        "current": None
        if current is None or finished
        else {
            "department": current.department,
            "name": current.name,
            "since": local_time(current.started_at, "%d/%m/%Y"),
        },
        "steps": [
            {
                "department": s.department,
                "name": s.name,
                "started": local_time(s.started_at),
                "finished": local_time(s.finished_at),
            }
            for s in dossier.steps
        ],
        "missing": list(dossier.missing) if dossier.stage == "waiting_papers" else [],
        "result_return": dossier.result_return if dossier.stage != "rejected" else None,
        "fees": _fees(dossier),
        "fees_unpaid": bool(dossier.fees_due_vnd and not dossier.fees_paid),
        "portal": PORTAL,
    }


def look_up(store: Store, source: DossierSource | None, code: str) -> StaffLookup:
    """Ask the system (blocking: run it on a worker thread); a card shown is counted as a
    staff lookup in the report's figures."""
    if source is None:
        return StaffLookup(code, "off")
    try:
        dossier = source.lookup(code)
    except DossierNotFound:
        return StaffLookup(code, "unknown")
    except DossierUnavailable:
        return StaffLookup(code, "down")
    with store.session() as session:
        connection = session.connection()
        dossier_events.record(connection, dossier_events.LOOKUP, dossier_events.STAFF_CHANNEL)
    return StaffLookup(code, "found", card_view(dossier, utcnow()))


def _unreachable_rows(store: Store) -> list[dict]:
    with store.session() as session:
        watches = unreachable(session)
    watches.sort(key=lambda w: w.updated_at, reverse=True)
    return [
        {
            "id": w.id,
            "channel": CHANNELS.get(w.channel, w.channel),
            "citizen": w.user_id[-6:],
            "code": w.receipt_code,
            "status": status_words("vi", w.last_stage) if w.last_stage else "",
            "when": local_time(w.updated_at),
            "note": w.note or "",
        }
        for w in watches
    ]


@routes.get("/staff/dossiers/unreachable")
@require()
async def unreachable_page(request: web.Request) -> web.Response:
    rows = await asyncio.to_thread(_unreachable_rows, request.app[STAFF].store)
    return await page(request, "dossier_unreachable.html", watches=rows)


@routes.post("/staff/dossiers/unreachable/{watch_id:\\d+}/contacted")
@require()
async def contacted(request: web.Request) -> web.StreamResponse:
    """A staff member reached the citizen: the row leaves the list (who and when are kept)."""
    watch_id = row_id(request.match_info["watch_id"], "watch")
    staff = request[USER]["username"]

    def mark() -> bool:
        with request.app[STAFF].store.session() as session:
            return mark_contacted(session, watch_id, staff)

    if not await asyncio.to_thread(mark):
        raise web.HTTPNotFound(text="Không có hồ sơ nào đang chờ liên hệ với mã này.")
    raise web.HTTPSeeOther("/staff/dossiers/unreachable")
