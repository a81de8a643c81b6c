"""A dossier (hồ sơ TTHC) as the province's information system reports it, and the one call
every part of motcua uses to read it: ``DossierSource.lookup(receipt_code) -> Dossier``.

Importable by every layer (the conversation, the delivery workers, the staff web). The
concrete HTTP adapter lives in :mod:`bot.dossiers.client`; docs/dossiers.md describes the
wire format a province's system (or a small bridge in front of it) must serve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal, Protocol

VN_TIME = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh, no daylight saving

Stage = Literal[
    "received",  # mới tiếp nhận
    "in_progress",  # đang xử lý
    "waiting_papers",  # chờ bổ sung
    "paused",  # tạm dừng (e.g. waiting for fees, or stopped for review)
    "result_ready",  # có kết quả, chờ trả
    "returned",  # đã trả kết quả
    "rejected",  # từ chối / không được tiếp nhận / dừng xử lý
]
Status = Stage | Literal["overdue"]  # trễ hạn: an open dossier past its due date
STAGES: tuple[Stage, ...] = (
    "received",
    "in_progress",
    "waiting_papers",
    "paused",
    "result_ready",
    "returned",
    "rejected",
)
OPEN_STAGES = ("received", "in_progress")  # the clock runs; past the due date they are late
PENDING_STAGES = ("received", "in_progress", "waiting_papers", "paused")  # not yet decided
PORTAL = "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html"  # the national lookup page

# Each status in plain words, as the chat card and the staff web say it.
STATUS_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "received": "mới tiếp nhận, chưa chuyển xử lý",
        "in_progress": "đang được xử lý",
        "waiting_papers": "đang chờ bạn bổ sung giấy tờ",
        "paused": "tạm dừng xử lý",
        "result_ready": "đã có kết quả, mời bạn nhận",
        "returned": "đã trả kết quả",
        "overdue": "đang xử lý nhưng đã trễ hạn",
        "rejected": "bị từ chối (không được tiếp nhận hoặc dừng giải quyết)",
    },
    "en": {
        "received": "just received, not yet passed on for processing",
        "in_progress": "being processed",
        "waiting_papers": "waiting for you to bring more papers",
        "paused": "on hold",
        "result_ready": "done: the result is ready for you",
        "returned": "done: the result has been handed over",
        "overdue": "still being processed, and past its due date",
        "rejected": "refused (not accepted, or stopped after review)",
    },
}


def status_words(lang: str, status: str) -> str:
    """``status`` (a stage or ``overdue``) in plain words (Vietnamese for an unknown language)."""
    return STATUS_WORDS.get(lang, STATUS_WORDS["vi"])[status]


class DossierNotFound(Exception):
    """The system has no dossier with this receipt code."""


class DossierUnavailable(Exception):
    """The system could not be asked or gave an answer that cannot be read (timeout, 5xx,
    malformed payload). Never guess a status from this."""


@dataclass(frozen=True, slots=True)
class Step:
    """One processing step: which department, what, from when until when (None: ongoing)."""

    department: str
    name: str
    started_at: datetime
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Dossier:
    """One dossier. ``owner_digits`` are the last 4 digits of the phone and ID numbers on the
    dossier: used only to check that the person asking owns it, never shown."""

    receipt_code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime
    due_at: datetime | None
    stage: Stage
    steps: tuple[Step, ...] = ()
    missing: tuple[str, ...] = ()  # papers to bring when waiting for them
    result_return: str | None = None  # how and where the result is handed over
    fees_due_vnd: int = 0
    fees_paid: bool = True
    owner_digits: tuple[str, ...] = field(default=(), repr=False)

    def status(self, now: datetime) -> Status:
        """The stage, or ``overdue`` for an open dossier past its due date."""
        if self.stage in OPEN_STAGES and self.due_at is not None and now > self.due_at:
            return "overdue"
        return self.stage

    def days_to_due(self, now: datetime) -> int | None:
        """Days from today to the due date, Vietnam time (0: due today, negative: that many
        days late), for a dossier not yet decided; None when finished or without a due date."""
        if self.due_at is None or self.stage not in PENDING_STAGES:
            return None
        return (today_vn(self.due_at) - today_vn(now)).days

    @property
    def current_step(self) -> Step | None:
        """The step in progress (the latest one not finished), if any."""
        ongoing = [s for s in self.steps if s.finished_at is None]
        return ongoing[-1] if ongoing else None

    @property
    def masked_applicant(self) -> str:
        """The applicant's name as chat shows it: family name, initials ("Nguyễn V. A")."""
        return mask_name(self.applicant_name)

    def owned_by(self, digits: str) -> bool:
        """Whether ``digits`` are the last 4 of the phone or ID number on the dossier."""
        return len(digits) == 4 and digits in self.owner_digits


class DossierSource(Protocol):
    """The province's dossier system, as motcua sees it."""

    def lookup(self, receipt_code: str) -> Dossier:
        """The dossier with this (normalised) receipt code. Raises :class:`DossierNotFound`
        or :class:`DossierUnavailable`. Blocking: call it off the event loop."""
        ...


