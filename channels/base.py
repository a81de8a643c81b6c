"""What channel adapters share: splitting replies within a platform's limits, and turning a
platform's documented error codes into what the outbox does next.

An adapter parses and verifies its platform's webhook into channel-neutral
:class:`~bot.contract.messages.Incoming` messages, splits replies into the pieces the platform
accepts in one call, and sends one piece per call (the contract is in :mod:`bot.contract.sending`).
The core never imports a platform.
"""

from __future__ import annotations

from enum import Enum

from bot.contract.messages import Reply
from bot.contract.sending import PermanentFailure, RetryLater, WindowClosed


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters, at paragraph, then line,
    then word boundaries where possible."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or window.rfind(" ")
        if cut <= limit // 3:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks or [""]


def text_with_links(reply: Reply) -> str:
    """The reply's text with each link's URL on a line of its own (unless already there), for
    platforms whose messages are plain text."""
    missing = [link.url for link in reply.links if link.url not in reply.text]
    return "\n".join([reply.text, *missing])


def split_reply(reply: Reply, limit: int) -> list[Reply]:
    """Text split so that every piece, with the link lines :func:`text_with_links` adds to the
    last one, fits ``limit``; buttons and links ride on the last piece."""
    room = len(text_with_links(reply)) - len(reply.text)
    texts = split_text(reply.text, limit - room)
    pieces = [Reply(t, procedure_code=reply.procedure_code) for t in texts[:-1]]
    pieces.append(Reply(texts[-1], reply.buttons, reply.links, reply.procedure_code))
    return pieces


class Outcome(Enum):
    """What a platform's error means for the reply that met it."""

    RETRY = "retry"  # unavailable or throttling: send again later
    REFRESH_TOKEN = "refresh token"  # the access token ran out: refresh it, send again once
    PERMANENT = "permanent"  # refused for good: never send this reply again
    WINDOW_CLOSED = "window closed"  # the citizen can no longer be written to


def raise_for(outcome: Outcome, reason: str, delay: float | None = None) -> None:
    """Raise what the outbox understands for ``outcome`` (a token still stale after its
    refresh is retried later)."""
    if outcome is Outcome.WINDOW_CLOSED:
        raise WindowClosed(reason)
    if outcome is Outcome.PERMANENT:
        raise PermanentFailure(reason)
    raise RetryLater(reason, delay)
