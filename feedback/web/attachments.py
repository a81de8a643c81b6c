"""Citizens' attachments in the case transcript, and the staff-only route that shows them.

A picture's preview and a file's link point at this server, never at the platform: the
route fetches the platform's URL server-side (a Telegram file id through the Bot API's
getFile first), so staff browsers never talk to a platform's CDN, the page keeps its strict
content policy, and only staff who may see the citizen's personal data (the case's assignee,
or an admin) get the bytes.
"""

from __future__ import annotations

import asyncio
import json
from typing import NamedTuple
from urllib.parse import quote

import aiohttp
from aiohttp import web

from feedback.models import EscalationCase, Message
from feedback.store import Store
from feedback.web.auth import USER, require
from feedback.web.context import STAFF
from feedback.web.params import row_id
from feedback.web.tickets import sees_personal_data

routes = web.RouteTableDef()

TELEGRAM_FILE = "tg-file:"
FETCHED = ("image", "sticker", "file", "audio", "video")  # what the route fetches
PREVIEWED = ("image", "sticker")  # shown inline as a picture
MAX_BYTES = 20 * 1024 * 1024  # Telegram's getFile limit; larger files stay on the platform
TIMEOUT = aiohttp.ClientTimeout(total=20)
LABELS = {
    "image": "Ảnh",
    "sticker": "Nhãn dán",
    "file": "Tệp",
    "audio": "Tin nhắn thoại",
    "video": "Video",
    "location": "Vị trí",
    "contact": "Danh bạ",
}


class Attachment(NamedTuple):
    """One stored attachment (the contract's ``Attachment``, read back from its JSON)."""

    kind: str
    ref: str
    name: str


def stored_attachments(raw: str | None) -> list[Attachment]:
    """A message's ``attachments`` column read back; unreadable values are none."""
    try:
        rows = json.loads(raw) if raw else []
        return [Attachment(str(k), str(r), str(n)) for k, r, n in rows]
    except (ValueError, TypeError):
        return []


def attachment_views(case_id: int, message: Message, allowed: bool) -> list[dict]:
    """What the transcript shows of a message's attachments: a label, and (for a viewer
    ``allowed`` to see personal data) the proxy URL, whether it is a picture, or a map
    position for a location."""
    views = []
    for index, attachment in enumerate(stored_attachments(message.attachments)):
        view = {
            "kind": attachment.kind,
            "label": LABELS.get(attachment.kind, "Tệp đính kèm"),
            "name": attachment.name if allowed else "",
            "url": "",
            "preview": False,
        }
        if allowed and attachment.kind in FETCHED and attachment.ref:
            view["url"] = f"/staff/cases/{case_id}/attachments/{message.id}/{index}"
            view["preview"] = attachment.kind in PREVIEWED
        elif allowed and attachment.ref.startswith("geo:"):
            view["url"] = attachment.ref
            view["name"] = attachment.ref.removeprefix("geo:")
        views.append(view)
    return views


def _find(store: Store, case_id: int, message_id: int, index: int, viewer: dict) -> Attachment:
    with store.session() as session:
        case = session.get(EscalationCase, case_id)
        message = session.get(Message, message_id)
        if case is None or message is None or message.conversation_id != case.conversation_id:
            raise web.HTTPNotFound(text="Không có tệp đính kèm này")
        if not sees_personal_data(viewer, case.assignee):
            raise web.HTTPForbidden(text="Nhận xử lý hội thoại để xem tệp đính kèm")
        attached = stored_attachments(message.attachments)
    if index >= len(attached) or attached[index].kind not in FETCHED or not attached[index].ref:
        raise web.HTTPNotFound(text="Không có tệp đính kèm này")
    return attached[index]


async def _source_url(http: aiohttp.ClientSession, ref: str, telegram: tuple[str, str]) -> str:
    """Where the platform serves ``ref``: its URL, or a Telegram file's download URL."""
    if not ref.startswith(TELEGRAM_FILE):
        return ref
    base, token = telegram
    if not token:
        raise web.HTTPBadGateway(text="Telegram chưa được cấu hình")
    file_id = ref.removeprefix(TELEGRAM_FILE)
    async with http.get(f"{base}/bot{token}/getFile", params={"file_id": file_id}) as response:
        data = await response.json(content_type=None)
    path = (data.get("result") or {}).get("file_path") if data.get("ok") else None
    if not path:
        raise web.HTTPBadGateway(text="Telegram không trả tệp này")
    return f"{base}/file/bot{token}/{quote(path)}"


async def _fetch(ref: str, telegram: tuple[str, str]) -> tuple[bytes, str]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        url = await _source_url(http, ref, telegram)
        async with http.get(url, allow_redirects=True) as response:
            if response.status != 200:
                raise web.HTTPBadGateway(text=f"Nền tảng trả lỗi {response.status}")
            body = await response.content.read(MAX_BYTES + 1)
            kind = response.content_type or "application/octet-stream"
    if len(body) > MAX_BYTES:
        raise web.HTTPBadGateway(text="Tệp quá lớn để xem qua trang này")
    return body, kind


@routes.get("/staff/cases/{case_id:\\d+}/attachments/{message_id:\\d+}/{index:\\d+}")
@require()
async def attachment(request: web.Request) -> web.Response:
    """A citizen's attachment, fetched from the platform for a staff member allowed to see
    it: pictures inline, anything else as a download."""
    context = request.app[STAFF]
    found = await asyncio.to_thread(
        _find,
        context.store,
        row_id(request.match_info["case_id"], "case"),
        row_id(request.match_info["message_id"], "message"),
        int(request.match_info["index"]),
        request[USER],
    )
    try:
        body, kind = await _fetch(found.ref, (context.telegram_api, context.telegram_token))
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise web.HTTPBadGateway(text="Không tải được tệp từ nền tảng") from exc
    picture = found.kind in PREVIEWED and kind.startswith("image/") and kind != "image/svg+xml"
    headers = {"Cache-Control": "private, no-store"}
    if not picture:
        name = quote(found.name or f"tep-{found.kind}")
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        kind = "application/octet-stream"
    return web.Response(body=body, content_type=kind, headers=headers)
