"""Conversations and their messages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from feedback.models import Conversation, Message, table_of, utcnow
from feedback.store import insert_ignoring_duplicates


@dataclass
class LockedConversation:
    """A citizen's conversation as one turn sees it: read with its row locked for the
    transaction, changed in place, written back with :data:`SAVE_CONVERSATION`.

    Plain data rather than an ORM object: every message passes through here, and the ORM's
    identity map and unit of work cost more than the few statements they would issue.
    """

    id: int
    channel: str
    user_id: str
    mode: str
    state: str
    language: str
    updated_at: datetime


def lock_conversation(session: Session, channel: str, user_id: str) -> LockedConversation:
    """The citizen's conversation, created on first contact, locked for this transaction so
    that one citizen's messages are handled one at a time, in order, across workers."""
    return lock_conversations(session, [(channel, user_id)])[(channel, user_id)]


def lock_conversations(
    session: Session, citizens: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], LockedConversation]:
    """The conversations of several citizens (``(channel, user_id)`` pairs), locked for this
    transaction; those seen for the first time are created, all in one statement.

    Locks are taken in one order (channel, then id) so that concurrent batches cannot
    deadlock each other over existing conversations; a conversation another worker is
    creating at the same moment is waited for, then locked like the rest.
    """
    wanted = sorted(set(citizens))
    found = _select_locked(session, wanted)
    missing = [citizen for citizen in wanted if citizen not in found]
    if missing:
        now = utcnow()
        rows = [
            {
                "channel": channel,
                "user_id": user_id,
                "language": "vi",
                "mode": "bot",
                "state": "{}",
                "created_at": now,
                "updated_at": now,
            }
            for channel, user_id in missing
        ]
        session.connection().execute(_create_if_missing(session.get_bind().dialect.name), rows)
        found.update(_select_locked(session, missing))
    return found


def saved_values(conversation: LockedConversation) -> dict:
    """The parameters of :data:`SAVE_CONVERSATION` (what a turn changed: state, language,
    mode, last activity) for ``conversation`` as it is now."""
    return {
        "row_id": conversation.id,
        "state": conversation.state,
        "language": conversation.language,
        "mode": conversation.mode,
        "updated_at": conversation.updated_at,
    }


_CONVERSATION = table_of(Conversation)
SAVE_CONVERSATION = (
    update(_CONVERSATION)
    .where(_CONVERSATION.c.id == bindparam("row_id"))
    .values(
        state=bindparam("state"),
        language=bindparam("language"),
        mode=bindparam("mode"),
        updated_at=bindparam("updated_at"),
    )
)


def _select_locked(
    session: Session, citizens: list[tuple[str, str]]
) -> dict[tuple[str, str], LockedConversation]:
    users_by_channel: dict[str, list[str]] = {}
    for channel, user_id in citizens:
        users_by_channel.setdefault(channel, []).append(user_id)
    found: dict[tuple[str, str], LockedConversation] = {}
    connection = session.connection()
    for channel in sorted(users_by_channel):
        params = {"channel": channel, "users": users_by_channel[channel]}
        for row in connection.execute(_conversations_of(), params):
            found[(row.channel, row.user_id)] = LockedConversation(*row)
    return found


@cache
def _conversations_of():
    """Each citizen is a seek in the unique (channel, user_id) index."""
    c = _CONVERSATION.c
    return (
        select(c.id, c.channel, c.user_id, c.mode, c.state, c.language, c.updated_at)
        .where(c.channel == bindparam("channel"), c.user_id.in_(bindparam("users", expanding=True)))
        .order_by(c.id)
        .with_for_update()
    )


@cache
def _create_if_missing(dialect: str) -> Insert:
    dialect_insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return dialect_insert(_CONVERSATION).on_conflict_do_nothing()


AnyConversation = LockedConversation | Conversation  # a turn's, or one staff loaded


def log_incoming(
    session: Session,
    conversation: AnyConversation,
    text: str,
    payload: str | None,
    platform_message_id: str | None,
    attachments: str | None = None,
) -> bool:
    """Log a citizen's message (``attachments`` in their stored JSON form); False (and
    nothing logged) if a message with this platform id was logged before, i.e. the platform
    delivered it again."""
    row = _row(conversation, "in", text, "citizen", payload, platform_message_id, None)
    row["attachments"] = attachments
    insert = insert_ignoring_duplicates(session.get_bind().dialect.name, Message)
    if session.connection().execute(insert, row).first() is None:
        return False
    conversation.updated_at = row["created_at"]
    return True


def log_message(
    session: Session,
    conversation: AnyConversation,
    direction: str,
    text: str,
    author: str,
    payload: str | None = None,
    platform_message_id: str | None = None,
    procedure_code: str | None = None,
) -> None:
    """Append a message to the conversation's log and touch the conversation (a loaded ORM
    conversation is written at commit; a turn's with :data:`SAVE_CONVERSATION`).

    A plain ``INSERT`` on the session's connection: every message in and out passes here, and
    nothing reads the row back in the same transaction as an object.
    """
    row = message_row(
        conversation, direction, text, author, payload, platform_message_id, procedure_code
    )
    session.connection().execute(INSERT_MESSAGE, row)


INSERT_MESSAGE = insert(table_of(Message))


def message_row(
    conversation: AnyConversation,
    direction: str,
    text: str,
    author: str,
    payload: str | None = None,
    platform_id: str | None = None,
    code: str | None = None,
) -> dict:
    """The :data:`INSERT_MESSAGE` parameters of one message; touches the conversation."""
    row = _row(conversation, direction, text, author, payload, platform_id, code)
    conversation.updated_at = row["created_at"]
    return row


def _row(
    conversation: AnyConversation,
    direction: str,
    text: str,
    author: str,
    payload: str | None,
    platform_id: str | None,
    code: str | None,
) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "channel": conversation.channel,
        "direction": direction,
        "author": author,
        "text": text,
        "payload": payload,
        "platform_message_id": platform_id,
        "procedure_code": code,
        "attachments": None,
        "created_at": utcnow(),
    }


def transcript(session: Session, conversation_id: int, limit: int = 200) -> list[Message]:
    """The conversation's last ``limit`` messages, oldest first."""
    query = (
        orm_select(Message)
        .where(col(Message.conversation_id) == conversation_id)
        .order_by(col(Message.id).desc())
        .limit(limit)
    )
    return list(reversed(session.exec(query).all()))
