"""A background worker that drains a database queue, woken at once or by polling."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


class PollingWorker:
    """Subclasses implement :meth:`drain_once`; :meth:`run` calls it until cancelled."""

    def __init__(self) -> None:
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Run the next pass now rather than at the next poll."""
        self._wake.set()

    async def drain_once(self) -> bool:
        """Do one batch of work; True if there was any."""
        raise NotImplementedError

    async def run(self, poll_seconds: float = 1.0) -> None:
        while True:
            try:
                busy = await self.drain_once()
            except Exception:  # the database may be restarting: keep the worker alive
                log.exception("%s pass failed; retrying", type(self).__name__)
                busy = False
                await asyncio.sleep(1.0)
            if not busy:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), poll_seconds)
