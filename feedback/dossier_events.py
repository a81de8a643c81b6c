"""Dossier figures for the province's report: each status card shown (per channel) and each
status-change notification, kept as rows with no personal data so they outlive the purge
of old conversations. :func:`feedback.stats.province_report` counts them."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection

from feedback.models import DossierEvent, table_of, utcnow

LOOKUP = "lookup"  # a dossier's status card was shown
NOTIFIED = "notified"  # the watch poller queued a status-change message
UNREACHABLE = "unreachable"  # that message was refused for good
STAFF_CHANNEL = "staff"  # a lookup in the staff web's agent assist

_EVENT = table_of(DossierEvent)


def record(connection: Connection, kind: str, channel: str, outbox_id: int | None = None) -> None:
    """Count one event, in the caller's transaction."""
    connection.execute(
        insert(_EVENT).values(kind=kind, channel=channel, outbox_id=outbox_id, created_at=utcnow())
    )


def notification_refused(connection: Connection, channel: str, outbox_id: int | None) -> None:
    """The notification ending with outbox row ``outbox_id`` could not be delivered: count it
    as "couldn't notify" instead of "sent" (or add it, if it was queued before counting)."""
    if outbox_id is not None:
        result = connection.execute(
            update(_EVENT)
            .where(_EVENT.c.kind == NOTIFIED, _EVENT.c.outbox_id == outbox_id)
            .values(kind=UNREACHABLE)
        )
        if result.rowcount:
            return
    record(connection, UNREACHABLE, channel, outbox_id)
