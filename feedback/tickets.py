"""Feedback, complaints and recommendations, tracked by ticket code."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from feedback.models import FeedbackEvent, FeedbackItem, utcnow

# No 0/O, 1/I/L: codes are read out over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_RE = re.compile(r"\bGY[-\s]?([2-9A-HJKMNP-Z]{6})\b", re.IGNORECASE)
CATEGORIES = ("feedback", "complaint", "recommendation")
STATUSES = ("new", "assigned", "in_progress", "resolved", "rejected")
FINAL_STATUSES = ("resolved", "rejected")
ANSWER = "answer"  # the history action holding the staff answer sent to the citizen


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


@dataclass(frozen=True, slots=True)
class Outcome:
    """How an item was settled, read from its history: the staff answer sent to the citizen,
    when it was resolved or rejected and by whom (empty while it is open)."""

    answer: str = ""
    at: datetime | None = None
    by: str = ""


def outcomes(session: Session, ids: Iterable[int]) -> dict[int, Outcome]:
    """The :class:`Outcome` of each item in ``ids`` (items without history are left out)."""
    wanted = list(ids)
    if not wanted:
        return {}
    events = session.exec(
        select(FeedbackEvent)
        .where(
            col(FeedbackEvent.feedback_id).in_(wanted),
            col(FeedbackEvent.action).in_((ANSWER, "status")),
        )
        .order_by(col(FeedbackEvent.created_at), col(FeedbackEvent.id))
    ).all()
    found: dict[int, Outcome] = {}
    for event in events:
        now = found.get(event.feedback_id, Outcome())
        if event.action == ANSWER:
            now = Outcome(event.detail, now.at, now.by)
        elif event.detail in FINAL_STATUSES:
            now = Outcome(now.answer, event.created_at, event.actor)
        else:  # reopened: neither settled nor answered any more
            now = Outcome()
        found[event.feedback_id] = now
    return found


def outcome(session: Session, item: FeedbackItem) -> Outcome:
    """The :class:`Outcome` of one item."""
    return outcomes(session, [item.id]).get(item.id, Outcome()) if item.id else Outcome()


STATUS_REFUSALS_PER_DAY = 5  # wrong last-4-digit guesses on one ticket before digits stop counting
_DIGIT_RUN_RE = re.compile(r"\d+")


def may_see_status(
    session: Session, item: FeedbackItem, channel: str, user_id: str, text: str
) -> bool:
    """Whether whoever wrote ``text`` on (``channel``, ``user_id``) may see ``item``'s status:
    the conversation that filed it may; anyone else must give the last 4 digits of the phone
    number left with it (the first run of 4 or more digits after the ticket code). Wrong
    guesses are recorded in the item's history; after :data:`STATUS_REFUSALS_PER_DAY` of them
    in a day only the filing conversation may look."""
    if (item.channel, item.user_id) == (channel, user_id):
        return True
    runs = [run for run in _DIGIT_RUN_RE.findall(TICKET_RE.sub(" ", text)) if len(run) >= 4]
    if not runs or not item.phone:
        return False
    since = utcnow() - timedelta(days=1)
    refusals = session.exec(
        select(func.count())
        .select_from(FeedbackEvent)
        .where(
            FeedbackEvent.feedback_id == item.id,
            FeedbackEvent.action == "status_refused",
            FeedbackEvent.created_at >= since,
        )
    ).one()
    if refusals < STATUS_REFUSALS_PER_DAY and runs[0][-4:] == item.phone[-4:]:
        return True
    assert item.id is not None, "a stored item has an id"
    session.add(
        FeedbackEvent(
            feedback_id=item.id,
            actor="citizen",
            action="status_refused",
            detail=f"wrong phone digits from {channel}",
        )
    )
    return False
