"""Background workers that drain a database queue, woken at once or by polling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Row

from feedback.queues import QueueModel, claim_heads, claim_heads_of, renew_leases
from feedback.store import Store

log = logging.getLogger(__name__)


class PollingWorker:
    """Subclasses implement :meth:`drain_once`; :meth:`run` calls it until cancelled."""

    def __init__(self) -> None:
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Run the next pass now rather than at the next poll."""
        self._wake.set()

    async def drain_once(self) -> bool:
        """Do one batch of work; True if more may be waiting right away."""
        raise NotImplementedError

    async def run(self, poll_seconds: float = 1.0) -> None:
        while True:
            # Cleared before the pass, so a wake during it (new work, a finished item) is
            # not lost: the next pass starts at once instead of at the next poll.
            self._wake.clear()
            try:
                busy = await self.drain_once()
            except Exception:  # the database may be restarting: keep the worker alive
                log.exception("%s pass failed; retrying", type(self).__name__)
                busy = False
                await asyncio.sleep(1.0)
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), poll_seconds)


class PipelineWorker(PollingWorker):
    """Keeps up to ``capacity`` claimed items in flight, each in its own task, so a slow item
    (an encoder call, a slow platform) holds up no other. Subclasses implement :meth:`claim`
    and :meth:`process`.

    Most items arrive by hand: the transaction that makes work (a webhook storing a message,
    a turn queueing replies) or unblocks it (a citizen's previous item settled) claims it
    too and gives it here (:meth:`room`, :meth:`hand_over`), which spares a transaction of
    its own for each claim. The worker claims by itself at each poll (retries that came due,
    leases that ran out), when woken, and when items finish after its room ran out.
    """

    def __init__(self, capacity: int, renew_every: float | None = None) -> None:
        super().__init__()
        self.capacity = capacity
        self.renew_every = renew_every
        self._tasks: dict[asyncio.Task, Any] = {}  # each in-flight item's task
        self._running = False  # items are taken only while run() is under way
        self._backlog = False  # work may be waiting that nobody claimed for lack of room

    def room(self) -> int:
        """How many items a producer may claim for this worker now (read from any thread)."""
        return max(0, self.capacity - len(self._tasks)) if self._running else 0

    def hand_over(self, items: list[Any], room_filled: bool = False) -> None:
        """Take on ``items`` that a producer claimed for this worker; ``room_filled``: they
        filled the :meth:`room` it was given, so others may have been left unclaimed."""
        if not self._running:  # stopped meanwhile: their leases will run out
            return
        for item in items:
            self._start(item)
        if room_filled:
            self._backlog = True
            if self.room():
                self.wake()

    async def claim(self, room: int) -> list[Any]:
        """Lease up to ``room`` items."""
        raise NotImplementedError

    async def process(self, item: Any) -> None:
        """Handle one claimed item (errors are the subclass's to log)."""
        raise NotImplementedError

    async def renew(self, items: list[Any]) -> None:
        """Extend the lease of ``items``, still in hand (called every ``renew_every`` s)."""

    async def _keep_leases(self) -> None:
        """While items are in hand, keep their leases from running out: a lease then lapses
        only when its holder is gone or stalled for most of a lease, so a slow platform or a
        slow writer does not get an item taken over and done twice by another worker."""
        assert self.renew_every is not None
        while True:
            await asyncio.sleep(self.renew_every)
            items = list(self._tasks.values())
            if not items:
                continue
            try:
                await self.renew(items)
            except Exception:  # the database may be restarting; the next round tries again
                log.exception("%s could not renew its leases", type(self).__name__)

    async def drain_once(self) -> bool:
        room = self.room()
        if room == 0:
            self._backlog = True  # the next item to finish wakes the worker
            return False
        self._backlog = False
        items = await self.claim(room)
        for item in items:
            self._start(item)
        # As many as asked for: more may be waiting, so claim again as soon as there is room.
        # Fewer: the queue is empty for now; new work comes by hand or at the next poll.
        self._backlog = self._backlog or len(items) == room
        return len(items) == room

    def _start(self, item: Any) -> None:
        task = asyncio.create_task(self.process(item))
        self._tasks[task] = item
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s item failed", type(self).__name__, exc_info=task.exception())
        if self._backlog:
            self.wake()

    async def run(self, poll_seconds: float = 1.0) -> None:
        keeper = asyncio.create_task(self._keep_leases()) if self.renew_every else None
        self._running = True
        try:
            await super().run(poll_seconds)
        finally:  # stopping: what is in flight keeps its lease and is taken up again later
            self._running = False
            if keeper is not None:
                keeper.cancel()
            for task in list(self._tasks):
                task.cancel()


@dataclass(frozen=True)
class Claimed:
    """Queue rows a producer claimed for a :class:`QueueWorker` inside its own transaction,
    to be handed over (:meth:`QueueWorker.take`) once that transaction has committed."""

    rows: list[Row]
    room_filled: bool = False  # the worker's room ran out: others may be left unclaimed

    def of(self, citizen: tuple[str, str]) -> Claimed:
        """The part that is ``citizen``'s (``(channel, user_id)``)."""
        mine = [row for row in self.rows if (row.channel, row.user_id) == citizen]
        return Claimed(mine, self.room_filled)


NOTHING_CLAIMED = Claimed([])


class QueueWorker(PipelineWorker):
    """A :class:`PipelineWorker` over one of the store's queues (``model``): rows leased for
    ``lease``, renewed while in hand, the oldest pending row of each citizen first."""

    model: QueueModel

    def __init__(self, store: Store, capacity: int, lease: timedelta) -> None:
        super().__init__(capacity, renew_every=lease.total_seconds() / 3)
        self.store = store
        self.lease = lease

    async def claim(self, room: int) -> list[Row]:
        return await asyncio.to_thread(claim_heads, self.store, self.model, self.lease, room)

    async def renew(self, items: list[Row]) -> None:
        ids = [row.id for row in items]
        await asyncio.to_thread(renew_leases, self.store, self.model, ids, self.lease)

    def claim_alongside(
        self,
        connection: Connection,
        citizens: Iterable[tuple[str, str]],
        just_stored: bool = False,
    ) -> Claimed:
        """Inside a producer's transaction (any thread): claim for this worker the heads of
        ``citizens`` as far as its room goes (``just_stored``: see :func:`claim_heads_of`)."""
        room = self.room()
        if room == 0:
            return Claimed([], room_filled=True)
        rows = claim_heads_of(connection, self.model, citizens, self.lease, room, just_stored)
        return Claimed(rows, room_filled=len(rows) >= room)

    def take(self, claimed: Claimed) -> None:
        """On the event loop, once the claiming transaction has committed."""
        if claimed.rows or claimed.room_filled:
            self.hand_over(claimed.rows, claimed.room_filled)
