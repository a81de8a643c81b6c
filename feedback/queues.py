"""Claiming work from the inbound and outbound queues: one citizen's items in order."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from feedback.models import InboundMessage, OutboxMessage, utcnow
from feedback.store import Store

QueueRow = InboundMessage | OutboxMessage


def claim_heads(
    store: Store, model: type[QueueRow], lease: timedelta, limit: int, *conditions
) -> list[QueueRow]:
    """Lease the oldest pending row of each citizen (matching ``conditions``), oldest first.

    A later row of the same citizen waits until the earlier one is settled, so work for one
    citizen never overtakes itself; rows leased by a worker that died become free again when
    the lease runs out. On PostgreSQL rows are locked ``FOR UPDATE SKIP LOCKED`` so concurrent
    workers take different rows; on SQLite the write transaction is exclusive anyway.
    """
    now = utcnow()
    earlier = aliased(model)
    blocked = exists().where(
        and_(
            earlier.channel == model.channel,
            earlier.user_id == model.user_id,
            earlier.status == "pending",
            earlier.id < model.id,
        )
    )
    query = (
        select(model)
        .where(
            model.status == "pending",
            or_(model.claimed_until.is_(None), model.claimed_until < now),
            ~blocked,
            *conditions,
        )
        .order_by(model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with store.session() as session:
        rows = list(session.exec(query).all())
        for row in rows:
            row.claimed_until = now + lease
            if isinstance(row, InboundMessage):
                row.attempts += 1
            session.add(row)
    return rows
