"""The inbox of escalated conversations: take a case, read the conversation, reply to the
citizen on their own channel, hand back to the bot, close. Updated live by polling."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlmodel import col, select

from feedback.conversations import transcript
from feedback.models import Conversation, EscalationCase, Message
from feedback.privacy import mask_pii
from feedback.safe_text import strip_controls
from feedback.store import Store
from feedback.web.attachments import attachment_views
from feedback.web.auth import USER, require
from feedback.web.common import local_time, page
from feedback.web.context import STAFF
from feedback.web.params import row_id
from feedback.web.tickets import sees_personal_data

routes = web.RouteTableDef()


def _open_cases(store: Store) -> list[dict]:
    with store.session() as session:
        rows = session.exec(
            select(EscalationCase, Conversation)
            .join(Conversation, col(Conversation.id) == EscalationCase.conversation_id)
            .where(col(EscalationCase.status) != "closed")
            .order_by(col(EscalationCase.created_at))
        ).all()
        cases = []
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
            cases.append(
                {
                    "id": case.id,
                    "status": case.status,
                    "reason": case.reason,
                    "assignee": case.assignee or "",
                    "channel": conversation.channel,
                    "citizen": conversation.user_id[-6:],
                    "opened": local_time(case.created_at),
                    "last": mask_pii(last.text)[:120] if last else "",
                }
            )
    return cases


@routes.get("/staff")
async def staff_home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/staff/inbox")


@routes.get("/staff/inbox")
@require()
async def inbox(request: web.Request) -> web.Response:
    cases = await asyncio.to_thread(_open_cases, request.app[STAFF].store)
    return await page(request, "inbox.html", cases=cases)


@routes.get("/staff/api/cases")
@require()
async def cases_json(request: web.Request) -> web.Response:
    return web.json_response(
        {"cases": await asyncio.to_thread(_open_cases, request.app[STAFF].store)}
    )


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
        messages = [
            {
                "id": m.id,
                "author": m.author,
                "text": m.text if unmasked else mask_pii(m.text),
                "at": local_time(m.created_at, "%H:%M %d/%m"),
                "attachments": attachment_views(case_id, m, unmasked),
            }
            for m in transcript(session, conversation.id)
            if m.id is not None and m.id > after
        ]
        return {
            "case": {
                "id": case.id,
                "status": case.status,
                "assignee": case.assignee or "",
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
    return web.json_response({"status": view["case"]["status"], "messages": view["messages"]})


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
