"""The feedback queue: filters, search, assignment, status changes, notes, CSV export."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from feedback.models import FeedbackEvent, FeedbackItem, StaffUser
from feedback.privacy import mask_name, mask_pii
from feedback.safe_text import clean_name, strip_controls
from feedback.store import Store
from feedback.tickets import CATEGORIES, STATUSES, Outcome, outcomes
from feedback.web.auth import USER, require
from feedback.web.common import local_time, page
from feedback.web.context import STAFF
from feedback.web.csv_export import csv_response, separator
from feedback.web.labels import ACTORS, CHANNELS, FEEDBACK_LABELS, history_line
from feedback.web.params import local_day

routes = web.RouteTableDef()
FILTERS = ("status", "category", "channel", "assignee", "since", "until", "q")
CSV_COLUMNS = [
    "ticket",
    "created",
    "channel",
    "category",
    "status",
    "assignee",
    "due",
    "name",
    "phone",
    "content",
    "answer",
    "resolved_at",
    "resolved_by",
]


def _query(filters: dict[str, str]) -> SelectOfScalar[FeedbackItem]:
    query = select(FeedbackItem).order_by(col(FeedbackItem.created_at).desc())
    for name in ("status", "category", "channel", "assignee"):
        if filters.get(name):
            query = query.where(getattr(FeedbackItem, name) == filters[name])
    if (since := local_day(filters.get("since"))) is not None:
        query = query.where(col(FeedbackItem.created_at) >= since)
    if (until := local_day(filters.get("until"), end=True)) is not None:
        query = query.where(col(FeedbackItem.created_at) <= until)
    if filters.get("q"):
        needle = f"%{filters['q'].strip()}%"
        query = query.where(
            or_(
                col(FeedbackItem.content).ilike(needle),
                col(FeedbackItem.ticket).ilike(needle),
                col(FeedbackItem.contact_name).ilike(needle),
            )
        )
    return query


def _filters(request: web.Request) -> dict[str, str]:
    return {name: strip_controls(request.query.get(name, "")).strip() for name in FILTERS}


def _row(item: FeedbackItem, show_phone: bool) -> dict:
    return {
        "ticket": item.ticket,
        "created": local_time(item.created_at),
        "channel": item.channel,
        "category": item.category,
        "status": item.status,
        "assignee": item.assignee or "",
        "due": local_time(item.due_date, "%d/%m/%Y"),
        "name": clean_name(item.contact_name) if show_phone else mask_name(item.contact_name),
        "phone": (item.phone or "") if show_phone else mask_pii(item.phone or ""),
        "content": item.content if show_phone else mask_pii(item.content),
    }


def sees_personal_data(viewer: dict, assignee: str | None) -> bool:
    """Admins see citizens' phone and ID numbers; staff only on what is assigned to them."""
    return viewer["role"] == "admin" or (assignee is not None and assignee == viewer["username"])


def display_names(session: Session) -> dict[str, str]:
    """Every account's username → display name (assignees are stored by username)."""
    return {
        user.username: user.display_name or user.username
        for user in session.exec(select(StaffUser)).all()
    }


def _active_staff(session: Session) -> list[tuple[str, str]]:
    """(username, display name) of the active accounts, for assignee lists."""
    users = session.exec(select(StaffUser).where(StaffUser.active)).all()
    return [(u.username, u.display_name or u.username) for u in users]


def _list(
    store: Store, filters: dict[str, str], viewer: dict, limit: int
) -> tuple[list[dict], list[tuple[str, str]], dict[str, str]]:
    with store.session() as session:
        items = session.exec(_query(filters).limit(limit)).all()
        staff, names = _active_staff(session), display_names(session)
        settled = outcomes(session, [i.id for i in items if i.id is not None])
    rows = []
    for item in items:
        personal = sees_personal_data(viewer, item.assignee)
        row = _row(item, personal)
        done = settled.get(item.id or 0, Outcome())
        row["answer"] = done.answer if personal else mask_pii(done.answer)
        row["resolved_at"] = local_time(done.at)
        row["resolved_by"] = names.get(done.by) or done.by
        row["assignee_name"] = names.get(row["assignee"], row["assignee"])
        rows.append(row)
    return rows, staff, names


