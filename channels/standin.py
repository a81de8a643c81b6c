"""Local stand-ins of the platforms' APIs: small aiohttp servers on loopback, faithful enough
that the real client code runs against them, with failure modes for tests and demos."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Faults:
    """Failures to inject into the next calls: ``failing`` calls answered by ``failure``,
    and a ``delay`` before every answer."""

    failing: int = 0
    failure: Callable[[], web.Response] | None = None
    delay: float = 0.0
    calls: int = 0

    def fail_next(self, count: int, failure: Callable[[], web.Response]) -> None:
        self.failing, self.failure = count, failure

    async def apply(self) -> web.Response | None:
        """Sleep if asked to; the injected failure if one is due, else None."""
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failing > 0 and self.failure is not None:
            self.failing -= 1
            return self.failure()
        return None


@dataclass
class StandIn:
    """Runs an aiohttp app on 127.0.0.1 (port 0 = any free port)."""

    app: web.Application
    host: str = "127.0.0.1"
    port: int = 0
    _runner: web.AppRunner | None = field(default=None, repr=False)

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
