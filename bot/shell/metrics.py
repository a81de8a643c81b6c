"""Prometheus metrics for one app: messages in and out per channel, latency, outbox depth.

:class:`Metrics` is the server's :class:`~bot.contract.telemetry.Telemetry`."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """One registry per app (several apps may run in one process, as in the tests)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages_in = Counter(
            "motcua_messages_in", "Citizen messages received", ["channel"], registry=self.registry
        )
        self.messages_out = Counter(
            "motcua_messages_out",
            "Replies settled by the outbox, by result",
            ["channel", "result"],
            registry=self.registry,
        )
        self.webhooks = Counter(
            "motcua_webhook_requests",
            "Webhook requests by status",
            ["channel", "status"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "motcua_turn_seconds",
            "Time to handle one citizen message (engine and store)",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.outbox_depth = Gauge(
            "motcua_outbox_depth", "Replies waiting to be sent", registry=self.registry
        )
        self.searches = Gauge(
            "motcua_retrieval_searches", "Searches since start", registry=self.registry
        )
        self.encoder_calls = Gauge(
            "motcua_retrieval_encoder_calls",
            "Searches that needed the encoder (not decisive lexically, not cached)",
            registry=self.registry,
        )
        self.zalo_refused = Counter(
            "motcua_zalo_events_refused",
            "Signed Zalo events refused for their timestamp (stale: replay window; future)",
            ["reason"],
            registry=self.registry,
        )
        self.errors = Counter(
            "motcua_errors", "Unexpected errors", ["where"], registry=self.registry
        )

    def inbound(self, channel: str) -> None:
        self.messages_in.labels(channel).inc()

    def outbound(self, channel: str, result: str) -> None:
        self.messages_out.labels(channel, result).inc()

    def webhook(self, channel: str, status: int) -> None:
        self.webhooks.labels(channel, str(status)).inc()

    def error(self, where: str) -> None:
        self.errors.labels(where).inc()

    def zalo_event_refused(self, reason: str) -> None:
        self.zalo_refused.labels(reason).inc()

    def turn(self, seconds: float) -> None:
        self.turn_seconds.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
