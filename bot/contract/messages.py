"""The channel-neutral message model: what every channel turns platform events into, and
what the engine answers with. Channel renderers enforce each platform's limits."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

ATTACHMENT_KINDS = ("image", "file", "sticker", "location", "audio", "video", "contact")


@dataclass(frozen=True, slots=True)
class Attachment:
    """Something a citizen sent besides text: a picture, file, sticker, location, voice
    message, video or contact. ``ref`` is where the platform keeps it: a URL (Zalo,
    Messenger), ``tg-file:<file_id>`` (Telegram, resolved through getFile when staff look),
    or ``geo:<lat>,<lon>`` for a location. ``name`` is a file name or a short description."""

    kind: str
    ref: str = ""
    name: str = ""


def web_ref(url: object) -> str:
    """A platform's attachment URL as a ``ref``: http(s) only, else empty."""
    value = str(url or "")
    return value[:2000] if value.startswith(("https://", "http://")) else ""


def geo_ref(latitude: object, longitude: object) -> str:
    """A location as a ``ref`` (``geo:21.1861,106.0763``); empty if not two numbers."""
    try:
        lat, lon = float(str(latitude)), float(str(longitude))
    except ValueError:
        return ""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return ""
    return f"geo:{lat},{lon}"


def attachments_to_json(attachments: tuple[Attachment, ...]) -> str | None:
    """Attachments in their stored form (None when there are none)."""
    if not attachments:
        return None
    return json.dumps([[a.kind, a.ref, a.name] for a in attachments], ensure_ascii=False)


def attachments_from_json(raw: str | None) -> tuple[Attachment, ...]:
    """The stored form read back; an empty or unreadable value is no attachments."""
    if not raw:
        return ()
    try:
        rows = json.loads(raw)
        return tuple(Attachment(str(k), str(r), str(n)) for k, r, n in rows)
    except (ValueError, TypeError):
        return ()


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a citizen: typed text, the payload of a button they pressed, and
    whatever they attached (pictures, files, stickers, a location, a voice message)."""

    channel: str  # "zalo", "messenger", "telegram", "web", "console"
    user_id: str  # opaque, scoped by channel
    text: str = ""
    payload: str | None = None
    message_id: str | None = None  # the platform's id, for recognising redeliveries
    sent_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    attachments: tuple[Attachment, ...] = ()

    @property
    def address(self) -> str:
        """``channel:user_id``, the citizen's address across the system."""
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Button:
    """A quick reply or button; pressing it sends ``payload`` back."""

    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the citizen: text, optional buttons and links."""

    text: str
    buttons: tuple[Button, ...] = ()
    links: tuple[Link, ...] = ()
    procedure_code: str | None = None  # the procedure this reply is about, for statistics


def reply_to_json(reply: Reply) -> str:
    """A reply as JSON (the outbox's stored form)."""
    return json.dumps(
        {
            "text": reply.text,
            "buttons": [[b.title, b.payload] for b in reply.buttons],
            "links": [[link.title, link.url] for link in reply.links],
            "procedure_code": reply.procedure_code,
        },
        ensure_ascii=False,
    )


def reply_from_json(raw: str) -> Reply:
    data = json.loads(raw)
    return Reply(
        text=data["text"],
        buttons=tuple(Button(t, p) for t, p in data.get("buttons", ())),
        links=tuple(Link(t, u) for t, u in data.get("links", ())),
        procedure_code=data.get("procedure_code"),
    )


_PAYLOAD_RE = re.compile(r"^(?:(?:pick|rate|docs|fb|menu):[\w.:\-]{1,60}|human|none)$")


def is_payload(value: str) -> bool:
    """Whether ``value`` is one of the engine's button payloads (platforms that return a
    pressed button as ordinary text, like Zalo, are decoded with this)."""
    return bool(_PAYLOAD_RE.match(value))
