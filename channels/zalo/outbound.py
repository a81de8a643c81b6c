"""Zalo OA customer-service messages (``/v3.0/oa/message/cs``).

Zalo answers errors in the body with HTTP 200; :data:`ERROR_POLICY` says what each documented
code means: an expired or invalid token is refreshed and the message sent again once;
throttling backs off; a citizen outside the interaction window is not written to again.
"""

from __future__ import annotations

import aiohttp

from bot.contract.messages import Reply
from bot.contract.sending import RetryLater
from channels.base import Outcome, raise_for, split_reply, text_with_links
from channels.zalo.inbound import PAYLOAD_MARK
from channels.zalo.tokens import TokenRefreshFailed, ZaloTokens

TEXT_LIMIT = 2000
BUTTONS = 5
TITLE_LIMIT = 100
THROTTLE_DELAY = 30.0  # seconds to wait after -32
REFRESH_FAILED_DELAY = 60.0

# Zalo's documented error codes (the ``error`` field of an HTTP 200 answer).
ERROR_POLICY: dict[int, Outcome] = {
    -216: Outcome.REFRESH_TOKEN,  # access token invalid
    -220: Outcome.REFRESH_TOKEN,  # access token expired
    -32: Outcome.RETRY,  # the app or OA reached its API call limit
    -100: Outcome.RETRY,  # transient: integrations retry it
    # Retried since before this table; no source read here says what they mean.
    -50: Outcome.RETRY,
    -201: Outcome.RETRY,
    # "Cannot reach this user now" (-230: no interaction with the OA in the last 7 days;
    # -232: the interaction that allowed writing has expired): never retried.
    **dict.fromkeys((-213, -217, -227, -230, -232, -234, -244), Outcome.WINDOW_CLOSED),
}


def error_outcome(error: int) -> Outcome:
    """What a non-zero ``error`` means; codes nobody documented are not retried."""
    return ERROR_POLICY.get(error, Outcome.PERMANENT)


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
            if error and error_outcome(error) is Outcome.REFRESH_TOKEN:
                token = await self.tokens.refresh(stale=token)
                error, detail = await self._post(token, body)
        except TokenRefreshFailed as exc:
            raise RetryLater(str(exc), delay=REFRESH_FAILED_DELAY) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"Zalo unreachable: {exc!r}") from exc
        if error == 0:
            return
        outcome = error_outcome(error)
        reason = f"Zalo error {error} ({outcome.value}): {detail}"
        raise_for(outcome, reason, THROTTLE_DELAY if error == -32 else None)

    async def _post(self, token: str, body: dict) -> tuple[int, str]:
        async with self.session.post(
            self.url, json=body, headers={"access_token": token}
        ) as response:
            if response.status >= 500:
                raise RetryLater(f"Zalo answered HTTP {response.status}")
            data = await response.json(content_type=None)
        return int(data.get("error", 0)), str(data.get("message", ""))
