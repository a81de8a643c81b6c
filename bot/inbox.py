"""The durable inbox: webhooks store messages here before acknowledging; a worker hands them
to the engine, and the engine's replies go to the outbox in the same transaction.

A message is handled exactly once: a redelivery hits the unique platform id, a crashed
worker's claim expires and another worker takes the message over, and marking it handled
commits together with the conversation and its replies.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.engine import Engine
from bot.messages import Incoming, Reply
from bot.outbox import enqueue
from bot.worker import PollingWorker
from feedback.models import Conversation, InboundMessage, utcnow
from feedback.queues import claim_heads
from feedback.store import Store

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)


def accept(store: Store, messages: Iterable[Incoming]) -> int:
    """Store messages durably; returns how many were new (redeliveries are skipped)."""
    new = 0
    with store.session() as session:
        for message in messages:
            row = InboundMessage(
                channel=message.channel,
                user_id=message.user_id,
                platform_message_id=message.message_id or uuid.uuid4().hex,
                text=message.text[:4000],
                payload=(message.payload or None) and message.payload[:256],
            )
            try:
                with session.begin_nested():
                    session.add(row)
                new += 1
            except IntegrityError:
                continue
    return new


def claim(store: Store, limit: int = 32, lease: timedelta = LEASE) -> list[InboundMessage]:
    """Claim the oldest pending message of each citizen (later ones wait their turn)."""
    return claim_heads(store, InboundMessage, lease, limit)  # type: ignore[return-value]


class InboxWorker(PollingWorker):
    """Hands pending messages to the engine, several citizens at a time."""

    def __init__(
        self,
        engine: Engine,
        split: Callable[[str, Reply], list[Reply]],
        on_enqueued: Callable[[], None] = lambda: None,
        concurrency: int = 8,
        metrics=None,
        lease: timedelta = LEASE,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.store = engine.store
        self.split = split
        self.on_enqueued = on_enqueued
        self.concurrency = concurrency
        self.metrics = metrics
        self.lease = lease

    async def drain_once(self) -> bool:
        """Claim and handle one batch; True if there was anything to do."""
        rows = await asyncio.to_thread(claim, self.store, self.concurrency * 4, self.lease)
        if not rows:
            return False
        semaphore = asyncio.Semaphore(self.concurrency)

        async def handle(row: InboundMessage) -> None:
            async with semaphore:
                await asyncio.to_thread(self._handle, row)

        await asyncio.gather(*(handle(row) for row in rows))
        self.on_enqueued()
        return True

    def _handle(self, row: InboundMessage) -> None:
        incoming = Incoming(
            row.channel, row.user_id, row.text, row.payload, row.platform_message_id
        )

        def after(session: Session, conversation: Conversation, replies: list[Reply]) -> None:
            pieces = [piece for reply in replies for piece in self.split(row.channel, reply)]
            enqueue(session, row.channel, row.user_id, pieces)
            done = session.get(InboundMessage, row.id)
            if done is not None:
                done.status = "done"
                done.handled_at = utcnow()
                session.add(done)

        started = time.perf_counter()
        try:
            self.engine.handle(incoming, after=after)
        except Exception:
            log.exception("could not handle inbound message %s; it will be retried", row.id)
            if self.metrics is not None:
                self.metrics.errors.labels("inbox").inc()
            return
        if self.metrics is not None:
            self.metrics.turn_seconds.observe(time.perf_counter() - started)
