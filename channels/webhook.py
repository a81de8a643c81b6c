"""Common webhook plumbing: a clear status for every kind of bad input, never a 500."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web

from bot.contract.telemetry import NO_TELEMETRY, Telemetry

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Rejected(Exception):
    """A request refused with ``status`` (400 malformed, 401/403 unsigned or forged…)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a signature or token."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def parse_json(body: bytes) -> dict:
    """The body as a JSON object, or :class:`Rejected` (400)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Rejected(400, f"malformed JSON: {exc}") from exc
    except RecursionError as exc:  # nested deeper than the parser goes
        raise Rejected(400, "malformed JSON: nested too deeply") from exc
    except ValueError as exc:  # an integer with more digits than Python converts
        raise Rejected(400, f"malformed JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise Rejected(400, "the body must be a JSON object")
    return data


def guarded(channel: str, metrics: Telemetry = NO_TELEMETRY) -> Callable[[Handler], Handler]:
    """Wrap a webhook handler: Rejected → its status; malformed shapes → 400; oversized → 413
    (aiohttp's body limit); a store failure → 503, so the platform delivers again later (the
    message was not stored, so it must not be acknowledged). Counted per status."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            try:
                response = await handler(request)
            except Rejected as exc:
                response = web.json_response({"error": exc.reason}, status=exc.status)
            except web.HTTPException as exc:  # 413 from aiohttp's body limit, 405…
                response = web.json_response({"error": exc.reason}, status=exc.status)
            except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
                response = web.json_response({"error": f"malformed event: {exc}"}, status=400)
            except Exception:  # the store is down: not stored, so not acknowledged
                log.exception("%s webhook could not store its messages", channel)
                response = web.json_response({"error": "try again later"}, status=503)
            metrics.webhook(channel, response.status)
            return response

        return wrapper

    return decorate
