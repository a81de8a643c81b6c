"""The hotline and counter desk's contact log: a call or a visit recorded in one transaction,
with the feedback item it opens for the citizen (a ticket code they can check on any chat
channel by adding the last 4 digits of the phone number they gave)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from feedback.models import ContactLog, FeedbackEvent, FeedbackItem
from feedback.safe_text import clean_name, strip_controls, strip_invisible
from feedback.tickets import CATEGORIES, create_feedback

CHANNELS = ("hotline", "counter")
OUTCOMES = ("answered", "guided_online", "escalated", "feedback")
HELPED_OUTCOMES = ("answered", "guided_online")  # the caller left with their answer
MAX_NOTE = 2000
MAX_CONTENT = 4000
_DIGITS_RE = re.compile(r"[0-9]")


@dataclass(frozen=True)
class FeedbackDraft:
    """What the caller wants recorded as feedback, complaint or recommendation."""

    category: str
    content: str
    phone: str
    contact_name: str = ""


def phone_digits(phone: str) -> str:
    """The phone number as its digits ("0912 345 678" → "0912345678"), as the chat flow
    stores it: a ticket's status is shown to whoever gives its last 4."""
    return "".join(_DIGITS_RE.findall(strip_invisible(phone)))


class ContactError(ValueError):
    """A contact that cannot be recorded as given (the message says why, in Vietnamese)."""


def check_contact(
    channel: str, outcome: str, feedback: FeedbackDraft | None, note: str = ""
) -> None:
    """Raise :class:`ContactError` naming the first thing wrong with the contact."""
    if channel not in CHANNELS:
        raise ContactError("Chọn kênh: tổng đài hoặc quầy.")
    if outcome not in OUTCOMES:
        raise ContactError("Chọn kết quả của cuộc liên hệ.")
    if len(note) > MAX_NOTE:
        raise ContactError(f"Ghi chú dài quá {MAX_NOTE} ký tự.")
    if outcome == "feedback" and feedback is None:
        raise ContactError("Kết quả «Tiếp nhận góp ý» cần nội dung góp ý của người dân.")
    if feedback is None:
        return
    if feedback.category not in CATEGORIES:
        raise ContactError("Chọn loại: góp ý, phản ánh hoặc kiến nghị.")
    if len(feedback.content) > MAX_CONTENT:
        raise ContactError(f"Nội dung góp ý dài quá {MAX_CONTENT} ký tự.")
    if len(phone_digits(feedback.phone)) < 9:
        raise ContactError(
            "Cần số điện thoại của người dân (ít nhất 9 chữ số): họ tra cứu phiếu bằng mã phiếu "
            "và 4 số cuối của số này."
        )


def log_contact(
    session: Session,
    *,
    channel: str,
    outcome: str,
    staff: str,
    procedure_code: str | None = None,
    note: str = "",
    feedback: FeedbackDraft | None = None,
) -> tuple[ContactLog, FeedbackItem | None]:
    """Record a call or visit (and open its feedback item); :class:`ContactError` if the
    contact is incomplete."""
    note = strip_controls(note).strip()
    check_contact(channel, outcome, feedback, note)
    item = None
    if feedback is not None:
        item = create_feedback(
            session,
            channel=channel,
            user_id=f"staff:{staff}",
            category=feedback.category,
            content=strip_controls(feedback.content).strip(),
            contact_name=clean_name(feedback.contact_name) or None,
            phone=phone_digits(feedback.phone),
        )
        assert item.id is not None  # flushed by create_feedback
        session.add(
            FeedbackEvent(feedback_id=item.id, actor=staff, action="note", detail=f"via {channel}")
        )
    contact = ContactLog(
        channel=channel,
        procedure_code=procedure_code or None,
        outcome=outcome,
        note=note,
        staff=staff,
        feedback_id=item.id if item is not None else None,
    )
    session.add(contact)
    session.flush()
    return contact, item


def recent_contacts(session: Session, limit: int = 50) -> list[tuple[ContactLog, str | None]]:
    """The latest contacts, newest first, each with the ticket code of its feedback item."""
    rows = session.exec(
        select(ContactLog, FeedbackItem.ticket)
        .join(FeedbackItem, col(ContactLog.feedback_id) == FeedbackItem.id, isouter=True)
        .order_by(col(ContactLog.id).desc())
        .limit(limit)
    ).all()
    return [(contact, ticket) for contact, ticket in rows]
