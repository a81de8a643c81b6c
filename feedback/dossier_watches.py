"""Dossier watches in the store: a citizen's "tell me when it changes", and the statements the
watch poller uses to share the polling between workers (FOR UPDATE SKIP LOCKED on
PostgreSQL, SQLite's single writer otherwise)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlmodel import Session, col
from sqlmodel import select as select_models

from feedback import dossier_events
from feedback.models import DossierWatch, OutboxMessage, table_of, utcnow
from feedback.store import Store

_WATCH = table_of(DossierWatch)
_OUTBOX = table_of(OutboxMessage)


@dataclass(frozen=True, slots=True)
class DueWatch:
    """A watch claimed for one check."""

    id: int
    channel: str
    user_id: str
    receipt_code: str
    language: str
    last_stage: str
    failures: int


def watch(
    session: Session, channel: str, user_id: str, code: str, stage: str, language: str
) -> None:
    """Start (or restart) watching ``code`` for this citizen, from ``stage``."""
    now = utcnow()
    row = session.exec(
        select_models(DossierWatch).where(
            col(DossierWatch.channel) == channel,
            col(DossierWatch.user_id) == user_id,
            col(DossierWatch.receipt_code) == code,
        )
    ).first()
    if row is None:
        row = DossierWatch(
            channel=channel, user_id=user_id, receipt_code=code, last_stage=stage, language=language
        )
    row.status, row.last_stage, row.language = "active", stage, language
    row.failures, row.next_check_at, row.note, row.updated_at = 0, now, None, now
    session.add(row)


def unwatch(session: Session, channel: str, user_id: str) -> int:
    """Stop every active watch of this citizen; how many were stopped."""
    result = session.connection().execute(
        update(_WATCH)
        .where(
            _WATCH.c.channel == channel,
            _WATCH.c.user_id == user_id,
            _WATCH.c.status == "active",
        )
        .values(status="stopped", updated_at=utcnow())
    )
    return result.rowcount or 0


def claim_due(store: Store, limit: int, lease: timedelta) -> list[DueWatch]:
    """Lease up to ``limit`` active watches that are due. Rows another worker holds are
    skipped, not waited for. A watch whose last notification failed for good (the platform's
    window closed, the citizen blocked the bot) is marked unreachable instead."""
    now = utcnow()
    with store.session() as session:
        connection = session.connection()
        unreachable = (
            select(_WATCH.c.id, _WATCH.c.channel, _WATCH.c.last_outbox_id, _OUTBOX.c.last_error)
            .join(_OUTBOX, _OUTBOX.c.id == _WATCH.c.last_outbox_id)
            .where(_WATCH.c.status.in_(("active", "closed")), _OUTBOX.c.status == "failed")
            .with_for_update(skip_locked=True, of=_WATCH)
        )
        for watch_id, channel, outbox_id, error in connection.execute(unreachable).all():
            connection.execute(
                update(_WATCH)
                .where(_WATCH.c.id == watch_id)
                .values(
                    status="unreachable",
                    note=f"couldn't notify: {error or 'refused'}"[:500],
                    updated_at=now,
                )
            )
            dossier_events.notification_refused(connection, channel, outbox_id)
        due = (
            select(_WATCH)
            .where(
                _WATCH.c.status == "active",
                _WATCH.c.next_check_at <= now,
                or_(_WATCH.c.claimed_until.is_(None), _WATCH.c.claimed_until < now),
            )
            .order_by(_WATCH.c.next_check_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = connection.execute(due).all()
        if rows:
            connection.execute(
                update(_WATCH)
                .where(_WATCH.c.id.in_([r.id for r in rows]))
                .values(claimed_until=now + lease)
            )
    return [
        DueWatch(r.id, r.channel, r.user_id, r.receipt_code, r.language, r.last_stage, r.failures)
        for r in rows
    ]


def record_change(
    session: Session, watch: DueWatch, stage: str, outbox_id: int | None, next_check: datetime
) -> bool:
    """Move the watch to ``stage`` if it is still at the stage it was claimed with (so one
    change is told once, whatever the workers do); closed when the dossier finished."""
    closed = stage in ("returned", "rejected")
    connection = session.connection()
    result = connection.execute(
        update(_WATCH)
        .where(
            _WATCH.c.id == watch.id,
            _WATCH.c.last_stage == watch.last_stage,
            _WATCH.c.status == "active",
        )
        .values(
            last_stage=stage,
            last_outbox_id=outbox_id,
            status="closed" if closed else "active",
            failures=0,
            next_check_at=next_check,
            claimed_until=None,
            updated_at=utcnow(),
        )
    )
    return bool(result.rowcount)


def reschedule(store: Store, watch: DueWatch, failures: int, next_check: datetime) -> None:
    """Check again at ``next_check`` (no change, or the system failed ``failures`` times)."""
    with store.session() as session:
        session.connection().execute(
            update(_WATCH)
            .where(_WATCH.c.id == watch.id)
            .values(failures=failures, next_check_at=next_check, claimed_until=None)
        )


def mark_contacted(session: Session, watch_id: int, staff: str) -> bool:
    """Staff reached the citizen another way: the watch leaves the "couldn't notify" list,
    with who did it and when kept in its note. False when no such watch waits for a call."""
    row = session.get(DossierWatch, watch_id)
    if row is None or row.status != "unreachable":
        return False
    now = utcnow()
    done = f"Đã liên hệ: {staff}, {now:%d/%m/%Y %H:%M} UTC"
    row.status, row.updated_at = "contacted", now
    row.note = f"{row.note} · {done}"[-500:] if row.note else done
    session.add(row)
    session.commit()
    return True


def unreachable(session: Session) -> list[DossierWatch]:
    """Watches whose citizen could not be told (for the staff)."""
    query = select_models(DossierWatch).where(col(DossierWatch.status) == "unreachable")
    return list(session.exec(query).all())
