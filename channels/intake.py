"""Where every webhook hands its messages: stored durably, then the inbox worker is woken.

A webhook acknowledges only after :meth:`Intake.submit` returns, so an acknowledged message
is on disk even if the process dies the next instant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.batching import Batcher
from bot.inbox import accept_many
from bot.messages import Incoming
from feedback.store import Store


class Intake:
    def __init__(self, store: Store, wake: Callable[[], None], metrics=None) -> None:
        self.store = store
        self.wake = wake
        self.metrics = metrics
        self._batches: Batcher[Sequence[Incoming], int] | None = None  # once the store is set

    async def submit(self, messages: Sequence[Incoming]) -> int:
        """Persist ``messages``; returns how many were new (redeliveries are not)."""
        if not messages:
            return 0
        if self._batches is None:
            self._batches = Batcher(self._accept, lanes=self.store.write_lanes)
        new = await self._batches.submit(messages)
        if self.metrics is not None:
            for message in messages:
                self.metrics.inbound(message.channel)
        if new:
            self.wake()
        return new

    def _accept(self, deliveries: Sequence[Sequence[Incoming]]) -> list[int]:
        # Concurrent webhooks share a transaction (group commit); each is acknowledged only
        # when the transaction holding its messages has committed.
        return accept_many(self.store, deliveries)
