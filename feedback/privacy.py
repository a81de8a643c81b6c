"""Personal data: phone and ID numbers masked in logs and exports; old conversations purged."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import col, select

from feedback.models import (
    Conversation,
    EscalationCase,
    FeedbackItem,
    InboundMessage,
    Message,
    OutboxMessage,
    Rating,
    UnansweredQuestion,
    utcnow,
)
from feedback.store import Store

# Vietnamese mobile and landline numbers (0… or +84…, with spaces, dots or dashes) and ID
# numbers (12-digit citizen ID, 9-digit old ID card).
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_ID_RE = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def mask_pii(text: str) -> str:
    """``text`` with phone and ID numbers reduced to their first and last two digits."""
    return _ID_RE.sub(_mask, _PHONE_RE.sub(_mask, text))


class MaskingFilter(logging.Filter):
    """Masks phone and ID numbers in every log record that passes through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_masking() -> None:
    """Attach :class:`MaskingFilter` to every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())


def purge_old_conversations(store: Store, retention_days: int) -> int:
    """Delete conversations idle for more than ``retention_days`` days, with their messages,
    ratings, unanswered questions and closed cases; conversations with open cases or
    unresolved feedback are kept. Returns how many conversations were deleted."""
    cutoff = utcnow() - timedelta(days=retention_days)
    with store.session() as session:
        open_feedback = select(FeedbackItem.conversation_id).where(
            col(FeedbackItem.status).not_in(("resolved", "rejected")),
            col(FeedbackItem.conversation_id).is_not(None),
        )
        open_cases = select(EscalationCase.conversation_id).where(
            col(EscalationCase.status) != "closed"
        )
        ids = session.exec(
            select(Conversation.id).where(
                col(Conversation.updated_at) < cutoff,
                col(Conversation.id).not_in(open_feedback),
                col(Conversation.id).not_in(open_cases),
            )
        ).all()
        if not ids:
            return 0
        for model in (Message, Rating, UnansweredQuestion, EscalationCase):
            session.exec(delete(model).where(col(model.conversation_id).in_(ids)))
        session.exec(
            update(FeedbackItem)
            .where(col(FeedbackItem.conversation_id).in_(ids))
            .values(conversation_id=None)
        )
        session.exec(delete(InboundMessage).where(col(InboundMessage.received_at) < cutoff))
        session.exec(
            delete(OutboxMessage).where(
                col(OutboxMessage.created_at) < cutoff, col(OutboxMessage.status) != "pending"
            )
        )
        session.exec(delete(Conversation).where(col(Conversation.id).in_(ids)))
        return len(ids)
