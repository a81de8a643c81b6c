"""Background workers that drain a database queue, woken at once or by polling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

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
    """Keeps up to ``capacity`` claimed items in flight, each in its own task, and claims more
    as soon as one finishes, so a slow item (an encoder call, a slow platform) holds up no
    other. Subclasses implement :meth:`claim` and :meth:`process`."""

    def __init__(self, capacity: int, renew_every: float | None = None) -> None:
        super().__init__()
        self.capacity = capacity
        self.renew_every = renew_every
        self._tasks: dict[asyncio.Task, Any] = {}  # each in-flight item's task

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
        room = self.capacity - len(self._tasks)
        if room <= 0:
            return False  # a finishing item wakes the worker
        items = await self.claim(room)
        for item in items:
            task = asyncio.create_task(self.process(item))
            self._tasks[task] = item
            task.add_done_callback(self._finished)
        # Fewer than asked for: the queue is empty for now, and asking again at once would
        # only cost another (empty) claim; new work wakes the worker.
        return len(items) == room

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s item failed", type(self).__name__, exc_info=task.exception())
        self.wake()

    async def run(self, poll_seconds: float = 1.0) -> None:
        keeper = asyncio.create_task(self._keep_leases()) if self.renew_every else None
        try:
            await super().run(poll_seconds)
        finally:  # stopping: what is in flight keeps its lease and is taken up again later
            if keeper is not None:
                keeper.cancel()
            for task in list(self._tasks):
                task.cancel()