def mask_name(name: str) -> str:
    words = name.split()
    if len(words) <= 1:
        return (words[0][0] + ".") if words else ""
    return " ".join([words[0], *(w[0] + "." for w in words[1:-1]), words[-1][0]])


# --- receipt codes ----------------------------------------------------------------------------

_AGENCY = r"(?:\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}|[A-Z]\d{2}(?:\.\d{2}){0,3})"
_CODE = re.compile(rf"^{_AGENCY}-(\d{{6}}|\d{{8}})-(\d{{4,7}})$")
_UNDOTTED = re.compile(r"^(\d{3})(\d{2})(\d{2})([A-Z]\d{2})(-.*)$")  # 0000024H03-…
_CANDIDATE = re.compile(
    r"(?<![\w.])(?:[\d.]{7,13}[a-z]\d{2}|[a-z]\d{2}(?:\.\d{2}){0,3})\s*[-–—]\s*\d{6,8}\s*[-–—]\s*"
    r"\d{4,7}(?!\w)",
    re.IGNORECASE,
)


def normalise_receipt_code(raw: str) -> str | None:
    """The code in the province's canonical form (upper case, dotted agency part, hyphens),
    or None when ``raw`` is not a well-formed receipt code with a real, past date."""
    text = re.sub(r"\s+", "", raw).upper().rstrip(".")
    text = re.sub("[–—]", "-", text)
    undotted = _UNDOTTED.match(text)
    if undotted:
        text = ".".join(undotted.groups()[:4]) + undotted.group(5)
    match = _CODE.match(text)
    if not match or int(match.group(2)) == 0:
        return None
    stamp = match.group(1)
    try:
        issued = datetime.strptime(stamp, "%y%m%d" if len(stamp) == 6 else "%Y%m%d").date()
    except ValueError:
        return None
    if issued > datetime.now(VN_TIME).date() + timedelta(days=1):
        return None
    return text


def find_receipt_code(text: str) -> str | None:
    """The first well-formed receipt code written anywhere in a message."""
    for match in _CANDIDATE.finditer(text):
        code = normalise_receipt_code(match.group(0))
        if code:
            return code
    return None


# --- the wire format (docs/dossiers.md) -------------------------------------------------------


def _time(raw: Any) -> datetime:
    moment = datetime.fromisoformat(str(raw))
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TIME)


def _maybe_time(raw: Any) -> datetime | None:
    return None if raw in (None, "") else _time(raw)


def dossier_from_json(data: dict[str, Any]) -> Dossier:
    """Read the wire format; raises ValueError (or KeyError/TypeError) when malformed."""
    stage = data["stage"]
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    owner = data.get("owner_check") or {}
    digits = tuple(str(owner[k])[-4:] for k in ("phone_last4", "id_last4") if owner.get(k))
    steps = tuple(
        Step(
            str(s["department"]),
            str(s["name"]),
            _time(s["started_at"]),
            _maybe_time(s.get("finished_at")),
        )
        for s in data.get("steps") or ()
    )
    code = normalise_receipt_code(str(data["receipt_code"]))
    if code is None:
        raise ValueError("malformed receipt code")
    fees = data.get("fees") or {}
    return Dossier(
        receipt_code=code,
        procedure_code=str(data["procedure"]["code"]),
        procedure_name=str(data["procedure"]["name"]),
        applicant_name=str(data["applicant_name"]),
        received_at=_time(data["received_at"]),
        due_at=_maybe_time(data.get("due_at")),
        stage=stage,
        steps=steps,
        missing=tuple(str(m) for m in data.get("missing") or ()),
        result_return=data.get("result_return"),
        fees_due_vnd=int(fees.get("due_vnd", 0)),
        fees_paid=bool(fees.get("paid", True)),
        owner_digits=digits,
    )


def dossier_to_json(dossier: Dossier, phone: str = "", id_number: str = "") -> dict[str, Any]:
    """The wire format of ``dossier`` (the stand-in serves it)."""
    return {
        "receipt_code": dossier.receipt_code,
        "procedure": {"code": dossier.procedure_code, "name": dossier.procedure_name},
        "applicant_name": dossier.applicant_name,
        "received_at": dossier.received_at.isoformat(),
        "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        "stage": dossier.stage,
        "steps": [
            {
                "department": s.department,
                "name": s.name,
                "started_at": s.started_at.isoformat(),
                "finished_at": s.finished_at.isoformat() if s.finished_at else None,
            }
            for s in dossier.steps
        ],
        "missing": list(dossier.missing),
        "result_return": dossier.result_return,
        "fees": {"due_vnd": dossier.fees_due_vnd, "paid": dossier.fees_paid},
        "owner_check": {"phone_last4": phone[-4:] or None, "id_last4": id_number[-4:] or None},
    }


def today_vn(now: datetime) -> date:
    return now.astimezone(VN_TIME).date()
