"""When the bot may call staff in by itself (after repeated unanswered questions): only for
misses with words the catalogue knows (the engine counts only such misses, so keyboard mashing
or a line of unknown words never brings a case), and at most ``AUTO_CASES_PER_HOUR`` such cases per
channel an hour (counted in the store, so across workers). A flood of nonsense or of unique
long messages from throw-away sessions can then no longer fill the staff inbox; citizens who
ask for a person ("gặp nhân viên") are never limited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from feedback.models import Conversation, EscalationCase, utcnow
from knowledge.retriever import Retriever, SearchResult

AUTO_CASES_PER_HOUR = 10
REASON = "unanswered"


def recognisable(retriever: Retriever, result: SearchResult) -> bool:
    """Whether the question has at least one content word the catalogue contains."""
    return any(token in retriever.bm25 for token in result.query.content_tokens)


def automatic_cases_last_hour(session: Session, channel: str) -> int:
    """Cases the bot opened by itself on ``channel`` in the last hour."""
    since = utcnow() - timedelta(hours=1)
    return int(
        session.exec(
            select(func.count())
            .select_from(EscalationCase)
            .join(Conversation, col(Conversation.id) == col(EscalationCase.conversation_id))
            .where(
                Conversation.channel == channel,
                EscalationCase.reason == REASON,
                EscalationCase.created_at >= since,
            )
        ).one()
    )


def may_open(
    session: Session,
    retriever: Retriever,
    channel: str,
    result: SearchResult,
    per_hour: int = AUTO_CASES_PER_HOUR,
) -> bool:
    """Whether an automatic case may be opened for this unanswered question."""
    return (
        recognisable(retriever, result) and automatic_cases_last_hour(session, channel) < per_hour
    )
