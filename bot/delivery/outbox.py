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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Row, bindparam, func, insert, update
from sqlmodel import Session, col, select

from bot.contract.messages import Reply, reply_from_json, reply_to_json
from bot.contract.sending import PermanentFailure, RetryLater, Sender
from bot.contract.telemetry import NO_TELEMETRY, Telemetry
from bot.delivery.batching import Batcher
from bot.delivery.sent_journal import SentJournal, discard, orphaned_records, release
from bot.delivery.worker import NOTHING_CLAIMED, Claimed, QueueWorker
from feedback.models import OutboxMessage, table_of, utcnow
from feedback.queues import claim_heads
from feedback.store import Store

log = logging.getLogger(__name__)
_OUTBOX = table_of(OutboxMessage)
_SETTLE = update(_OUTBOX).where(_OUTBOX.c.id == bindparam("row_id"))  # SET from the parameters
LEASE = timedelta(seconds=60)
MAX_BACKOFF = 300.0
MAX_ATTEMPTS = 50  # about four hours of retries at the backoff ceiling


def enqueue(session: Session, channel: str, user_id: str, replies: Iterable[Reply]) -> int:
    """Store replies for sending (inside the caller's transaction)."""
    rows = outbox_rows(channel, user_id, replies)
    if rows:
        session.connection().execute(INSERT_OUTBOX, rows)
    return len(rows)


INSERT_OUTBOX = insert(_OUTBOX)


