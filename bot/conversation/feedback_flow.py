"""Collecting a feedback item, complaint or recommendation, one step per message."""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.contract.messages import Button, Reply
from bot.conversation.phrases import say
from bot.conversation.state import ConversationState, FeedbackDraft
from feedback.conversations import LockedConversation
from feedback.safe_text import clean_name
from feedback.tickets import (
    CATEGORIES,
    FINAL_STATUSES,
    create_feedback,
    find_by_ticket,
    may_see_status,
    outcome,
)

_PHONE_RE = re.compile(r"^(?:\+?84|0)(?:\d[\s.-]?){8,9}\d$")
_SKIP_WORDS = {"bo qua", "khong", "ko", "skip", "no", "k", "-", "khong co"}
MIN_CONTENT_WORDS = 3


def normalise_phone(text: str) -> str | None:
    """A Vietnamese phone number as digits (0912345678), or None if it isn't one."""
    raw = text.strip()
    if not _PHONE_RE.match(raw):
        return None
    digits = re.sub(r"\D", "", raw)
    return "0" + digits[2:] if digits.startswith("84") else digits


def _category_name(lang: str, category: str) -> str:
    return say(lang, f"cat_{category}")


def start(state: ConversationState, category: str | None, text: str) -> list[Reply]:
    """Begin the flow; a long first message ("phản ánh: cán bộ …") becomes the content. The
    citizen picks the kind with buttons unless they named it; in a long message "góp ý" is
    what people call all three kinds, so there it settles nothing."""
    long = bool(category) and len(text.split()) > 4
    vague = category == "feedback" and long
    chosen = None if vague else category
    draft = FeedbackDraft(category=chosen)
    state.feedback = draft
    if long:
        draft.content = text.strip()[:4000]
    if chosen is None:
        return [_ask_category(state.language)]
    return [_after_category(state.language, draft)]


def _after_category(lang: str, draft: FeedbackDraft) -> Reply:
    """The next question once the kind is known: the content, or the name when the first
    message already said what happened."""
    if draft.content:
        draft.step = "name"
        return _ask_name(lang)
    draft.step = "content"
    return _ask_content(lang, draft.category or "feedback")


def _ask_category(lang: str) -> Reply:
    buttons = tuple(Button(_category_name(lang, c), f"fb:cat:{c}") for c in CATEGORIES)
    return Reply(
        say(lang, "feedback_category"), (*buttons, Button(say(lang, "cancel"), "fb:cancel"))
    )


def _ask_content(lang: str, category: str) -> Reply:
    name = _category_name(lang, category)
    return Reply(say(lang, "feedback_content", category_lower=name.lower()))


def _ask_name(lang: str) -> Reply:
    return Reply(say(lang, "feedback_name"), (Button(say(lang, "skip"), "fb:skip"),))


def _ask_phone(lang: str) -> Reply:
    return Reply(say(lang, "feedback_phone"), (Button(say(lang, "skip"), "fb:skip"),))


def _confirm(lang: str, draft: FeedbackDraft) -> Reply:
    text = say(
        lang,
        "feedback_confirm",
        category=_category_name(lang, draft.category or "feedback"),
        content=draft.content if len(draft.content) <= 300 else draft.content[:297] + "…",
        name=draft.contact_name or say(lang, "none"),
        phone=draft.phone or say(lang, "none"),
    )
    buttons = (
        Button(say(lang, "send"), "fb:send"),
        Button(say(lang, "edit"), "fb:edit"),
        Button(say(lang, "cancel"), "fb:cancel"),
    )
    return Reply(text, buttons)


def step(
    session: Session,
    conversation: LockedConversation,
    state: ConversationState,
    text: str,
    payload: str | None,
    folded: str,
) -> list[Reply]:
    """Advance the flow with one message; returns the replies."""
    draft = state.feedback
    assert draft is not None
    lang = state.language
    if payload == "fb:cancel":
        state.feedback = None
        return [Reply(say(lang, "cancelled"))]
    skip = payload == "fb:skip" or folded in _SKIP_WORDS
    if draft.step == "category":
        chosen = (
            payload.removeprefix("fb:cat:") if payload and payload.startswith("fb:cat:") else None
        )
        chosen = chosen or _category_from_text(folded)
        if chosen not in CATEGORIES:
            return [_ask_category(lang)]
        draft.category = chosen
        return [_after_category(lang, draft)]
    if draft.step == "content":
        if len(text.split()) < MIN_CONTENT_WORDS:
            return [Reply(say(lang, "feedback_short"))]
        draft.content, draft.step = text.strip()[:4000], "name"
        return [_ask_name(lang)]
    if draft.step == "name":
        draft.contact_name = None if skip else (clean_name(text)[:128] or None)
        draft.step = "phone"
        return [_ask_phone(lang)]
    if draft.step == "phone":
        if not skip:
            phone = normalise_phone(text)
            if phone is None:
                return [
                    Reply(
                        say(lang, "feedback_phone_invalid"), (Button(say(lang, "skip"), "fb:skip"),)
                    )
                ]
            draft.phone = phone
        draft.step = "confirm"
        return [_confirm(lang, draft)]
    # confirm
    if payload == "fb:edit" or folded in {"sua", "sua noi dung", "edit"}:
        draft.step = "content"
        return [_ask_content(lang, draft.category or "feedback")]
    if payload == "fb:send" or folded in {"gui", "dong y", "ok", "co", "send", "yes"}:
        item = create_feedback(
            session,
            channel=conversation.channel,
            user_id=conversation.user_id,
            category=draft.category or "feedback",
            content=draft.content,
            conversation_id=conversation.id,
            contact_name=draft.contact_name,
            phone=draft.phone,
        )
        state.feedback = None
        name = _category_name(lang, item.category)
        return [Reply(say(lang, "feedback_saved", category_lower=name.lower(), ticket=item.ticket))]
    return [_confirm(lang, draft)]


def _category_from_text(folded: str) -> str | None:
    for words, category in (
        (("gop y", "feedback", "1"), "feedback"),
        (("phan anh", "khieu nai", "complaint", "2"), "complaint"),
        (("kien nghi", "recommendation", "suggestion", "3"), "recommendation"),
    ):
        if any(w == folded or f" {w} " in f" {folded} " for w in words):
            return category
    return None


def status_reply(
    session: Session,
    lang: str,
    ticket: str | None,
    conversation: LockedConversation | None = None,
    text: str = "",
) -> Reply:
    """Where a ticket stands, in the citizen's language: told to the conversation that filed
    it, or to someone who adds the last 4 digits of the phone number left with it."""
    if ticket is None:
        return Reply(say(lang, "status_ask"))
    item = find_by_ticket(session, ticket)
    if item is None:
        return Reply(say(lang, "status_unknown", ticket=ticket))
    channel, user_id = (conversation.channel, conversation.user_id) if conversation else ("", "")
    if not may_see_status(session, item, channel, user_id, text):
        key = "status_private" if item.phone else "status_private_no_phone"
        return Reply(say(lang, key, ticket=item.ticket))
    text = say(
        lang,
        "status",
        ticket=item.ticket,
        category=_category_name(lang, item.category),
        status=say(lang, f"status_{item.status}"),
        created=item.created_at.strftime("%d/%m/%Y"),
    )
    answer = outcome(session, item).answer if item.status in FINAL_STATUSES else ""
    if answer:
        text += "\n" + say(lang, "status_answer", answer=answer)
    return Reply(text)
