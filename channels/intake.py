"""Where every webhook hands its messages: stored durably, then given to the inbox worker.

A webhook acknowledges only after :meth:`Intake.submit` returns, so an acknowledged message
is on disk even if the process dies the next instant.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.batching import Batcher
from bot.inbox import accept_many
from bot.messages import Incoming
from bot.telemetry import NO_TELEMETRY, Telemetry
from bot.worker import Claimed, QueueWorker
from feedback.store import Store


class Intake:
    """Stores webhook messages; the transaction that stores them also claims them for the
    ``inbox`` worker (each citizen's oldest pending message, as far as it has room), which
    takes them over in memory once that transaction has committed."""

    def __init__(
        self, store: Store, inbox: QueueWorker | None = None, metrics: Telemetry = NO_TELEMETRY
    ) -> None:
        self.store = store
        self.inbox = inbox
        self.metrics = metrics
        self._batches: Batcher[Sequence[Incoming], tuple[int, Claimed]] = Batcher(
            self._accept, lanes=store.write_lanes
        )

    async def submit(self, messages: Sequence[Incoming]) -> int:
        """Persist ``messages``; returns how many were new (redeliveries are not)."""
        if not messages:
            return 0
        new, claimed = await self._batches.submit(messages)
        for message in messages:
            self.metrics.inbound(message.channel)
        if self.inbox is not None:
            self.inbox.take(claimed)
        return new

    def _accept(self, deliveries: Sequence[Sequence[Incoming]]) -> list[tuple[int, Claimed]]:
        # Concurrent webhooks share a transaction (group commit); each is acknowledged only
        # when the transaction holding its messages has committed.
        return accept_many(self.store, deliveries, self.inbox)
