"""The contract between the core and the channel adapters, importable by both.

An adapter hands the messages it parsed to an :class:`Intake` (it is given one; it never
builds or imports the concrete one) and delivers replies as a :class:`Sender`, raising
:class:`RetryLater` or :class:`PermanentFailure` when its platform refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.contract.messages import Incoming, Reply


class RetryLater(Exception):
    """The platform is unavailable or throttling; try again after ``delay`` seconds."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


class PermanentFailure(Exception):
    """The platform refused this message for good (user blocked the bot, bad request…)."""


class WindowClosed(PermanentFailure):
    """The platform no longer lets us write to this citizen (its reply window has closed)."""


class Sender(Protocol):
    """Delivers replies on one channel."""

    channel: str

    def parts(self, reply: Reply) -> list[Reply]:
        """``reply`` split into pieces the platform accepts in one call each."""
        ...

    async def send(self, user_id: str, reply: Reply) -> None:
        """Send one piece; raise :class:`RetryLater` or :class:`PermanentFailure` on error."""
        ...


class Intake(Protocol):
    """Where an adapter hands the citizen messages it parsed from one delivery."""

    async def submit(self, messages: Sequence[Incoming]) -> int:
        """Store ``messages`` durably; returns how many were new. The adapter acknowledges
        the delivery only after this returns."""
        ...
