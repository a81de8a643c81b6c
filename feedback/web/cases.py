"""The inbox of escalated conversations: take a case, read the conversation, reply to the
citizen on their own channel, hand back to the bot, close. Updated live by polling."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import func
from sqlmodel import Session, col, select

from feedback.conversations import transcript
from feedback.models import Conversation, EscalationCase, Message, OutboxMessage
from feedback.privacy import mask_pii
from feedback.safe_text import strip_controls
from feedback.store import Store
from feedback.web.attachments import attachment_views
from feedback.web.auth import USER, require
from feedback.web.common import local_time, page
from feedback.web.context import STAFF
from feedback.web.labels import (
    CASE_REASON_OTHER,
    CASE_REASONS,
    CASE_STATES,
    CHANNELS,
    button_titles,
    pressed,
    waited,
)
from feedback.web.params import row_id
from feedback.web.tickets import display_names, sees_personal_data

routes = web.RouteTableDef()


def _waiting_since(session: Session, case: EscalationCase) -> datetime | None:
    """When the citizen started waiting: their first message after staff last wrote (the
    case's opening if staff have not written yet); None when staff had the last word."""
    last_staff = session.exec(
        select(func.max(Message.id)).where(
            col(Message.conversation_id) == case.conversation_id,
            col(Message.author) == "staff",
            col(Message.created_at) >= case.created_at,
        )
    ).one()
    if last_staff is None:
        return case.created_at
    return session.exec(
        select(func.min(Message.created_at)).where(
            col(Message.conversation_id) == case.conversation_id,
            col(Message.author) == "citizen",
            col(Message.id) > last_staff,
        )
    ).one()


def _open_cases(store: Store) -> dict:
    """The cases not closed, the longest-waiting citizen first, and how many are waiting."""
    now = datetime.now(UTC)
    with store.session() as session:
        rows = session.exec(
            select(EscalationCase, Conversation)
            .join(Conversation, col(Conversation.id) == EscalationCase.conversation_id)
            .where(col(EscalationCase.status) != "closed")
            .order_by(col(EscalationCase.created_at))
        ).all()
        names = display_names(session)
        cases: list[dict[str, Any]] = []
        for case, conversation in rows:
            last = session.exec(
                select(Message)
                .where(
                    col(Message.conversation_id) == conversation.id,
                    col(Message.author) == "citizen",
                )
                .order_by(col(Message.id).desc())
                .limit(1)
            ).first()
            seconds, words = waited(_waiting_since(session, case), now)
            waiting = bool(words)
            cases.append(
                {
                    "id": case.id,
                    "status": case.status,
                    "state": CASE_STATES.get(case.status, case.status),
                    "reason": CASE_REASONS.get(case.reason, CASE_REASON_OTHER),
                    "assignee": names.get(case.assignee or "", case.assignee or ""),
                    "channel": CHANNELS.get(conversation.channel, conversation.channel),
                    "citizen": conversation.user_id[-6:],
                    "opened": local_time(case.created_at),
                    "waiting": waiting,
                    "waited_seconds": seconds if waiting else -1,
                    "waited": f"Chờ {words}" if waiting else "Đã trả lời",
                    "last": mask_pii(last.text)[:120] if last else "",
                }
            )
    cases.sort(key=lambda c: c["waited_seconds"], reverse=True)
    return {"cases": cases, "waiting": sum(1 for c in cases if c["waiting"])}


@routes.get("/staff")
async def staff_home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/staff/inbox")


@routes.get("/staff/inbox")
@require()
async def inbox(request: web.Request) -> web.Response:
    listing = await asyncio.to_thread(_open_cases, request.app[STAFF].store)
    return await page(request, "inbox.html", **listing)


@routes.get("/staff/api/cases")
@require()
async def cases_json(request: web.Request) -> web.Response:
    return web.json_response(await asyncio.to_thread(_open_cases, request.app[STAFF].store))


def _button_titles(session: Session, conversation: Conversation) -> dict[str, str]:
    """The titles of the buttons the citizen was shown (from the stored replies)."""
    bodies = session.exec(
        select(OutboxMessage.body)
        .where(
            col(OutboxMessage.channel) == conversation.channel,
            col(OutboxMessage.user_id) == conversation.user_id,
        )
        .order_by(col(OutboxMessage.id))
    ).all()
    return button_titles(bodies)


def _shown_text(message: Message, titles: dict[str, str], unmasked: bool) -> str:
    """A message as staff read it: a button press as the title the citizen pressed."""
    if message.author == "citizen" and message.payload and not message.text.strip():
        return pressed(message.payload, titles)
    return message.text if unmasked else mask_pii(message.text)


def _case_view(store: Store, case_id: int, viewer: dict, after: int = 0) -> dict:
    """A case and its conversation; phone and ID numbers masked unless the viewer has taken
    the case (or is an admin)."""
    with store.session() as session:
        case = session.get(EscalationCase, case_id)
        if case is None:
            raise web.HTTPNotFound(text="no such case")
        conversation = session.get(Conversation, case.conversation_id)
        if conversation is None or conversation.id is None:
            raise web.HTTPNotFound(text="no such conversation")
        unmasked = sees_personal_data(viewer, case.assignee)
        shown = [m for m in transcript(session, conversation.id) if m.id and m.id > after]
        titles = _button_titles(session, conversation) if any(m.payload for m in shown) else {}
        messages = [
            {
                "id": m.id,
                "author": m.author,
                "text": _shown_text(m, titles, unmasked),
                "at": local_time(m.created_at, "%H:%M %d/%m/%Y"),
                "attachments": attachment_views(case_id, m, unmasked),
            }
            for m in shown
        ]
        names = display_names(session)
        return {
            "case": {
                "id": case.id,
                "status": case.status,
                "state": CASE_STATES.get(case.status, case.status),
                "assignee": names.get(case.assignee or "", case.assignee or ""),
                "reason": case.reason,
                "opened": local_time(case.created_at),
            },
            "conversation": {
                "channel": conversation.channel,
                "citizen": conversation.user_id,
                "language": conversation.language,
            },
            "messages": messages,
        }


@routes.get("/staff/cases/{case_id:\\d+}")
@require()
async def case_page(request: web.Request) -> web.Response:
    view = await asyncio.to_thread(
        _case_view,
        request.app[STAFF].store,
        row_id(request.match_info["case_id"], "case"),
        request[USER],
    )
    return await page(request, "case.html", **view)


@routes.get("/staff/api/cases/{case_id:\\d+}/messages")
@require()
async def case_messages(request: web.Request) -> web.Response:
    after = row_id(request.query.get("after"), "after")
    case_id = row_id(request.match_info["case_id"], "case")
    view = await asyncio.to_thread(
        _case_view, request.app[STAFF].store, case_id, request[USER], after
    )
    return web.json_response({"status": view["case"]["state"], "messages": view["messages"]})


@routes.post("/staff/cases/{case_id:\\d+}/{action:take|reply|handback|close}")
@require()
async def case_action(request: web.Request) -> web.StreamResponse:
    case_id, action = row_id(request.match_info["case_id"], "case"), request.match_info["action"]
    desk = request.app[STAFF].desk
    staff = request[USER]["username"]
    form = await request.post()
    operations = {
        "take": lambda: desk.take(case_id, staff),
        "reply": lambda: desk.reply(case_id, staff, strip_controls(str(form.get("text", "")))),
        "handback": lambda: desk.hand_back(case_id, staff),
        "close": lambda: desk.close(case_id, staff),
    }
    try:
        await asyncio.to_thread(operations[action])
    except LookupError as exc:
        raise web.HTTPNotFound(text=str(exc)) from exc
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    target = "/staff/inbox" if action in ("handback", "close") else f"/staff/cases/{case_id}"
    raise web.HTTPSeeOther(target)
