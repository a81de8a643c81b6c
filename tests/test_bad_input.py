"""Bad input loses nothing else: one broken event in a platform's batch is left out (with a
logged reason) and the rest is stored and answered; unparsable bodies and malformed query
parameters get 400, never a 5xx or a traceback."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from feedback.models import InboundMessage
from tests.channel_fixtures import Rig, eventually


@pytest.fixture(params=["sqlite", "postgresql"])
def any_rig(request) -> Rig:
    return request.getfixturevalue("rig" if request.param == "sqlite" else "pg_rig")


def _batch(rig: Rig, events: list[tuple[str, str, str]]) -> dict:
    """One Messenger delivery holding several citizens' events."""
    messaging = []
    for sender, text, mid in events:
        event = rig.messenger.event(sender, text, mid=mid)
        messaging += event["entry"][0]["messaging"]
    body = rig.messenger.event("unused")
    body["entry"][0]["messaging"] = messaging
    return body


async def test_a_nul_byte_or_an_overlong_id_spoils_only_its_own_event(any_rig, caplog):
    rig = any_rig
    events = [
        ("m-first", "đăng ký kết hôn cần giấy tờ gì", "mid-first"),
        ("m-nul", "làm\x00 căn cước\x07 mất bao lâu\x1b[31m\r\nở đâu\tạ", "mid-nul"),
        ("m" * 300, "đăng ký khai sinh", "mid-long-sender"),
        ("m-long-mid", "đăng ký tạm trú", "x" * 500),
        ("m-last", "cấp phiếu lý lịch tư pháp", "mid-last"),
    ]
    with caplog.at_level(logging.WARNING, logger="bot.delivery.intake"):
        response = await rig.messenger.post(rig.http, _batch(rig, events))
    assert response.status == 200
    graph = rig.standins.graph
    for citizen in ("m-first", "m-nul", "m-last"):
        await eventually(lambda c=citizen: graph.texts(c))
    with rig.runtime.store.session() as session:
        stored = {r.user_id: r for r in session.exec(select(InboundMessage)).all()}
    assert sorted(stored) == ["m-first", "m-last", "m-nul"]
    assert stored["m-nul"].text == "làm căn cước mất bao lâu[31m\nở đâu\tạ"
    assert "user_id is 300 characters long (at most 128)" in caplog.text
    assert "message_id is 500 characters long (at most 128)" in caplog.text
    assert "m" * 300 not in caplog.text and "khai sinh" not in caplog.text
    # The same delivery again (a platform retrying): nothing stored twice, nothing refused.
    response = await rig.messenger.post(rig.http, _batch(rig, events))
    assert response.status == 200
    with rig.runtime.store.session() as session:
        assert len(session.exec(select(InboundMessage)).all()) == 3


DEEP = b'{"object": "page", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


async def test_deeply_nested_json_is_a_client_error_without_a_traceback(any_rig, caplog):
    rig = any_rig
    telegram = {"X-Telegram-Bot-Api-Secret-Token": rig.standins.telegram_config.webhook_secret}
    zalo = {"X-ZEvent-Signature": "mac=0"}
    with caplog.at_level(logging.INFO):
        assert (await rig.messenger.post(rig.http, DEEP)).status == 400
        for path, headers in (
            ("/webhooks/zalo", zalo),
            ("/webhooks/telegram", telegram),
            ("/chat/api/messages", {}),
        ):
            async with rig.http.post(rig.url + path, data=DEEP, headers=headers) as response:
                assert response.status == 400, path
                assert "nested too deeply" in (await response.json())["error"]
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_malformed_web_chat_parameters_are_400_not_5xx(any_rig, caplog):
    rig = any_rig
    session = {"X-Chat-Session": "d" * 32}  # the session travels in a header, never the URL
    for after in ("99999999999999999999999", "9223372036854775808", "abc", "-1", "1e3"):
        path = f"/chat/api/messages?after={after}"
        async with rig.http.get(rig.url + path, headers=session) as response:
            assert response.status == 400, after
            assert "after" in await response.text()
    async with rig.http.get(rig.url + "/chat/api/messages?after=12", headers=session) as r:
        assert r.status == 200
    assert "Traceback" not in caplog.text


async def test_malformed_staff_page_parameters_are_400_not_5xx(any_rig, caplog):
    from tests.test_staff_web import Browser, escalate, make_user

    rig = any_rig
    case_id = await escalate(rig, "z-params")
    make_user(rig, "lan", "staff")
    browser = Browser(rig)
    await browser.login("lan")
    try:
        for path in (
            "/staff/feedback?since=0001-01-01",
            "/staff/feedback?until=9999-12-31",
            "/staff/feedback?since=2026-02-30",
            "/staff/feedback.csv?since=0001-01-01",
            "/staff/cases/99999999999999999999999",
            f"/staff/api/cases/{case_id}/messages?after=abc",
            f"/staff/api/cases/{case_id}/messages?after=99999999999999999999999",
            "/staff/api/cases/99999999999999999999999/messages",
        ):
            status, _, _ = await browser.get(path)
            assert status == 400, path
        assert (await browser.get("/staff/feedback?q=a%00b&since=2026-01-01"))[0] == 200
        assert (await browser.get(f"/staff/api/cases/{case_id}/messages?after=3"))[0] == 200
    finally:
        await browser.close()
    assert "Traceback" not in caplog.text


async def test_a_malformed_event_spoils_only_itself(any_rig, caplog):
    rig = any_rig
    body = _batch(rig, [("m-good", "đăng ký kết hôn", "mid-good")])
    good = body["entry"][0]["messaging"]
    broken = [
        {"sender": {"id": "m-no-mid"}, "timestamp": 1, "message": {"text": "không có mid"}},
        {"timestamp": 1, "message": {"mid": "mid-no-sender", "text": "không có người gửi"}},
        {"sender": {"id": "m-far"}, "timestamp": 10**30, "message": {"mid": "m", "text": "x"}},
    ]
    body["entry"][0]["messaging"] = broken + good
    with caplog.at_level(logging.WARNING, logger="channels.messenger.inbound"):
        assert (await rig.messenger.post(rig.http, body)).status == 200
    await eventually(lambda: rig.standins.graph.texts("m-good"))
    assert caplog.text.count("messenger event skipped: malformed") == 3
    assert "không có" not in caplog.text


async def test_control_characters_in_staff_replies_reach_the_citizen_cleaned(any_rig):
    from tests.test_staff_web import Browser, escalate, make_user

    rig = any_rig
    case_id = await escalate(rig, "z-staff-nul")
    make_user(rig, "lan", "staff")
    browser = Browser(rig)
    await browser.login("lan")
    try:
        token = await browser.csrf(f"/staff/cases/{case_id}")
        status, _, _ = await browser.post(
            f"/staff/cases/{case_id}/reply", {"csrf": token, "text": "Chào\x00 anh,\x07 em là Lan"}
        )
        assert status == 303
    finally:
        await browser.close()
    zalo = rig.standins.zalo
    await eventually(lambda: "em là Lan" in zalo.texts("z-staff-nul")[-1])
    assert (
        zalo.texts("z-staff-nul")[-1] == "Cán bộ Lan: Chào anh, em là Lan"
    )  # labelled with who speaks
