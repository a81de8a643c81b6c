"""The citizen's web chat page in a real browser (Debian chromium through Playwright), on a
desktop (1366×768) and a phone (390×844)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


async def open_browser(viewport):
    """Playwright, Debian's chromium and a context of the given window size."""
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (make setup installs it)")
    from playwright.async_api import async_playwright

    playwright = await async_playwright().start()
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = await browser.new_context(viewport=viewport, locale="vi-VN")
    return playwright, browser, context


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
async def chat_page(request):
    playwright, browser, context = await open_browser(request.param)
    page = await context.new_page()
    page.viewport = request.param  # type: ignore[attr-defined]
    yield page
    await context.close()
    await browser.close()
    await playwright.stop()


async def ask(page, text: str, answered_by: str) -> None:
    before = await page.locator(".msg:not(.mine)").count()
    await page.fill("#text", text)
    await page.click("form button[type=submit]")
    await page.wait_for_function(
        """([count, words]) => {
            const replies = document.querySelectorAll('#log .msg:not(.mine)');
            const last = replies[replies.length - 1];
            return replies.length > count && last.textContent.includes(words);
        }""",
        arg=[before, answered_by],
        timeout=15_000,
    )


async def in_view(page, selector: str) -> bool:
    """Whether the element is wholly inside the window and inside the scrolled log."""
    return await page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            const log = document.getElementById('log').getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight + 0.5
                && box.top >= log.top - 0.5 && box.bottom <= log.bottom + 0.5;
        }""",
        selector,
    )


async def test_after_a_reload_the_citizen_sees_both_sides(rig, chat_page):
    page = chat_page
    await page.goto(f"{rig.url}/chat")
    await page.locator(".msg").first.wait_for(timeout=15_000)
    await ask(page, "làm hộ chiếu mất bao lâu", "hộ chiếu")
    await page.reload()
    await page.locator(".msg.mine", has_text="làm hộ chiếu mất bao lâu").wait_for(timeout=10_000)
    texts = await page.locator(".msg").all_inner_texts()
    mine = [i for i, t in enumerate(texts) if "làm hộ chiếu mất bao lâu" in t]
    assert len(mine) == 1  # shown once, and not the automatic greeting
    assert any("hộ chiếu" in t for t in texts[mine[0] + 1 :])  # the answer after the question
    assert not any(t.strip() == "xin chào" for t in texts)


async def test_links_in_replies_are_clickable_and_the_buttons_in_view(rig, chat_page):
    page = chat_page
    await page.goto(f"{rig.url}/chat")
    await page.locator(".msg").first.wait_for(timeout=15_000)
    await ask(page, "làm hộ chiếu mất bao lâu", "hộ chiếu")
    await ask(page, "cấp lại hộ chiếu cần giấy tờ gì", "hộ chiếu")
    answer = page.locator(".msg:not(.mine)").last
    link = answer.locator("a[href^='https://']").first
    assert await link.count() == 1
    href = await link.get_attribute("href")
    assert href and href in await answer.inner_text()
    assert await in_view(page, "#log .msg:last-child .buttons button:last-child")


async def test_choices_are_buttons_only_and_ratings_have_words(rig, chat_page):
    page = chat_page
    await page.goto(f"{rig.url}/chat")
    await page.locator(".msg").first.wait_for(timeout=15_000)
    await ask(page, "báo mất hộ chiếu", "hộ chiếu")
    choice = page.locator(".msg:not(.mine)").last
    titles = await choice.locator(".buttons button").all_inner_texts()
    assert any(t.startswith("2.") for t in titles)
    text = await choice.evaluate(
        "el => Array.from(el.childNodes).filter(n => n.nodeType === 3)"
        ".map(n => n.textContent).join('')"
    )
    assert not [t for t in titles if t in text]  # not listed twice
    await choice.locator(".buttons button", has_text=re.compile(r"^1\.")).click()
    await page.locator(".buttons button", has_text="Hữu ích").last.wait_for(timeout=15_000)
    ratings = await page.locator(".msg").last.locator(".buttons button").all_inner_texts()
    assert "👍 Hữu ích" in ratings and "👎 Chưa hữu ích" in ratings


async def test_header_calls_the_hotline_and_the_page_has_an_icon(rig, chat_page):
    page = chat_page
    await page.goto(f"{rig.url}/chat")
    hotline = page.locator("header a[href^='tel:']")
    assert await hotline.count() == 1
    assert re.fullmatch(r"tel:\+?[0-9]+", await hotline.get_attribute("href") or "")
    icon = await page.locator("link[rel=icon]").get_attribute("href")
    assert icon
    response = await page.request.get(f"{rig.url}{icon}")
    assert response.ok and response.headers["content-type"].startswith("image/")
    assert (await page.request.get(f"{rig.url}/favicon.ico")).ok


async def test_the_input_bar_stays_on_screen(rig, chat_page):
    page = chat_page
    await page.goto(f"{rig.url}/chat")
    await page.locator(".msg").first.wait_for(timeout=15_000)
    await ask(page, "thủ tục đăng ký khai sinh cần giấy tờ gì", "khai sinh")
    height = page.viewport["height"]
    for selector in ("#text", "form button[type=submit]"):
        box = await page.locator(selector).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height
    assert await page.evaluate("document.scrollingElement.scrollHeight") <= height
    if os.environ.get("MOTCUA_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = "chat-phone.png" if height == PHONE["height"] else "chat-desktop.png"
        await page.screenshot(path=str(SCREENSHOTS / name))
