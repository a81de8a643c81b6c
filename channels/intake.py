"""Where every webhook hands its messages: stored durably, then the inbox worker is woken.

A webhook acknowledges only after :meth:`Intake.submit` returns, so an acknowledged message
is on disk even if the process dies the next instant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from bot.inbox import accept
from bot.messages import Incoming
from feedback.store import Store


class Intake:
    def __init__(self, store: Store, wake: Callable[[], None], metrics=None) -> None:
        self.store = store
        self.wake = wake
        self.metrics = metrics

    async def submit(self, messages: Sequence[Incoming]) -> int:
        """Persist ``messages``; returns how many were new (redeliveries are not)."""
        if not messages:
            return 0
        new = await asyncio.to_thread(accept, self.store, messages)
        if self.metrics is not None:
            for message in messages:
                self.metrics.inbound(message.channel)
        if new:
            self.wake()
        return new
