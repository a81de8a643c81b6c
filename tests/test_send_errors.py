"""Each platform's documented send errors, answered by its stand-in with the recorded body, and
what the real sender makes of them: sent after a token refresh, retried (after how long), or
refused for good (the citizen's window closed, or a bad request)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.contract.messages import Button, Reply
from bot.contract.sending import PermanentFailure, RetryLater, WindowClosed
from channels.messenger.outbound import MessengerSender
from channels.telegram.adapter import TelegramSender, build_application
from channels.zalo.outbound import ZaloSender
from channels.zalo.tokens import ZaloTokens
from feedback.store import Store
from tests.platform_payloads import payload

REPLY = Reply("Hồ sơ gồm tờ khai và giấy chứng sinh.", (Button("Lệ phí?", "menu:fee"),))


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def answer_with(body: dict, status: int = 200):
    return lambda: web.json_response(body, status=status)


# --- Messenger: errors come with a 4xx status and a Graph API error object -------------------

MESSENGER_ERRORS = [
    # (recorded body, what the sender raises, its delay)
    ("send_error_613_rate_limit.json", RetryLater, 60.0),
    ("send_error_10_2018278_outside_window.json", WindowClosed, None),
    ("send_error_551_1545041_person_unavailable.json", PermanentFailure, None),
    ("send_error_100_2018001_no_matching_user.json", PermanentFailure, None),
    ("send_error_190_invalid_token.json", PermanentFailure, None),
]


@pytest.mark.parametrize(("name", "raised", "delay"), MESSENGER_ERRORS)
async def test_messenger_documented_error(standins, http, name, raised, delay):
    graph, config = standins.graph, standins.messenger_config
    sender = MessengerSender(http, config.api_base, config.page_token)
    graph.faults.fail_next(1, answer_with(payload(f"messenger/{name}"), status=400))
    with pytest.raises(raised) as caught:
        await sender.send("7341985526610042", REPLY)
    assert getattr(caught.value, "delay", None) == delay
    assert graph.texts("7341985526610042") == []
    await sender.send("7341985526610042", REPLY)  # the next call goes through
    assert len(graph.texts("7341985526610042")) == 1


# --- Zalo: errors ride on HTTP 200 in the body's "error" -----------------------------------


@pytest.fixture
async def zalo_sender(standins, http, tmp_path) -> AsyncIterator[ZaloSender]:
    store = Store(f"sqlite:///{tmp_path / 'motcua.db'}")
    config = standins.zalo_config
    tokens = ZaloTokens(store, http, config.oauth_base, config.app_id, config.app_secret)
    tokens.seed(config.access_token, config.refresh_token)
    yield ZaloSender(http, config.api_base, tokens)
    store.dispose()


@pytest.mark.parametrize(
    "name", ["cs_error_216_access_token_invalid.json", "cs_error_220_access_token_expired.json"]
)
async def test_zalo_token_errors_refresh_the_token_and_send_once_more(standins, zalo_sender, name):
    api = standins.zalo
    api.expire_token()  # the stored token no longer works…
    api.faults.fail_next(1, answer_with(payload(f"zalo/{name}")))  # …and Zalo says so
    await zalo_sender.send("7712345678901234567", REPLY)
    assert api.refreshes == 1
    assert len(api.texts("7712345678901234567")) == 1


@pytest.mark.parametrize(
    ("name", "raised", "delay"),
    [
        ("cs_error_32_rate_limit.json", RetryLater, 30.0),
        ("cs_error_230_no_interaction_7d.json", WindowClosed, None),
        ("cs_error_232_interaction_expired.json", WindowClosed, None),
    ],
)
async def test_zalo_documented_error(standins, zalo_sender, name, raised, delay):
    api = standins.zalo
    api.faults.fail_next(1, answer_with(payload(f"zalo/{name}")))
    with pytest.raises(raised) as caught:
        await zalo_sender.send("7712345678901234567", REPLY)
    assert getattr(caught.value, "delay", None) == delay
    assert api.refreshes == 0 and api.texts("7712345678901234567") == []


async def test_zalo_token_still_refused_after_its_refresh_is_retried_later(standins, zalo_sender):
    refused = answer_with(payload("zalo/cs_error_216_access_token_invalid.json"))
    standins.zalo.faults.fail_next(2, refused)
    with pytest.raises(RetryLater):
        await zalo_sender.send("7712345678901234567", REPLY)


# --- Telegram: errors come with their status; PTB raises by it ------------------------------

TELEGRAM_ERRORS = [
    ("error_429_retry_after.json", RetryLater, 35.0),
    ("error_403_bot_blocked.json", WindowClosed, None),
    ("error_400_chat_not_found.json", PermanentFailure, None),
    ("error_400_message_too_long.json", PermanentFailure, None),
    ("error_400_button_data_invalid.json", PermanentFailure, None),
    ("error_401_unauthorized.json", RetryLater, None),  # our token: fixed by configuration
]


@pytest.mark.parametrize(("name", "raised", "delay"), TELEGRAM_ERRORS)
async def test_telegram_documented_error(standins, name, raised, delay):
    api, config = standins.telegram, standins.telegram_config
    body = payload(f"telegram/{name}")
    application = build_application(config.token, config.api_base)
    async with application.bot as bot:
        sender = TelegramSender(bot)
        api.faults.fail_next(1, answer_with(body, status=body["error_code"]))
        with pytest.raises(raised) as caught:
            await sender.send("6123456789", REPLY)
        assert getattr(caught.value, "delay", None) == delay
        assert api.texts("6123456789") == []
        await sender.send("6123456789", REPLY)
        assert len(api.texts("6123456789")) == 1
