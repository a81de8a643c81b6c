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
    with caplog.at_level(logging.WARNING, logger="channels.intake"):
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
