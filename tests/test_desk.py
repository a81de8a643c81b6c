"""The hotline and counter desk over real HTTP: logging contacts, and the province's report
(people helped per channel, feedback against due dates, top procedures) on screen and as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlmodel import select

from feedback.models import ContactLog, FeedbackItem
from feedback.web.common import LOCAL
from tests.channel_fixtures import eventually
from tests.test_staff_web import Browser, make_user


@pytest.fixture
async def browser(rig):
    opened = Browser(rig)
    yield opened
    await opened.close()


def residence_code(rig) -> str:
    """The procedure the bot answers "đăng ký tạm trú" with."""
    return rig.runtime.engine.retriever.search("đăng ký tạm trú").best.procedure.code


class Tables(HTMLParser):
    """Each table's rows of cell texts, by the table's id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, table: str) -> dict[str, list[str]]:
        """Body rows keyed by their second cell (the name column)."""
        return {r[1]: r[2:] for r in self.tables[table] if len(r) > 2 and r[0] != "STT"}


async def log(browser: Browser, **fields: str) -> tuple[int, str, str]:
    """Post the contact form as a staff member would fill it; status, page, redirect."""
    token = await browser.csrf("/staff/contacts/new")
    status, html, response = await browser.post("/staff/contacts", {"csrf": token, **fields})
    return status, html, response.headers.get("Location", "")


async def test_a_call_with_feedback_gets_a_ticket_the_caller_checks_on_zalo(rig, browser):
    make_user(rig, "lan", "staff")
    await browser.login("lan")
    status, _, target = await log(
        browser,
        code=residence_code(rig),
        channel="hotline",
        outcome="feedback",
        category="complaint",
        content="Chờ ở quầy hơn hai tiếng mà chưa được tiếp",
        name="Trần Thị Bình",
        phone="0912 345 678",
    )
    assert status == 303 and target.startswith("/staff/contacts?saved=")
    _, html, _ = await browser.get(target)
    ticket = re.search(r'class="ticket">(GY-[A-Z0-9]{6})<', html).group(1)
    assert "Tổng đài" in html and "Tiếp nhận góp ý" in html
    with rig.runtime.store.session() as session:
        item = session.exec(select(FeedbackItem).where(FeedbackItem.ticket == ticket)).one()
    assert (item.channel, item.category) == ("hotline", "complaint")
    # The caller later asks on Zalo with the ticket and the last 4 digits of their phone.
    zalo = rig.standins.zalo
    await rig.zalo.say(rig.http, "z-caller", f"tra cứu {ticket.lower()} 1111")
    await eventually(lambda: len(zalo.texts("z-caller")) == 1)
    assert "4 số cuối" in zalo.texts("z-caller")[-1]  # wrong digits: nothing shown
    await rig.zalo.say(rig.http, "z-caller", f"tra cứu {ticket.lower()} 5678")
    await eventually(lambda: len(zalo.texts("z-caller")) == 2)
    status_reply = zalo.texts("z-caller")[-1]
    assert ticket in status_reply and "Gửi lúc" in status_reply


async def test_an_incomplete_contact_comes_back_filled_in_with_the_reason(rig, browser):
    make_user(rig, "lan", "staff")
    await browser.login("lan")
    status, html, _ = await log(
        browser,
        code=residence_code(rig),
        channel="counter",
        outcome="feedback",
        category="recommendation",
        content="Nên có thêm ghế chờ ở tầng 2",
        phone="",
    )
    assert status == 400 and "số điện thoại" in html
    assert "Nên có thêm ghế chờ ở tầng 2" in html  # nothing the staff member typed is lost
    status, html, _ = await log(browser, channel="counter", outcome="")
    assert status == 400 and "Chọn kết quả" in html
    status, html, _ = await log(browser, code="9.999999", channel="hotline", outcome="answered")
    assert status == 400 and "Không có thủ tục" in html
    with rig.runtime.store.session() as session:
        assert session.exec(select(ContactLog)).all() == []
        assert session.exec(select(FeedbackItem)).all() == []


async def file_and_settle(rig, admin: Browser, content: str, due: str | None, resolve: bool):
    """A recommendation taken at the counter, given a due date and maybe resolved."""
    _, _, target = await log(
        admin,
        channel="counter",
        outcome="feedback",
        category="recommendation",
        content=content,
        phone="0987654321",
    )
    _, html, _ = await admin.get(target)
    ticket = re.search(r'class="ticket">(GY-[A-Z0-9]{6})<', html).group(1)
    token = await admin.csrf(f"/staff/feedback/{ticket}")
    fields = {"csrf": token, "assignee": "admin", "due_date": due or ""}
    if resolve:
        fields["status"] = "resolved"
    assert (await admin.post(f"/staff/feedback/{ticket}", fields))[0] == 303