def outbox_rows(channel: str, user_id: str, replies: Iterable[Reply]) -> list[dict]:
    """The :data:`INSERT_OUTBOX` parameters that queue ``replies`` for one citizen."""
    now = utcnow()
    return [
        {
            "channel": channel,
            "user_id": user_id,
            "body": reply_to_json(reply),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for reply in replies
    ]


def backoff(attempts: int) -> float:
    """Seconds to wait after ``attempts`` failures: exponential with jitter, capped."""
    return min(MAX_BACKOFF, 2 ** min(attempts, 10)) * random.uniform(0.5, 1.0)


def claim(store: Store, limit: int = 64, lease: timedelta = LEASE) -> list[Row]:
    """Claim due rows, the oldest unsent reply of each citizen only."""
    return claim_heads(store, OutboxMessage, lease, limit)


def pending_count(store: Store) -> int:
    with store.session() as session:
        query = select(func.count(col(OutboxMessage.id))).where(
            col(OutboxMessage.status) == "pending"
        )
        return int(session.exec(query).one())


def mark_journalled_sent(store: Store, directory: Path) -> int:
    """Mark sent the rows that stopped servers journalled as accepted by their platforms."""
    ids, taken = orphaned_records(directory, store.url)
    ordered = sorted(ids)
    try:
        if ordered:
            with store.session() as session:
                connection = session.connection()
                for start in range(0, len(ordered), 500):
                    connection.execute(
                        update(_OUTBOX)
                        .where(
                            _OUTBOX.c.id.in_(ordered[start : start + 500]),
                            _OUTBOX.c.status == "pending",
                        )
                        .values(status="sent", sent_at=utcnow(), claimed_until=None)
                    )
    except BaseException:
        release(taken)
        raise
    discard(taken)
    return len(ids)


class OutboxWorker(QueueWorker):
    """Sends due rows through each channel's sender; settles them in batches, each batch
    claiming in the same transaction the next reply of the citizens it settled."""

    model = OutboxMessage

    def __init__(
        self,
        store: Store,
        senders: Mapping[str, Sender],
        metrics: Telemetry = NO_TELEMETRY,
        retry_cap: float = MAX_BACKOFF,
        lease: timedelta = LEASE,
        concurrency: int = 64,
        journal: SentJournal | None = None,
    ) -> None:
        super().__init__(store, concurrency, lease)
        self.journal = journal
        self.retry_cap = retry_cap
        self.senders = senders
        self.metrics = metrics
        self.settlements: Batcher[Settlement, Claimed] = Batcher(
            self._settle, lanes=store.write_lanes
        )

    async def run(self, poll_seconds: float = 1.0) -> None:
        if self.journal is not None:  # what dead servers sent must not go out again
            await self._mark_journalled_sent()
        await super().run(poll_seconds)

    async def _mark_journalled_sent(self) -> None:
        """Before the first claim, and until the database lets it happen."""
        assert self.journal is not None
        while True:
            try:
                recovered = await asyncio.to_thread(
                    mark_journalled_sent, self.store, self.journal.directory
                )
            except Exception:  # the database may be starting: claims would fail too
                log.exception("marking journalled sends failed; retrying")
                await asyncio.sleep(1.0)
                continue
            if recovered:
                log.info("%d replies journalled by a stopped server marked sent", recovered)
            return

    async def process(self, row: Row) -> None:
        sender = self.senders.get(row.channel)
        outcome: tuple[str, float | None, str | None]
        journal_file: Path | None = None
        if row.claimed_until is not None and await self._already_sent(row):
            # A lease that ran out while the reply, already accepted by its platform, waited
            # for its "sent" mark: settle it, don't send it twice.
            log.info("outbox row %s was sent by a server whose lease ran out", row.id)
            outcome = ("sent", None, None)
        elif sender is None:
            outcome = ("retry", backoff(row.attempts + 1), f"no sender for {row.channel}")
        else:
            try:
                await sender.send(row.user_id, reply_from_json(row.body))
                if self.journal is not None:
                    journal_file = self.journal.record(row.id)
                outcome = ("sent", None, None)
            except RetryLater as exc:
                wait = exc.delay if exc.delay is not None else backoff(row.attempts + 1)
                outcome = ("retry", wait, str(exc))
            except PermanentFailure as exc:
                log.warning("outbox row %s refused for good: %s", row.id, exc)
                outcome = ("failed", None, str(exc))
            except Exception as exc:  # an unexpected client error: retry, but say so
                log.exception("sending outbox row %s failed", row.id)
                outcome = ("retry", backoff(row.attempts + 1), repr(exc))
        result, delay, error = outcome
        if delay is not None:
            delay = min(delay, self.retry_cap)
        next_reply = await self.settlements.submit(
            Settlement(row, result, delay, error, journal_file)
        )
        self.metrics.outbound(row.channel, result)
        self.take(next_reply)

    async def _already_sent(self, row: Row) -> bool:
        """Whether a journal (of any server on this data directory) records the row as sent;
        only rows taken over from an earlier lease are looked up."""
        if self.journal is None:
            return False
        return await asyncio.to_thread(self.journal.anywhere, row.id)

    def _settle(self, batch: Sequence[Settlement]) -> list[Claimed]:
        """Settle a batch of sends; claim the next reply of each citizen whose reply went
        out or failed for good (one to be retried still blocks the citizen's later ones)."""
        done = [(s.row.channel, s.row.user_id) for s in batch if s.result != "retry"]
        claimed = NOTHING_CLAIMED
        with self.store.session() as session:
            connection = session.connection()
            # In id order, as every transaction that locks queue rows takes them.
            for settlement in sorted(batch, key=lambda s: s.row.id):
                connection.execute(_SETTLE, {"row_id": settlement.row.id, **settlement.values()})
            if done:
                claimed = self.claim_alongside(connection, done)
        if self.journal is not None:
            self.journal.settled(s.journalled for s in batch if s.journalled is not None)
        return [claimed.of((s.row.channel, s.row.user_id)) for s in batch]


@dataclass(frozen=True)
class Settlement:
    """What became of one send: sent, failed for good, or to retry after ``delay``."""

    row: Row
    result: str
    delay: float | None
    error: str | None
    journalled: Path | None = None  # the journal file recording the send, if any

    def values(self) -> dict:
        """The outbox row's new column values."""
        row, error = self.row, self.error
        values: dict = {"claimed_until": None, "last_error": error[:500] if error else None}
        if self.result == "sent":
            values.update(status="sent", sent_at=utcnow())
        elif self.result == "failed":
            values.update(status="failed")
        elif row.attempts + 1 >= MAX_ATTEMPTS:
            values.update(status="failed", attempts=row.attempts + 1)
        else:
            retry_at = utcnow() + timedelta(seconds=self.delay or 1.0)
            values.update(attempts=row.attempts + 1, next_attempt_at=retry_at)
        return values
