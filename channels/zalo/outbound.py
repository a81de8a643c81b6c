"""Zalo OA customer-service messages (``/v3.0/oa/message/cs``).

Zalo answers errors in the body with HTTP 200: -216 (token expired) → refresh and retry once;
-32 (rate limit) → back off; -230/-232 (outside the interaction window) and other refusals →
no retry, logged.
"""

from __future__ import annotations

import aiohttp

from bot.messages import Reply
from channels.base import PermanentFailure, RetryLater, split_reply, text_with_links
from channels.zalo.inbound import PAYLOAD_MARK
from channels.zalo.tokens import TokenRefreshFailed, ZaloTokens

TEXT_LIMIT = 2000
BUTTONS = 5
TITLE_LIMIT = 100
TOKEN_EXPIRED = -216
RATE_LIMITED = -32
_WINDOW_CLOSED = {-230, -232}
_TRANSIENT = {RATE_LIMITED, -50, -201}


def render(reply: Reply) -> dict:
    """The ``message`` object: text, and buttons that send their payload back as text."""
    message: dict = {"text": text_with_links(reply)[:TEXT_LIMIT]}
    if reply.buttons:
        buttons = [
            {
                "title": b.title[:TITLE_LIMIT],
                "type": "oa.query.hide",
                "payload": PAYLOAD_MARK + b.payload,
            }
            for b in reply.buttons[:BUTTONS]
        ]
        message["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
    return message


class ZaloSender:
    channel = "zalo"

    def __init__(self, session: aiohttp.ClientSession, api_base: str, tokens: ZaloTokens) -> None:
        self.session = session
        self.url = api_base.rstrip("/") + "/v3.0/oa/message/cs"
        self.tokens = tokens

    def parts(self, reply: Reply) -> list[Reply]:
        return split_reply(reply, TEXT_LIMIT)

    async def send(self, user_id: str, reply: Reply) -> None:
        body = {"recipient": {"user_id": user_id}, "message": render(reply)}
        try:
            token = await self.tokens.access_token()
            error, detail = await self._post(token, body)
            if error == TOKEN_EXPIRED:
                token = await self.tokens.refresh(stale=token)
                error, detail = await self._post(token, body)
        except TokenRefreshFailed as exc:
            raise RetryLater(str(exc), delay=60.0) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"Zalo unreachable: {exc!r}") from exc
        if error == 0:
            return
        reason = f"Zalo error {error}: {detail}"
        if error == RATE_LIMITED:
            raise RetryLater(reason, delay=30.0)
        if error in _WINDOW_CLOSED:
            raise PermanentFailure(reason)
        if error in _TRANSIENT or error == TOKEN_EXPIRED:
            raise RetryLater(reason)
        raise PermanentFailure(reason)

    async def _post(self, token: str, body: dict) -> tuple[int, str]:
        async with self.session.post(
            self.url, json=body, headers={"access_token": token}
        ) as response:
            if response.status >= 500:
                raise RetryLater(f"Zalo answered HTTP {response.status}")
            data = await response.json(content_type=None)
        return int(data.get("error", 0)), str(data.get("message", ""))
