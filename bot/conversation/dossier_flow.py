"""Dossier lookup in the conversation: the code, the owner check, the status card, tracking.

The lookup itself runs in :func:`fetch`, called from ``Engine.prepare`` (off the event loop,
outside the turn's transaction). The turn then asks for the last 4 digits of the phone or ID
number on the dossier and keeps, until they are given, only salted hashes of the right
digits and the card to show. An unknown code gets the same question and the same "no match"
as a wrong answer, so nobody learns whether a code exists without owning it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.contract.dossiers import (
    Dossier,
    DossierNotFound,
    DossierSource,
    DossierUnavailable,
    today_vn,
)
from bot.contract.messages import Button, Link, Reply
from bot.conversation.dossier_phrases import PORTAL, say, status_words
from bot.conversation.phrases import say as say_general
from bot.conversation.state import ConversationState, DossierCheck
from feedback import dossier_watches
from feedback.conversations import LockedConversation

MAX_WRONG = 5  # wrong owner checks per conversation per day before staff take over
WATCH_PAYLOAD = "dossier:watch"
_DIGITS = re.compile(r"^\D{0,12}(\d{4})\D{0,2}$")


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the system said about a code: the dossier, or None (unknown), or ``down``."""

    code: str
    dossier: Dossier | None
    down: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    replies: list[Reply]
    escalate: bool = False
    shown: bool = False  # the status card was shown (counted for the province's report)


def fetch(source: DossierSource | None, code: str) -> Lookup:
    """Ask the system (blocking; the engine calls this off the loop)."""
    if source is None:
        return Lookup(code, None, down=True)
    try:
        return Lookup(code, source.lookup(code))
    except DossierNotFound:
        return Lookup(code, None)
    except DossierUnavailable:
        return Lookup(code, None, down=True)


def confirmation_digits(text: str) -> str | None:
    """The 4 digits of an owner check ("1234", "số cuối 1234"), else None."""
    match = _DIGITS.match(text.strip())
    return match.group(1) if match else None


def wrong_today(state: ConversationState, now: datetime) -> int:
    today = today_vn(now).isoformat()
    state.dossier_wrong = [day for day in state.dossier_wrong if day == today]
    return len(state.dossier_wrong)


def start(state: ConversationState, lookup: Lookup | None, lang: str, now: datetime) -> Outcome:
    """A code was given (or only "tra cứu hồ sơ" was said): ask for the owner check."""
    if lookup is None:
        return Outcome([Reply(say(lang, "ask_code"))])
    if wrong_today(state, now) >= MAX_WRONG:
        return Outcome([Reply(say(lang, "too_many"))], escalate=True)
    if lookup.down:
        human = Button(say_general(lang, "ask_human"), "human")
        return Outcome([Reply(say(lang, "down", code=lookup.code), (human,))])
    salt = secrets.token_hex(8)
    dossier = lookup.dossier
    state.dossier_pending = DossierCheck(
        code=lookup.code,
        salt=salt,
        hashes=[_hash(salt, d) for d in dossier.owner_digits] if dossier else [],
        card=card_text(dossier, lang, now) if dossier else "",
        stage=dossier.stage if dossier else "",
    )
    return Outcome([Reply(say(lang, "ask_digits", code=lookup.code))])


def confirm(state: ConversationState, digits: str, lang: str, now: datetime) -> Outcome:
    """The citizen answered the owner check: the card, or the same "no match" for a wrong
    answer and an unknown code; staff after :data:`MAX_WRONG` wrong answers in a day."""
    pending = state.dossier_pending
    assert pending is not None
    if wrong_today(state, now) >= MAX_WRONG:
        state.dossier_pending = None
        return Outcome([Reply(say(lang, "too_many"))], escalate=True)
    given = _hash(pending.salt, digits)
    if any(hmac.compare_digest(known, given) for known in pending.hashes):
        state.dossier_pending = None
        state.dossier_verified = pending.code
        state.dossier_stage = pending.stage
        buttons = (Button(say(lang, "watch_button"), WATCH_PAYLOAD),)
        card = Reply(pending.card, buttons, (Link("dichvucong.gov.vn", PORTAL),))
        return Outcome([card], shown=True)
    state.dossier_wrong.append(today_vn(now).isoformat())
    left = MAX_WRONG - len(state.dossier_wrong)
    if left <= 0:
        state.dossier_pending = None
        return Outcome([Reply(say(lang, "too_many"))], escalate=True)
    return Outcome([Reply(say(lang, "no_match", left=str(left)))])


def watch(
    session: Session, conversation: LockedConversation, state: ConversationState, lang: str
) -> list[Reply]:
    """Track the dossier the citizen has just looked up (and proved theirs)."""
    code = state.dossier_verified
    if not code:
        return [Reply(say(lang, "watch_first"))]
    if state.dossier_stage in ("returned", "rejected"):
        return [Reply(say(lang, "watch_closed", code=code))]
    dossier_watches.watch(
        session, conversation.channel, conversation.user_id, code, state.dossier_stage, lang
    )
    return [Reply(say(lang, "watching", code=code))]


def unwatch(session: Session, conversation: LockedConversation, lang: str) -> list[Reply]:
    stopped = dossier_watches.unwatch(session, conversation.channel, conversation.user_id)
    return [Reply(say(lang, "unwatched" if stopped else "not_watching"))]


def card_text(dossier: Dossier, lang: str, now: datetime) -> str:
    """The status card: status in plain words, due date and days left or late, where it is,
    what to bring, fees, how to get the result, the portal link."""
    status = dossier.status(now)
    lines = [
        say(
            lang,
            "card_head",
            code=dossier.receipt_code,
            procedure=dossier.procedure_name,
            applicant=dossier.masked_applicant,
            status=status_words(lang, status),
        )
    ]
    if dossier.due_at is not None:
        lines.append(say(lang, "due", due=f"{dossier.due_at:%d/%m/%Y}"))
        days = dossier.days_to_due(now)
        if days is not None and days > 0:
            lines.append(say(lang, "days_left", days=str(days)))
        elif days == 0:
            lines.append(say(lang, "due_today"))
        elif days is not None:
            lines.append(say(lang, "days_late", days=str(-days)))
    step = dossier.current_step
    if step is not None and dossier.stage not in ("returned", "rejected"):
        since = f"{step.started_at:%d/%m/%Y}"
        lines.append(say(lang, "current", department=step.department, step=step.name, since=since))
    if dossier.stage == "waiting_papers" and dossier.missing:
        lines.append(say(lang, "missing") + "".join(f"\n• {item}" for item in dossier.missing))
    if dossier.fees_due_vnd and not dossier.fees_paid:
        lines.append(say(lang, "fees", amount=f"{dossier.fees_due_vnd:,}".replace(",", ".")))
    if dossier.result_return and dossier.stage != "rejected":
        lines.append(say(lang, "receive", how=dossier.result_return))
    lines.append(say(lang, "portal", url=PORTAL))
    return "\n".join(lines)


def _hash(salt: str, digits: str) -> str:
    return hmac.new(salt.encode(), digits.encode(), hashlib.sha256).hexdigest()
