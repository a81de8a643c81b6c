"""Stand-in of Meta's Graph API Send endpoint, and of Meta posting signed events to us.

It states Meta's rules itself, from Meta's documentation, and imports nothing from the
adapter: a rule the adapter gets wrong fails here instead of being agreed with.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from channels.standin import KIND_FILES, MEDIA_PATH, Faults, serve_media

# Send API limits as Meta documents them.
TEXT_LIMIT = 2000  # message.text: "UTF-8 and has a 2000 character limit"
QUICK_REPLIES = 13  # quick replies per message
TITLE_LIMIT = 20  # quick-reply title (Meta truncates longer ones; refused here to be noticed)
PAYLOAD_LIMIT = 1000  # quick-reply payload


def meta_signature(raw_body: bytes, app_secret: str) -> str:
    """``X-Hub-Signature-256``: ``sha256=`` and the lowercase hex HMAC-SHA256 of the raw
    request body, keyed with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def graph_error(status: int, code: int, message: str) -> web.Response:
    body = {"error": {"message": message, "type": "OAuthException", "code": code}}
    return web.json_response(body, status=status)


@dataclass
class GraphStandIn:
    """``POST /me/messages``: checks the page token and Messenger's limits, records what a
    citizen would receive."""

    page_token: str
    received: list[dict] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/me/messages", self.send)
        app.router.add_post("/{version}/me/messages", self.send)
        app.router.add_get(MEDIA_PATH, serve_media)  # Meta's CDN, for attachments' URLs
        return app

    def throttle_next(self, count: int) -> None:
        self.faults.fail_next(count, lambda: graph_error(429, 613, "rate limit exceeded"))

    def fail_next(self, count: int, status: int = 503) -> None:
        self.faults.fail_next(count, lambda: graph_error(status, 2, "service unavailable"))

    def texts(self, user_id: str) -> list[str]:
        return [m["message"]["text"] for m in self.received if m["recipient"]["id"] == user_id]

    async def send(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") != self.page_token:
            return graph_error(401, 190, "Invalid OAuth access token")
        raw = await request.read()
        # With the whole request in, the platform carries it out even if the sender hangs up
        # meanwhile (killed, say): aiohttp would cancel the handler, the platform does not.
        return await asyncio.shield(self._send(raw))

    async def _send(self, raw: bytes) -> web.Response:
        failure = await self.faults.apply()
        if failure is not None:
            return failure
        try:
            body = json.loads(raw)
            recipient = body["recipient"]["id"]
            message = body["message"]
        except (ValueError, KeyError, TypeError):
            return graph_error(400, 100, "Invalid parameter")
        problem = _check_message(message)
        if problem:
            return graph_error(400, 100, problem)
        self.received.append(body)
        return web.json_response({"recipient_id": recipient, "message_id": f"m_{next(self._ids)}"})


def _check_message(message: dict) -> str | None:
    text = message.get("text")
    if not isinstance(text, str) or not text:
        return "message.text is required"
    if len(text) > TEXT_LIMIT:
        return f"message.text longer than {TEXT_LIMIT} characters"
    quick = message.get("quick_replies", [])
    if len(quick) > QUICK_REPLIES:
        return f"more than {QUICK_REPLIES} quick replies"
    for item in quick:
        if len(item.get("title", "")) > TITLE_LIMIT or not item.get("payload"):
            return "quick reply title too long or payload missing"
        if len(item["payload"]) > PAYLOAD_LIMIT:
            return "quick reply payload too long"
    return None


@dataclass
class MessengerPlatform:
    """Meta's side: posts correctly signed webhook events to our server."""

    webhook_url: str
    app_secret: str
    page_id: str = "page-1"
    media_base: str = ""  # where attachments' URLs point (the Graph stand-in's /media)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def attachment_event(self, user_id: str, kind: str) -> dict:
        """A message with one attachment as Meta sends it: ``attachments[].type`` image,
        video, audio, file or location (``payload.coordinates.lat``/``long``), a sticker as
        an image with a ``sticker_id``, and no ``text``."""
        body = self.event(user_id)
        message = body["entry"][0]["messaging"][0]["message"]
        del message["text"]
        if kind == "location":
            item: dict = {
                "type": "location",
                "payload": {"coordinates": {"lat": 21.1861, "long": 106.0763}},
            }
        else:
            url = f"{self.media_base}/media/{next(self._ids)}-{KIND_FILES[kind]}"
            item = {"type": "image" if kind == "sticker" else kind, "payload": {"url": url}}
            if kind == "sticker":
                item["payload"]["sticker_id"] = 369239263222822
                message["sticker_id"] = 369239263222822
        message["attachments"] = [item]
        return body

    async def send_attachment(
        self, session: aiohttp.ClientSession, user_id: str, kind: str
    ) -> aiohttp.ClientResponse:
        return await self.post(session, self.attachment_event(user_id, kind))

    def event(
        self, user_id: str, text: str = "", payload: str | None = None, mid: str | None = None
    ) -> dict:
        now = int(time.time() * 1000)
        message: dict = {"mid": mid or f"mid.{next(self._ids)}.{now}", "text": text}
        if payload:
            message["quick_reply"] = {"payload": payload}
        messaging = {
            "sender": {"id": user_id},
            "recipient": {"id": self.page_id},
            "timestamp": now,
            "message": message,
        }
        return {
            "object": "page",
            "entry": [{"id": self.page_id, "time": now, "messaging": [messaging]}],
        }

    async def post(
        self, session: aiohttp.ClientSession, body: dict | bytes, secret: str | None = None
    ) -> aiohttp.ClientResponse:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": meta_signature(raw, secret or self.app_secret),
        }
        async with session.post(self.webhook_url, data=raw, headers=headers) as response:
            await response.read()
            return response

    async def say(
        self,
        session: aiohttp.ClientSession,
        user_id: str,
        text: str = "",
        payload: str | None = None,
        mid: str | None = None,
    ) -> aiohttp.ClientResponse:
        return await self.post(session, self.event(user_id, text, payload, mid))
