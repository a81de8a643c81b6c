"""Conversations and their messages."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import bindparam, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from feedback.models import Conversation, Message, utcnow
from feedback.store import insert_ignoring_duplicates


def lock_conversation(session: Session, channel: str, user_id: str) -> Conversation:
    """The citizen's conversation, created on first contact, locked for this transaction so
    that one citizen's messages are handled one at a time, in order, across workers."""
    citizen = (channel, user_id)
    found = lock_conversations(session, [citizen]).get(citizen)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            conversation = Conversation(channel=channel, user_id=user_id)
            session.add(conversation)
        return conversation
    except IntegrityError:  # another worker created it first
        return lock_conversations(session, [citizen])[citizen]


def lock_conversations(
    session: Session, citizens: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Conversation]:
    """The existing conversations of several citizens (``(channel, user_id)`` pairs), locked
    for this transaction, one query per channel. Locks are taken in one order (channel, then
    id) so that concurrent batches cannot deadlock each other. Citizens seen for the first
    time are missing from the result (use :func:`lock_conversation` for them)."""
    users_by_channel: dict[str, set[str]] = {}
    for channel, user_id in citizens:
        users_by_channel.setdefault(channel, set()).add(user_id)
    found: dict[tuple[str, str], Conversation] = {}
    for channel in sorted(users_by_channel):
        params = {"channel": channel, "users": sorted(users_by_channel[channel])}
        for conversation in session.exec(_conversations_of(), params=params).all():
            found[(conversation.channel, conversation.user_id)] = conversation
    return found


@cache
def _conversations_of():
    """Each citizen is a seek in the unique (channel, user_id) index."""
    return (
        select(Conversation)
        .where(
            Conversation.channel == bindparam("channel"),
            Conversation.user_id.in_(bindparam("users", expanding=True)),
        )
        .order_by(Conversation.id)
        .with_for_update()
    )


def log_incoming(
    session: Session,
    conversation: Conversation,
    text: str,
    payload: str | None,
    platform_message_id: str | None,
) -> bool:
    """Log a citizen's message; False (and nothing logged) if a message with this platform id
    was logged before, i.e. the platform delivered it again."""
    row = _row(conversation, "in", text, "citizen", payload, platform_message_id, None)
    insert = insert_ignoring_duplicates(session.get_bind().dialect.name, Message)
    if session.connection().execute(insert, row).first() is None:
        return False
    conversation.updated_at = row["created_at"]
    session.add(conversation)
    return True


def log_message(
    session: Session,
    conversation: Conversation,
    direction: str,
    text: str,
    author: str,
    payload: str | None = None,
    platform_message_id: str | None = None,
    procedure_code: str | None = None,
) -> None:
    """Append a message to the conversation's log and touch the conversation.

    A plain ``INSERT`` on the session's connection: every message in and out passes here, and
    nothing reads the row back in the same transaction as an object.
    """
    row = _row(conversation, direction, text, author, payload, platform_message_id, procedure_code)
    session.connection().execute(insert(Message.__table__), row)  # type: ignore[attr-defined]
    conversation.updated_at = row["created_at"]
    session.add(conversation)


def _row(conversation: Conversation, direction, text, author, payload, platform_id, code) -> dict:
    return {
        "conversation_id": conversation.id,
        "channel": conversation.channel,
        "direction": direction,
        "author": author,
        "text": text,
        "payload": payload,
        "platform_message_id": platform_id,
        "procedure_code": code,
        "created_at": utcnow(),
    }


def transcript(session: Session, conversation_id: int, limit: int = 200) -> list[Message]:
    """The conversation's last ``limit`` messages, oldest first."""
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(reversed(session.exec(query).all()))
