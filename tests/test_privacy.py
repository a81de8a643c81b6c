"""Personal data: the mask catches every way a citizen writes a number, names shrink to
initials, and no log line (tracebacks included) holds what a citizen wrote."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text

from feedback.privacy import MaskingFilter, mask_name, mask_pii
from feedback.safe_text import clean_name
from tests.channel_fixtures import Rig


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("(+84) 912 345 678", "84*******78"),
        ("+84912345678", "84*******78"),
        ("0912.345.678", "09******78"),
        ("0912-345-678", "09******78"),
        ("001-203-004-567", "00********67"),
        ("0012 0300 4567", "00********67"),
        ("001203004567", "00********67"),
        ("0912\u200b345\u200c678", "09******78"),
        ("0\u2060912345678", "09******78"),
        ("０９１２３４５６７８", "09******78"),
        ("123456789", "12*****89"),
    ],
)
def test_the_mask_catches_every_way_of_writing_a_number(written, masked):
    assert mask_pii(f"số của tôi: {written}, cảm ơn") == f"số của tôi: {masked}, cảm ơn"


def test_the_mask_leaves_fees_years_and_words_alone():
    sentence = "Lệ phí 100.000 đồng, nộp trong năm 2024, hẹn 15 ngày"
    assert mask_pii(sentence) == sentence


def test_names_shrink_to_initials_and_lose_invisible_characters():
    assert mask_name("Nguyễn Văn An") == "N. V. A."
    assert mask_name("  \u202eNguyễn\u200b  Thị Bình ") == "N. T. B."
    assert mask_name(None) == "" and mask_name("") == ""
    assert clean_name("An\u202e\u2066 876\u2069") == "An 876"


def test_tracebacks_are_masked_too(caplog):
    caplog.handler.addFilter(MaskingFilter())
    log = logging.getLogger("motcua.test")
    try:
        raise ValueError("citizen wrote 0912 345 678 and CCCD 001-203-004-567")
    except ValueError:
        log.exception("handling failed")
    assert "345 678" not in caplog.text and "004-567" not in caplog.text
    assert "09******78" in caplog.text and "ValueError" in caplog.text


@pytest.fixture(params=["sqlite", "postgresql"])
def any_rig(request) -> Rig:
    return request.getfixturevalue("rig" if request.param == "sqlite" else "pg_rig")


async def test_a_store_failure_logs_neither_the_message_nor_its_numbers(any_rig, caplog):
    rig = any_rig
    caplog.handler.addFilter(MaskingFilter())
    words = "Cán bộ xã Đông Ngàn hẹn tôi ba lần không trả hồ sơ"
    with rig.runtime.store.engine.begin() as connection:  # the store breaks under the webhook
        connection.execute(text("ALTER TABLE inboundmessage RENAME TO inbound_away"))
    try:
        with caplog.at_level(logging.DEBUG):
            body = {"session": "a" * 32, "text": f"{words}, gọi 0912345678"}
            async with rig.http.post(rig.url + "/chat/api/messages", json=body) as response:
                assert response.status == 503
    finally:
        with rig.runtime.store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE inbound_away RENAME TO inboundmessage"))
    assert "could not store" in caplog.text  # the failure itself is logged, with a traceback
    assert "Traceback" in caplog.text
    for secret in (words, "Đông Ngàn", "0912345678", json.dumps(words)[1:20]):
        assert secret not in caplog.text
