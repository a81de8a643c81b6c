"""Zalo Official Account webhook: ``X-ZEvent-Signature`` check and event parsing.

The signature is ``mac=`` + hex SHA-256 of app_id + raw body + timestamp + OA secret key, with
app_id and timestamp read from the body. Button presses come back as the text of the button's
payload (``#pick:1.001193``), which we decode into a payload.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot.contract.messages import Attachment, Incoming, geo_ref, is_payload, web_ref
from bot.contract.sending import Intake
from bot.contract.telemetry import NO_TELEMETRY, Telemetry
from channels.webhook import Rejected, guarded, parse_json, same_secret

CHANNEL = "zalo"
PAYLOAD_MARK = "#"
EVENT_WINDOW = timedelta(minutes=10)  # how old a signed event may be (configurable)
FUTURE_TOLERANCE = timedelta(minutes=5)  # how far ahead of our clock an event may be
# Events that are not a citizen writing: our own messages echoed, delivery and seen receipts.
_IGNORED_PREFIXES = ("oa_send_", "user_received_", "user_seen_", "follow", "unfollow")
# Zalo's attachment types, as the kinds the contract knows (a shared link stays text).
KINDS = {
    "image": "image",
    "gif": "image",
    "sticker": "sticker",
    "file": "file",
    "audio": "audio",
    "voice": "audio",
    "video": "video",
    "location": "location",
}
MAX_ATTACHMENTS = 10


def signature(app_id: str, body: bytes, timestamp: str, oa_secret: str) -> str:
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret.encode())
    return digest.hexdigest()


def parse_event(data: dict) -> list[Incoming]:
    """The citizen message in one Zalo event (none for echoes, receipts and other events)."""
    event = str(data["event_name"])
    if event.startswith(_IGNORED_PREFIXES) or not event.startswith("user_send_"):
        return []  # nor events without a sender, like user_click_chatnow
    sender = str(data["sender"]["id"])
    message = data.get("message") or {}
    timestamp = int(str(data.get("timestamp") or 0))
    sent_at = datetime.fromtimestamp(timestamp / 1000, UTC)
    message_id = str(message.get("msg_id") or f"{sender}-{timestamp}")
    if event == "user_send_text":
        text = str(message.get("text", ""))[:4000]
        if text.startswith(PAYLOAD_MARK) and is_payload(text[1:]):
            return [Incoming(CHANNEL, sender, "", text[1:], message_id, sent_at)]
        return [Incoming(CHANNEL, sender, text, None, message_id, sent_at)]
    # image, sticker, file, audio, video, location, link: stored with its caption, if any
    text = str(message.get("text") or "")[:4000]
    attached = attachments(message)
    return [Incoming(CHANNEL, sender, text, None, message_id, sent_at, attached)]


def attachments(message: dict) -> tuple[Attachment, ...]:
    """The pictures, files, stickers, voice, video and locations of one Zalo message (a
    location as ``geo:<lat>,<lon>``; types Zalo may add later are left out)."""
    found = []
    for item in (message.get("attachments") or [])[:MAX_ATTACHMENTS]:
        kind = KINDS.get(str(item.get("type", "")))
        payload = item.get("payload") or {}
        if kind == "location":
            place = payload.get("coordinates") or {}
            found.append(Attachment(kind, geo_ref(place.get("latitude"), place.get("longitude"))))
        elif kind is not None:
            name = str(payload.get("name") or "")[:200]
            found.append(Attachment(kind, web_ref(payload.get("url")), name))
    return tuple(found)


def event_age_problem(
    timestamp: str, window: timedelta = EVENT_WINDOW, now: datetime | None = None
) -> str | None:
    """Why a signed event's ``timestamp`` (milliseconds) is refused: ``stale`` (older than
    ``window``: a captured event replayed after its dedupe key may have gone) or ``future``
    (more than :data:`FUTURE_TOLERANCE` ahead); None when it is in time."""
    try:
        sent = datetime.fromtimestamp(int(timestamp) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return "stale"
    now = now or datetime.now(UTC)
    if now - sent > window:
        return "stale"
    if sent - now > FUTURE_TOLERANCE:
        return "future"
    return None


def routes(
    intake: Intake,
    app_id: str,
    oa_secret: str,
    metrics: Telemetry = NO_TELEMETRY,
    window: timedelta = EVENT_WINDOW,
) -> web.RouteTableDef:
    """The webhook; signed events older than ``window`` or from the future are refused
    (403), and counted in ``motcua_zalo_events_refused_total`` by reason."""
    table = web.RouteTableDef()

    @table.post("/webhooks/zalo")
    @guarded(CHANNEL, metrics)
    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get("X-ZEvent-Signature")
        if not header:
            raise Rejected(401, "missing X-ZEvent-Signature")
        data = parse_json(body)
        event_app = str(data.get("app_id", ""))
        timestamp = str(data.get("timestamp", ""))
        given = header.strip().removeprefix("mac=")
        if event_app != app_id or not same_secret(
            given, signature(event_app, body, timestamp, oa_secret)
        ):
            raise Rejected(403, "bad signature")
        problem = event_age_problem(timestamp, window)
        if problem is not None:
            metrics.zalo_event_refused(problem)
            raise Rejected(403, f"event timestamp refused ({problem})")
        await intake.submit(parse_event(data))
        return web.json_response({"message": "ok"})

    return table
