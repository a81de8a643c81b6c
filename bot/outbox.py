"""The persistent outbox: a reply is stored before it is sent and retried with backoff, so a
platform outage delays replies but loses none, and each is sent once.

Each row is one platform call. Rows are claimed with a lease (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), and a citizen's replies go out in order: a later reply waits while an earlier one
is still pending.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterable, Mapping
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from bot.messages import Reply, reply_from_json, reply_to_json
from bot.worker import PollingWorker
from channels.base import PermanentFailure, RetryLater, Sender
from feedback.models import OutboxMessage, utcnow
from feedback.queues import claim_heads
from feedback.store import Store

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_BACKOFF = 300.0
MAX_ATTEMPTS = 50  # about four hours of retries at the backoff ceiling


def enqueue(session: Session, channel: str, user_id: str, replies: Iterable[Reply]) -> int:
    """Store replies for sending (inside the caller's transaction)."""
    count = 0
    for reply in replies:
        session.add(OutboxMessage(channel=channel, user_id=user_id, body=reply_to_json(reply)))
        count += 1
    return count


def backoff(attempts: int) -> float:
    """Seconds to wait after ``attempts`` failures: exponential with jitter, capped."""
    return min(MAX_BACKOFF, 2 ** min(attempts, 10)) * random.uniform(0.5, 1.0)


def claim(store: Store, limit: int = 64, lease: timedelta = LEASE) -> list[OutboxMessage]:
    """Claim due rows, the oldest unsent reply of each citizen only."""
    due = OutboxMessage.next_attempt_at <= utcnow()
    return claim_heads(store, OutboxMessage, lease, limit, due)  # type: ignore[return-value]


def pending_count(store: Store) -> int:
    with store.session() as session:
        query = select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")
        return int(session.exec(query).one())


class OutboxWorker(PollingWorker):
    """Sends due rows through each channel's sender."""

    def __init__(
        self,
        store: Store,
        senders: Mapping[str, Sender],
        metrics=None,
        retry_cap: float = MAX_BACKOFF,
        lease: timedelta = LEASE,
    ) -> None:
        super().__init__()
        self.retry_cap = retry_cap
        self.lease = lease
        self.store = store
        self.senders = senders
        self.metrics = metrics

    async def drain_once(self) -> bool:
        rows = await asyncio.to_thread(claim, self.store, 64, self.lease)
        if not rows:
            return False
        await asyncio.gather(*(self._deliver(row) for row in rows))
        return True

    async def _deliver(self, row: OutboxMessage) -> None:
        sender = self.senders.get(row.channel)
        outcome: tuple[str, float | None, str | None]
        if sender is None:
            outcome = ("retry", backoff(row.attempts + 1), f"no sender for {row.channel}")
        else:
            try:
                await sender.send(row.user_id, reply_from_json(row.body))
                outcome = ("sent", None, None)
            except RetryLater as exc:
                delay = exc.delay if exc.delay is not None else backoff(row.attempts + 1)
                outcome = ("retry", delay, str(exc))
            except PermanentFailure as exc:
                outcome = ("failed", None, str(exc))
            except Exception as exc:  # an unexpected client error: retry, but say so
                log.exception("sending outbox row %s failed", row.id)
                outcome = ("retry", backoff(row.attempts + 1), repr(exc))
        result, delay, error = outcome
        if delay is not None:
            delay = min(delay, self.retry_cap)
        await asyncio.to_thread(self._settle, row.id, result, delay, error)
        if self.metrics is not None:
            self.metrics.outbound(row.channel, outcome[0])

    def _settle(self, row_id: int, result: str, delay: float | None, error: str | None) -> None:
        with self.store.session() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return
            row.claimed_until = None
            row.last_error = error[:500] if error else None
            if result == "sent":
                row.status = "sent"
                row.sent_at = utcnow()
            elif result == "failed":
                row.status = "failed"
                log.warning("outbox row %s refused for good: %s", row_id, error)
            else:
                row.attempts += 1
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = "failed"
                else:
                    row.next_attempt_at = utcnow() + timedelta(seconds=delay or 1.0)
            session.add(row)
