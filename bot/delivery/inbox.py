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

from bot.contract.messages import Incoming, Reply, attachments_from_json, attachments_to_json
from bot.contract.telemetry import NO_TELEMETRY, Telemetry
from bot.conversation.engine import AfterTurn, Engine, Prepared
from bot.delivery.batching import Batcher
from bot.delivery.outbox import INSERT_OUTBOX, outbox_rows
from bot.delivery.worker import NOTHING_CLAIMED, Claimed, QueueWorker
from feedback.conversations import LockedConversation, lock_conversations
from feedback.models import InboundMessage, table_of, utcnow
from feedback.store import DeferredWrites, Store

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
_INBOX = table_of(InboundMessage)
_HANDLED = (
    update(_INBOX)
    .where(_INBOX.c.id == bindparam("row_id"))
    .values(status="done", handled_at=bindparam("handled_at"))
)


def accept_many(
    store: Store,
    deliveries: Sequence[Sequence[Incoming]],
    inbox: QueueWorker | None = None,
) -> list[tuple[int, Claimed]]:
    """Store several webhook deliveries in one transaction; for each, how many of its
    messages were new, and (given the ``inbox`` worker) the new ones claimed for it there
    and then: the head of each citizen, as far as the worker has room."""
    insert = store.insert_ignoring_duplicates(InboundMessage)
    counts = []
    stored: list[Incoming] = []
    claimed = NOTHING_CLAIMED
    with store.session() as session:
        connection = session.connection()
        for messages in deliveries:
            # One statement per row: a redelivered id is skipped without spoiling the rest.
            new = [connection.execute(insert, _row(m)).first() for m in messages]
            counts.append(sum(row is not None for row in new))
            stored.extend(m for m, row in zip(messages, new, strict=True) if row is not None)
        if inbox is not None and stored:
            citizens = [(m.channel, m.user_id) for m in stored]
            claimed = inbox.claim_alongside(connection, citizens, just_stored=True)
    return _share(deliveries, counts, claimed)


def _share(
    deliveries: Sequence[Sequence[Incoming]], counts: list[int], claimed: Claimed
) -> list[tuple[int, Claimed]]:
    """Each claimed row goes back with the first delivery that brought its citizen."""
    results = []
    left = list(claimed.rows)
    for messages, count in zip(deliveries, counts, strict=True):
        citizens = {(m.channel, m.user_id) for m in messages}
        mine = [row for row in left if (row.channel, row.user_id) in citizens]
        left = [row for row in left if (row.channel, row.user_id) not in citizens]
        results.append((count, Claimed(mine, claimed.room_filled)))
    return results


def _row(message: Incoming) -> dict:
    return {
        "channel": message.channel,
        "user_id": message.user_id,
        "platform_message_id": message.message_id or uuid.uuid4().hex,
        "text": message.text[:4000],
        "payload": (message.payload or None) and message.payload[:256],
        "attachments": attachments_to_json(message.attachments),
        "status": "pending",
        "attempts": 0,
        "received_at": utcnow(),
    }


class InboxWorker(QueueWorker):
    """Hands pending messages to the engine: each is prepared (recognised, searched) on its
    own thread, then its turn joins whatever other turns are ready in one transaction.

    That transaction also claims what the turns made ready: the replies they queued (for
    ``outbox``) and each citizen's next message, if one is waiting.
    """

    model = InboundMessage

    def __init__(
        self,
        engine: Engine,
        split: Callable[[str, Reply], list[Reply]],
        outbox: QueueWorker | None = None,
        concurrency: int = 32,
        metrics: Telemetry = NO_TELEMETRY,
        lease: timedelta = LEASE,
        preparers: int = 4,
    ) -> None:
        super().__init__(engine.store, concurrency, lease)
        self.engine = engine
        self.split = split
        self.outbox = outbox
        self.metrics = metrics
        self.turns: Batcher[tuple[Row, Prepared], tuple[Claimed, Claimed]] = Batcher(
            self._run_turns, lanes=self.store.write_lanes
        )
        self._preparers = asyncio.Semaphore(preparers)

    async def process(self, row: Row) -> None:
        incoming = Incoming(
            row.channel,
            row.user_id,
            row.text,
            row.payload,
            row.platform_message_id,
            attachments=attachments_from_json(row.attachments),
        )
        started = time.perf_counter()
        try:
            async with self._preparers:
                prepared = await asyncio.to_thread(self.engine.prepare, incoming)
            replies, next_message = await self.turns.submit((row, prepared))
        except Exception:
            log.exception("could not handle inbound message %s; it will be retried", row.id)
            self.metrics.error("inbox")
            return
        if self.outbox is not None:
            self.outbox.take(replies)
        self.take(next_message)
        self.metrics.turn(time.perf_counter() - started)

    def _run_turns(self, batch: Sequence[tuple[Row, Prepared]]) -> list[tuple[Claimed, Claimed]]:
        """Several citizens' turns, one transaction: their replies are enqueued and their
        messages marked handled together with the conversations. For each turn, what it
        made ready, claimed in the same transaction: the citizen's first reply (for the
        outbox) and next message."""
        citizens = [(row.channel, row.user_id) for row, _ in batch]
        replies = messages = NOTHING_CLAIMED
        with self.store.session() as session:
            locked = lock_conversations(session, citizens)
            writes = DeferredWrites()  # each table written once for the whole batch
            # In id order, as every transaction that locks queue rows takes them.
            for row, prepared in sorted(batch, key=lambda item: item[0].id):
                conversation = locked[(row.channel, row.user_id)]
                self.engine.turn(session, prepared, self._after(row, writes), conversation, writes)
            writes.run(session)
            connection = session.connection()
            if self.outbox is not None:
                replies = self.outbox.claim_alongside(connection, citizens, just_stored=True)
            messages = self.claim_alongside(connection, citizens)
        return [(replies.of(citizen), messages.of(citizen)) for citizen in citizens]

    def _after(self, row: Row, writes: DeferredWrites) -> AfterTurn:
        def after(session: Session, conversation: LockedConversation, replies: list[Reply]) -> None:
            pieces = [piece for reply in replies for piece in self.split(row.channel, reply)]
            for values in outbox_rows(row.channel, row.user_id, pieces):
                writes.add(INSERT_OUTBOX, values)
            writes.add(_HANDLED, {"row_id": row.id, "handled_at": utcnow()})

        return after
