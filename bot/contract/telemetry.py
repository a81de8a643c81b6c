"""What the core and the adapters report while they work, and a recorder that ignores it.

The server's Prometheus :class:`~bot.shell.metrics.Metrics` implements :class:`Telemetry`;
code run without a server (tests, the console, benchmarks) gets :data:`NO_TELEMETRY`.
"""

from __future__ import annotations

from typing import Protocol


class Telemetry(Protocol):
    """Counters and timings, by channel."""

    def inbound(self, channel: str) -> None:
        """A citizen message was stored."""
        ...

    def outbound(self, channel: str, result: str) -> None:
        """A reply was settled: ``sent``, ``failed`` or ``retry``."""
        ...

    def webhook(self, channel: str, status: int) -> None:
        """A webhook request was answered with ``status``."""
        ...

    def error(self, where: str) -> None:
        """An unexpected error in ``where`` (``inbox``…)."""
        ...

    def turn(self, seconds: float) -> None:
        """One citizen message took ``seconds`` to handle."""
        ...

    def zalo_event_refused(self, reason: str) -> None:
        """A signed Zalo event was refused for its time: ``stale`` or ``future``."""
        ...


class NoTelemetry:
    """Records nothing."""

    def inbound(self, channel: str) -> None:
        pass

    def outbound(self, channel: str, result: str) -> None:
        pass

    def webhook(self, channel: str, status: int) -> None:
        pass

    def error(self, where: str) -> None:
        pass

    def turn(self, seconds: float) -> None:
        pass

    def zalo_event_refused(self, reason: str) -> None:
        pass


NO_TELEMETRY: Telemetry = NoTelemetry()
