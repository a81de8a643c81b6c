"""Ratings of answers and questions the bot could not answer."""

from __future__ import annotations

from sqlmodel import Session

from feedback.models import Rating, UnansweredQuestion


def record_rating(session: Session, conversation_id: int, code: str, helpful: bool) -> Rating:
    rating = Rating(conversation_id=conversation_id, procedure_code=code, helpful=helpful)
    session.add(rating)
    return rating


def record_unanswered(
    session: Session,
    conversation_id: int,
    text: str,
    best_code: str | None,
    confidence: float,
    topic: str | None = None,
) -> UnansweredQuestion:
    item = UnansweredQuestion(
        conversation_id=conversation_id,
        text=text,
        best_code=best_code,
        confidence=confidence,
        topic=topic,
    )
    session.add(item)
    return item
