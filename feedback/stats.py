"""The figures a province reports: conversations and citizens helped per channel and day, top
procedures, unanswered questions, ratings, escalation and resolution times, feedback received
and processed. One code path on SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, distinct, func
from sqlmodel import Session, col, select

from feedback.models import (
    EscalationCase,
    FeedbackItem,
    Message,
    Rating,
    UnansweredQuestion,
    utcnow,
)


@dataclass
class Dashboard:
    since: datetime
    until: datetime
    daily: list[dict] = field(default_factory=list)  # day, channel, conversations, helped
    per_channel: dict[str, dict[str, int]] = field(default_factory=dict)
    top_procedures: list[tuple[str | None, int]] = field(default_factory=list)
    unanswered: list[UnansweredQuestion] = field(default_factory=list)
    unanswered_count: int = 0
    ratings: dict[str, int] = field(default_factory=dict)
    ratings_by_procedure: list[tuple[str, int, int]] = field(default_factory=list)
    escalations: dict[str, float | int | None] = field(default_factory=dict)
    feedback: dict[str, int] = field(default_factory=dict)
    feedback_by_category: dict[str, int] = field(default_factory=dict)
    resolution_days: float | None = None


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def dashboard(session: Session, days: int = 30, now: datetime | None = None) -> Dashboard:
    until = now or utcnow()
    since = until - timedelta(days=days)
    board = Dashboard(since, until)
    in_window = (col(Message.created_at) >= since, col(Message.created_at) <= until)

    day = func.date(col(Message.created_at))
    helped = case((col(Message.procedure_code).is_not(None), Message.conversation_id), else_=None)
    rows = session.exec(
        select(
            day,
            Message.channel,
            func.count(distinct(col(Message.conversation_id))),
            func.count(distinct(helped)),
        )
        .where(*in_window)
        .group_by(day, Message.channel)
        .order_by(day, Message.channel)
    ).all()
    for day_value, channel, conversations, answered in rows:
        board.daily.append(
            {
                "day": _day(day_value),
                "channel": channel,
                "conversations": conversations,
                "helped": answered,
            }
        )
        totals = board.per_channel.setdefault(channel, {"conversations": 0, "helped": 0})
        totals["conversations"] += conversations
        totals["helped"] += answered

    board.top_procedures = [
        (code, count)
        for code, count in session.exec(
            select(Message.procedure_code, func.count(col(Message.id)))
            .where(
                *in_window,
                col(Message.direction) == "out",
                col(Message.procedure_code).is_not(None),
            )
            .group_by(col(Message.procedure_code))
            .order_by(func.count(col(Message.id)).desc())
            .limit(10)
        ).all()
    ]

    unanswered_window = (
        col(UnansweredQuestion.created_at) >= since,
        col(UnansweredQuestion.created_at) <= until,
    )
    board.unanswered_count = session.exec(
        select(func.count(col(UnansweredQuestion.id))).where(*unanswered_window)
    ).one()
    board.unanswered = list(
        session.exec(
            select(UnansweredQuestion)
            .where(*unanswered_window)
            .order_by(col(UnansweredQuestion.created_at).desc())
            .limit(50)
        ).all()
    )

    rating_rows = session.exec(
        select(Rating.procedure_code, Rating.helpful, func.count(col(Rating.id)))
        .where(col(Rating.created_at) >= since, col(Rating.created_at) <= until)
        .group_by(col(Rating.procedure_code), col(Rating.helpful))
    ).all()
    by_code: dict[str, list[int]] = {}
    for code, helpful, count in rating_rows:
        by_code.setdefault(code, [0, 0])[0 if helpful else 1] += count
    board.ratings = {
        "up": sum(v[0] for v in by_code.values()),
        "down": sum(v[1] for v in by_code.values()),
    }
    board.ratings_by_procedure = sorted(
        ((code, up, down) for code, (up, down) in by_code.items()), key=lambda r: -(r[1] + r[2])
    )[:10]

    cases = session.exec(
        select(EscalationCase).where(
            col(EscalationCase.created_at) >= since, col(EscalationCase.created_at) <= until
        )
    ).all()
    take_minutes = [
        (c.taken_at - c.created_at).total_seconds() / 60 for c in cases if c.taken_at is not None
    ]
    close_minutes = [
        (c.closed_at - c.created_at).total_seconds() / 60 for c in cases if c.closed_at is not None
    ]
    board.escalations = {
        "count": len(cases),
        "open": sum(1 for c in cases if c.status != "closed"),
        "median_minutes_to_take": round(statistics.median(take_minutes), 1)
        if take_minutes
        else None,
        "median_minutes_to_close": round(statistics.median(close_minutes), 1)
        if close_minutes
        else None,
    }

    items = session.exec(
        select(FeedbackItem).where(
            col(FeedbackItem.created_at) >= since, col(FeedbackItem.created_at) <= until
        )
    ).all()
    processed = [i for i in items if i.status in ("resolved", "rejected")]
    board.feedback = {
        "received": len(items),
        "processed": len(processed),
        "open": len(items) - len(processed),
        "overdue": sum(
            1
            for i in items
            if i.due_date and i.status not in ("resolved", "rejected") and i.due_date < until
        ),
    }
    for item in items:
        board.feedback_by_category[item.category] = (
            board.feedback_by_category.get(item.category, 0) + 1
        )
    durations = [(i.updated_at - i.created_at).total_seconds() / 86400 for i in processed]
    board.resolution_days = round(statistics.mean(durations), 1) if durations else None
    return board
