"""The staff web in a real browser: Playwright driving Debian's chromium."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from tests.channel_fixtures import eventually
from tests.test_staff_web import PASSWORD, escalate, file_feedback, make_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def page(tmp_path):
    if not shutil.which("chromium"):
        pytest.skip(
            "Debian's chromium is not installed (make setup installs it: apt-get install chromium)"
        )
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(accept_downloads=True, locale="vi-VN")
        opened = await context.new_page()
        yield opened
        await context.close()
        await browser.close()


async def sign_in(page, base: str, username: str) -> None:
    await page.goto(f"{base}/staff/inbox")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/staff/**")


async def test_staff_take_an_escalated_case_and_reply_from_the_browser(rig, page):
    make_user(rig, "lan", "staff")
    await sign_in(page, rig.url, "lan")
    assert await page.locator("#cases tr.empty").count() == 1
    case_id = await escalate(rig, "z-browser")
    # The inbox updates by itself: no reload.
    row = page.locator(f'#cases tr[data-id="{case_id}"]')
    await row.wait_for(timeout=10_000)
    assert "gặp cán bộ" in await row.inner_text()
    await row.get_by_role("link", name="Mở").click()
    await page.get_by_role("button", name="Nhận xử lý").click()
    await page.fill("#reply-text", "Chào chị, em là Lan ở tổng đài, em giúp chị nhé.")
    await page.get_by_role("button", name="Gửi trả lời").click()
    zalo = rig.standins.zalo
    await eventually(lambda: "em là Lan" in zalo.texts("z-browser")[-1])
    await page.locator(".msg.staff").first.wait_for()
    # The citizen writes back; the transcript shows it without a reload.
    await rig.zalo.say(rig.http, "z-browser", "Dạ em cảm ơn ạ")
    await page.locator(".msg.citizen", has_text="Dạ em cảm ơn").wait_for(timeout=10_000)
    await page.get_by_role("button", name="Trả lại cho trợ lý").click()
    await page.wait_for_url(f"{rig.url}/staff/inbox")
    await eventually(lambda: "Trợ lý tự động" in zalo.texts("z-browser")[-1])


async def test_admin_filters_the_feedback_log_and_exports_it(rig, page, tmp_path):
    await file_feedback(rig, "z-1", "góp ý", "Nên mở thêm quầy buổi trưa", "0987654321")
    await file_feedback(
        rig, "z-2", "phản ánh", "Cán bộ hẹn trả kết quả nhưng quá hạn", "0911222333"
    )
    await file_feedback(rig, "z-3", "phản ánh", "Máy lấy số thứ tự bị hỏng cả tuần", "0933444555")
    make_user(rig, "admin", "admin")
    await sign_in(page, rig.url, "admin")
    await page.get_by_role("link", name="Góp ý, phản ánh").click()
    assert await page.locator("#feedback tbody tr").count() == 3
    await page.select_option("select[name=category]", "complaint")
    await page.fill("input[name=q]", "quá hạn")
    await page.get_by_role("button", name="Lọc").click()
    await page.wait_for_url("**category=complaint**")
    rows = page.locator("#feedback tbody tr")
    assert await rows.count() == 1
    assert "quá hạn" in await rows.first.inner_text()
    async with page.expect_download() as info:
        await page.click("#export")
    download = await info.value
    path = tmp_path / download.suggested_filename
    await download.save_as(path)
    assert download.suggested_filename.startswith("gop-y-")
    exported = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert [(r["Loại"], r["Điện thoại"]) for r in exported] == [("Phản ánh", "0911222333")]
    await page.get_by_role("link", name="Thống kê").click()
    await page.locator("ol.chart").first.wait_for()
    assert "3" in await page.locator(".stat", has_text="nhận được").inner_text()
    await page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


async def test_web_chat_talks_under_the_content_security_policy_with_no_session_in_urls(rig, page):
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    failed: list[str] = []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    await page.goto(f"{rig.url}/chat")
    await page.locator(".msg").first.wait_for(timeout=10_000)  # the greeting arrived
    await page.fill("#text", "làm hộ chiếu mất bao lâu")
    await page.click("form button[type=submit]")
    await page.locator(".msg", has_text="hộ chiếu").nth(1).wait_for(timeout=10_000)
    session = await page.evaluate("localStorage.getItem('motcua-session')")
    assert session and len(session) == 32
    assert not [url for url in urls if session in url]
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    blocked = [p for p in problems if not p.startswith("Failed to load resource")]
    assert blocked == []  # nothing refused by the policy, no script error
