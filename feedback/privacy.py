"""Personal data: phone and ID numbers masked in logs and exports; old conversations purged."""

from __future__ import annotations

import logging
import re
import unicodedata
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
from feedback.safe_text import clean_name, strip_invisible
from feedback.store import Store

_OTHER_DIGIT_RE = re.compile(r"(?![0-9])\d")  # full-width and other non-ASCII decimal digits
# Vietnamese mobile and landline numbers (0… or +84…, "(+84)", with spaces, dots, dashes or
# brackets between digits) and ID numbers: 12-digit citizen IDs (possibly grouped with spaces,
# dots or dashes) and 9-digit old ID cards.
_SEP = r"[\s.\-()]{0,2}"
_PHONE_RE = re.compile(rf"(?<!\d)(?:\(?\+?84\)?|0)(?:{_SEP}\d){{8,10}}(?!\d)")
_ID12_RE = re.compile(r"(?<!\d)\d(?:[\s.\-]?\d){11}(?!\d)")
_ID9_RE = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _plain_digits(text: str) -> str:
    text = strip_invisible(text)
    return _OTHER_DIGIT_RE.sub(lambda m: str(unicodedata.decimal(m.group(0))), text)


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def mask_pii(text: str) -> str:
    """``text`` with phone and ID numbers reduced to their first and last two digits.

    Digits hidden behind zero-width characters or written full-width are caught too (the
    result has those characters removed and every digit in ASCII)."""
    plain = _plain_digits(text)
    return _ID9_RE.sub(_mask, _PHONE_RE.sub(_mask, _ID12_RE.sub(_mask, plain)))


def mask_name(name: str | None) -> str:
    """A citizen-written name reduced to initials ("Nguyễn Văn An" → "N. V. A."), for staff
    who do not handle the item."""
    return " ".join(f"{word[0]}." for word in clean_name(name).split())


_TRACEBACKS = logging.Formatter()


class MaskingFilter(logging.Filter):
    """Masks phone and ID numbers in every log record that passes through, tracebacks
    included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_pii(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_pii(record.stack_info)
        return True


def install_log_masking() -> None:
    """Attach :class:`MaskingFilter` to every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())


def purge_old_conversations(
    store: Store, retention_days: float, keep_dedupe: timedelta = timedelta(0)
) -> int:
    """Delete conversations idle for more than ``retention_days`` days, with their messages,
    ratings, unanswered questions and closed cases; conversations with open cases or
    unresolved feedback are kept. The inbound messages' dedupe keys are kept for at least
    ``keep_dedupe`` whatever the retention (the window in which a platform's signed event is
    still accepted: a replay inside it must still be recognised). Returns how many
    conversations were deleted."""
    now = utcnow()
    cutoff = now - timedelta(days=retention_days)
    dedupe_cutoff = min(cutoff, now - keep_dedupe)
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
        session.exec(delete(InboundMessage).where(col(InboundMessage.received_at) < dedupe_cutoff))
        session.exec(
            delete(OutboxMessage).where(
                col(OutboxMessage.created_at) < cutoff, col(OutboxMessage.status) != "pending"
            )
        )
        session.exec(delete(Conversation).where(col(Conversation.id).in_(ids)))
        return len(ids)