async def test_the_province_report_counts_each_channel_and_feedback_against_due_dates(rig, browser):
    await rig.zalo.say(rig.http, "z-report", "đăng ký tạm trú cần giấy tờ gì")
    await eventually(lambda: rig.standins.zalo.texts("z-report"))
    await rig.zalo.say(rig.http, "z-chat-only", "xin chào")
    await eventually(lambda: rig.standins.zalo.texts("z-chat-only"))
    make_user(rig, "admin", "admin")
    await browser.login("admin")
    assert (await log(browser, code=residence_code(rig), channel="hotline", outcome="answered"))[
        0
    ] == 303
    assert (await log(browser, channel="hotline", outcome="escalated"))[0] == 303
    today = datetime.now(LOCAL).date()
    yesterday, later = today - timedelta(days=1), today + timedelta(days=7)
    await file_and_settle(rig, browser, "Thêm chỗ gửi xe", later.isoformat(), resolve=True)
    await file_and_settle(rig, browser, "Thêm quầy buổi trưa", yesterday.isoformat(), True)
    await file_and_settle(rig, browser, "Thêm ghế chờ", yesterday.isoformat(), resolve=False)
    await file_and_settle(rig, browser, "Thêm máy lấy số", None, resolve=False)

    status, html, _ = await browser.get("/staff/report")
    assert status == 200 and f"đến ngày {today:%d/%m/%Y}" in html
    tables = Tables(html)
    channels = tables.rows("report-channels")
    assert channels["Zalo"] == ["2", "1"]  # two citizens wrote, one was answered a procedure
    assert channels["Tổng đài"] == ["2", "1"]  # two calls, one answered
    assert channels["Quầy tiếp dân"] == ["4", "0"]  # four visits, each feedback taken
    assert channels["Messenger"] == ["0", "0"] and channels["Telegram"] == ["0", "0"]
    # received, processed on time / late / without due date, open in time / overdue
    kinds = tables.rows("report-feedback")
    assert kinds["Kiến nghị"] == ["4", "1", "1", "0", "1", "1"]
    assert kinds["Phản ánh"] == ["0", "0", "0", "0", "0", "0"]
    procedures = tables.rows("report-procedures")
    (asked,) = [cells for name, cells in procedures.items() if residence_code(rig) in name]
    assert asked[1:] == ["1", str(int(asked[0]) + 1)]  # one call about it, plus the chat

    status, body, response = await browser.get(
        f"/staff/report.csv?from={today.replace(day=1).isoformat()}&to={today.isoformat()}"
    )
    assert status == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "bao-cao-" in response.headers["Content-Disposition"]
    rows = {r["indicator"]: r["value"] for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))}
    assert rows["Quầy tiếp dân: lượt liên hệ"] == "4"
    assert rows["Tổng: lượt liên hệ"] == "8" and rows["Tổng: được hướng dẫn thủ tục"] == "2"
    assert rows["Kiến nghị: đã xử lý trễ hạn"] == "1"
    assert rows["Kiến nghị: đang xử lý, quá hạn"] == "1"

    # An earlier month had none of this.
    _, html, _ = await browser.get("/staff/report?from=2025-01-01&to=2025-01-31")
    assert Tables(html).rows("report-channels")["Tổng đài"] == ["0", "0"]
    _, printed, _ = await browser.get("/staff/report/print?from=2025-01-01&to=2025-01-31")
    assert "từ ngày 01/01/2025 đến ngày 31/01/2025" in printed and "NGƯỜI LẬP BÁO CÁO" in printed


async def test_the_report_refuses_a_bad_period_and_is_for_admins(rig, browser):
    make_user(rig, "admin", "admin")
    await browser.login("admin")
    for query in (
        "from=2026-13-01",
        "from=2026-05-01&to=2026-04-01",
        "from=2020-01-01&to=2026-01-01",
    ):
        assert (await browser.get(f"/staff/report?{query}"))[0] == 400
        assert (await browser.get(f"/staff/report.csv?{query}"))[0] == 400
    staff = Browser(rig)
    make_user(rig, "lan", "staff")
    await staff.login("lan")
    assert (await staff.get("/staff/report"))[0] == 403
    assert (await staff.get("/staff/report.csv"))[0] == 403
    await staff.close()
