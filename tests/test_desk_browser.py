"""The hotline and counter desk in a real browser (Playwright driving Debian's chromium): agent
assist shows the bot's answer card, and a call is logged from it in a few clicks; a receipt
code typed on a phone shows the dossier's status card."""

from __future__ import annotations

import os

from sqlmodel import select

from bot.dossiers.standin import owner_phone
from feedback.models import ContactLog, FeedbackItem
from tests.test_browser import page, sign_in  # noqa: F401  (the browser fixture)
from tests.test_staff_pages import (  # noqa: F401  (the phone-sized browser)
    PHONE,
    SCREENSHOTS,
    phone,
)
from tests.test_staff_web import make_user


def watch_for_problems(page) -> list[str]:  # noqa: F811
    """Script errors, content-security-policy refusals and failed loads (the browser's own
    favicon request aside) the page runs into."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and problems.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and not response.url.endswith("/favicon.ico")
            and problems.append(f"{response.status} {response.url}")
        ),
    )
    return problems


async def test_agent_assist_shows_the_card_the_bot_would_send(rig, page):  # noqa: F811
    problems = watch_for_problems(page)
    question = "đăng ký tạm trú mất bao lâu"
    best = rig.runtime.engine.retriever.search(question).best.procedure
    make_user(rig, "lan", "staff")
    await sign_in(page, rig.url, "lan")
    await page.get_by_role("link", name="Tra cứu thủ tục").click()
    await page.fill("input[name=q]", question)
    await page.get_by_role("button", name="Tìm").click()
    card = page.locator(f'article.answer[data-code="{best.code}"]')
    await card.wait_for()
    assert best.name in await card.locator("h2").inner_text()
    facets = await card.locator("section.facet").evaluate_all(
        "sections => sections.map(s => s.dataset.facet)"
    )
    assert {"documents", "fee", "time", "place", "online"} <= set(facets)  # the whole card
    # the facet asked about is marked
    assert await card.locator('section.facet.asked[data-facet="time"]').count() == 1
    assert await card.locator("a.portal").get_attribute("href") == best.url
    assert "trả lời bằng thẻ" in await page.locator("#assist-decision").inner_text()
    assert problems == []


async def test_staff_log_a_call_from_the_search_and_read_out_the_ticket(rig, page):  # noqa: F811
    problems = watch_for_problems(page)
    make_user(rig, "lan", "staff")
    await sign_in(page, rig.url, "lan")
    await page.goto(f"{rig.url}/staff/assist?q=đăng ký tạm trú")
    card = page.locator("article.answer").first
    code = await card.get_attribute("data-code")
    await card.get_by_role("link", name="Ghi nhận liên hệ về thủ tục này").click()
    await page.wait_for_url("**/staff/contacts/new**")
    assert code in await page.locator("#contact-form").inner_text()
    await page.get_by_label("Quầy tiếp dân").check()
    await page.get_by_label("Tiếp nhận góp ý, phản ánh, kiến nghị").check()
    await page.select_option("select[name=category]", "recommendation")
    await page.fill("textarea[name=content]", "Đề nghị niêm yết mẫu tờ khai ở quầy")
    await page.get_by_role("button", name="Lưu").click()
    # No phone number: the form comes back with the reason, nothing typed is lost.
    assert "số điện thoại" in await page.locator("#contact-error").inner_text()
    assert await page.input_value("textarea[name=content]") == "Đề nghị niêm yết mẫu tờ khai ở quầy"
    await page.fill("input[name=phone]", "0911 222 333")
    await page.get_by_role("button", name="Lưu").click()
    saved = page.locator("#contact-saved")
    await saved.wait_for()
    ticket = await saved.locator(".ticket").inner_text()
    row = page.locator("#contacts tbody tr").first
    assert "Quầy tiếp dân" in await row.inner_text() and ticket in await row.inner_text()
    with rig.runtime.store.session() as session:
        contact = session.exec(select(ContactLog)).one()
        item = session.exec(select(FeedbackItem).where(FeedbackItem.ticket == ticket)).one()
    assert (contact.channel, contact.procedure_code, contact.outcome, contact.staff) == (
        "counter",
        code,
        "feedback",
        "lan",
    )
    assert (item.category, item.phone, contact.feedback_id) == (
        "recommendation",
        "0911222333",
        item.id,
    )
    assert problems == [f"400 {rig.url}/staff/contacts"]  # the refused first try only


async def test_a_receipt_code_typed_on_a_phone_shows_the_dossier_status(rig, phone):  # noqa: F811
    problems = watch_for_problems(phone)
    api = rig.standins.dossiers
    code = api.code(3)  # waiting for papers
    agency, rest = code.split("-", 1)
    make_user(rig, "lan", "staff")
    await sign_in(phone, rig.url, "lan")
    await phone.get_by_role("link", name="Tra cứu thủ tục").click()
    await phone.fill("input[name=q]", f"{agency.replace('.', '').lower()}-{rest}")
    await phone.get_by_role("button", name="Tìm").click()
    card = phone.locator(f'#dossier[data-code="{code}"]')
    await card.wait_for()
    assert "đang chờ bạn bổ sung giấy tờ" in await phone.locator("#dossier-status").inner_text()
    due = api.dossiers[code].due_at
    assert f"{due:%d/%m/%Y}" in await phone.locator("#dossier-due").inner_text()
    assert "Còn 7 ngày" in await phone.locator("#dossier-due").inner_text()
    assert "Bộ phận Một cửa" in await phone.locator("#dossier-current").inner_text()
    text = await card.inner_text()
    assert "Bản sao hợp đồng thuê địa điểm kinh doanh" in text
    assert "100.000 đồng, đã nộp" in text
    assert "N. V. A." in text and "Nguyễn Văn An" not in text
    assert owner_phone(3)[-4:] not in text
    assert await phone.locator("#dossier-steps tbody tr").count() == 2
    # The card fits a phone's width: nothing to scroll sideways.
    box = await card.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    portal = card.get_by_role("link", name="Tra cứu trên Cổng Dịch vụ công")
    assert "dichvucong.gov.vn" in (await portal.get_attribute("href") or "")
    if os.environ.get("MOTCUA_SCREENSHOTS"):
        await phone.screenshot(path=str(SCREENSHOTS / "staff-dossier-phone.png"), full_page=True)
    assert problems == []
