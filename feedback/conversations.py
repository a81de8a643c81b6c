"""Conversations and their messages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from feedback.models import Conversation, Message, utcnow


def lock_conversation(session: Session, channel: str, user_id: str) -> Conversation:
    """The citizen's conversation, created on first contact, locked for this transaction so
    that one citizen's messages are handled one at a time, in order, across workers."""
    query = (
        select(Conversation)
        .where(Conversation.channel == channel, Conversation.user_id == user_id)
        .with_for_update()
    )
    found = session.exec(query).first()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            conversation = Conversation(channel=channel, user_id=user_id)
            session.add(conversation)
        return conversation
    except IntegrityError:  # another worker created it first
        return session.exec(query).one()


def message_seen(session: Session, channel: str, platform_message_id: str) -> bool:
    """Whether an incoming message with this platform id was already handled."""
    query = select(Message.id).where(
        Message.channel == channel, Message.platform_message_id == platform_message_id
    )
    return session.exec(query).first() is not None


def log_message(
    session: Session,
    conversation: Conversation,
    direction: str,
    text: str,
    author: str,
    payload: str | None = None,
    platform_message_id: str | None = None,
    procedure_code: str | None = None,
) -> Message:
    """Append a message to the conversation's log and touch the conversation."""
    message = Message(
        conversation_id=conversation.id,
        channel=conversation.channel,
        direction=direction,
        author=author,
        text=text,
        payload=payload,
        platform_message_id=platform_message_id,
        procedure_code=procedure_code,
    )
    session.add(message)
    conversation.updated_at = utcnow()
    session.add(conversation)
    return message


def recent_incoming(session: Session, conversation_id: int, window: timedelta) -> int:
    """How many messages the citizen sent in the last ``window`` (this one included)."""
    since = utcnow() - window
    query = select(func.count(Message.id)).where(
        Message.conversation_id == conversation_id,
        Message.direction == "in",
        Message.created_at >= since,
    )
    return int(session.exec(query).one())


def transcript(session: Session, conversation_id: int, limit: int = 200) -> list[Message]:
    """The conversation's last ``limit`` messages, oldest first."""
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(reversed(session.exec(query).all()))
