"""Where every webhook hands its messages: stored durably, then given to the inbox worker.

A webhook acknowledges only after :meth:`Intake.submit` returns, so an acknowledged message
is on disk even if the process dies the next instant.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from bot.contract.messages import Incoming
from bot.contract.telemetry import NO_TELEMETRY, Telemetry
from bot.delivery.batching import Batcher
from bot.delivery.inbox import accept_many
from bot.delivery.worker import Claimed, QueueWorker
from feedback.models import InboundMessage
from feedback.safe_text import has_controls, strip_controls
from feedback.store import Store

log = logging.getLogger(__name__)
_COLUMNS = InboundMessage.__table__.c  # type: ignore[attr-defined]
ID_LIMITS = {
    "channel": _COLUMNS.channel.type.length,
    "user_id": _COLUMNS.user_id.type.length,
    "message_id": _COLUMNS.platform_message_id.type.length,
}


def admissible(messages: Sequence[Incoming]) -> list[Incoming]:
    """The messages fit to store, their text and payload cleaned; a message whose platform
    ids are too long or hold control characters is left out with a logged reason (only
    what is wrong, never the ids or the text), so one bad event can't sink its batch."""
    kept = []
    for message in messages:
        problem = _id_problem(message)
        if problem is not None:
            log.warning("%s event refused: %s", message.channel[:32], problem)
            continue
        payload = strip_controls(message.payload) if message.payload is not None else None
        kept.append(replace(message, text=strip_controls(message.text), payload=payload))
    return kept


def _id_problem(message: Incoming) -> str | None:
    for name, limit in ID_LIMITS.items():
        value = getattr(message, name)
        if value is None:
            continue
        if len(value) > limit:
            return f"{name} is {len(value)} characters long (at most {limit})"
        if has_controls(value):
            return f"{name} holds control characters"
    return None


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
        """Persist ``messages``; returns how many were new (redeliveries are not). Text is
        cleaned of control characters; messages with unusable ids are left out (logged)."""
        messages = admissible(messages)
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
