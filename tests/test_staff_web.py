"""The staff and admin web over real HTTP: sign-in, CSRF, roles, replies that reach the citizen."""

from __future__ import annotations

import csv
import io
import re

import aiohttp
import pytest
from sqlmodel import select

from feedback.models import EscalationCase, FeedbackItem
from feedback.tickets import find_ticket_code
from feedback.users import add_user
from tests.channel_fixtures import Rig, eventually

PASSWORD = "mật-khẩu-đủ-dài"


def make_user(rig: Rig, username: str, role: str) -> None:
    with rig.runtime.store.session() as session:
        add_user(session, username, PASSWORD, role, display_name=username.title())


class Browser:
    """An HTTP client that keeps cookies like a browser on this origin."""

    def __init__(self, rig: Rig):
        self.rig = rig
        jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[rig.url])
        self.http = aiohttp.ClientSession(cookie_jar=jar)

    async def get(self, path: str, **kw) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.get(self.rig.url + path, allow_redirects=False, **kw) as r:
            return r.status, await r.text(), r

    async def post(self, path: str, data: dict, **kw) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.post(self.rig.url + path, data=data, allow_redirects=False, **kw) as r:
            return r.status, await r.text(), r

    async def csrf(self, path: str = "/staff/login") -> str:
        _, html, _ = await self.get(path)
        return re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    async def login(self, username: str, password: str = PASSWORD) -> int:
        token = await self.csrf()
        status, _, _ = await self.post(
            "/staff/login", {"csrf": token, "username": username, "password": password}
        )
        return status

    async def close(self) -> None:
        await self.http.close()


@pytest.fixture
async def browser(rig):
    opened = Browser(rig)
    yield opened
    await opened.close()


async def escalate(rig: Rig, user: str) -> int:
    await rig.zalo.say(rig.http, user, "tôi muốn gặp cán bộ")
    await eventually(lambda: rig.standins.zalo.texts(user))
    with rig.runtime.store.session() as session:
        return session.exec(select(EscalationCase).order_by(EscalationCase.id.desc())).first().id


async def test_sign_in_sets_a_hardened_cookie_and_wrong_passwords_fail(rig, browser):
    make_user(rig, "lan", "staff")
    assert await browser.login("lan", "wrong password") == 401
    token = await browser.csrf()
    async with browser.http.post(
        rig.url + "/staff/login",
        data={"csrf": token, "username": "lan", "password": PASSWORD},
        allow_redirects=False,
    ) as response:
        assert response.status == 302 and response.headers["Location"] == "/staff/inbox"
        cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Strict" in cookie


async def test_pages_need_a_session_and_the_right_role(rig, browser):
    status, _, response = await browser.get("/staff/inbox")
    assert status == 302 and response.headers["Location"].startswith("/staff/login")
    assert (await browser.get("/staff/api/cases"))[0] == 401
    make_user(rig, "lan", "staff")
    assert await browser.login("lan") == 302
    assert (await browser.get("/staff/inbox"))[0] == 200
    assert (await browser.get("/staff/dashboard"))[0] == 403
    admin = Browser(rig)
    make_user(rig, "admin", "admin")
    assert await admin.login("admin") == 302
    status, html, _ = await admin.get("/staff/dashboard")
    assert status == 200 and "Thống kê" in html
    await admin.close()


async def test_posts_without_the_csrf_token_are_refused(rig, browser):
    case_id = await escalate(rig, "z-csrf")
    make_user(rig, "lan", "staff")
    await browser.login("lan")
    status, _, _ = await browser.post(f"/staff/cases/{case_id}/reply", {"text": "xin chào"})
    assert status == 403
    other = Browser(rig)
    foreign_token = await other.csrf()
    status, _, _ = await browser.post(
        f"/staff/cases/{case_id}/reply", {"text": "xin chào", "csrf": foreign_token}
    )
    assert status == 403
    await other.close()
    assert rig.standins.zalo.texts("z-csrf")[-1].startswith("Mình đã chuyển")  # nothing sent


