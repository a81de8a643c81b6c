"""Full round trips: a signed platform event in, the reply captured by the platform's stand-in."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from bot.contract.messages import Reply
from bot.conversation.answers import documents_reply
from bot.delivery.outbox import claim as outbox_claim
from bot.delivery.outbox import enqueue
from bot.delivery.sent_journal import SentJournal
from feedback.models import InboundMessage, OutboxMessage, PlatformToken, utcnow
from tests.channel_fixtures import complete_answers, eventually, start_rig

# --- Messenger ------------------------------------------------------------------------------


async def test_messenger_question_gets_the_id_card_answer(rig):
    response = await rig.messenger.say(rig.http, "psid-1", "lam cccd lan dau mat bao lau")
    assert response.status == 200
    graph = rig.standins.graph
    await eventually(lambda: graph.texts("psid-1"))
    (text,) = graph.texts("psid-1")
    assert "căn cước" in text and "7 ngày làm việc" in text
    quick = graph.received[0]["message"]["quick_replies"]
    assert all(len(q["title"]) <= 20 for q in quick)


async def test_messenger_verification_handshake(rig):
    verify = rig.standins.messenger_config.verify_token
    params = {"hub.mode": "subscribe", "hub.verify_token": verify, "hub.challenge": "1158201444"}
    async with rig.http.get(f"{rig.url}/webhooks/messenger", params=params) as response:
        assert response.status == 200 and await response.text() == "1158201444"
    params["hub.verify_token"] = "guess"
    async with rig.http.get(f"{rig.url}/webhooks/messenger", params=params) as response:
        assert response.status == 403


async def test_messenger_forged_missing_malformed_and_oversized(rig):
    event = rig.messenger.event("psid-2", "đăng ký khai sinh")
    forged = await rig.messenger.post(rig.http, event, secret="not-the-app-secret")
    assert forged.status == 403
    raw = json.dumps(event).encode()
    async with rig.http.post(f"{rig.url}/webhooks/messenger", data=raw) as response:
        assert response.status == 401
    assert (await rig.messenger.post(rig.http, b"{not json")).status == 400
    assert (await rig.messenger.post(rig.http, {"object": "page", "entry": [{}]})).status == 200
    assert (await rig.messenger.post(rig.http, {"object": "page", "entry": "x"})).status == 400
    huge = rig.messenger.event("psid-2", "x" * 400_000)
    assert (await rig.messenger.post(rig.http, huge)).status == 413
    ok = await rig.messenger.say(rig.http, "psid-3", "đăng ký kết hôn")
    assert ok.status == 200
    await eventually(lambda: rig.standins.graph.texts("psid-3"))
    assert rig.standins.graph.texts("psid-2") == []  # nothing answered a refused request


async def test_messenger_batch_echo_and_quick_reply(rig):
    first = rig.messenger.event("psid-4", "báo mất hộ chiếu")
    second = rig.messenger.event("psid-5", "gặp nhân viên")
    echo = rig.messenger.event("psid-6", "tin của trang")
    echo["entry"][0]["messaging"][0]["message"]["is_echo"] = True
    first["entry"][0]["messaging"] += second["entry"][0]["messaging"]
    first["entry"].append(echo["entry"][0])
    assert (await rig.messenger.post(rig.http, first)).status == 200
    graph = rig.standins.graph
    await eventually(lambda: graph.texts("psid-4") and graph.texts("psid-5"))
    assert "0204.3531.111" in graph.texts("psid-5")[0]
    pick = next(
        q["payload"]
        for m in graph.received
        if m["recipient"]["id"] == "psid-4"
        for q in m["message"].get("quick_replies", [])
        if q["payload"].startswith("pick:")
    )
    await rig.messenger.say(rig.http, "psid-4", "1", payload=pick)
    await eventually(lambda: len(graph.texts("psid-4")) >= 2)
    assert pick.removeprefix("pick:") in graph.texts("psid-4")[1]
    assert graph.texts("psid-6") == []


async def test_a_redelivered_event_is_answered_once(rig):
    for _ in range(3):
        response = await rig.messenger.say(rig.http, "psid-7", "đăng ký khai tử", mid="mid.same")
        assert response.status == 200
    graph = rig.standins.graph

    def answers() -> int:
        return complete_answers(graph.texts("psid-7"))

    await eventually(lambda: answers() == 1)
    with rig.runtime.store.session() as session:
        rows = session.exec(select(InboundMessage).where(InboundMessage.user_id == "psid-7")).all()
    assert len(rows) == 1
    await rig.messenger.say(rig.http, "psid-7", "mất bao lâu")
    await eventually(lambda: answers() == 2)
    await asyncio.sleep(0.5)  # a duplicate, if any, would have arrived by now
    assert answers() == 2 and "Thời gian" in graph.texts("psid-7")[-1]


async def test_a_long_reply_is_split_within_messenger_limits(rig, hybrid_retriever):
    # The full document list of the record that has the longest one: several messages' worth.
    longest = max(hybrid_retriever.procedures, key=lambda p: len(documents_reply(p, "vi").text))
    assert len(documents_reply(longest, "vi").text) > 2 * 640
    await rig.messenger.say(rig.http, "psid-8", payload=f"docs:{longest.code}")
    graph = rig.standins.graph
    await eventually(lambda: len(graph.texts("psid-8")) >= 3)
    assert all(len(t) <= 640 for t in graph.texts("psid-8"))
    await rig.messenger.say(rig.http, "psid-8", "đăng ký xe máy mới mua")  # a choice
    await eventually(lambda: "quick_replies" in graph.received[-1]["message"])


async def test_platform_outage_delays_replies_but_loses_none_and_doubles_none(rig):
    graph = rig.standins.graph
    graph.fail_next(6, status=503)
    users = [f"psid-out-{i}" for i in range(4)]
    for user in users:
        await rig.messenger.say(rig.http, user, "đăng ký tạm trú")

    def complete(user: str) -> bool:  # the last part carries the rating question
        texts = graph.texts(user)
        return bool(texts) and "hữu ích" in texts[-1]

    await eventually(lambda: all(complete(u) for u in users), timeout=20)
    for user in users:
        texts = graph.texts(user)
        assert len(texts) == len(set(texts))  # no part delivered twice
    assert graph.faults.calls >= len(users) + 6
    graph.throttle_next(3)
    await rig.messenger.say(rig.http, "psid-429", "gia hạn tạm trú")
    await eventually(lambda: complete("psid-429"), timeout=20)
    texts = graph.texts("psid-429")
    assert len(texts) == len(set(texts))


async def test_a_reply_another_server_sent_is_not_sent_again_when_its_lease_runs_out(rig):
    """A server whose reply the platform accepted, still waiting for the "sent" mark when its
    lease ran out (a slow writer), journalled it: whoever takes the row over settles it."""
    runtime = rig.runtime
    assert runtime.store is not None and runtime.outbox is not None
    journal = runtime.outbox.journal
    assert journal is not None
    expired = utcnow() - timedelta(seconds=5)
    with runtime.store.session() as session:
        enqueue(session, "messenger", "psid-sent-by-other", [Reply("đã gửi rồi")])
        enqueue(session, "messenger", "psid-not-sent", [Reply("chưa gửi")])
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()[-2:]
        for row in rows:  # both leased by a server whose lease has run out
            row.claimed_until = expired
            session.add(row)
        sent_row = rows[0].id
    other = SentJournal(journal.directory, runtime.store.url)  # a living server's journal
    try:
        other.record(sent_row)
        runtime.outbox.wake()
        await eventually(lambda: rig.standins.graph.texts("psid-not-sent") == ["chưa gửi"])

        def settled() -> bool:
            with runtime.store.session() as session:
                return session.get(OutboxMessage, sent_row).status == "sent"

        await eventually(settled)
        assert rig.standins.graph.texts("psid-sent-by-other") == []  # not sent twice
    finally:
        other.close()


async def test_a_slow_send_keeps_its_lease_so_no_other_worker_takes_it_over(
    fast_settings, hybrid_retriever, standins
):
    """The platform takes longer than a whole lease to accept a reply: the sender renews its
    lease meanwhile, so another worker's claim finds nothing to take over and send again."""
    server, rig = await start_rig(
        replace(fast_settings, lease_seconds=0.6), hybrid_retriever, standins
    )
    try:
        store = rig.runtime.store
        assert store is not None
        standins.graph.faults.delay = 1.5  # each send held 2.5 leases
        await rig.messenger.say(rig.http, "psid-slow", "đăng ký tạm trú")

        def in_hand() -> bool:
            with store.session() as session:
                rows = session.exec(select(OutboxMessage)).all()
                return any(r.claimed_until is not None for r in rows)

        await eventually(in_hand)
        await asyncio.sleep(1.0)  # past the lease it was first given
        assert outbox_claim(store, lease=timedelta(seconds=0.6)) == []  # as another worker would
        standins.graph.faults.delay = 0.0
        await eventually(lambda: any("hữu ích" in t for t in standins.graph.texts("psid-slow")))
        await asyncio.sleep(0.5)
        texts = standins.graph.texts("psid-slow")
        assert len(texts) == len(set(texts))  # every part once
    finally:
        await rig.http.close()
        await server.close()


