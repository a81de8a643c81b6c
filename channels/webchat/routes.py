"""Web chat: a JSON API a province website can embed, and the page that uses it.

The browser keeps a random session id (its user id on this channel). It posts messages and
polls for replies; the outbox "sends" a web reply by making it available to that poll.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from importlib import resources
from typing import Protocol

from aiohttp import web
from sqlmodel import col, select

from bot.messages import Incoming, Reply, is_payload, reply_from_json
from bot.sending import Intake
from bot.telemetry import NO_TELEMETRY, Telemetry
from channels.base import split_reply
from channels.webhook import Rejected, guarded, parse_json
from feedback.models import OutboxMessage
from feedback.store import Store

CHANNEL = "web"
SESSION_RE = re.compile(r"^[0-9a-f]{32}$")
TEXT_LIMIT = 2000


class WebChatSender:
    """Replies wait in the outbox; marking them sent is what makes the page see them."""

    channel = CHANNEL

    def parts(self, reply: Reply) -> list[Reply]:
        return split_reply(reply, 4000)

    async def send(self, user_id: str, reply: Reply) -> None:
        return None


class WebChatIntake(Intake, Protocol):
    """The intake, and the store the page's poll reads its replies from."""

    @property
    def store(self) -> Store: ...


def _sent_after(store: Store, session: str, after: int) -> list[OutboxMessage]:
    """The session's replies marked sent, after the id ``after`` (50 at most), oldest first."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == CHANNEL,
            OutboxMessage.user_id == session,
            OutboxMessage.status == "sent",
            col(OutboxMessage.id) > after,
        )
        .order_by(col(OutboxMessage.id))
        .limit(50)
    )
    with store.session() as db:
        return list(db.exec(query).all())


def _session(value: object) -> str:
    if not isinstance(value, str) or not SESSION_RE.match(value):
        raise Rejected(400, "session must be 32 lowercase hex characters")
    return value


def routes(intake: WebChatIntake, metrics: Telemetry = NO_TELEMETRY) -> web.RouteTableDef:
    table = web.RouteTableDef()
    page = resources.files("channels.webchat").joinpath("static/index.html").read_text("utf-8")

    @table.get("/chat")
    async def chat_page(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", charset="utf-8")

    @table.get("/")
    async def home(request: web.Request) -> web.Response:
        raise web.HTTPFound("/chat")

    @table.post("/chat/api/messages")
    @guarded(CHANNEL, metrics)
    async def post_message(request: web.Request) -> web.Response:
        data = parse_json(await request.read())
        session = _session(data.get("session"))
        text = data.get("text") or ""
        payload = data.get("payload")
        if not isinstance(text, str) or len(text) > TEXT_LIMIT:
            raise Rejected(400, f"text must be a string of at most {TEXT_LIMIT} characters")
        if payload is not None and (not isinstance(payload, str) or not is_payload(payload)):
            raise Rejected(400, "unknown payload")
        if not text.strip() and not payload:
            raise Rejected(400, "empty message")
        client_id = data.get("id")
        message_id = str(client_id)[:64] if client_id else uuid.uuid4().hex
        await intake.submit([Incoming(CHANNEL, session, text, payload, f"{session}:{message_id}")])
        return web.json_response({"accepted": True}, status=202)

    @table.get("/chat/api/messages")
    @guarded(CHANNEL, metrics)
    async def get_messages(request: web.Request) -> web.Response:
        session = _session(request.query.get("session"))
        try:
            after = int(request.query.get("after", "0"))
        except ValueError as exc:
            raise Rejected(400, "after must be an integer") from exc
        # The store is synchronous (and on SQLite takes the writer's lock): off the loop.
        rows = await asyncio.to_thread(_sent_after, intake.store, session, after)
        messages = []
        for row in rows:
            reply = reply_from_json(row.body)
            messages.append(
                {
                    "id": row.id,
                    "text": reply.text,
                    "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons],
                    "links": [{"title": link.title, "url": link.url} for link in reply.links],
                }
            )
        return web.json_response({"messages": messages})

    return table
