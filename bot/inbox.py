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
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import Row, bindparam, update
from sqlmodel import Session

from bot.batching import Batcher
from bot.engine import AfterTurn, Engine, Prepared
from bot.messages import Incoming, Reply
from bot.outbox import INSERT_OUTBOX, outbox_rows
from bot.worker import PipelineWorker
from feedback.conversations import LockedConversation, lock_conversations
from feedback.models import InboundMessage, utcnow
from feedback.queues import claim_heads, renew_leases
from feedback.store import DeferredWrites, Store

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
_INBOX = InboundMessage.__table__  # type: ignore[attr-defined]
_HANDLED = (
    update(_INBOX)
    .where(_INBOX.c.id == bindparam("row_id"))
    .values(status="done", handled_at=bindparam("handled_at"))
)


def accept_many(store: Store, deliveries: Sequence[Sequence[Incoming]]) -> list[int]:
    """Store several webhook deliveries in one transaction; how many of each were new."""
    insert = store.insert_ignoring_duplicates(InboundMessage)
    counts = []
    with store.session() as session:
        connection = session.connection()
        for messages in deliveries:
            # One statement per row: a redelivered id is skipped without spoiling the rest.
            new = [connection.execute(insert, _row(m)).first() for m in messages]
            counts.append(sum(row is not None for row in new))
    return counts


def _row(message: Incoming) -> dict:
    return {
        "channel": message.channel,
        "user_id": message.user_id,
        "platform_message_id": message.message_id or uuid.uuid4().hex,
        "text": message.text[:4000],
        "payload": (message.payload or None) and message.payload[:256],
        "status": "pending",
        "attempts": 0,
        "received_at": utcnow(),
    }


def claim(store: Store, limit: int = 32, lease: timedelta = LEASE) -> list[Row]:
    """Claim the oldest pending message of each citizen (later ones wait their turn)."""
    return claim_heads(store, InboundMessage, lease, limit)


class InboxWorker(PipelineWorker):
    """Hands pending messages to the engine: each is prepared (recognised, searched) on its
    own thread, then its turn joins whatever other turns are ready in one transaction."""

    def __init__(
        self,
        engine: Engine,
        split: Callable[[str, Reply], list[Reply]],
        on_enqueued: Callable[[], None] = lambda: None,
        concurrency: int = 32,
        metrics=None,
        lease: timedelta = LEASE,
        preparers: int = 4,
    ) -> None:
        super().__init__(concurrency, renew_every=lease.total_seconds() / 3)
        self.engine = engine
        self.store = engine.store
        self.split = split
        self.on_enqueued = on_enqueued
        self.metrics = metrics
        self.lease = lease
        self.turns: Batcher[tuple[Row, Prepared], None] = Batcher(
            self._run_turns, lanes=self.store.write_lanes
        )
        self._preparers = asyncio.Semaphore(preparers)

    async def claim(self, room: int) -> list[Row]:
        return await asyncio.to_thread(claim, self.store, room, self.lease)

    async def renew(self, items: list[Row]) -> None:
        ids = [row.id for row in items]
        await asyncio.to_thread(renew_leases, self.store, InboundMessage, ids, self.lease)

    async def process(self, row: Row) -> None:
        incoming = Incoming(
            row.channel, row.user_id, row.text, row.payload, row.platform_message_id
        )
        started = time.perf_counter()
        try:
            async with self._preparers:
                prepared = await asyncio.to_thread(self.engine.prepare, incoming)
            await self.turns.submit((row, prepared))
        except Exception:
            log.exception("could not handle inbound message %s; it will be retried", row.id)
            if self.metrics is not None:
                self.metrics.errors.labels("inbox").inc()
            return
        self.on_enqueued()
        if self.metrics is not None:
            self.metrics.turn_seconds.observe(time.perf_counter() - started)

    def _run_turns(self, batch: Sequence[tuple[Row, Prepared]]) -> list[None]:
        """Several citizens' turns, one transaction: their replies are enqueued and their
        messages marked handled together with the conversations."""
        with self.store.session() as session:
            locked = lock_conversations(session, [(row.channel, row.user_id) for row, _ in batch])
            writes = DeferredWrites()  # each table written once for the whole batch
            for row, prepared in batch:
                conversation = locked[(row.channel, row.user_id)]
                self.engine.turn(session, prepared, self._after(row, writes), conversation, writes)
            writes.run(session)
        return [None] * len(batch)

    def _after(self, row: Row, writes: DeferredWrites) -> AfterTurn:
        def after(session: Session, conversation: LockedConversation, replies: list[Reply]) -> None:
            pieces = [piece for reply in replies for piece in self.split(row.channel, reply)]
            for values in outbox_rows(row.channel, row.user_id, pieces):
                writes.add(INSERT_OUTBOX, values)
            writes.add(_HANDLED, {"row_id": row.id, "handled_at": utcnow()})

        return after