# --- Zalo -----------------------------------------------------------------------------------


async def test_zalo_round_trip_and_button_press(rig):
    zalo_api = rig.standins.zalo
    assert (await rig.zalo.say(rig.http, "z-1", "báo mất hộ chiếu")).status == 200
    await eventually(lambda: zalo_api.texts("z-1"))
    buttons = zalo_api.received[0]["message"]["attachment"]["payload"]["buttons"]
    pick = next(b["payload"] for b in buttons if b["payload"].startswith("#pick:"))
    await rig.zalo.press(rig.http, "z-1", pick)
    await eventually(lambda: len(zalo_api.texts("z-1")) >= 2)
    assert pick.removeprefix("#pick:") in zalo_api.texts("z-1")[1]


async def test_zalo_signature_with_or_without_prefix_and_forgeries(rig):
    event = rig.zalo.event("z-2", "đăng ký kết hôn")
    raw = json.dumps(event).encode()
    bare = rig.zalo.sign(raw, event, prefix="")
    async with rig.http.post(
        f"{rig.url}/webhooks/zalo", data=raw, headers={"X-ZEvent-Signature": bare}
    ) as response:
        assert response.status == 200
    forged = rig.zalo.event("z-3", "đăng ký kết hôn")
    assert (await rig.zalo.post(rig.http, forged, secret="wrong")).status == 403
    other_app = dict(forged, app_id="999")
    assert (await rig.zalo.post(rig.http, other_app)).status == 403
    async with rig.http.post(f"{rig.url}/webhooks/zalo", data=b"[]") as response:
        assert response.status == 401
    echo = rig.zalo.event("z-4", "tin OA gửi", event_name="oa_send_text")
    assert (await rig.zalo.post(rig.http, echo)).status == 200
    await eventually(lambda: rig.standins.zalo.texts("z-2"))
    assert rig.standins.zalo.texts("z-3") == [] and rig.standins.zalo.texts("z-4") == []


