"""Group commit: many small units of database work, one transaction.

Webhooks storing a message, turns of different citizens, and outbox rows being settled each
need only a few statements; what costs is everything around them (beginning and committing a
transaction, waiting for SQLite's single writer, handing work to a thread and back). A
:class:`Batcher` queues what callers submit and runs everything that has piled up while the
previous batch was busy as one batch, in one worker thread call. Under light load a batch is
one item and nothing waits; under heavy load batches grow and the per-item cost falls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)


class Batcher(Generic[T, R]):
    """Runs ``run_batch(items) -> results`` (one result per item, same order) in a thread.

    If a batch raises, each of its items is run again on its own, so one bad item fails only
    its own caller. Up to ``lanes`` batches run at once: one for SQLite (its writer is single
    anyway), several for PostgreSQL, whose transactions overlap their round trips.
    """

    def __init__(
        self,
        run_batch: Callable[[Sequence[T]], Sequence[R]],
        max_size: int = 64,
        lanes: int = 1,
    ):
        self.run_batch = run_batch
        self.max_size = max_size
        self.lanes = lanes
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._running: set[asyncio.Task] = set()

    async def submit(self, item: T) -> R:
        """Queue ``item``; returns its result once its batch has committed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if len(self._running) < self.lanes:
            self._running.add(asyncio.create_task(self._drain()))
        return await future

    async def _drain(self) -> None:
        try:
            await self._drain_waiting()
        finally:
            # Leave the lanes in the same step as the last look at the queue: a done-callback
            # would run a step later, and an item submitted in between would find every lane
            # taken and wait for a drain that never comes.
            self._running.discard(asyncio.current_task())

    async def _drain_waiting(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.max_size]
            del self._waiting[: self.max_size]
            items = [item for item, _ in batch]
            try:
                results = await asyncio.to_thread(self._run, items)
            except BaseException as exc:  # cancelled: tell the callers, then stop
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                raise
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, _Failed):
                    future.set_exception(result.error)
                else:
                    future.set_result(result)

    def _run(self, items: list[T]) -> list[R | _Failed]:
        try:
            return list(self.run_batch(items))
        except Exception as exc:
            if len(items) == 1:
                return [_Failed(exc)]
        results: list[R | _Failed] = []
        for item in items:  # isolate the item that failed
            try:
                results.extend(self.run_batch([item]))
            except Exception as exc:
                results.append(_Failed(exc))
        return results


class _Failed:
    """An item's exception, carried back to its caller."""

    def __init__(self, error: Exception) -> None:
        self.error = error
