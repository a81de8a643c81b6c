"""Claiming work from the inbound and outbound queues: one citizen's items in order.

These are the hottest statements in the server (every message passes through both queues),
so they are built once, with parameters, and run on the session's connection: no ORM objects
are made, and SQLAlchemy compiles each statement once and caches it.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import Row, Select, Update, and_, bindparam, exists, or_, select, update
from sqlalchemy.orm import aliased

from feedback.models import InboundMessage, OutboxMessage, utcnow
from feedback.store import Store

QueueModel = type[InboundMessage] | type[OutboxMessage]


@cache
def _statements(model: QueueModel) -> tuple[Select, Update]:
    """The query for a queue's claimable heads and the update that leases them.

    Parameters: ``now``, ``limit``; then ``ids`` and ``until`` for the lease.
    """
    table = model.__table__  # type: ignore[attr-defined]
    earlier = aliased(model)
    blocked = exists().where(
        and_(
            earlier.channel == model.channel,
            earlier.user_id == model.user_id,
            earlier.status == "pending",
            earlier.id < model.id,
        )
    )
    now = bindparam("now")
    conditions = [
        model.status == "pending",
        or_(model.claimed_until.is_(None), model.claimed_until < now),
        ~blocked,
    ]
    if model is OutboxMessage:
        conditions.append(OutboxMessage.next_attempt_at <= now)  # retries wait their turn
    heads = (
        select(table)
        .where(*conditions)
        .order_by(model.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    values = {"claimed_until": bindparam("until")}
    if model is InboundMessage:
        values["attempts"] = table.c.attempts + 1
    lease = update(table).where(table.c.id.in_(bindparam("ids", expanding=True))).values(values)
    return heads, lease


def claim_heads(store: Store, model: QueueModel, lease: timedelta, limit: int) -> list[Row]:
    """Lease the oldest pending row of each citizen, oldest first (outbound rows only once
    their retry time has come).

    A later row of the same citizen waits until the earlier one is settled, so work for one
    citizen never overtakes itself; rows leased by a worker that died become free again when
    the lease runs out. On PostgreSQL rows are locked ``FOR UPDATE SKIP LOCKED`` so concurrent
    workers take different rows; on SQLite the write transaction is exclusive anyway.
    Returns the rows as they were before the lease (attribute access by column name).
    """
    heads, lease_them = _statements(model)
    now = utcnow()
    with store.session() as session:
        connection = session.connection()
        rows = list(connection.execute(heads, {"now": now, "limit": limit}).all())
        if rows:
            connection.execute(lease_them, {"ids": [row.id for row in rows], "until": now + lease})
    return rows


def renew_leases(store: Store, model: QueueModel, ids: list[int], lease: timedelta) -> None:
    """Extend the lease of rows still in hand. Rows settled meanwhile are left alone: done,
    sent or failed ones by their status, ones given back for a retry by their cleared lease."""
    table = model.__table__  # type: ignore[attr-defined]
    renew = (
        update(table)
        .where(
            table.c.id.in_(bindparam("ids", expanding=True)),
            table.c.status == "pending",
            table.c.claimed_until.is_not(None),
        )
        .values(claimed_until=bindparam("until"))
    )
    with store.session() as session:
        session.connection().execute(renew, {"ids": ids, "until": utcnow() + lease})