async def test_zalo_expired_token_is_refreshed_once_and_persisted(rig):
    zalo_api = rig.standins.zalo
    zalo_api.expire_token()
    for user in ("z-5", "z-6", "z-7"):
        await rig.zalo.say(rig.http, user, "xin lý lịch tư pháp")
    await eventually(lambda: all(zalo_api.texts(u) for u in ("z-5", "z-6", "z-7")))
    assert zalo_api.refreshes == 1  # single-use refresh tokens: never two refreshes at once
    with rig.runtime.store.session() as session:
        stored = session.get(PlatformToken, "zalo")
    assert (stored.access_token, stored.refresh_token) == (
        zalo_api.access_token,
        zalo_api.refresh_token,
    )


async def test_zalo_rate_limit_is_retried_and_a_closed_window_is_not(rig):
    zalo_api = rig.standins.zalo
    zalo_api.throttle_next(2)
    await rig.zalo.say(rig.http, "z-8", "đăng ký thường trú")
    await eventually(lambda: zalo_api.texts("z-8"), timeout=15)
    zalo_api.close_window_next(1)
    await rig.zalo.say(rig.http, "z-9", "đăng ký thường trú")

    def failed() -> bool:
        with rig.runtime.store.session() as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.user_id == "z-9")).all()
        return bool(rows) and rows[0].status == "failed"

    await eventually(failed)
    assert zalo_api.texts("z-9") == []


# --- Telegram (python-telegram-bot against the Bot API stand-in) ----------------------------


async def test_telegram_webhook_message_and_inline_button(rig):
    bot_api = rig.standins.telegram
    assert (await rig.telegram.say(rig.http, 5001, "báo mất hộ chiếu")).status == 200
    await eventually(lambda: bot_api.texts(5001))
    keyboard = bot_api.sent[0]["reply_markup"]["inline_keyboard"]
    pick = next(
        row[0]["callback_data"] for row in keyboard if row[0]["callback_data"].startswith("pick:")
    )
    assert (await rig.telegram.press(rig.http, 5001, pick)).status == 200
    await eventually(lambda: len(bot_api.texts(5001)) >= 2)
    assert bot_api.answered_callbacks  # the button's spinner was stopped
    assert pick.removeprefix("pick:") in bot_api.texts(5001)[1]


