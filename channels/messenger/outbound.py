"""Messenger Send API: render a reply within Messenger's limits and send it."""

from __future__ import annotations

import aiohttp

from bot.messages import Reply
from channels.base import PermanentFailure, RetryLater, split_reply, text_with_links

TEXT_LIMIT = 640
QUICK_REPLIES = 13
TITLE_LIMIT = 20
PAYLOAD_LIMIT = 1000
# Graph API error codes: throttling (retry later) and refusals (never retry).
_THROTTLED = {4, 17, 32, 613}
_REFUSED = {10, 100, 190, 200, 551}


def _title(text: str) -> str:
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1] + "…"


def render(reply: Reply) -> dict:
    """The Send API ``message`` object: text (≤ 640) and quick replies (≤ 13, titles ≤ 20)."""
    message: dict = {"text": text_with_links(reply)[:TEXT_LIMIT]}
    if reply.buttons:
        message["quick_replies"] = [
            {"content_type": "text", "title": _title(b.title), "payload": b.payload[:PAYLOAD_LIMIT]}
            for b in reply.buttons[:QUICK_REPLIES]
        ]
    return message


class MessengerSender:
    channel = "messenger"

    def __init__(self, session: aiohttp.ClientSession, api_base: str, page_token: str) -> None:
        self.session = session
        self.url = api_base.rstrip("/") + "/me/messages"
        self.page_token = page_token

    def parts(self, reply: Reply) -> list[Reply]:
        return split_reply(reply, TEXT_LIMIT)

    async def send(self, user_id: str, reply: Reply) -> None:
        body = {
            "recipient": {"id": user_id},
            "messaging_type": "RESPONSE",
            "message": render(reply),
        }
        try:
            async with self.session.post(
                self.url, params={"access_token": self.page_token}, json=body
            ) as response:
                if response.status == 200:
                    return
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"Messenger unreachable: {exc!r}") from exc
        except ValueError as exc:
            raise RetryLater(f"Messenger answered {response.status} without JSON") from exc
        error = (data or {}).get("error", {})
        code = error.get("code")
        reason = f"Messenger {response.status} code {code}: {error.get('message')}"
        if response.status == 429 or code in _THROTTLED:
            raise RetryLater(reason, delay=60.0)
        if response.status >= 500:
            raise RetryLater(reason)
        if code in _REFUSED or 400 <= response.status < 500:
            raise PermanentFailure(reason)
        raise RetryLater(reason)
