"""Claiming work from the inbound and outbound queues: one citizen's items in order.

These are the hottest statements in the server (every message passes through both queues),
so they are built once, with parameters, and run on the session's connection: no ORM objects
are made, and SQLAlchemy compiles each statement once and caches it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import (
    BindParameter,
    Connection,
    Row,
    Select,
    Update,
    and_,
    bindparam,
    exists,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import aliased
from sqlmodel import col

from feedback.models import InboundMessage, OutboxMessage, table_of, utcnow
from feedback.store import Store

QueueModel = type[InboundMessage] | type[OutboxMessage]


@cache
def _statements(model: QueueModel, of_citizens: bool = False) -> tuple[Select, Update]:
    """The query for a queue's claimable heads and the update that leases them.

    Parameters: ``now``, ``limit`` (and with ``of_citizens``, ``channel`` and ``users``: the
    heads of those citizens only, each a seek in the queue index); then ``ids`` and ``until``
    for the lease.
    """
    table = table_of(model)
    earlier = aliased(model)
    blocked = exists().where(
        and_(
            col(earlier.channel) == col(model.channel),
            col(earlier.user_id) == col(model.user_id),
            col(earlier.status) == "pending",
            col(earlier.id) < col(model.id),
        )
    )
    now: BindParameter[datetime] = bindparam("now")
    conditions = [
        col(model.status) == "pending",
        or_(col(model.claimed_until).is_(None), col(model.claimed_until) < now),
        ~blocked,
    ]
    if model is OutboxMessage:
        conditions.append(col(OutboxMessage.next_attempt_at) <= now)  # retries wait their turn
    if of_citizens:
        conditions.append(col(model.channel) == bindparam("channel"))
        conditions.append(col(model.user_id).in_(bindparam("users", expanding=True)))
    heads = (
        select(table)
        .where(*conditions)
        .order_by(col(model.id))
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    if of_citizens:
        # Sorted by an expression no index provides: ordered by the id itself, SQLite's
        # planner (which has no statistics) reads every pending row through the one-column
        # status index to skip the sort, instead of seeking each citizen in the queue index.
        heads = heads.order_by(None).order_by(col(model.id) + 0)
    values: dict[str, object] = {"claimed_until": bindparam("until")}
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


def claim_heads_of(
    connection: Connection,
    model: QueueModel,
    citizens: Iterable[tuple[str, str]],
    lease: timedelta,
    limit: int,
    just_stored: bool = False,
) -> list[Row]:
    """Within the caller's transaction, lease the claimable head of each of ``citizens``
    (``(channel, user_id)`` pairs), at most ``limit`` rows, as :func:`claim_heads` would.

    For work made or finished in that transaction: the rows a webhook just stored, the
    replies a turn just queued, a citizen's next reply once the previous one is settled. The
    caller hands them to its worker in memory instead of the worker claiming them again.

    ``just_stored``: the caller has just stored rows for these citizens. On PostgreSQL a
    citizen's earlier row may be being settled at this moment by another transaction, whose
    claim of the citizen's next row cannot see ours, while ours still sees the earlier row
    pending: neither would claim the new row. Such citizens' pending rows are therefore
    locked (waiting for that transaction to end) and their heads claimed again. (SQLite
    runs one write transaction at a time, so there the first look is final.)
    """
    wanted = sorted(set(citizens))
    rows = _claim_of(connection, model, wanted, lease, limit)
    if just_stored and connection.dialect.name == "postgresql" and len(rows) < limit:
        claimed = {(row.channel, row.user_id) for row in rows}
        waiting = [citizen for citizen in wanted if citizen not in claimed]
        if waiting:
            connection.execute(_lock_pending(model), {"citizens": waiting}).all()
            rows += _claim_of(connection, model, waiting, lease, limit - len(rows))
    return rows


def _claim_of(
    connection: Connection,
    model: QueueModel,
    citizens: list[tuple[str, str]],
    lease: timedelta,
    limit: int,
) -> list[Row]:
    users_by_channel: dict[str, list[str]] = {}
    for channel, user_id in citizens:
        users_by_channel.setdefault(channel, []).append(user_id)
    heads, lease_them = _statements(model, of_citizens=True)
    now = utcnow()
    rows: list[Row] = []
    for channel, users in users_by_channel.items():
        if len(rows) >= limit:
            break
        params = {"now": now, "limit": limit - len(rows), "channel": channel, "users": users}
        rows += connection.execute(heads, params).all()
    if rows:
        connection.execute(lease_them, {"ids": [row.id for row in rows], "until": now + lease})
    return rows


@cache
def _lock_pending(model: QueueModel) -> Select:
    """``FOR UPDATE`` on the pending rows of ``citizens``, in id order: settling
    transactions update rows in id order too, so the two cannot deadlock."""
    table = table_of(model)
    citizen = tuple_(table.c.channel, table.c.user_id)
    return (
        select(table.c.id)
        .where(table.c.status == "pending", citizen.in_(bindparam("citizens", expanding=True)))
        .order_by(table.c.id)
        .with_for_update()
    )


def renew_leases(store: Store, model: QueueModel, ids: list[int], lease: timedelta) -> None:
    """Extend the lease of rows still in hand. Rows settled meanwhile are left alone: done,
    sent or failed ones by their status, ones given back for a retry by their cleared lease."""
    table = table_of(model)
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
