"""Escalation cases: conversations handed to hotline staff."""

from __future__ import annotations

from sqlmodel import Session, select

from feedback.conversations import LockedConversation
from feedback.models import Conversation, EscalationCase, utcnow


def open_case(session: Session, conversation: LockedConversation, reason: str) -> EscalationCase:
    """Open (or return the already open) case for ``conversation``; the bot goes quiet (its
    mode is written back with the rest of the turn)."""
    existing = active_case(session, conversation.id)
    if existing is not None:
        return existing
    case = EscalationCase(conversation_id=conversation.id, reason=reason)
    conversation.mode = "escalated"
    session.add(case)
    session.flush()
    return case


def active_case(session: Session, conversation_id: int) -> EscalationCase | None:
    query = select(EscalationCase).where(
        EscalationCase.conversation_id == conversation_id, EscalationCase.status != "closed"
    )
    return session.exec(query).first()


def take_case(session: Session, case: EscalationCase, assignee: str) -> EscalationCase:
    case.status = "taken"
    case.assignee = assignee
    case.taken_at = case.taken_at or utcnow()
    session.add(case)
    return case


def close_case(session: Session, case: EscalationCase) -> EscalationCase:
    """Close the case and give the conversation back to the bot."""
    case.status = "closed"
    case.closed_at = utcnow()
    conversation = session.get(Conversation, case.conversation_id)
    if conversation is not None:
        conversation.mode = "bot"
        session.add(conversation)
    session.add(case)
    return case
