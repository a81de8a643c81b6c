"""Feedback, complaints and recommendations, tracked by ticket code."""

from __future__ import annotations

import re
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from feedback.models import FeedbackEvent, FeedbackItem

# No 0/O, 1/I/L: codes are read out over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_RE = re.compile(r"\bGY[-\s]?([2-9A-HJKMNP-Z]{6})\b", re.IGNORECASE)
CATEGORIES = ("feedback", "complaint", "recommendation")
STATUSES = ("new", "assigned", "in_progress", "resolved", "rejected")


def new_ticket_code() -> str:
    return "GY-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def find_ticket_code(text: str) -> str | None:
    """A ticket code written anywhere in ``text`` ("gy-7k3qxm", "GY 7K3QXM"), normalised."""
    match = TICKET_RE.search(text)
    return f"GY-{match.group(1).upper()}" if match else None


def create_feedback(
    session: Session,
    *,
    channel: str,
    user_id: str,
    category: str,
    content: str,
    conversation_id: int | None = None,
    contact_name: str | None = None,
    phone: str | None = None,
) -> FeedbackItem:
    """Store a new item with a fresh ticket code (retrying on the rare collision)."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown feedback category {category!r}")
    for _ in range(5):
        item = FeedbackItem(
            ticket=new_ticket_code(),
            conversation_id=conversation_id,
            channel=channel,
            user_id=user_id,
            category=category,
            content=content,
            contact_name=contact_name,
            phone=phone,
        )
        try:
            with session.begin_nested():
                session.add(item)
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("could not allocate a ticket code")
    assert item.id is not None  # flushed above
    session.add(FeedbackEvent(feedback_id=item.id, actor="citizen", action="created"))
    return item


def find_by_ticket(session: Session, ticket: str) -> FeedbackItem | None:
    return session.exec(select(FeedbackItem).where(col(FeedbackItem.ticket) == ticket)).first()
