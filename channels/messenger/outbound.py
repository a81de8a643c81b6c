"""Messenger Send API: render a reply within Messenger's limits and send it."""

from __future__ import annotations

import aiohttp

from bot.contract.messages import Reply
from bot.contract.sending import RetryLater
from channels.base import Outcome, raise_for, split_reply, text_with_links

# Meta allows 2,000 characters of text; we keep to the button template's 640 so that an
# answer reads as a few short messages rather than one wall of text.
TEXT_LIMIT = 640
QUICK_REPLIES = 13
TITLE_LIMIT = 20
PAYLOAD_LIMIT = 1000
THROTTLE_DELAY = 60.0  # seconds to wait after a rate-limit error

# The Graph API's documented error codes, by (code, subcode); a subcode of None covers every
# subcode the table does not name. Statuses decide what the table does not know.
ERROR_POLICY: dict[tuple[int, int | None], Outcome] = {
    (1, None): Outcome.RETRY,  # unknown error, "please retry"
    (2, None): Outcome.RETRY,  # service temporarily unavailable
    (4, None): Outcome.RETRY,  # application request limit reached
    (17, None): Outcome.RETRY,  # user request limit reached
    (32, None): Outcome.RETRY,  # page request limit reached
    (613, None): Outcome.RETRY,  # calls to this API have exceeded the rate limit
    (10, 2018278): Outcome.WINDOW_CLOSED,  # sent outside the 24-hour messaging window
    (10, None): Outcome.PERMANENT,  # permission denied
    (100, None): Outcome.PERMANENT,  # invalid parameter (2018001: no matching user)
    (190, None): Outcome.PERMANENT,  # invalid page access token: no retry will fix it
    (200, None): Outcome.PERMANENT,  # missing permission
    (551, None): Outcome.PERMANENT,  # this person isn't available (blocked the page)
}
_THROTTLING = {4, 17, 32, 613}


def error_outcome(status: int, code: int | None, subcode: int | None) -> Outcome:
    """What a Send API error means: the table first, then the HTTP status."""
    if code is not None:
        known = ERROR_POLICY.get((code, subcode)) or ERROR_POLICY.get((code, None))
        if known is not None:
            return known
    if status == 429 or status >= 500:
        return Outcome.RETRY
    if 400 <= status < 500:
        return Outcome.PERMANENT
    return Outcome.RETRY


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
        code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
        reason = f"Messenger {response.status} code {code}/{subcode}: {error.get('message')}"
        outcome = error_outcome(response.status, code, subcode)
        throttled = response.status == 429 or code in _THROTTLING
        raise_for(outcome, reason, THROTTLE_DELAY if throttled else None)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None
