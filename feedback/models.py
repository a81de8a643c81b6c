"""The store's tables (sqlmodel): conversations, messages, escalations, feedback, ratings,
unanswered questions. One schema for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The table behind a model, for Core statements (SQLModel leaves it untyped)."""
    table = getattr(model, "__table__")  # noqa: B009
    assert isinstance(table, Table)
    return table


def utcnow() -> datetime:
    return datetime.now(UTC)


class Conversation(SQLModel, table=True):
    """One citizen on one channel; ``state`` is the engine's JSON state."""

    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_conversation_user"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)  # looked up through the unique (channel, user_id)
    user_id: str = Field(max_length=128)
    language: str = Field(default="vi", max_length=8)
    mode: str = Field(default="bot", max_length=16, index=True)  # bot | escalated
    state: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class Message(SQLModel, table=True):
    """Every message in and out; incoming platform ids are unique per channel (redeliveries)."""

    __table_args__ = (
        UniqueConstraint("channel", "platform_message_id", name="uq_message_platform_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    channel: str = Field(max_length=32)
    direction: str = Field(max_length=8)  # in | out
    author: str = Field(default="citizen", max_length=16)  # citizen | bot | staff
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    payload: str | None = Field(default=None, max_length=256)
    # pictures, files, stickers, locations, voice: [[kind, ref, name], …] as JSON
    attachments: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    platform_message_id: str | None = Field(default=None, max_length=128)
    procedure_code: str | None = Field(default=None, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class EscalationCase(SQLModel, table=True):
    """A conversation handed to hotline staff."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    status: str = Field(default="open", max_length=16, index=True)  # open | taken | closed
    reason: str = Field(default="", max_length=64)
    assignee: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    taken_at: datetime | None = None
    closed_at: datetime | None = None


class FeedbackItem(SQLModel, table=True):
    """A citizen's feedback, complaint or recommendation, tracked by its ticket code."""

    id: int | None = Field(default=None, primary_key=True)
    ticket: str = Field(max_length=16, unique=True, index=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id")
    channel: str = Field(max_length=32, index=True)
    user_id: str = Field(max_length=128)
    category: str = Field(max_length=16, index=True)  # feedback | complaint | recommendation
    content: str = Field(sa_column=Column(Text, nullable=False))
    contact_name: str | None = Field(default=None, max_length=128)
    phone: str | None = Field(default=None, max_length=32)
    status: str = Field(default="new", max_length=16, index=True)
    assignee: str | None = Field(default=None, max_length=64)
    due_date: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class FeedbackEvent(SQLModel, table=True):
    """One entry of a feedback item's history (status change, assignment, note)."""

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedbackitem.id", index=True)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Rating(SQLModel, table=True):
    """A 👍/👎 on an answer."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    procedure_code: str = Field(max_length=16, index=True)
    helpful: bool
    created_at: datetime = Field(default_factory=utcnow, index=True)


class UnansweredQuestion(SQLModel, table=True):
    """A question the bot could not answer: material to improve the catalogue."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    best_code: str | None = Field(default=None, max_length=16)
    confidence: float = 0.0
    topic: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class InboundMessage(SQLModel, table=True):
    """A citizen message stored before its webhook is acknowledged, then handled once.

    The unique (channel, platform_message_id) pair turns a platform's redelivery into a no-op.
    """

    __table_args__ = (
        UniqueConstraint("channel", "platform_message_id", name="uq_inbound_platform_id"),
        Index("ix_inbound_queue", "status", "channel", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    user_id: str = Field(max_length=128)
    platform_message_id: str = Field(max_length=128)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    payload: str | None = Field(default=None, max_length=256)
    attachments: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="pending", max_length=16, index=True)  # pending | done
    attempts: int = 0
    claimed_until: datetime | None = None
    received_at: datetime = Field(default_factory=utcnow, index=True)
    handled_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """A reply stored before it is sent, retried until the platform accepts it."""

    __table_args__ = (Index("ix_outbox_queue", "status", "channel", "user_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32, index=True)
    user_id: str = Field(max_length=128, index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))  # the Reply, as JSON
    status: str = Field(default="pending", max_length=16, index=True)  # pending | sent | failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    sent_at: datetime | None = None


class PlatformToken(SQLModel, table=True):
    """An OAuth token pair for a platform (Zalo's refresh tokens are single-use)."""

    channel: str = Field(primary_key=True, max_length=32)
    access_token: str = Field(sa_column=Column(Text, nullable=False))
    refresh_token: str = Field(sa_column=Column(Text, nullable=False))
    expires_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class StaffUser(SQLModel, table=True):
    """A hotline staff member or an admin of the staff web."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(default="", max_length=128)
    password_hash: str = Field(max_length=256)
    role: str = Field(default="staff", max_length=16)  # staff | admin
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class StaffSession(SQLModel, table=True):
    """A signed-in staff session, held server-side: deleting the row ends the session."""

    id: str = Field(primary_key=True, max_length=64)  # SHA-256 (hex) of the cookie's token
    user_id: int = Field(foreign_key="staffuser.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class SignInAttempt(SQLModel, table=True):
    """One try at signing in to the staff web: what throttling and the owner's notice read."""

    __table_args__ = (
        Index("ix_signin_username", "username", "created_at"),
        Index("ix_signin_address", "address", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    address: str = Field(max_length=64)
    result: str = Field(max_length=8)  # ok | wrong | refused (throttled, not checked)
    created_at: datetime = Field(default_factory=utcnow)


class ContactLog(SQLModel, table=True):
    """A phone call to the hotline or a visit to the counter, as the staff member recorded it:
    what was discussed and how it ended (with the feedback item it opened, if any)."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)  # hotline | counter
    procedure_code: str | None = Field(default=None, max_length=16, index=True)
    outcome: str = Field(max_length=16)  # answered | guided_online | escalated | feedback
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    staff: str = Field(max_length=64)
    feedback_id: int | None = Field(default=None, foreign_key="feedbackitem.id")
    created_at: datetime = Field(default_factory=utcnow, index=True)


class DossierWatch(SQLModel, table=True):
    """A citizen asked to be told when a dossier changes status: the watch poller's queue.

    ``status``: active (polled), stopped (the citizen said stop), closed (the dossier
    finished), unreachable (a notification could not be delivered: staff should call)."""

    __table_args__ = (
        UniqueConstraint("channel", "user_id", "receipt_code", name="uq_dossier_watch"),
        Index("ix_dossierwatch_due", "status", "next_check_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    user_id: str = Field(max_length=128)
    receipt_code: str = Field(max_length=40)
    language: str = Field(default="vi", max_length=8)
    last_stage: str = Field(max_length=16)  # the stage last told to the citizen
    status: str = Field(default="active", max_length=16)
    failures: int = 0  # lookups in a row that failed (backoff)
    next_check_at: datetime = Field(default_factory=utcnow)
    claimed_until: datetime | None = None
    last_outbox_id: int | None = None  # the latest notification sent
    note: str | None = Field(default=None, max_length=500)  # why it is unreachable
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DossierEvent(SQLModel, table=True):
    """One dossier figure for the province's report, kept when conversations are purged.

    ``kind``: lookup (a status card was shown on ``channel``; ``staff`` for the staff web's
    agent assist), notified (the watch poller queued a status-change message), unreachable
    (that message was refused for good: the citizen could not be told)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    channel: str = Field(max_length=32)
    outbox_id: int | None = Field(default=None, index=True)  # a notification's last message
    created_at: datetime = Field(default_factory=utcnow, index=True)