async def test_telegram_secret_token_and_malformed_updates(rig):
    update = rig.telegram.text_update(5002, "đăng ký kết hôn")
    assert (await rig.telegram.post(rig.http, update, secret="wrong")).status == 403
    assert (await rig.telegram.post(rig.http, b"{}")).status == 400
    assert (await rig.telegram.post(rig.http, b"not json")).status == 400
    assert rig.standins.telegram.texts(5002) == []


async def test_telegram_flood_control_retry_after_is_honoured(rig):
    bot_api = rig.standins.telegram
    bot_api.throttle_next(2, retry_after=1)
    await rig.telegram.say(rig.http, 5003, "đăng ký tạm trú")
    await eventually(lambda: bot_api.texts(5003), timeout=15)
    assert len(bot_api.texts(5003)) == 1


# --- Web chat, health, metrics --------------------------------------------------------------


async def test_web_chat_round_trip(rig):
    session = "ab" * 16
    async with rig.http.post(
        f"{rig.url}/chat/api/messages",
        json={"session": session, "text": "tôi muốn đổi thẻ căn cước vì thẻ sắp hết hạn"},
    ) as response:
        assert response.status == 202
    replies: list = []

    async def fetch() -> None:
        headers = {"X-Chat-Session": session}
        async with rig.http.get(f"{rig.url}/chat/api/messages", headers=headers) as r:
            replies[:] = (await r.json())["messages"]

    for _ in range(200):
        await fetch()
        if replies:
            break
        await eventually(lambda: True)
    # the answer, or the choices among the card's variants (shown as buttons on the page)
    shown = [replies[0]["text"], *(b["title"] for b in replies[0]["buttons"])]
    assert "căn cước" in " ".join(shown).lower()
    async with rig.http.post(
        f"{rig.url}/chat/api/messages", json={"session": "../etc", "text": "hi"}
    ) as response:
        assert response.status == 400
    async with rig.http.get(f"{rig.url}/chat") as response:
        assert response.status == 200 and "Trợ lý một cửa" in await response.text()


async def test_health_and_metrics(rig):
    async with rig.http.get(f"{rig.url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["channels"] == ["messenger", "telegram", "web", "zalo"]
    await rig.messenger.say(rig.http, "psid-m", "đăng ký khai sinh")
    await eventually(lambda: rig.standins.graph.texts("psid-m"))
    async with rig.http.get(f"{rig.url}/metrics") as response:
        body = await response.text()
    assert 'motcua_messages_in_total{channel="messenger"} 1.0' in body
    assert 'motcua_messages_out_total{channel="messenger",result="sent"}' in body
    assert "motcua_outbox_depth" in body


async def test_round_trip_on_postgresql(pg_rig):
    await pg_rig.zalo.say(pg_rig.http, "z-pg", "đăng ký hộ kinh doanh")
    await pg_rig.messenger.say(pg_rig.http, "psid-pg", "xin giấy phép xây nhà")
    await eventually(lambda: pg_rig.standins.zalo.texts("z-pg"))
    await eventually(lambda: pg_rig.standins.graph.texts("psid-pg"))
    assert "hộ kinh doanh" in pg_rig.standins.zalo.texts("z-pg")[0].lower()


async def test_telegram_sender_reports_the_wait_telegram_asks_for(rig):
    import pytest

    from bot.contract.messages import Reply
    from bot.contract.sending import RetryLater

    rig.standins.telegram.throttle_next(1, retry_after=7)
    sender = rig.runtime.senders["telegram"]
    with pytest.raises(RetryLater) as raised:
        await sender.send("5004", Reply("xin chào"))
    assert raised.value.delay == 7.0
    await sender.send("5004", Reply("xin chào"))
    assert rig.standins.telegram.texts(5004) == ["xin chào"]


async def test_telegram_polling_mode(fast_settings, hybrid_retriever, standins):
    from dataclasses import replace

    polling = replace(standins.telegram_config, polling=True)
    server, polled = await start_rig(
        replace(fast_settings, telegram=polling), hybrid_retriever, standins
    )
    try:
        async with polled.http.post(f"{polled.url}/webhooks/telegram", data=b"{}") as response:
            assert response.status == 404  # no webhook in polling mode
        standins.telegram.queue_update(polled.telegram.text_update(5005, "đăng ký khai sinh"))
        await eventually(lambda: standins.telegram.texts(5005))
        assert "khai sinh" in standins.telegram.texts(5005)[0].lower()
    finally:
        await polled.http.close()
        await server.close()
