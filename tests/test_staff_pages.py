"""The staff pages as staff and admins meet them (issue 16, items 9–13): the inbox on a phone,
everything in Vietnamese, error pages inside the layout, accounts managed on the web, charts
that never clip. Real HTTP over loopback and Debian's chromium driven by Playwright."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from sqlmodel import col, select

from feedback.conversations import log_message
from feedback.models import Conversation, EscalationCase, OutboxMessage
from tests.channel_fixtures import eventually
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.test_staff_web import PASSWORD, Browser, escalate, file_feedback, make_user

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


@pytest.fixture
async def client(rig):
    """An HTTP client keeping cookies like a browser."""
    opened = Browser(rig)
    yield opened
    await opened.close()


async def title_becomes(page, prefix: str, timeout: float = 10.0) -> None:
    """Wait until the tab title starts with ``prefix`` (no script eval: the CSP forbids it)."""
    for _ in range(int(timeout / 0.1)):
        if (await page.title()).startswith(prefix):
            return
        await page.wait_for_timeout(100)
    raise AssertionError(f"title is {await page.title()!r}")


@pytest.fixture
async def phone():
    """A page in a phone-sized window (390×844, touch)."""
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (make setup installs it)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN"
        )
        opened = await context.new_page()
        yield opened
        await context.close()
        await browser.close()


async def test_the_inbox_works_on_a_phone_longest_waiting_first(rig, phone, client):
    make_user(rig, "lan", "staff")
    first = await escalate(rig, "z-first")
    second = await escalate(rig, "z-second")
    # Staff answer the first citizen: the second now waits longest and comes first.
    await client.login("lan")
    token = await client.csrf(f"/staff/cases/{first}")
    await client.post(f"/staff/cases/{first}/reply", {"csrf": token, "text": "Em đây ạ"})
    await eventually(lambda: "Em đây" in rig.standins.zalo.texts("z-first")[-1])

    await sign_in(phone, rig.url, "lan")
    rows = phone.locator("#cases tbody tr")
    assert await rows.count() == 2
    assert await rows.nth(0).get_attribute("data-id") == str(second)
    assert re.search(r"Chờ (dưới 1 phút|\d+ phút)", await rows.nth(0).inner_text())
    assert "Đã trả lời" in await rows.nth(1).inner_text()
    assert await phone.title() == "(1) Hội thoại cần hỗ trợ"
    # The list refreshes itself: the title follows.
    await escalate(rig, "z-third")
    await title_becomes(phone, "(2) ")
    if os.environ.get("MOTCUA_SCREENSHOTS"):
        await phone.screenshot(path=str(SCREENSHOTS / "staff-inbox-phone.png"))
    # A case is a card that fits the screen; a tap anywhere on it opens the case.
    card = phone.locator(f'#cases tr[data-id="{second}"]')
    box = await card.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    preview = await card.locator(".preview").bounding_box()
    assert preview
    await phone.touchscreen.tap(preview["x"] + 20, preview["y"] + preview["height"] / 2)
    await phone.wait_for_url(f"{rig.url}/staff/cases/{second}")
    assert "Chờ nhận" in await phone.locator("#status").inner_text()


async def test_a_button_press_shows_in_the_transcript_as_its_label(rig, client):
    zalo = rig.standins.zalo
    await rig.zalo.say(rig.http, "z-press", "làm hộ chiếu phổ thông cần giấy tờ gì")
    await eventually(lambda: len(zalo.texts("z-press")) > 0)

    def offered() -> list[list[str]]:
        with rig.runtime.store.session() as session:
            bodies = session.exec(
                select(OutboxMessage.body).where(col(OutboxMessage.user_id) == "z-press")
            ).all()
        return [b for body in bodies for b in json.loads(body)["buttons"]]

    await eventually(lambda: bool(offered()))
    title, payload = next(b for b in offered() if b[1] != "human")
    count = len(zalo.texts("z-press"))
    await rig.zalo.say(rig.http, "z-press", "#" + payload)  # Zalo returns a press as text
    await eventually(lambda: len(zalo.texts("z-press")) > count)
    await rig.zalo.say(rig.http, "z-press", "tôi muốn gặp cán bộ")

    def opened() -> int | None:
        with rig.runtime.store.session() as session:
            return session.exec(select(EscalationCase.id)).first()

    await eventually(lambda: opened() is not None)
    case_id = opened()
    make_user(rig, "lan", "staff")
    await client.login("lan")
    _, html, _ = await client.get(f"/staff/cases/{case_id}")
    bubbles = re.findall(
        r'<div class="msg citizen"[^>]*><span class="meta">[^<]*</span>([^<]*)<', html
    )
    assert f"[Bấm nút] {title}" in bubbles
    assert all(b.strip() for b in bubbles)  # no empty bubble


async def test_staff_read_vietnamese_states_history_csv_and_display_names(rig, client):
    ticket = await file_feedback(rig, "z-vn", "kiến nghị", "Đề nghị thêm ghế chờ", "0911222333")
    case_id = await escalate(rig, "z-vn-case")
    with rig.runtime.store.session() as session:
        from feedback.users import add_user

        add_user(session, "lan", PASSWORD, "staff", display_name="Trần Thị Lan")
    await client.login("lan")
    token = await client.csrf(f"/staff/feedback/{ticket}")
    await client.post(
        f"/staff/feedback/{ticket}", {"csrf": token, "assignee": "lan", "status": "in_progress"}
    )
    _, html, _ = await client.get(f"/staff/feedback/{ticket}")
    history = html[html.index('class="history"') :]
    assert "đã giao cho Trần Thị Lan" in history and "đã chuyển sang Đang xử lý" in history
    assert "assigned" not in history and "in_progress" not in history
    assert '<option value="lan" selected>Trần Thị Lan</option>' in html
    _, body, _ = await client.get("/staff/feedback.csv")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert list(rows[0])[:5] == ["Mã", "Ngày gửi", "Kênh", "Loại", "Trạng thái"]
    assert (rows[0]["Loại"], rows[0]["Trạng thái"], rows[0]["Người xử lý"]) == (
        "Kiến nghị",
        "Đang xử lý",
        "Trần Thị Lan",
    )
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", rows[0]["Ngày gửi"])
    token = await client.csrf(f"/staff/cases/{case_id}")
    await client.post(f"/staff/cases/{case_id}/take", {"csrf": token})
    _, html, _ = await client.get(f"/staff/cases/{case_id}")
    assert '<span id="status">Đang xử lý</span>' in html and "Trần Thị Lan" in html
    assert re.search(r"\d\d:\d\d \d\d/\d\d/\d{4}", html)
    _, inbox, _ = await client.get("/staff/inbox")
    assert "Đang xử lý: Trần Thị Lan" in inbox


async def test_error_pages_are_in_vietnamese_inside_the_layout(rig, client):
    make_user(rig, "lan", "staff")
    await client.login("lan")
    for path, status, words in (
        ("/staff/cases/999999", 404, "Không tìm thấy"),
        ("/staff/no-such-page", 404, "Không tìm thấy"),
        ("/staff/dashboard", 403, "chỉ dành cho quản trị viên"),
    ):
        got, html, _ = await client.get(path)
        assert got == status, path
        assert words in html and '<a href="/staff/inbox">' in html, path
        assert "no such" not in html and "admins only" not in html
    got, html, _ = await client.post("/staff/cases/1/close", {"csrf": "stale"})
    assert got == 403 and "tải lại trang" in html and '<a href="/staff/feedback">' in html


async def test_admins_manage_accounts_on_the_web(rig, client):
    make_user(rig, "admin", "admin")
    make_user(rig, "lan", "staff")
    await client.login("admin")
    staff = Browser(rig)
    try:
        assert await staff.login("lan") == 302
        assert (await staff.get("/staff/accounts"))[0] == 403
        status, html, _ = await client.get("/staff/accounts")
        assert status == 200 and 'data-user="lan"' in html and "Cán bộ" in html
        token = await client.csrf("/staff/accounts")
        new = {"csrf": token, "username": "binh", "display_name": "Lê Văn Bình", "role": "staff"}
        status, html, _ = await client.post("/staff/accounts/create", {**new, "password": "ngắn"})
        assert status == 400 and "ít nhất 10 ký tự" in html
        assert (await client.post("/staff/accounts/create", {**new, "password": PASSWORD}))[
            0
        ] == 303
        _, html, _ = await client.get("/staff/accounts")
        assert "Đã tạo tài khoản Lê Văn Bình" in html and 'data-user="binh"' in html
        binh = Browser(rig)
        assert await binh.login("binh") == 302
        await binh.close()
        # A new password ends lan's sessions; the new password works.
        changed = {"csrf": token, "username": "lan", "password": "mật-khẩu-mới-dài"}
        assert (await client.post("/staff/accounts/password", changed))[0] == 303
        assert (await staff.get("/staff/inbox"))[0] == 302
        assert await staff.login("lan", "mật-khẩu-mới-dài") == 302
        # A new role takes effect at once (after signing in again).
        promote = {"csrf": token, "username": "lan", "role": "admin"}
        assert (await client.post("/staff/accounts/role", promote))[0] == 303
        assert (await staff.get("/staff/inbox"))[0] == 302
        assert await staff.login("lan", "mật-khẩu-mới-dài") == 302
        assert (await staff.get("/staff/accounts"))[0] == 200
        # Disabled: signed out and refused; enabled: back in.
        stop = {"csrf": token, "username": "lan"}
        assert (await client.post("/staff/accounts/disable", stop))[0] == 303
        assert (await staff.get("/staff/inbox"))[0] == 302
        assert await staff.login("lan", "mật-khẩu-mới-dài") == 401
        _, html, _ = await client.get("/staff/accounts")
        assert "Đã khoá" in html
        assert (await client.post("/staff/accounts/enable", stop))[0] == 303
        assert await staff.login("lan", "mật-khẩu-mới-dài") == 302
        # Every form carries the token; without it nothing changes.
        assert (await client.post("/staff/accounts/disable", {"username": "lan"}))[0] == 403
        assert await staff.login("lan", "mật-khẩu-mới-dài") == 302
        # An admin cannot lock themselves out.
        status, html, _ = await client.post(
            "/staff/accounts/disable", {"csrf": token, "username": "admin"}
        )
        assert status == 400 and "tự khoá" in html
    finally:
        await staff.close()


async def test_dashboard_charts_never_clip_and_name_long_procedures_on_hover(
    rig, phone, hybrid_retriever
):
    longest = max(hybrid_retriever.catalogue, key=lambda p: len(p.name))
    assert len(longest.name) > 60
    with rig.runtime.store.session() as session:
        conversation = Conversation(channel="zalo", user_id="z-chart")
        session.add(conversation)
        session.flush()
        for _ in range(12345 % 1000):  # a three-digit count
            log_message(session, conversation, "out", "…", "bot", procedure_code=longest.code)
    make_user(rig, "admin", "admin")
    await sign_in(phone, rig.url, "admin")
    await phone.goto(f"{rig.url}/staff/dashboard")
    label = phone.locator("ol.chart .label", has_text=longest.name[:20]).first
    assert await label.get_attribute("title") == longest.name
    assert (await label.inner_text()).endswith("…")
    value = label.locator("xpath=following-sibling::span[@class='value']")
    assert await value.inner_text() == "345"
    for part in (label, value):
        box = await part.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    size = await label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 12  # readable: text, not a scaled-down drawing


@pytest.mark.parametrize(
    ("asks", "told"),
    [("tôi muốn gặp cán bộ", "đã đóng yêu cầu"), ("I want to talk to staff please", "closed")],
)
async def test_closing_a_case_tells_the_citizen_they_can_write_again(rig, client, asks, told):
    zalo = rig.standins.zalo
    await rig.zalo.say(rig.http, "z-close", asks)
    await eventually(lambda: bool(zalo.texts("z-close")))
    with rig.runtime.store.session() as session:
        case = session.exec(select(EscalationCase)).first()
        assert case is not None
        case_id = case.id
    make_user(rig, "lan", "staff")
    await client.login("lan")
    token = await client.csrf(f"/staff/cases/{case_id}")
    before = len(zalo.texts("z-close"))
    assert (await client.post(f"/staff/cases/{case_id}/close", {"csrf": token}))[0] == 303
    await eventually(lambda: len(zalo.texts("z-close")) > before)
    closing = zalo.texts("z-close")[-1]
    assert told in closing and ("nhắn tiếp" in closing or "write again" in closing)
