"""Logging a contact: staff record a hotline call or a counter visit in a few clicks (the
procedure picked from agent assist), optionally opening a feedback item whose ticket code
they read out to the caller."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from aiohttp import web

from feedback.contacts import (
    CHANNELS,
    OUTCOMES,
    ContactError,
    FeedbackDraft,
    log_contact,
    recent_contacts,
)
from feedback.numbers import row_id_or_none
from feedback.store import Store
from feedback.web.auth import USER, require
from feedback.web.common import local_time, page
from feedback.web.context import STAFF, StaffContext
from feedback.web.labels import CATEGORY_NAMES, REPORT_CHANNELS

routes = web.RouteTableDef()
CHANNEL_NAMES = {channel: REPORT_CHANNELS[channel] for channel in CHANNELS}
OUTCOME_NAMES = {
    "answered": "Đã trả lời",
    "guided_online": "Hướng dẫn nộp trực tuyến",
    "escalated": "Chuyển cấp trên / cơ quan chuyên môn",
    "feedback": "Tiếp nhận góp ý, phản ánh, kiến nghị",
}
FORM_FIELDS = ("code", "q", "channel", "outcome", "note", "category", "content", "name", "phone")


def _form_page(
    request: web.Request, values: dict, error: str = "", status: int = 200
) -> Awaitable[web.Response]:
    staff = request.app[STAFF]
    return page(
        request,
        "contact_form.html",
        status=status,
        values=values,
        error=error,
        procedure_name=staff.procedure_name(values.get("code")),
        channels=CHANNEL_NAMES,
        outcomes=OUTCOME_NAMES,
        categories=CATEGORY_NAMES,
    )


@routes.get("/staff/contacts/new")
@require()
async def contact_form(request: web.Request) -> web.Response:
    values = {name: request.query.get(name, "") for name in FORM_FIELDS}
    values["channel"] = values["channel"] or "hotline"
    values["category"] = values["category"] or "feedback"
    if values["code"] and request.app[STAFF].catalogue.get(values["code"]) is None:
        raise web.HTTPNotFound(text="Không có thủ tục này trong danh mục.")
    return await _form_page(request, values)


def _draft(values: dict[str, str]) -> FeedbackDraft | None:
    if not values["content"].strip():
        return None
    return FeedbackDraft(values["category"], values["content"], values["phone"], values["name"])


def _save(store: Store, values: dict[str, str], username: str) -> tuple[int, str | None]:
    with store.session() as session:
        contact, item = log_contact(
            session,
            channel=values["channel"],
            outcome=values["outcome"],
            staff=username,
            procedure_code=values["code"] or None,
            note=values["note"],
            feedback=_draft(values),
        )
        assert contact.id is not None
        return contact.id, item.ticket if item is not None else None


@routes.post("/staff/contacts")
@require()
async def contact_save(request: web.Request) -> web.StreamResponse:
    staff: StaffContext = request.app[STAFF]
    form = await request.post()
    values = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    if values["code"] and staff.catalogue.get(values["code"]) is None:
        return await _form_page(request, values, "Không có thủ tục này trong danh mục.", 400)
    try:
        contact_id, _ = await asyncio.to_thread(
            _save, staff.store, values, request[USER]["username"]
        )
    except ContactError as exc:  # nothing is lost: the form comes back as it was filled
        return await _form_page(request, values, str(exc), 400)
    raise web.HTTPSeeOther(f"/staff/contacts?saved={contact_id}")


def _recent(store: Store) -> list[dict]:
    with store.session() as session:
        rows = recent_contacts(session)
    return [
        {
            "id": contact.id,
            "at": local_time(contact.created_at),
            "channel": contact.channel,
            "procedure_code": contact.procedure_code or "",
            "outcome": contact.outcome,
            "note": contact.note,
            "staff": contact.staff,
            "ticket": ticket or "",
        }
        for contact, ticket in rows
    ]


@routes.get("/staff/contacts")
@require()
async def contact_list(request: web.Request) -> web.Response:
    staff = request.app[STAFF]
    saved = row_id_or_none(request.query.get("saved"), 0) or 0
    rows = await asyncio.to_thread(_recent, staff.store)
    for row in rows:
        row["procedure"] = staff.procedure_name(row["procedure_code"])
    return await page(
        request,
        "contacts.html",
        rows=rows,
        saved=next((row for row in rows if row["id"] == saved), None),
        channels=CHANNEL_NAMES,
        outcomes=OUTCOME_NAMES,
    )


assert set(OUTCOME_NAMES) == set(OUTCOMES)
