"""Recognising what a message is for, before any procedure search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.contract.dossiers import find_receipt_code
from feedback.tickets import find_ticket_code
from knowledge.text import fold

Intent = Literal[
    "cancel",
    "greeting",
    "help",
    "human",
    "feedback",
    "status",
    "rate",
    "choice",
    "thanks",
    "question",
    "dossier",
    "dossier_watch",
    "dossier_unwatch",
]

_PHRASES: dict[str, tuple[str, ...]] = {
    "cancel": (
        "huy",
        "huy bo",
        "thoi",
        "bo qua het",
        "lam lai tu dau",
        "bat dau lai",
        "cancel",
        "start over",
        "restart",
        "reset",
        "quit",
        "stop",
    ),
    "greeting": (
        "xin chao",
        "chao",
        "chao ban",
        "chao ad",
        "chao admin",
        "alo",
        "hello",
        "hi",
        "hey",
        "good morning",
        "chao buoi sang",
        "hi ad",
        "hello ad",
    ),
    "help": (
        "help",
        "giup",
        "giup toi",
        "huong dan",
        "menu",
        "ban lam duoc gi",
        "ban giup duoc gi",
        "what can you do",
        "tro giup",
        "bat dau",
        "start",
    ),
    "thanks": ("cam on", "cam on ban", "thanks", "thank you", "cam on ad", "ok cam on", "tks"),
}
# Phrases that may appear inside a longer message.
_HUMAN_RE = re.compile(
    r"\b(gap|noi chuyen voi|ket noi|chuyen cho|can|muon gap) (nhan vien|can bo|tong dai vien|"
    r"nguoi that|tu van vien|chuyen vien)\b|\b(talk|speak) to (a |an )?(human|person|agent|"
    r"someone|staff|operator)\b|\b(real person|human agent|hotline)\b|^(nhan vien|can bo|"
    r"human|agent|staff)$"
)
_FEEDBACK_RE = re.compile(
    r"\b(gop y|phan anh|kien nghi|khieu nai|to cao|feedback|complaint|complain|suggestion|"
    r"recommendation)\b"
)
_STATUS_RE = re.compile(r"\b(tra cuu|kiem tra|trang thai|status|check|ticket|phieu)\b")
_DOSSIER_RE = re.compile(
    r"\b(tra cuu|kiem tra|tinh trang|trang thai|xem) (ma )?ho so\b|\bho so( cua (toi|minh|em))? "
    r"(den dau|toi dau|the nao|ra sao)|\b(track|check|where is) my (application|dossier|file)\b"
    r"|\b(dossier|application) (status|tracking|lookup)\b"
)
_WATCH_RE = re.compile(
    r"\b(bao|nhan|thong bao|nhan tin) (cho )?(toi|minh|em)? ?khi\b|\btheo doi ho so\b|"
    r"\b(notify|tell|message|let) me( know)? when\b|\b(track|follow|watch) (it|this|my dossier)\b"
)
_UNWATCH_RE = re.compile(
    r"\b(dung|huy|thoi|ngung) theo doi\b|\bstop (tracking|following|watching|notif\w*|updates)\b"
    r"|\bunsubscribe\b"
)
_CHOICE_RE = re.compile(r"^(?:so |chon |number |option |#)?([1-9])\s*[.)]?$")
_CATEGORY_WORDS = {
    "gop y": "feedback",
    "feedback": "feedback",
    "suggestion": "recommendation",
    "phan anh": "complaint",
    "khieu nai": "complaint",
    "to cao": "complaint",
    "complaint": "complaint",
    "complain": "complaint",
    "kien nghi": "recommendation",
    "recommendation": "recommendation",
}


@dataclass(frozen=True, slots=True)
class Recognised:
    intent: Intent
    number: int | None = None  # for "choice"
    ticket: str | None = None  # for "status"
    helpful: bool | None = None  # for "rate"
    category: str | None = None  # for "feedback", when the message names one
    receipt: str | None = None  # for "dossier": the receipt code the message holds


def recognise(text: str) -> Recognised:
    """The intent of a typed message (payloads are handled by the engine)."""
    raw = text.strip()
    if raw in ("👍", "👍🏻", "👍🏼"):
        return Recognised("rate", helpful=True)
    if raw in ("👎", "👎🏻", "👎🏼"):
        return Recognised("rate", helpful=False)
    folded = " ".join(fold(raw).replace("!", " ").replace("?", " ").replace(".", " ").split())
    choice = _CHOICE_RE.match(folded)
    if choice:
        return Recognised("choice", number=int(choice.group(1)))
    receipt = find_receipt_code(raw)
    if receipt:
        return Recognised("dossier", receipt=receipt)
    if _UNWATCH_RE.search(folded):
        return Recognised("dossier_unwatch")
    if _WATCH_RE.search(folded):
        return Recognised("dossier_watch")
    if _DOSSIER_RE.search(folded):
        return Recognised("dossier")
    ticket = find_ticket_code(raw)
    if ticket:  # a code anywhere ("mã GY-… sao rồi") asks where that item stands
        return Recognised("status", ticket=ticket)
    for intent in ("cancel", "greeting", "help", "thanks"):
        if folded in _PHRASES[intent]:
            return Recognised(intent)
    if _HUMAN_RE.search(folded):
        return Recognised("human")
    feedback = _FEEDBACK_RE.search(folded)
    if feedback and _STATUS_RE.search(folded):
        return Recognised("status")
    if feedback:
        return Recognised("feedback", category=_CATEGORY_WORDS.get(feedback.group(1)))
    return Recognised("question")
