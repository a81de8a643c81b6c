"""Staff and admin accounts: argon2-hashed passwords."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from feedback.models import StaffUser

ROLES = ("staff", "admin")
_hasher = PasswordHasher()
MIN_PASSWORD = 10


def add_user(
    session: Session, username: str, password: str, role: str = "staff", display_name: str = ""
) -> StaffUser:
    """Create an account; refuses unknown roles, short passwords and taken usernames."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    username = username.strip().lower()
    if not username.isascii() or not username.replace(".", "").replace("-", "").isalnum():
        raise ValueError("username: letters, digits, '.' and '-' only")
    if session.exec(select(StaffUser).where(StaffUser.username == username)).first():
        raise ValueError(f"user {username!r} exists already")
    user = StaffUser(
        username=username,
        display_name=display_name or username,
        password_hash=_hasher.hash(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    """The active user with these credentials, or None (same cost whether or not the user
    exists, so usernames cannot be probed by timing)."""
    user = session.exec(
        select(StaffUser).where(StaffUser.username == username.strip().lower())
    ).first()
    candidate = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(candidate, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return user


_DUMMY_HASH = _hasher.hash("motcua-no-such-user")
