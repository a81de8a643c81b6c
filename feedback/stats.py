"""The figures a province reports: conversations and citizens helped per channel and day, top
procedures, unanswered questions, ratings, escalation and resolution times, feedback received
and processed. One code path on SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, distinct, func
from sqlmodel import Session, col, select

from feedback import dossier_events
from feedback.contacts import HELPED_OUTCOMES
from feedback.models import (
    ContactLog,
    DossierEvent,
    EscalationCase,
    FeedbackEvent,
    FeedbackItem,
    Message,
    Rating,
    UnansweredQuestion,
    utcnow,
)
from feedback.tickets import CATEGORIES


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


# The province's report: people helped per channel, feedback by kind against due dates, top
# procedures, over a chosen period.

REPORT_CHANNELS = ("zalo", "messenger", "telegram", "web", "hotline", "counter")
DESK_CHANNELS = ("hotline", "counter")
_PROCESSED = ("resolved", "rejected")


@dataclass
class ChannelLine:
    """One channel's people: who got in touch, and who left with a procedure's answer."""

    channel: str
    contacts: int = 0
    helped: int = 0


@dataclass
class FeedbackLine:
    """One kind of feedback received in the period, and where it stood at the period's end."""

    category: str
    received: int = 0
    processed_on_time: int = 0
    processed_late: int = 0
    processed_no_due: int = 0
    open_in_time: int = 0
    open_overdue: int = 0

    @property
    def processed(self) -> int:
        return self.processed_on_time + self.processed_late + self.processed_no_due

    @property
    def open(self) -> int:
        return self.received - self.processed


@dataclass
class DossierLine:
    """Dossier status cards shown to citizens per chat channel, lookups by staff in agent
    assist (apart), and status-change notifications sent and refused."""

    lookups: dict[str, int]
    staff_lookups: int = 0
    notified: int = 0
    unreachable: int = 0

    @property
    def citizen_lookups(self) -> int:
        return sum(self.lookups.values())


@dataclass
class ProvinceReport:
    since: datetime
    until: datetime
    channels: list[ChannelLine] = field(default_factory=list)
    feedback: list[FeedbackLine] = field(default_factory=list)
    top_procedures: list[tuple[str, int, int]] = field(default_factory=list)  # code, chat, desk
    dossiers: DossierLine = field(default_factory=lambda: DossierLine({}))

    @property
    def contacts(self) -> int:
        return sum(line.contacts for line in self.channels)

    @property
    def helped(self) -> int:
        return sum(line.helped for line in self.channels)


def _chat_channels(session: Session, since: datetime, until: datetime) -> dict[str, ChannelLine]:
    """Citizens who wrote on each chat channel, and those answered with a procedure."""
    in_window = (col(Message.created_at) >= since, col(Message.created_at) <= until)
    helped = case((col(Message.procedure_code).is_not(None), Message.conversation_id), else_=None)
    rows = session.exec(
        select(
            Message.channel,
            func.count(distinct(col(Message.conversation_id))),
            func.count(distinct(helped)),
        )
        .where(*in_window)
        .group_by(col(Message.channel))
    ).all()
    return {channel: ChannelLine(channel, people, answered) for channel, people, answered in rows}


def _desk_channels(session: Session, since: datetime, until: datetime) -> dict[str, ChannelLine]:
    """Calls and visits logged on each desk channel, and those that ended with the answer."""
    helped = case((col(ContactLog.outcome).in_(HELPED_OUTCOMES), 1), else_=0)
    rows = session.exec(
        select(ContactLog.channel, func.count(col(ContactLog.id)), func.sum(helped))
        .where(col(ContactLog.created_at) >= since, col(ContactLog.created_at) <= until)
        .group_by(col(ContactLog.channel))
    ).all()
    return {channel: ChannelLine(channel, n, int(h or 0)) for channel, n, h in rows}


