"""Staff and admin accounts: argon2-hashed passwords, roles, server-side sessions.

Changing an account's password, role or standing ends every session it has open.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from feedback.models import StaffSession, StaffUser, utcnow

ROLES = ("staff", "admin")
_hasher = PasswordHasher()
MIN_PASSWORD = 10


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"vai trò phải là một trong: {', '.join(ROLES)}")


def add_user(
    session: Session, username: str, password: str, role: str = "staff", display_name: str = ""
) -> StaffUser:
    """Create an account; refuses unknown roles, short passwords and taken usernames."""
    _check_role(role)
    _check_password(password)
    username = username.strip().lower()
    if not username.isascii() or not username.replace(".", "").replace("-", "").isalnum():
        raise ValueError("tên đăng nhập chỉ gồm chữ cái không dấu, chữ số, '.' và '-'")
    if session.exec(select(StaffUser).where(StaffUser.username == username)).first():
        raise ValueError(f"tên đăng nhập {username!r} đã có")
    user = StaffUser(
        username=username,
        display_name=display_name or username,
        password_hash=_hasher.hash(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> StaffUser | None:
    """The account with this username (any standing), or None."""
    return session.exec(
        select(StaffUser).where(StaffUser.username == username.strip().lower())
    ).first()


def _existing(session: Session, username: str) -> StaffUser:
    user = find_user(session, username)
    if user is None:
        raise ValueError(f"không có tài khoản {username!r}")
    return user


def list_users(session: Session) -> list[StaffUser]:
    """Every account, by username."""
    return list(session.exec(select(StaffUser).order_by(StaffUser.username)).all())


def set_password(session: Session, username: str, password: str) -> StaffUser:
    """A new password; the account's open sessions end."""
    _check_password(password)
    user = _existing(session, username)
    user.password_hash = _hasher.hash(password)
    session.add(user)
    end_sessions(session, user.id)
    return user


def set_role(session: Session, username: str, role: str) -> StaffUser:
    """A new role; the account's open sessions end."""
    _check_role(role)
    user = _existing(session, username)
    user.role = role
    session.add(user)
    end_sessions(session, user.id)
    return user


def set_active(session: Session, username: str, active: bool) -> StaffUser:
    """Enable or disable an account; disabling ends its open sessions."""
    user = _existing(session, username)
    user.active = active
    session.add(user)
    end_sessions(session, user.id)
    return user


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches (the same argon2 cost when there is no account)."""
    try:
        _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def rehash_if_needed(session: Session, user: StaffUser, password: str) -> None:
    """Upgrade a hash made with older argon2 parameters (after a successful check)."""
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    """The active user with these credentials, or None (same cost whether or not the user
    exists, so usernames cannot be probed by timing)."""
    user = find_user(session, username)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    rehash_if_needed(session, user, password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: StaffUser) -> str:
    """A new server-side session for ``user``; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    assert user.id is not None, "a stored account has an id"
    session.add(StaffSession(id=_digest(token), user_id=user.id))
    session.flush()
    return token


def session_user(session: Session, token: str, max_age: timedelta) -> StaffUser | None:
    """The active account a session token belongs to, if the session is open and younger
    than ``max_age``."""
    row = session.exec(
        select(StaffSession, StaffUser)
        .join(StaffUser, col(StaffUser.id) == col(StaffSession.user_id))
        .where(col(StaffSession.id) == _digest(token), col(StaffUser.active))
    ).first()
    if row is None:
        return None
    opened, user = row
    created = opened.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=utcnow().tzinfo)
    return user if utcnow() - created <= max_age else None


def close_session(session: Session, token: str) -> None:
    """End one session (logout)."""
    session.exec(delete(StaffSession).where(col(StaffSession.id) == _digest(token)))


def end_sessions(session: Session, user_id: int | None) -> None:
    """End every session of one account."""
    session.exec(delete(StaffSession).where(col(StaffSession.user_id) == user_id))


_DUMMY_HASH = _hasher.hash("motcua-no-such-user")
