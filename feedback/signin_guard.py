"""Throttling staff sign-in: growing delays after wrong passwords, per account and per client
address, and a temporary lock after repeated failures. Every attempt is a row, so the workers
of one deployment share the counts; an attempt refused by the throttle is recorded but not
counted against the account (so an attacker cannot keep a lock going by knocking on it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from feedback.models import SignInAttempt, utcnow


@dataclass(frozen=True)
class SignInPolicy:
    """How hard guessing is made. Failures count within ``window``; after ``free`` of them
    each next try must wait ``base_delay`` doubled per further failure (capped at
    ``max_delay``); at ``lock_after`` the account (or ``address_lock_after``, the address) is
    locked for ``lock``."""

    free: int = 3
    base_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(seconds=60)
    lock_after: int = 10
    address_free: int = 10
    address_lock_after: int = 30
    lock: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(minutes=15)

    def wait(self, failures: int, free: int, lock_after: int) -> timedelta:
        """How long after the last failure the next try may come."""
        if failures >= lock_after:
            return self.lock
        if failures < free:
            return timedelta(0)
        return min(self.base_delay * 2 ** (failures - free), self.max_delay)


def account_key(username: str) -> str:
    """The form in which usernames are compared and recorded."""
    return username.strip().lower()[:64]


def _failures(
    session: Session, column: Any, value: str, since: datetime
) -> tuple[int, datetime | None]:
    row = session.exec(
        select(func.count(), func.max(SignInAttempt.created_at)).where(
            column == value, SignInAttempt.result == "wrong", SignInAttempt.created_at >= since
        )
    ).one()
    return int(row[0]), row[1]


def allowed(session: Session, username: str, address: str, policy: SignInPolicy) -> bool:
    """Whether a try for ``username`` from ``address`` may be checked now."""
    now = utcnow()
    since = now - policy.window
    last_ok = session.exec(
        select(func.max(SignInAttempt.created_at)).where(
            SignInAttempt.username == account_key(username), SignInAttempt.result == "ok"
        )
    ).one()
    if last_ok is not None:
        since = max(since, _aware(last_ok))
    checks = (
        (SignInAttempt.username, account_key(username), since, policy.free, policy.lock_after),
        (
            SignInAttempt.address,
            address[:64],
            now - policy.window,
            policy.address_free,
            policy.address_lock_after,
        ),
    )
    for column, value, start, free, lock_after in checks:
        failures, last = _failures(session, column, value, start)
        if last is not None and now < _aware(last) + policy.wait(failures, free, lock_after):
            return False
    return True


KEEP = timedelta(days=30)  # attempts older than this are deleted at each successful sign-in


def record(session: Session, username: str, address: str, result: str) -> None:
    """Record one attempt: ``ok``, ``wrong`` or ``refused`` (a success also forgets attempts
    older than :data:`KEEP`)."""
    if result == "ok":
        session.exec(delete(SignInAttempt).where(col(SignInAttempt.created_at) < utcnow() - KEEP))
    attempt = SignInAttempt(username=account_key(username), address=address[:64], result=result)
    session.add(attempt)
    session.flush()


def failed_since_last_sign_in(session: Session, username: str) -> int:
    """Wrong or refused tries for ``username`` since its previous successful sign-in (call
    before recording the new one)."""
    key = account_key(username)
    last_ok = session.exec(
        select(func.max(SignInAttempt.created_at)).where(
            SignInAttempt.username == key, SignInAttempt.result == "ok"
        )
    ).one()
    query = select(func.count()).where(SignInAttempt.username == key, SignInAttempt.result != "ok")
    if last_ok is not None:
        query = query.where(SignInAttempt.created_at > last_ok)
    return int(session.exec(query).one())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