def _processed_at(session: Session, ids: list[int], until: datetime) -> dict[int, datetime]:
    """When each item last became resolved or rejected by ``until`` (if it stands so then)."""
    standing: dict[int, tuple[str, datetime]] = {}
    if not ids:
        return {}
    events = session.exec(
        select(FeedbackEvent)
        .where(
            col(FeedbackEvent.feedback_id).in_(ids),
            col(FeedbackEvent.action) == "status",
            col(FeedbackEvent.created_at) <= until,
        )
        .order_by(col(FeedbackEvent.id))
    ).all()
    for event in events:
        standing[event.feedback_id] = (event.detail, event.created_at)
    return {item: at for item, (status, at) in standing.items() if status in _PROCESSED}


def _feedback_lines(session: Session, since: datetime, until: datetime) -> list[FeedbackLine]:
    items = session.exec(
        select(FeedbackItem).where(
            col(FeedbackItem.created_at) >= since, col(FeedbackItem.created_at) <= until
        )
    ).all()
    done = _processed_at(session, [i.id for i in items if i.id is not None], until)
    lines = {category: FeedbackLine(category) for category in CATEGORIES}
    for item in items:
        line = lines.setdefault(item.category, FeedbackLine(item.category))
        line.received += 1
        processed = done.get(item.id) if item.id is not None else None
        due = item.due_date
        if processed is not None:
            if due is None:
                line.processed_no_due += 1
            elif processed <= due:
                line.processed_on_time += 1
            else:
                line.processed_late += 1
        elif due is not None and due < until:
            line.open_overdue += 1
        else:
            line.open_in_time += 1
    return list(lines.values())


def _top_procedures(
    session: Session, since: datetime, until: datetime, limit: int
) -> list[tuple[str, int, int]]:
    """Procedures by how often they were asked: answers on chat plus calls and visits."""
    chat = session.exec(
        select(Message.procedure_code, func.count(col(Message.id)))
        .where(
            col(Message.created_at) >= since,
            col(Message.created_at) <= until,
            col(Message.direction) == "out",
            col(Message.procedure_code).is_not(None),
        )
        .group_by(col(Message.procedure_code))
    ).all()
    desk = session.exec(
        select(ContactLog.procedure_code, func.count(col(ContactLog.id)))
        .where(
            col(ContactLog.created_at) >= since,
            col(ContactLog.created_at) <= until,
            col(ContactLog.procedure_code).is_not(None),
        )
        .group_by(col(ContactLog.procedure_code))
    ).all()
    counts: dict[str, list[int]] = {}
    for code, n in chat:
        if code:
            counts.setdefault(code, [0, 0])[0] += n
    for code, n in desk:
        if code:
            counts.setdefault(code, [0, 0])[1] += n
    ranked = sorted(counts.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))
    return [(code, c, d) for code, (c, d) in ranked[:limit]]


def _dossier_line(session: Session, since: datetime, until: datetime) -> DossierLine:
    rows = session.exec(
        select(DossierEvent.kind, DossierEvent.channel, func.count(col(DossierEvent.id)))
        .where(col(DossierEvent.created_at) >= since, col(DossierEvent.created_at) <= until)
        .group_by(col(DossierEvent.kind), col(DossierEvent.channel))
    ).all()
    line = DossierLine({channel: 0 for channel in REPORT_CHANNELS if channel not in DESK_CHANNELS})
    for kind, channel, count in rows:
        if kind == dossier_events.LOOKUP and channel == dossier_events.STAFF_CHANNEL:
            line.staff_lookups += count
        elif kind == dossier_events.LOOKUP:
            line.lookups[channel] = line.lookups.get(channel, 0) + count
        elif kind == dossier_events.NOTIFIED:
            line.notified += count
        elif kind == dossier_events.UNREACHABLE:
            line.unreachable += count
    return line


def province_report(
    session: Session, since: datetime, until: datetime, top: int = 10
) -> ProvinceReport:
    """The figures of the province's periodic report for ``since``…``until`` (UTC)."""
    report = ProvinceReport(since, until)
    found = {**_chat_channels(session, since, until), **_desk_channels(session, since, until)}
    order = [*REPORT_CHANNELS, *sorted(set(found) - set(REPORT_CHANNELS))]
    report.channels = [found.get(channel, ChannelLine(channel)) for channel in order]
    report.feedback = _feedback_lines(session, since, until)
    report.top_procedures = _top_procedures(session, since, until, top)
    report.dossiers = _dossier_line(session, since, until)
    return report