async def test_staff_take_a_case_and_reply_on_the_citizens_channel(rig, browser):
    case_id = await escalate(rig, "z-help")
    make_user(rig, "lan", "staff")
    await browser.login("lan")
    _, inbox, _ = await browser.get("/staff/inbox")
    assert f'data-id="{case_id}"' in inbox and "gặp cán bộ" in inbox
    token = await browser.csrf(f"/staff/cases/{case_id}")
    assert (await browser.post(f"/staff/cases/{case_id}/take", {"csrf": token}))[0] == 303
    status, _, _ = await browser.post(
        f"/staff/cases/{case_id}/reply",
        {"csrf": token, "text": "Chào anh, em là Lan, em hỗ trợ ạ."},
    )
    assert status == 303
    zalo = rig.standins.zalo
    await eventually(lambda: "em là Lan" in zalo.texts("z-help")[-1])
    assert (await browser.post(f"/staff/cases/{case_id}/handback", {"csrf": token}))[0] == 303
    await eventually(lambda: "Trợ lý tự động" in zalo.texts("z-help")[-1])
    await rig.zalo.say(rig.http, "z-help", "đăng ký tạm trú")
    await eventually(lambda: "tạm trú" in zalo.texts("z-help")[-1].lower())
    with rig.runtime.store.session() as session:
        case = session.get(EscalationCase, case_id)
    assert (case.status, case.assignee) == ("closed", "lan")


async def file_feedback(rig: Rig, user: str, kind: str, content: str, phone: str) -> str:
    zalo = rig.standins.zalo
    for text in (kind, content, "Nguyễn Văn An", phone, "#fb:send"):
        count = len(zalo.texts(user))
        await rig.zalo.say(rig.http, user, text)
        await eventually(lambda c=count: len(zalo.texts(user)) > c)
    ticket = find_ticket_code(zalo.texts(user)[-1])
    assert ticket
    return ticket


async def test_resolving_feedback_tells_the_citizen_with_the_ticket(rig, browser):
    ticket = await file_feedback(
        rig, "z-fb", "phản ánh", "Trả kết quả chậm 5 ngày so với phiếu hẹn", "0912345678"
    )
    make_user(rig, "lan", "staff")
    await browser.login("lan")
    status, html, _ = await browser.get(f"/staff/feedback/{ticket}")
    assert status == 200 and "0912345678" not in html  # not hers (yet): masked
    assert "09******78" in html
    token = await browser.csrf(f"/staff/feedback/{ticket}")
    status, _, _ = await browser.post(
        f"/staff/feedback/{ticket}",
        {
            "csrf": token,
            "status": "resolved",
            "assignee": "lan",
            "note": "Đã làm việc với xã",
            "reply": "Xã đã trả kết quả và xin lỗi anh.",
        },
    )
    assert status == 303
    zalo = rig.standins.zalo
    await eventually(lambda: "đã giải quyết" in zalo.texts("z-fb")[-1])
    assert ticket in zalo.texts("z-fb")[-1] and "xin lỗi" in zalo.texts("z-fb")[-1]
    _, html, _ = await browser.get(f"/staff/feedback/{ticket}")
    assert "Đã làm việc với xã" in html and "đã báo kết quả cho người dân qua Zalo" in html
    assert "0912345678" in html  # assigned to her now: she can call back


async def test_csv_export_filters_and_masks_phones_for_staff(rig, browser):
    await file_feedback(rig, "z-a", "góp ý", "Nên mở thêm quầy buổi trưa", "0987654321")
    await file_feedback(rig, "z-b", "kiến nghị", "Đề nghị có chỗ gửi xe", "0911222333")
    make_user(rig, "lan", "staff")
    await browser.login("lan")
    status, body, response = await browser.get("/staff/feedback.csv?category=recommendation")
    assert status == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r["Nội dung"] for r in rows] == ["Đề nghị có chỗ gửi xe"]
    assert rows[0]["Điện thoại"] == "09******33"
    admin = Browser(rig)
    make_user(rig, "admin", "admin")
    await admin.login("admin")
    _, body, _ = await admin.get("/staff/feedback.csv?q=quầy")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [(r["Loại"], r["Điện thoại"]) for r in rows] == [("Góp ý", "0987654321")]
    _, board, _ = await admin.get("/staff/dashboard")
    assert "góp ý, phản ánh, kiến nghị nhận được" in board
    for name in ("daily", "procedures", "unanswered", "ratings"):
        status, body, _ = await admin.get(f"/staff/export/{name}.csv")
        assert status == 200 and body.startswith("\ufeff")
    await admin.close()
    with rig.runtime.store.session() as session:
        assert len(session.exec(select(FeedbackItem)).all()) == 2
