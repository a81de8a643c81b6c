"""Known answers: each platform's webhook rule, computed by hand from its documented formula
(tests/fixtures/platform-payloads/README.md), checked against the adapters and the stand-ins.
Neither side may agree with the other on a wrong rule: both must give the documented value."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta

import pytest
from aiohttp import web

from bot.contract.messages import Incoming
from channels.messenger import inbound as messenger
from channels.messenger.standin import meta_signature
from channels.telegram.adapter import routes as telegram_routes
from channels.zalo import inbound as zalo
from channels.zalo.standin import zalo_mac
from tests.platform_payloads import PAYLOADS, compact


class Recorder:
    """An intake that keeps what it is given."""

    def __init__(self) -> None:
        self.messages: list[Incoming] = []

    async def submit(self, messages: Sequence[Incoming]) -> int:
        self.messages.extend(messages)
        return len(messages)


# --- Messenger: X-Hub-Signature-256 = "sha256=" + HMAC-SHA256(app secret, raw body) ------------

META_SECRET = "FAKE_app_secret_0123456789abcdef"
META_BODY = compact("messenger/messages_text.json", ascii_only=True)  # as Meta sends it
META_SIGNATURE = "sha256=cd9422c3c275eb9f2a46d68c70192d427eca73afc39a78744125a30921dd5203"


def test_messenger_known_answer():
    assert len(META_BODY) == 422
    assert hashlib.sha256(META_BODY).hexdigest() == (
        "87eb9defb7a0c60df65dad205694b7251732f0026a02a039271c996a4e706d29"
    )
    assert messenger.signature(META_BODY, META_SECRET) == META_SIGNATURE
    assert meta_signature(META_BODY, META_SECRET) == META_SIGNATURE


async def test_messenger_webhook_verifies_the_raw_bytes(aiohttp_client):
    intake = Recorder()
    app = web.Application()
    app.router.add_routes(messenger.routes(intake, META_SECRET, "verify"))
    client = await aiohttp_client(app)
    url = "/webhooks/messenger"
    accepted = await client.post(
        url, data=META_BODY, headers={"X-Hub-Signature-256": META_SIGNATURE}
    )
    assert accepted.status == 200
    assert [m.text for m in intake.messages] == [
        "Cho tôi hỏi thủ tục đăng ký thường trú cần những gì?"
    ]
    # The same JSON re-encoded as raw UTF-8 is other bytes: the signature no longer fits.
    utf8 = compact("messenger/messages_text.json", ascii_only=False)
    refused = await client.post(url, data=utf8, headers={"X-Hub-Signature-256": META_SIGNATURE})
    assert refused.status == 403 and len(intake.messages) == 1


# --- Zalo: X-ZEvent-Signature = "mac=" + SHA-256(app_id + raw body + timestamp + OA secret) ----

ZALO_APP_ID = "4001122334455667788"
ZALO_TIMESTAMP = "1767232800123"  # the body's own timestamp
ZALO_OA_SECRET = "FAKE_oa_secret_key_0123"
ZALO_BODY = compact("zalo/user_send_text.json", ascii_only=False)
ZALO_MAC = "32153f7baede6b683c85596f71e400dfbb2f2f60358a48c9f18aa026ba056a70"


def test_zalo_known_answer():
    assert len(ZALO_BODY) == 329
    assert hashlib.sha256(ZALO_BODY).hexdigest() == (
        "f57e3d94d4ec756433b6103ab30c35c5bb474cb71dbc57bafe6e2a67e8f3d83c"
    )
    assert zalo.signature(ZALO_APP_ID, ZALO_BODY, ZALO_TIMESTAMP, ZALO_OA_SECRET) == ZALO_MAC
    assert zalo_mac(ZALO_APP_ID, ZALO_BODY, ZALO_TIMESTAMP, ZALO_OA_SECRET) == ZALO_MAC
    # The digest is of the bytes received: the pretty-printed file gives another.
    pretty = (PAYLOADS / "zalo/user_send_text.json").read_bytes()
    assert zalo.signature(ZALO_APP_ID, pretty, ZALO_TIMESTAMP, ZALO_OA_SECRET) == (
        "0bb2cb120e241daff2862bb7bf46b855b4d8e4a859108b229bde39eb214a831f"
    )


async def test_zalo_webhook_accepts_the_documented_mac_only(aiohttp_client):
    intake = Recorder()
    app = web.Application()
    # The documented example is dated; the event-time window is tested in test_zalo_window.
    ages = timedelta(days=365 * 100)
    app.router.add_routes(zalo.routes(intake, ZALO_APP_ID, ZALO_OA_SECRET, window=ages))
    client = await aiohttp_client(app)
    url = "/webhooks/zalo"
    for header in (f"mac={ZALO_MAC}", ZALO_MAC):  # the "mac=" prefix is optional
        response = await client.post(url, data=ZALO_BODY, headers={"X-ZEvent-Signature": header})
        assert response.status == 200
    assert len(intake.messages) == 2
    # A dissenting variant (the OA id first instead of the app id) must not be accepted.
    oa_first = hashlib.sha256(
        b"3305566778899001122" + ZALO_BODY + (ZALO_TIMESTAMP + ZALO_OA_SECRET).encode()
    ).hexdigest()
    refused = await client.post(
        url, data=ZALO_BODY, headers={"X-ZEvent-Signature": f"mac={oa_first}"}
    )
    assert refused.status == 403 and len(intake.messages) == 2


# --- Telegram: X-Telegram-Bot-Api-Secret-Token = setWebhook's secret_token, verbatim -----------

TELEGRAM_SECRET = "FAKE-tg_secret-0123456789"
TELEGRAM_BODY = compact("telegram/update_message_text.json", ascii_only=False)


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (TELEGRAM_SECRET, 200),
        ("fake-tg_secret-0123456789", 403),  # case differs
        (None, 401),  # missing (Telegram's own library answers 403; any non-2xx refuses)
    ],
)
async def test_telegram_secret_token_known_answer(aiohttp_client, header, status):
    assert hashlib.sha256(TELEGRAM_BODY).hexdigest() == (
        "e8a98badd5be4df93b38aee114ce9fa5df0409cffb087fdc009b77a45a56647b"
    )
    intake = Recorder()
    app = web.Application()
    app.router.add_routes(telegram_routes(intake, None, TELEGRAM_SECRET))  # type: ignore[arg-type]
    client = await aiohttp_client(app)
    headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
    response = await client.post("/webhooks/telegram", data=TELEGRAM_BODY, headers=headers)
    assert response.status == status
    assert len(intake.messages) == (1 if status == 200 else 0)
