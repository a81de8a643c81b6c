"""Facebook Messenger webhook: verification handshake, signature check, event parsing."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import UTC, datetime

from aiohttp import web

from bot.contract.messages import Attachment, Incoming, geo_ref, web_ref
from bot.contract.sending import Intake
from bot.contract.telemetry import NO_TELEMETRY, Telemetry
from channels.webhook import Rejected, guarded, parse_json, same_secret

CHANNEL = "messenger"
KINDS = {"image": "image", "video": "video", "audio": "audio", "file": "file"}
MAX_ATTACHMENTS = 10
log = logging.getLogger(__name__)


def signature(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends: HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def parse_events(data: dict) -> list[Incoming]:
    """Citizen messages in a webhook body (batches of entries and events); echoes of our own
    messages, deliveries and reads are skipped. A malformed event is left out with a logged
    reason (the rest of the batch still counts); a body that is not a page event is 400."""
    if data.get("object") != "page":
        raise Rejected(400, "not a page subscription event")
    messages = []
    for entry in data["entry"]:
        for event in entry.get("messaging", []):
            try:
                incoming = _parse_event(event)
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
                log.warning("messenger event skipped: malformed (%s)", type(exc).__name__)
                continue
            if incoming is not None:
                messages.append(incoming)
    return messages


def _parse_event(event: dict) -> Incoming | None:
    sender = str(event["sender"]["id"])
    sent_at = datetime.fromtimestamp(event.get("timestamp", 0) / 1000, UTC)
    if "message" in event:
        message = event["message"]
        if message.get("is_echo"):
            return None
        quick = message.get("quick_reply") or {}
        return Incoming(
            CHANNEL,
            sender,
            text=str(message.get("text", ""))[:4000],
            payload=quick.get("payload"),
            message_id=str(message["mid"]),
            sent_at=sent_at,
            attachments=attachments(message),
        )
    if "postback" in event:
        postback = event["postback"]
        mid = postback.get("mid") or f"pb-{sender}-{event.get('timestamp')}"
        return Incoming(
            CHANNEL,
            sender,
            text=str(postback.get("title", "")),
            payload=postback.get("payload"),
            message_id=str(mid),
            sent_at=sent_at,
        )
    return None


def attachments(message: dict) -> tuple[Attachment, ...]:
    """The pictures, files, voice, video, stickers and locations of one Messenger message
    (a sticker arrives as an image with a ``sticker_id``; fallbacks and templates are left
    out)."""
    found = []
    for item in (message.get("attachments") or [])[:MAX_ATTACHMENTS]:
        kind = str(item.get("type", ""))
        payload = item.get("payload") or {}
        if kind == "location":
            place = payload.get("coordinates") or {}
            found.append(Attachment(kind, geo_ref(place.get("lat"), place.get("long"))))
        elif kind in KINDS:
            sticker = kind == "image" and payload.get("sticker_id") is not None
            found.append(
                Attachment("sticker" if sticker else KINDS[kind], web_ref(payload.get("url")))
            )
    return tuple(found)


def routes(
    intake: Intake, app_secret: str, verify_token: str, metrics: Telemetry = NO_TELEMETRY
) -> web.RouteTableDef:
    table = web.RouteTableDef()

    @table.get("/webhooks/messenger")
    @guarded(CHANNEL, metrics)
    async def verify(request: web.Request) -> web.Response:
        query = request.query
        if query.get("hub.mode") != "subscribe" or not same_secret(
            query.get("hub.verify_token"), verify_token
        ):
            raise Rejected(403, "verification failed")
        return web.Response(text=query.get("hub.challenge", ""))

    @table.post("/webhooks/messenger")
    @guarded(CHANNEL, metrics)
    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        given = request.headers.get("X-Hub-Signature-256")
        if given is None:
            raise Rejected(401, "missing X-Hub-Signature-256")
        if not same_secret(given, signature(body, app_secret)):
            raise Rejected(403, "bad signature")
        await intake.submit(parse_events(parse_json(body)))
        return web.Response(text="EVENT_RECEIVED")

    return table
