"""Stand-in of the Zalo OA API and OAuth v4 token endpoint, and of Zalo posting signed events.

It states Zalo's rules itself, from Zalo's documentation as quoted by independent sources, and
imports nothing from the adapter: a rule the adapter gets wrong fails here instead of being
agreed with.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from channels.standin import KIND_FILES, MEDIA_PATH, Faults, serve_media

TEXT_LIMIT = 2000  # consultation message text ("Giới hạn tối đa là 2.000 ký tự")
TITLE_LIMIT = 100  # a template button's title
# No source states how many buttons a message may carry, so none is enforced.


def zalo_mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret: str) -> str:
    """``X-ZEvent-Signature`` without its ``mac=``: the lowercase hex SHA-256 (not an HMAC)
    of app id, raw body, the body's timestamp and the OA secret key, concatenated."""
    message = app_id.encode("utf-8") + raw_body + (timestamp + oa_secret).encode("utf-8")
    return hashlib.sha256(message).hexdigest()


def zalo_error(code: int, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message})  # errors ride on HTTP 200


@dataclass
class ZaloApiStandIn:
    """``/v3.0/oa/message/cs`` and ``/v4/oa/access_token`` with single-use refresh tokens."""

    app_id: str
    app_secret: str
    access_token: str = field(default_factory=lambda: "at-" + secrets.token_hex(8))
    refresh_token: str = field(default_factory=lambda: "rt-" + secrets.token_hex(8))
    received: list[dict] = field(default_factory=list)
    refreshes: int = 0
    faults: Faults = field(default_factory=Faults)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self.send)
        app.router.add_post("/v4/oa/access_token", self.token)
        app.router.add_get(MEDIA_PATH, serve_media)  # Zalo's CDN, for attachments' URLs
        return app

    def expire_token(self) -> None:
        """The current access token stops working (as after its 25 hours)."""
        self.access_token = "expired-" + secrets.token_hex(4) + self.access_token

    def throttle_next(self, count: int) -> None:
        self.faults.fail_next(count, lambda: zalo_error(-32, "Rate limit exceeded"))

    def close_window_next(self, count: int) -> None:
        self.faults.fail_next(count, lambda: zalo_error(-230, "User has not interacted in 7 days"))

    def fail_next(self, count: int, status: int = 503) -> None:
        self.faults.fail_next(count, lambda: web.Response(status=status, text="unavailable"))

    def texts(self, user_id: str) -> list[str]:
        return [m["message"]["text"] for m in self.received if m["recipient"]["user_id"] == user_id]

    async def send(self, request: web.Request) -> web.Response:
        raw = await request.read()
        # With the whole request in, the platform carries it out even if the sender hangs up
        # meanwhile (killed, say): aiohttp would cancel the handler, the platform does not.
        return await asyncio.shield(self._send(raw, request.headers.get("access_token")))

    async def _send(self, raw: bytes, access_token: str | None) -> web.Response:
        failure = await self.faults.apply()
        if failure is not None:
            return failure
        if access_token != self.access_token:
            return zalo_error(-216, "Access token is invalid")
        try:
            body = json.loads(raw)
            user = str(body["recipient"]["user_id"])
            message = body["message"]
            text = message["text"]
        except (ValueError, KeyError, TypeError):
            return zalo_error(-201, "Parameters are invalid")
        buttons = message.get("attachment", {}).get("payload", {}).get("buttons", [])
        if not text or len(text) > TEXT_LIMIT:
            return zalo_error(-201, "Message is invalid")
        if any(len(button.get("title", "")) > TITLE_LIMIT for button in buttons):
            return zalo_error(-201, "Button title is too long")
        self.received.append(body)
        return web.json_response(
            {
                "error": 0,
                "message": "Success",
                "data": {"message_id": f"z{next(self._ids)}", "user_id": user},
            }
        )

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (
            request.headers.get("secret_key") != self.app_secret
            or form.get("app_id") != self.app_id
        ):
            return web.json_response({"error": -14002, "error_name": "Invalid app"})
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
        ):
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token"})
        self.refreshes += 1
        self.access_token = "at-" + secrets.token_hex(8)
        self.refresh_token = "rt-" + secrets.token_hex(8)  # the old one is now spent
        return web.json_response(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }
        )


@dataclass
class ZaloPlatform:
    """Zalo's side: posts signed OA webhook events to our server."""

    webhook_url: str
    app_id: str
    oa_secret: str
    oa_id: str = "oa-1"
    media_base: str = ""  # where attachments' URLs point (the API stand-in's /media)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def attachment_event(self, user_id: str, kind: str, caption: str = "") -> dict:
        """``user_send_<kind>`` (image, sticker, file, audio, video, location) as Zalo
        sends it: ``message.attachments[].type`` and ``payload`` (``url``; a file's
        ``name``, ``size`` and extension as ``type``; a location's ``coordinates`` as
        strings), an image's caption in ``message.text``."""
        data = self.event(user_id, caption, event_name=f"user_send_{kind}")
        if kind == "location":
            payload: dict = {"coordinates": {"latitude": "21.1861", "longitude": "106.0763"}}
        else:
            name = KIND_FILES[kind]
            payload = {"url": f"{self.media_base}/media/{next(self._ids)}-{name}"}
            if kind == "file":
                payload |= {"name": name, "size": "2048", "type": name.rpartition(".")[2]}
            if kind == "image":
                payload["thumbnail"] = payload["url"]
        if not caption:
            del data["message"]["text"]
        data["message"]["attachments"] = [{"payload": payload, "type": kind}]
        return data

    async def send_attachment(
        self, session: aiohttp.ClientSession, user_id: str, kind: str, caption: str = ""
    ) -> aiohttp.ClientResponse:
        return await self.post(session, self.attachment_event(user_id, kind, caption))

    def event(
        self, user_id: str, text: str, msg_id: str | None = None, event_name: str = "user_send_text"
    ) -> dict:
        now = str(int(time.time() * 1000))
        return {
            "app_id": self.app_id,
            "user_id_by_app": f"app-{user_id}",
            "event_name": event_name,
            "timestamp": now,
            "sender": {"id": user_id},
            "recipient": {"id": self.oa_id},
            "message": {"text": text, "msg_id": msg_id or f"zmsg{next(self._ids)}{now}"},
        }

    def sign(self, raw: bytes, data: dict, secret: str | None = None, prefix: str = "mac=") -> str:
        return prefix + zalo_mac(
            str(data["app_id"]), raw, str(data["timestamp"]), secret or self.oa_secret
        )

    async def post(
        self, session: aiohttp.ClientSession, data: dict, secret: str | None = None
    ) -> aiohttp.ClientResponse:
        raw = json.dumps(data, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "X-ZEvent-Signature": self.sign(raw, data, secret),
        }
        async with session.post(self.webhook_url, data=raw, headers=headers) as response:
            await response.read()
            return response

    async def say(
        self, session: aiohttp.ClientSession, user_id: str, text: str, msg_id: str | None = None
    ) -> aiohttp.ClientResponse:
        return await self.post(session, self.event(user_id, text, msg_id))

    async def press(
        self, session: aiohttp.ClientSession, user_id: str, payload: str
    ) -> aiohttp.ClientResponse:
        """What Zalo sends when the citizen taps an ``oa.query.hide`` button."""
        return await self.say(session, user_id, payload)
