"""What every channel adapter provides, and the errors its sender may raise.

An adapter parses and verifies its platform's webhook into channel-neutral
:class:`~bot.messages.Incoming` messages, splits replies into the pieces the platform
accepts in one call, and sends one piece per call. The core never imports a platform.
"""

from __future__ import annotations

from typing import Protocol

from bot.messages import Reply


class RetryLater(Exception):
    """The platform is unavailable or throttling; try again after ``delay`` seconds."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


class PermanentFailure(Exception):
    """The platform refused this message for good (user blocked the bot, window closed…)."""


class Sender(Protocol):
    """Delivers replies on one channel."""

    channel: str

    def parts(self, reply: Reply) -> list[Reply]:
        """``reply`` split into pieces the platform accepts in one call each."""
        ...

    async def send(self, user_id: str, reply: Reply) -> None:
        """Send one piece; raise :class:`RetryLater` or :class:`PermanentFailure` on error."""
        ...


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
