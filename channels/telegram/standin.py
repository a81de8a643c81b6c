"""Stand-in of the Telegram Bot API (as python-telegram-bot calls it: form-encoded fields with
JSON values under ``/bot<token>/<method>``), and of Telegram delivering updates to us.

It states the Bot API's rules itself, from its documentation, and imports nothing from the
adapter: a rule the adapter gets wrong fails here instead of being agreed with.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from channels.standin import KIND_FILES, SAMPLE_MEDIA, Faults

TEXT_LIMIT = 4096  # sendMessage text: 1-4096 characters
CALLBACK_DATA_BYTES = 64  # an inline button's callback_data: 1-64 bytes
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # setWebhook's secret_token, sent verbatim

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "Một cửa", "username": "motcua_bot"}


async def _fields(request: web.Request) -> dict | None:
    """A method's parameters as the Bot API takes them: the query string, a form (urlencoded
    or multipart) or a JSON object; None for a JSON body that is not an object."""
    if request.method != "POST":
        return dict(request.query)
    if request.content_type == "application/json":
        try:
            fields = json.loads(await request.read())
        except ValueError:
            return None
        return fields if isinstance(fields, dict) else None
    return dict(await request.post())


def tg_error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


@dataclass
class BotApiStandIn:
    token: str
    sent: list[dict] = field(default_factory=list)
    answered_callbacks: list[str] = field(default_factory=list)
    webhook: dict = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    _updates: list[dict] = field(default_factory=list)
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self.call)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)
        return app

    async def download(self, request: web.Request) -> web.Response:
        """``/file/bot<token>/<file_path>``: the file getFile pointed at."""
        if request.match_info["token"] != self.token:
            return tg_error(401, "Unauthorized")
        extension = request.match_info["path"].rpartition(".")[2]
        if extension not in SAMPLE_MEDIA:
            return tg_error(404, "Not Found")
        body, kind = SAMPLE_MEDIA[extension]
        return web.Response(body=body, content_type=kind)

    def throttle_next(self, count: int, retry_after: int = 1) -> None:
        self.faults.fail_next(
            count,
            lambda: tg_error(429, f"Too Many Requests: retry after {retry_after}", retry_after),
        )

    def fail_next(self, count: int, status: int = 502) -> None:
        self.faults.fail_next(count, lambda: tg_error(status, "Bad Gateway"))

    def texts(self, chat_id: str | int) -> list[str]:
        return [m["text"] for m in self.sent if str(m["chat_id"]) == str(chat_id)]

    def queue_update(self, update: dict) -> None:
        """Make ``update`` available to getUpdates (polling mode)."""
        self._updates.append(update)
        self._new_update.set()

    async def call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return tg_error(401, "Unauthorized")
        method = request.match_info["method"]
        fields = await _fields(request)
        if fields is None:
            return tg_error(400, "Bad Request: can't parse JSON")
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return tg_error(404, "Not Found: method not found")
        if method == "sendMessage":
            failure = await self.faults.apply()
            if failure is not None:
                return failure
        try:
            result = await handler(fields)
        except (KeyError, ValueError) as exc:
            return tg_error(400, f"Bad Request: {exc}")
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _getMe(self, fields: dict) -> dict:
        return BOT_USER

    async def _sendMessage(self, fields: dict) -> dict | web.Response:
        text = str(fields["text"])
        if not text or len(text) > TEXT_LIMIT:
            return tg_error(400, "Bad Request: message text is empty or too long")
        markup = fields.get("reply_markup") or None
        if isinstance(markup, str):  # a form field, or a JSON body's string
            markup = json.loads(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_BYTES:
                    return tg_error(400, "Bad Request: BUTTON_DATA_INVALID")
        record = {"chat_id": str(fields["chat_id"]), "text": text, "reply_markup": markup}
        self.sent.append(record)
        chat = {"id": int(fields["chat_id"]), "type": "private"}
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": text,
        }

    async def _answerCallbackQuery(self, fields: dict) -> bool:
        self.answered_callbacks.append(str(fields["callback_query_id"]))
        return True

    async def _getFile(self, fields: dict) -> dict | web.Response:
        """A File with its ``file_path``; the stand-in's file ids end in the file's name
        (``…-photo.png``), so each kind downloads as its sample."""
        file_id = str(fields["file_id"])
        name = file_id.rpartition("-")[2]
        if name.rpartition(".")[2] not in SAMPLE_MEDIA:
            return tg_error(400, "Bad Request: invalid file_id")
        unique = file_id[:16]
        return {"file_id": file_id, "file_unique_id": unique, "file_path": f"files/{name}"}

    async def _setWebhook(self, fields: dict) -> bool:
        self.webhook = {"url": fields["url"], "secret_token": fields.get("secret_token")}
        return True

    async def _deleteWebhook(self, fields: dict) -> bool:
        self.webhook = {}
        return True

    async def _getUpdates(self, fields: dict) -> list[dict]:
        offset = int(fields.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            timeout = min(float(fields.get("timeout") or 0), 2.0)
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except TimeoutError:
                return []
        return list(self._updates)


@dataclass
class TelegramPlatform:
    """Telegram's side: builds updates and posts them to our webhook with the secret token."""

    webhook_url: str
    secret: str
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def text_update(self, chat_id: int, text: str) -> dict:
        user = {"id": chat_id, "is_bot": False, "first_name": "Dân"}
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": user,
            "text": text,
        }
        return {"update_id": next(self._update_ids), "message": message}

    def button_update(self, chat_id: int, data: str) -> dict:
        user = {"id": chat_id, "is_bot": False, "first_name": "Dân"}
        message = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": "…",
        }
        query = {
            "id": f"cq{next(self._message_ids)}",
            "from": user,
            "chat_instance": "ci",
            "data": data,
            "message": message,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def attachment_update(self, chat_id: int, kind: str, caption: str = "") -> dict:
        """A message carrying a photo (an array of sizes, smallest first), document,
        sticker, voice note, video or location, with an optional caption."""
        update = self.text_update(chat_id, "")
        message = update["message"]
        del message["text"]
        if caption:
            message["caption"] = caption
        if kind == "location":
            message["location"] = {"latitude": 21.186104, "longitude": 106.076328}
            return update
        serial = next(self._message_ids)
        file_id = f"AgAC{serial:06d}-{KIND_FILES[kind]}"
        media = {"file_id": file_id, "file_unique_id": f"u{serial}", "file_size": 2048}
        if kind == "image":
            small = {**media, "file_id": f"AgAC{serial:06d}s-{KIND_FILES[kind]}"}
            message["photo"] = [small | {"width": 90, "height": 60}, media | {"width": 480}]
            message["photo"][1]["height"] = 320
        elif kind == "file":
            message["document"] = media | {
                "file_name": "to-khai.pdf",
                "mime_type": "application/pdf",
            }
        elif kind == "sticker":
            message["sticker"] = media | {
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        elif kind == "audio":
            message["voice"] = media | {"duration": 4, "mime_type": "audio/ogg"}
        elif kind == "video":
            message["video"] = media | {"width": 320, "height": 240, "duration": 3}
        return update

    async def send_attachment(
        self, session: aiohttp.ClientSession, chat_id: int, kind: str, caption: str = ""
    ) -> aiohttp.ClientResponse:
        return await self.post(session, self.attachment_update(chat_id, kind, caption))

    async def post(
        self, session: aiohttp.ClientSession, update: dict | bytes, secret: str | None = None
    ) -> aiohttp.ClientResponse:
        raw = update if isinstance(update, bytes) else json.dumps(update).encode()
        headers = {
            "Content-Type": "application/json",
            SECRET_HEADER: secret or self.secret,
        }
        async with session.post(self.webhook_url, data=raw, headers=headers) as response:
            await response.read()
            return response

    async def say(
        self, session: aiohttp.ClientSession, chat_id: int, text: str
    ) -> aiohttp.ClientResponse:
        return await self.post(session, self.text_update(chat_id, text))

    async def press(
        self, session: aiohttp.ClientSession, chat_id: int, data: str
    ) -> aiohttp.ClientResponse:
        return await self.post(session, self.button_update(chat_id, data))
