"""The province's report for a chosen period: people helped per channel (chat and the desk),
feedback by kind against its due dates, top procedures, dossier lookups and status-change
notifications; on screen, as CSV, and as a printable page laid out like a monthly report."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aiohttp import web

from feedback.stats import DESK_CHANNELS, ProvinceReport, province_report
from feedback.store import Store
from feedback.web.auth import require
from feedback.web.common import LOCAL, local_time, page
from feedback.web.context import STAFF, StaffContext
from feedback.web.csv_export import csv_response, separator
from feedback.web.labels import CATEGORY_NAMES, REPORT_CHANNELS
from feedback.web.params import bad_request, local_day

routes = web.RouteTableDef()
MAX_DAYS = 366
CSV_COLUMNS = ["section", "indicator", "value"]


@dataclass(frozen=True)
class Period:
    first: date  # both days included, Vietnam time
    last: date

    @property
    def query(self) -> str:
        return f"from={self.first.isoformat()}&to={self.last.isoformat()}"

    def label(self) -> str:
        return f"từ ngày {self.first:%d/%m/%Y} đến ngày {self.last:%d/%m/%Y}"


def _day(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise bad_request(f"{name} phải là một ngày dạng YYYY-MM-DD") from exc


def period(request: web.Request, today: date | None = None) -> Period:
    """The period asked for (``?from=&to=``, days in Vietnam time), this month by default."""
    today = today or datetime.now(LOCAL).date()
    first = _day(request.query["from"], "from") if request.query.get("from") else None
    last = _day(request.query["to"], "to") if request.query.get("to") else None
    first = first or (last or today).replace(day=1)
    last = last or max(first, min(today, _month_end(first)))
    if first > last:
        raise bad_request("Ngày bắt đầu phải trước ngày kết thúc.")
    if (last - first).days >= MAX_DAYS:
        raise bad_request(f"Mỗi báo cáo tối đa {MAX_DAYS} ngày.")
    local_day(first.isoformat())  # the years the store accepts, or 400
    local_day(last.isoformat())
    return Period(first, last)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def presets(today: date) -> list[tuple[str, Period]]:
    """Quick choices: this month, last month, this year."""
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    return [
        ("Tháng này", Period(this_month, today)),
        ("Tháng trước", Period(last_month, _month_end(last_month))),
        ("Năm nay", Period(today.replace(month=1, day=1), today)),
    ]


def _compute(store: Store, chosen: Period) -> ProvinceReport:
    since = local_day(chosen.first.isoformat())
    until = local_day(chosen.last.isoformat(), end=True)
    assert since is not None and until is not None
    with store.session() as session:
        return province_report(session, since, until)


def _dossier_rows(report: ProvinceReport) -> list[dict]:
    """Section IV, a figure a row: citizens' lookups per chat channel and their sum, staff
    lookups apart, notifications sent and refused."""
    line = report.dossiers
    rows = [
        {"name": REPORT_CHANNELS.get(channel, channel), "value": count, "kind": "lookup"}
        for channel, count in line.lookups.items()
    ]
    return [
        *rows,
        {"name": "Cộng: người dân tra cứu", "value": line.citizen_lookups, "kind": "total"},
        {"name": "Cán bộ tra cứu giúp người dân", "value": line.staff_lookups, "kind": "staff"},
        {"name": "Tin báo đổi tình trạng đã gửi", "value": line.notified, "kind": "notified"},
        {"name": "Tin báo không gửi được", "value": line.unreachable, "kind": "unreachable"},
    ]


def _view(staff: StaffContext, report: ProvinceReport) -> dict:
    return {
        "channels": [
            {
                "name": REPORT_CHANNELS.get(line.channel, line.channel),
                "desk": line.channel in DESK_CHANNELS,
                "contacts": line.contacts,
                "helped": line.helped,
            }
            for line in report.channels
        ],
        "feedback": [
            {"name": CATEGORY_NAMES.get(line.category, line.category), "line": line}
            for line in report.feedback
        ],
        "procedures": [
            {"code": code, "name": staff.procedure_name(code), "chat": chat, "desk": desk}
            for code, chat, desk in report.top_procedures
        ],
        "dossiers": _dossier_rows(report),
    }


async def _report(request: web.Request) -> tuple[Period, ProvinceReport, dict]:
    staff = request.app[STAFF]
    chosen = period(request)
    report = await asyncio.to_thread(_compute, staff.store, chosen)
    return chosen, report, _view(staff, report)


@routes.get("/staff/report")
@require("admin")
async def report_page(request: web.Request) -> web.Response:
    chosen, report, view = await _report(request)
    today = datetime.now(LOCAL).date()
    return await page(
        request,
        "report.html",
        period=chosen,
        presets=presets(today),
        report=report,
        **view,
    )


@routes.get("/staff/report/print")
@require("admin")
async def report_print(request: web.Request) -> web.Response:
    chosen, report, view = await _report(request)
    made = local_time(datetime.now(LOCAL), "%d/%m/%Y")
    return await page(request, "report_print.html", period=chosen, report=report, made=made, **view)


def csv_rows(chosen: Period, report: ProvinceReport, view: dict) -> list[dict]:
    """The report as one figure a row: section, indicator, value."""
    rows: list[dict] = [{"section": "Kỳ báo cáo", "indicator": chosen.label(), "value": ""}]
    people = "Người được hỗ trợ theo kênh"
    for line in view["channels"]:
        rows.append(
            {
                "section": people,
                "indicator": f"{line['name']}: lượt liên hệ",
                "value": line["contacts"],
            }
        )
        rows.append(
            {
                "section": people,
                "indicator": f"{line['name']}: được hướng dẫn thủ tục",
                "value": line["helped"],
            }
        )
    rows.append({"section": people, "indicator": "Tổng: lượt liên hệ", "value": report.contacts})
    rows.append(
        {"section": people, "indicator": "Tổng: được hướng dẫn thủ tục", "value": report.helped}
    )
    kinds = "Góp ý, phản ánh, kiến nghị"
    for entry in view["feedback"]:
        name, line = entry["name"], entry["line"]
        for label, value in (
            ("tiếp nhận", line.received),
            ("đã xử lý đúng hạn", line.processed_on_time),
            ("đã xử lý trễ hạn", line.processed_late),
            ("đã xử lý (chưa đặt hạn)", line.processed_no_due),
            ("đang xử lý, trong hạn", line.open_in_time),
            ("đang xử lý, quá hạn", line.open_overdue),
        ):
            rows.append({"section": kinds, "indicator": f"{name}: {label}", "value": value})
    top = "Thủ tục được hỏi nhiều nhất"
    for entry in view["procedures"]:
        rows.append(
            {
                "section": top,
                "indicator": f"{entry['name']} ({entry['code']})",
                "value": entry["chat"] + entry["desk"],
            }
        )
    dossiers = "Tra cứu hồ sơ, tin báo tình trạng hồ sơ"
    for entry in view["dossiers"]:
        indicator = entry["name"]
        if entry["kind"] == "lookup":
            indicator = f"{indicator}: lượt tra cứu hồ sơ"
        rows.append({"section": dossiers, "indicator": indicator, "value": entry["value"]})
    return rows


@routes.get("/staff/report.csv")
@require("admin")
async def report_csv(request: web.Request) -> web.Response:
    sep = separator(request)
    chosen, report, view = await _report(request)
    name = f"bao-cao-{chosen.first:%Y%m%d}-{chosen.last:%Y%m%d}"
    return csv_response(name, CSV_COLUMNS, csv_rows(chosen, report, view), sep)
