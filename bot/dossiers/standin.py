"""A stand-in of the province's dossier system on loopback: demo dossiers in every status,
failure modes (slow answers, 5xx, malformed payloads), and :meth:`advance` to move a dossier
to its next status, as a real one would move while the citizen waits.

Every demo code shares the agency ``000.00.24.H03`` and the date its stand-in started; the
owner check digits are the last 4 of the phone (``68NN``) and ID (``20NN``) numbers, where NN
is the dossier's sequence number. All names and numbers are invented.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from aiohttp import web

from bot.contract.dossiers import VN_TIME, Dossier, Stage, Step, dossier_to_json
from channels.standin import Faults

AGENCY = "000.00.24.H03"
ONE_STOP = "Bộ phận Một cửa UBND xã Minh Phú"
SPECIALIST = "Phòng Kinh tế UBND xã Minh Phú"
PICKUP = "Nhận trực tiếp tại Bộ phận Một cửa UBND xã Minh Phú, hoặc qua bưu điện nếu đã đăng ký"
_NEXT: dict[Stage, Stage] = {
    "received": "in_progress",
    "in_progress": "result_ready",
    "waiting_papers": "in_progress",
    "paused": "in_progress",
    "result_ready": "returned",
}
_STEP_NAMES: dict[Stage, tuple[str, str]] = {
    "received": (ONE_STOP, "Tiếp nhận hồ sơ"),
    "in_progress": (SPECIALIST, "Thẩm định hồ sơ"),
    "waiting_papers": (ONE_STOP, "Chờ công dân bổ sung giấy tờ"),
    "paused": (ONE_STOP, "Chờ thực hiện nghĩa vụ tài chính"),
    "result_ready": (ONE_STOP, "Trả kết quả"),
}


def demo_code(number: int, day: datetime) -> str:
    return f"{AGENCY}-{day:%y%m%d}-{number:04d}"


def owner_phone(number: int) -> str:
    return f"09123{number + 6800:05d}"


def owner_id(number: int) -> str:
    return f"0272030{number + 2000:05d}"


def demo_dossiers(now: datetime | None = None) -> list[Dossier]:
    """One dossier in each status (overdue is an open dossier past its due date), numbered
    1 (received) to 8 (rejected)."""
    now = (now or datetime.now(VN_TIME)).astimezone(VN_TIME).replace(microsecond=0)
    day = now - timedelta(hours=1)
    long_ago = now - timedelta(days=12)
    plans: list[tuple[Stage, datetime, datetime | None]] = [
        ("received", day, now + timedelta(days=5)),
        ("in_progress", day, now + timedelta(days=3)),
        ("waiting_papers", day, now + timedelta(days=7)),
        ("paused", day, now + timedelta(days=4)),
        ("result_ready", day, now + timedelta(days=1)),
        ("returned", day, now - timedelta(hours=1)),
        ("in_progress", long_ago, now - timedelta(days=2)),  # overdue
        ("rejected", day, None),
    ]
    dossiers = []
    for number, (stage, received, due) in enumerate(plans, start=1):
        steps = [Step(ONE_STOP, "Tiếp nhận hồ sơ", received, received + timedelta(minutes=20))]
        if stage != "rejected":
            department, name = _STEP_NAMES.get(stage, (ONE_STOP, "Trả kết quả"))
            finished = received + timedelta(minutes=40) if stage == "returned" else None
            steps.append(Step(department, name, received + timedelta(minutes=20), finished))
        dossiers.append(
            Dossier(
                receipt_code=demo_code(number, day if stage != "in_progress" else received),
                procedure_code="1.001612",
                procedure_name="Đăng ký thành lập hộ kinh doanh",
                applicant_name="Nguyễn Văn An",
                received_at=received,
                due_at=due,
                stage=stage,
                steps=tuple(steps),
                missing=("Bản sao hợp đồng thuê địa điểm kinh doanh",)
                if stage == "waiting_papers"
                else (),
                result_return=None if stage == "rejected" else PICKUP,
                fees_due_vnd=100_000,
                fees_paid=stage != "paused",
                owner_digits=(owner_phone(number)[-4:], owner_id(number)[-4:]),
            )
        )
    return dossiers


class DossierApiStandIn:
    """The province system's lookup API, as docs/dossiers.md describes it."""

    def __init__(self, token: str | None = None, now: datetime | None = None) -> None:
        self.token = token or f"dossier-{secrets.token_hex(12)}"
        self.faults = Faults()
        self.malformed = 0  # the next N answers are not valid dossiers
        self.dossiers: dict[str, Dossier] = {d.receipt_code: d for d in demo_dossiers(now)}
        self.lookups: list[str] = []

    def code(self, number: int) -> str:
        """The receipt code of demo dossier ``number`` (1–8)."""
        return list(self.dossiers)[number - 1]

    def advance(self, code: str, now: datetime | None = None) -> Dossier:
        """Move a dossier to its next status (the step in progress finishes, the next starts)."""
        dossier = self.dossiers[code]
        stage = _NEXT.get(dossier.stage)
        if stage is None:
            raise ValueError(f"{code} is closed ({dossier.stage})")
        now = now or datetime.now(VN_TIME)
        steps = [s if s.finished_at else replace(s, finished_at=now) for s in dossier.steps]
        if stage != "returned":
            department, name = _STEP_NAMES[stage]
            steps.append(Step(department, name, now))
        moved = replace(dossier, stage=stage, steps=tuple(steps), missing=(), fees_paid=True)
        self.dossiers[code] = moved
        return moved

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/dossiers/{code}", self._lookup)
        return app

    async def _lookup(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorised"}, status=401)
        failure = await self.faults.apply()
        if failure is not None:
            return failure
        code = request.match_info["code"]
        self.lookups.append(code)
        if self.malformed > 0:
            self.malformed -= 1
            return web.json_response({"receipt_code": code, "stage": "somewhere"})
        dossier = self.dossiers.get(code)
        if dossier is None:
            return web.json_response({"error": "not_found"}, status=404)
        number = int(code.rsplit("-", 1)[1])
        return web.json_response(
            dossier_to_json(dossier, owner_phone(number), owner_id(number)),
            dumps=_dumps,
        )


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def server_error() -> web.Response:
    return web.json_response({"error": "internal"}, status=503)
