"""Work passes from one stage to the next by hand, in the transaction that made it ready: a
webhook's message to the inbox worker, a turn's replies to the outbox, a sent part to the
next part, a handled message to the citizen's next one. Here the workers' own polling is an
hour apart, so whatever arrives came by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tests.channel_fixtures import Rig, complete_answers, eventually, start_rig
from tests.conftest import fresh_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
async def hand_rig(request, fast_settings, hybrid_retriever, standins) -> AsyncIterator[Rig]:
    settings = replace(fast_settings, poll_seconds=3600.0)
    if request.param == "postgresql":
        settings = replace(settings, database_url=fresh_postgres(request))
    server, rig = await start_rig(settings, hybrid_retriever, standins)
    yield rig
    await rig.http.close()
    await server.close()


async def test_a_long_answer_arrives_whole_without_a_poll(hand_rig):
    await hand_rig.messenger.say(
        hand_rig.http, "hand-1", "thủ tục chuyển nhượng quyền sử dụng đất cần giấy tờ gì"
    )
    graph = hand_rig.standins.graph
    await eventually(lambda: complete_answers(graph.texts("hand-1")) == 1, timeout=5)
    texts = graph.texts("hand-1")
    assert len(texts) >= 2  # over Messenger's 640 characters: sent in parts, in order
    assert "hữu ích" in texts[-1]


async def test_citizens_quick_messages_are_answered_in_order_without_a_poll(hand_rig):
    zalo = hand_rig.standins.zalo
    users = [f"hand-2-{i}" for i in range(8)]

    async def citizen(user: str) -> None:
        for question in ("đăng ký kết hôn", "mất bao lâu", "lệ phí"):
            await hand_rig.zalo.say(hand_rig.http, user, question)  # not waiting for answers

    await asyncio.gather(*(citizen(user) for user in users))
    await eventually(lambda: all(len(zalo.texts(u)) >= 3 for u in users), timeout=5)
    for user in users:
        first, second, third = zalo.texts(user)[:3]
        assert "kết hôn" in first.lower() and "Thời gian" in second and "Lệ phí" in third


async def test_more_citizens_than_the_workers_room_are_all_answered_without_a_poll(hand_rig):
    hand_rig.runtime.inbox.capacity = 2  # most messages find no room when they arrive
    hand_rig.runtime.outbox.capacity = 2
    users = [f"hand-many-{i}" for i in range(12)]
    for user in users:
        await hand_rig.messenger.say(hand_rig.http, user, "xin lý lịch tư pháp")
    graph = hand_rig.standins.graph
    await eventually(lambda: all(complete_answers(graph.texts(u)) == 1 for u in users), timeout=10)