def _in_words(row: dict) -> dict:
    """A row as the CSV shows it: kinds, states, channels and assignees in Vietnamese."""
    return {
        **row,
        "category": FEEDBACK_LABELS.get(row["category"], row["category"]),
        "status": FEEDBACK_LABELS.get(row["status"], row["status"]),
        "channel": CHANNELS.get(row["channel"], row["channel"]),
        "assignee": row["assignee_name"],
    }


@routes.get("/staff/feedback")
@require()
async def feedback_list(request: web.Request) -> web.Response:
    filters = _filters(request)
    rows, staff, _ = await asyncio.to_thread(
        _list, request.app[STAFF].store, filters, request[USER], 500
    )
    return await page(
        request,
        "feedback_list.html",
        rows=rows,
        filters=filters,
        staff=staff,
        request_query=request.query_string,
        statuses=STATUSES,
        categories=CATEGORIES,
        channels=("zalo", "messenger", "telegram", "web", "hotline", "counter"),
    )


@routes.get("/staff/feedback.csv")
@require()
async def feedback_csv(request: web.Request) -> web.Response:
    """The filtered list as CSV (UTF-8 with BOM for spreadsheet programs); phone numbers are
    masked unless the user is an admin or the item is assigned to them."""
    rows, _, _ = await asyncio.to_thread(
        _list, request.app[STAFF].store, _filters(request), request[USER], 100_000
    )
    shown = [_in_words(row) for row in rows]
    return csv_response("gop-y", CSV_COLUMNS, shown, separator(request))


def _detail(store: Store, ticket: str, viewer: dict) -> dict:
    with store.session() as session:
        item = session.exec(select(FeedbackItem).where(col(FeedbackItem.ticket) == ticket)).first()
        if item is None:
            raise web.HTTPNotFound(text="no such ticket")
        events = session.exec(
            select(FeedbackEvent)
            .where(col(FeedbackEvent.feedback_id) == item.id)
            .order_by(col(FeedbackEvent.id))
        ).all()
        staff, names = _active_staff(session), display_names(session)
        history = [
            {
                "at": local_time(e.created_at),
                "actor": ACTORS.get(e.actor, names.get(e.actor, e.actor)),
                "line": history_line(e.action, e.detail or "", names),
            }
            for e in events
        ]
    shown = _row(item, sees_personal_data(viewer, item.assignee))
    shown["assignee_name"] = names.get(shown["assignee"], shown["assignee"])
    return {"item": shown, "history": history, "staff": staff}


@routes.get("/staff/feedback/{ticket}")
@require()
async def feedback_detail(request: web.Request) -> web.Response:
    # The person handling an item sees the phone number to call back; others see it masked.
    view = await asyncio.to_thread(
        _detail, request.app[STAFF].store, request.match_info["ticket"], request[USER]
    )
    return await page(request, "feedback_detail.html", statuses=STATUSES, **view)


def _is_staff(store: Store, username: str) -> bool:
    with store.session() as session:
        found = session.exec(
            select(StaffUser.id).where(StaffUser.username == username, StaffUser.active)
        ).first()
    return found is not None


@routes.post("/staff/feedback/{ticket}")
@require()
async def feedback_update(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    ticket = request.match_info["ticket"]
    due = str(form.get("due_date") or "")
    assignee = str(form["assignee"]) if "assignee" in form else None
    if assignee and not await asyncio.to_thread(_is_staff, request.app[STAFF].store, assignee):
        raise web.HTTPBadRequest(text=f"Không có tài khoản cán bộ đang dùng {assignee!r}.")
    try:
        await asyncio.to_thread(
            request.app[STAFF].desk.update_feedback,
            ticket,
            request[USER]["username"],
            status=str(form.get("status") or "") or None,
            assignee=assignee,
            note=strip_controls(str(form.get("note") or "")) or None,
            due_date=local_day(due, end=True) if due else None,
            reply_to_citizen=strip_controls(str(form.get("reply") or "")) or None,
        )
    except LookupError as exc:
        raise web.HTTPNotFound(text=str(exc)) from exc
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    raise web.HTTPSeeOther(f"/staff/feedback/{ticket}")
