"""Web chat: a JSON API a province website can embed, and the page that uses it.

The browser keeps a random session id (its user id on this channel) and sends it in the
``X-Chat-Session`` header, never in the URL (URLs end up in proxy logs and browser history). It
posts messages and polls for replies; the outbox "sends" a web reply by making it available to
that poll. Messages are charged to the client address's budget (:mod:`bot.contract.ratelimit`).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from importlib import resources
from typing import Protocol

from aiohttp import web
from sqlmodel import col, select

from bot.contract.messages import Incoming, Reply, is_payload, reply_from_json
from bot.contract.ratelimit import ClientBudget
from bot.contract.sending import Intake
from bot.contract.telemetry import NO_TELEMETRY, Telemetry
from channels.base import split_reply
from channels.webchat.history import conversation_history
from channels.webchat.shape import page_message
from channels.webhook import Rejected, guarded, parse_json
from feedback.models import OutboxMessage
from feedback.numbers import MAX_ROW_ID, row_id_or_none
from feedback.store import Store

CHANNEL = "web"
SESSION_RE = re.compile(r"^[0-9a-f]{32}$")
SESSION_HEADER = "X-Chat-Session"
STATIC = ("chat.js", "chat.css", "favicon.svg")
KINDS = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
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


def _session(request: web.Request, value: object = None) -> str:
    """The session id from the header (or, for a POST, the JSON body); never from the URL."""
    if "session" in request.query:
        raise Rejected(400, f"send the session in the {SESSION_HEADER} header, not the URL")
    value = request.headers.get(SESSION_HEADER) or value
    if not isinstance(value, str) or not SESSION_RE.match(value):
        raise Rejected(400, "session must be 32 lowercase hex characters")
    return value


def routes(
    intake: WebChatIntake, metrics: Telemetry = NO_TELEMETRY, budget: ClientBudget | None = None
) -> web.RouteTableDef:
    table = web.RouteTableDef()
    files = resources.files("channels.webchat").joinpath("static")
    page = files.joinpath("index.html").read_text("utf-8")
    assets = {name: files.joinpath(name).read_text("utf-8") for name in STATIC}

    @table.get("/chat")
    async def chat_page(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", charset="utf-8")

    @table.get("/chat/static/{name}")
    async def chat_asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in assets:
            raise web.HTTPNotFound()
        kind = KINDS[name[name.rindex(".") :]]
        return web.Response(text=assets[name], content_type=kind, charset="utf-8")

    @table.get("/favicon.ico")
    async def favicon(request: web.Request) -> web.Response:
        return web.Response(text=assets["favicon.svg"], content_type="image/svg+xml")

    @table.get("/")
    async def home(request: web.Request) -> web.Response:
        raise web.HTTPFound("/chat")

    @table.post("/chat/api/messages")
    @guarded(CHANNEL, metrics)
    async def post_message(request: web.Request) -> web.Response:
        data = parse_json(await request.read())
        session = _session(request, data.get("session"))
        text = data.get("text") or ""
        payload = data.get("payload")
        if not isinstance(text, str) or len(text) > TEXT_LIMIT:
            raise Rejected(400, f"text must be a string of at most {TEXT_LIMIT} characters")
        if payload is not None and (not isinstance(payload, str) or not is_payload(payload)):
            raise Rejected(400, "unknown payload")
        if not text.strip() and not payload:
            raise Rejected(400, "empty message")
        if budget is not None and (refused := budget.charge_message(request, session)):
            return refused
        client_id = data.get("id")
        message_id = str(client_id)[:64] if client_id else uuid.uuid4().hex
        await intake.submit([Incoming(CHANNEL, session, text, payload, f"{session}:{message_id}")])
        return web.json_response({"accepted": True}, status=202)

    @table.get("/chat/api/messages")
    @guarded(CHANNEL, metrics)
    async def get_messages(request: web.Request) -> web.Response:
        session = _session(request)
        after = row_id_or_none(request.query.get("after"))
        if after is None:
            raise Rejected(400, f"after must be a whole number from 0 to {MAX_ROW_ID}")
        # The store is synchronous (and on SQLite takes the writer's lock): off the loop.
        rows = await asyncio.to_thread(_sent_after, intake.store, session, after)
        messages = [page_message(row.id or 0, reply_from_json(row.body)) for row in rows]
        return web.json_response({"messages": messages})

    @table.get("/chat/api/history")
    @guarded(CHANNEL, metrics)
    async def get_history(request: web.Request) -> web.Response:
        """Both sides of the session's conversation, for the page after a reload."""
        session = _session(request)
        history = await asyncio.to_thread(conversation_history, intake.store, CHANNEL, session)
        return web.json_response(history)

    return table
