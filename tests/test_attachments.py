"""Pictures, files, stickers, locations and voice messages: parsed from each platform's
recorded payloads, sent by the stand-ins, acknowledged to the citizen, kept with the message,
and shown to staff in the case transcript (pictures through the staff-only proxy)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.contract.messages import Attachment, attachments_from_json, attachments_to_json
from channels.messenger.inbound import parse_events
from channels.telegram.adapter import incoming, parse_update
from channels.zalo.inbound import parse_event
from feedback.models import EscalationCase, Message
from tests.channel_fixtures import eventually
from tests.test_browser import sign_in
from tests.test_staff_web import Browser, make_user
from tests.test_webchat_page import PHONE, open_browser

PAYLOADS = Path(__file__).parent / "fixtures" / "platform-payloads"
ACK = "chưa xem được"  # the acknowledgement's words


def load(platform: str, name: str) -> dict:
    return json.loads((PAYLOADS / platform / f"{name}.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("name", "kind", "ref", "text"),
    [
        ("user_send_image", "image", "https://cdn.example.com/zalo/img/4be0a7c3.jpg", "Ảnh CCCD"),
        ("user_send_sticker", "sticker", "https://cdn.example.com/zalo/sticker/", ""),
        ("user_send_file", "file", "https://cdn.example.com/zalo/file/a0b1c2d3/", ""),
        ("user_send_audio", "audio", "https://cdn.example.com/zalo/voice/ee11dd22.aac", ""),
        ("user_send_location", "location", "geo:21.1861,106.0763", ""),
    ],
)
def test_zalo_attachments_are_read_from_the_recorded_events(name, kind, ref, text):
    (message,) = parse_event(load("zalo", name))
    (attachment,) = message.attachments
    assert attachment.kind == kind and attachment.ref.startswith(ref)
    assert message.text.startswith(text)
    if kind == "file":
        assert attachment.name == "to-khai-dang-ky-khai-sinh.pdf"


def test_a_zalo_link_stays_text():
    (message,) = parse_event(load("zalo", "user_send_link"))
    assert message.text.startswith("https://") and message.attachments == ()


@pytest.mark.parametrize(
    ("name", "kind", "ref"),
    [
        ("messages_image_attachment", "image", "https://cdn.example.com/fb/img/8841220_n.jpg"),
        ("messages_file_attachment", "file", "https://cdn.example.com/fb/file/to-khai"),
        ("messages_sticker", "sticker", "https://cdn.example.com/fb/sticker/39178562_n.png"),
    ],
)
def test_messenger_attachments_are_read_from_the_recorded_events(name, kind, ref):
    (message,) = parse_events(load("messenger", name))
    (attachment,) = message.attachments
    assert attachment.kind == kind and attachment.ref.startswith(ref)


@pytest.mark.parametrize(
    ("name", "kind", "ref"),
    [
        ("photo", "image", "tg-file:AgACAgUAAxkBAAIBaWZfakePhotoLarge0003"),  # the largest size
        ("document", "file", "tg-file:BQACAgUAAxkBAAIBamZfakeDocument00004"),
        ("sticker", "sticker", "tg-file:CAACAgIAAxkBAAIBa2ZfakeSticker000005"),
        ("voice", "audio", "tg-file:AwACAgUAAxkBAAIBbWZfakeVoice00000006"),
        ("location", "location", "geo:21.186104,106.076328"),
        ("contact", "contact", ""),
    ],
)
def test_telegram_attachments_are_read_from_the_recorded_updates(name, kind, ref):
    message = incoming(parse_update(load("telegram", f"update_message_{name}")))
    assert message is not None
    (attachment,) = message.attachments
    assert attachment.kind == kind and attachment.ref == ref
    if name == "photo":
        assert message.text == "Giấy chứng sinh của bé"  # the caption
    if name == "document":
        assert attachment.name == "to-khai-cu-tru.pdf"
    if name == "contact":
        assert "84900000000" in attachment.name


def test_the_stored_form_reads_back_and_bad_values_are_none():
    attached = (Attachment("image", "https://x.example/a.jpg"), Attachment("location", "geo:1,2"))
    assert attachments_from_json(attachments_to_json(attached)) == attached
    assert attachments_to_json(()) is None
    assert attachments_from_json("not json") == () and attachments_from_json(None) == ()


def stored(rig, channel: str) -> list[Attachment]:
    with rig.runtime.store.session() as session:
        rows = session.exec(
            select(Message).where(Message.channel == channel, col(Message.direction) == "in")
        ).all()
    return [a for row in rows for a in attachments_from_json(row.attachments)]


KINDS = ("image", "sticker", "file", "audio", "location")


async def test_each_kind_from_each_platform_is_kept_and_acknowledged(rig):
    for number, kind in enumerate(KINDS):
        await rig.zalo.send_attachment(rig.http, f"z-att-{kind}", kind)
        await rig.messenger.send_attachment(rig.http, f"m-att-{kind}", kind)
        await rig.telegram.send_attachment(rig.http, 5100 + number, kind)
    zalo, graph, telegram = rig.standins.zalo, rig.standins.graph, rig.standins.telegram
    for number, kind in enumerate(KINDS):
        await eventually(lambda k=kind: any(ACK in t for t in zalo.texts(f"z-att-{k}")))
        await eventually(lambda k=kind: any(ACK in t for t in graph.texts(f"m-att-{k}")))
        await eventually(lambda n=number: any(ACK in t for t in telegram.texts(5100 + n)))
    for channel in ("zalo", "messenger", "telegram"):
        assert sorted(a.kind for a in stored(rig, channel)) == sorted(KINDS)
    assert "ảnh" in zalo.texts("z-att-image")[0] and "vị trí" in zalo.texts("z-att-location")[0]


async def test_a_picture_with_a_question_gets_both_an_acknowledgement_and_an_answer(rig):
    await rig.telegram.send_attachment(rig.http, 5200, "image", "làm hộ chiếu mất bao lâu")
    telegram = rig.standins.telegram
    await eventually(lambda: len(telegram.texts(5200)) >= 2)
    texts = telegram.texts(5200)
    assert ACK in texts[0] and "hộ chiếu" in " ".join(texts[1:])


async def test_the_acknowledgement_follows_the_citizens_language(rig):
    await rig.telegram.say(rig.http, 5300, "Hello, which documents do I need to register a birth?")
    telegram = rig.standins.telegram
    await eventually(lambda: telegram.texts(5300))
    count = len(telegram.texts(5300))
    await rig.telegram.send_attachment(rig.http, 5300, "file")
    await eventually(lambda: len(telegram.texts(5300)) > count)
    assert "can't look at it" in telegram.texts(5300)[count]


async def _telegram_case_with_attachments(rig, chat_id: int) -> int:
    telegram = rig.standins.telegram
    await rig.telegram.send_attachment(rig.http, chat_id, "image")
    await rig.telegram.send_attachment(rig.http, chat_id, "file")
    await eventually(lambda: len(telegram.texts(chat_id)) >= 2)
    await rig.telegram.press(rig.http, chat_id, "human")
    await eventually(lambda: len(telegram.texts(chat_id)) >= 3)
    with rig.runtime.store.session() as session:
        case = session.exec(select(EscalationCase).order_by(col(EscalationCase.id).desc())).first()
        assert case is not None and case.id is not None
        return case.id


async def test_staff_see_the_picture_only_once_they_have_the_case(rig):
    case_id = await _telegram_case_with_attachments(rig, 5400)
    make_user(rig, "lan", "staff")
    browser = Browser(rig)
    try:
        await browser.login("lan")
        status, html, _ = await browser.get(f"/staff/cases/{case_id}")
        assert status == 200 and "nhận xử lý để xem" in html and "<img" not in html
        with rig.runtime.store.session() as session:
            message = session.exec(
                select(Message).where(col(Message.attachments).is_not(None))
            ).first()
            assert message is not None
        proxy = f"/staff/cases/{case_id}/attachments/{message.id}/0"
        assert (await browser.get(proxy))[0] == 403  # not theirs yet
        token = await browser.csrf(f"/staff/cases/{case_id}")
        await browser.post(f"/staff/cases/{case_id}/take", {"csrf": token})
        async with browser.http.get(rig.url + proxy) as response:
            assert response.status == 200 and response.content_type == "image/png"
            assert (await response.read()).startswith(b"\x89PNG")
    finally:
        await browser.http.close()
    async with rig.http.get(rig.url + proxy, allow_redirects=False) as anonymous:
        assert anonymous.status in (302, 303, 401)  # never without signing in


@pytest.fixture
async def staff_phone():
    """A phone-sized page (staff work from phones too)."""
    playwright, browser, context = await open_browser(PHONE)
    yield await context.new_page()
    await context.close()
    await browser.close()
    await playwright.stop()


async def test_the_case_page_previews_the_picture_and_links_the_file(rig, staff_phone):
    page = staff_phone
    case_id = await _telegram_case_with_attachments(rig, 5500)
    make_user(rig, "lan", "staff")
    await sign_in(page, rig.url, "lan")
    await page.goto(f"{rig.url}/staff/cases/{case_id}")
    await page.get_by_role("button", name="Nhận xử lý").click()
    picture = page.locator("#transcript .msg.citizen img").first
    await picture.wait_for(timeout=10_000)
    await page.wait_for_function(
        "document.querySelector('#transcript .msg.citizen img').naturalWidth > 0"
    )
    assert await picture.evaluate("img => img.naturalWidth") == 48  # the stand-in's photo
    link = page.locator("#transcript .msg.citizen a[download]").first
    assert "Tệp" in await link.inner_text()
