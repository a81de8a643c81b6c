"""Zalo replay protection: a signed event is accepted only near the time it says it was sent
(configurable window), refusals are counted in /metrics, and a purge keeps the dedupe keys a
replay inside the window would hit."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from sqlmodel import select

from bot.shell.cli import main
from feedback.models import Conversation, InboundMessage
from tests.channel_fixtures import Rig, eventually, start_rig


@pytest.fixture(params=["sqlite", "postgresql"])
def any_rig(request) -> Rig:
    return request.getfixturevalue("rig" if request.param == "sqlite" else "pg_rig")


def _at(rig: Rig, user: str, text: str, seconds_ago: float) -> dict:
    data = rig.zalo.event(user, text)
    data["timestamp"] = str(int((time.time() - seconds_ago) * 1000))
    return data


async def _metrics(rig: Rig) -> str:
    async with rig.http.get(rig.url + "/metrics") as response:
        return await response.text()


async def test_old_and_future_events_are_refused_and_counted(any_rig):
    rig = any_rig
    assert (
        await rig.zalo.post(rig.http, _at(rig, "z-old", "đăng ký kết hôn", 11 * 60))
    ).status == 403
    assert (
        await rig.zalo.post(rig.http, _at(rig, "z-next", "đăng ký kết hôn", -6 * 60))
    ).status == 403
    assert (
        await rig.zalo.post(rig.http, _at(rig, "z-late", "đăng ký kết hôn", 9 * 60))
    ).status == 200
    assert (
        await rig.zalo.post(rig.http, _at(rig, "z-ahead", "đăng ký kết hôn", -4 * 60))
    ).status == 200
    await eventually(
        lambda: rig.standins.zalo.texts("z-late") and rig.standins.zalo.texts("z-ahead")
    )
    assert not rig.standins.zalo.texts("z-old") and not rig.standins.zalo.texts("z-next")
    metrics = await _metrics(rig)
    assert 'motcua_zalo_events_refused_total{reason="stale"} 1.0' in metrics
    assert 'motcua_zalo_events_refused_total{reason="future"} 1.0' in metrics


async def test_the_window_is_configurable(fast_settings, hybrid_retriever, standins):
    settings = replace(fast_settings, zalo_event_window_seconds=60)
    server, rig = await start_rig(settings, hybrid_retriever, standins)
    try:
        assert (await rig.zalo.post(rig.http, _at(rig, "z-2min", "hộ chiếu", 120))).status == 403
        assert (await rig.zalo.post(rig.http, _at(rig, "z-30s", "hộ chiếu", 30))).status == 200
    finally:
        await rig.http.close()
        await server.close()


async def test_a_replay_after_db_purge_gets_no_second_reply(any_rig, monkeypatch, capsys):
    rig = any_rig
    zalo = rig.standins.zalo
    event = rig.zalo.event("z-replay", "làm căn cước mất bao lâu")
    assert (await rig.zalo.post(rig.http, event)).status == 200
    await eventually(lambda: zalo.texts("z-replay"))
    await asyncio.sleep(0.5)  # every part of the answer is out
    answered = len(zalo.texts("z-replay"))
    settings = rig.runtime.settings
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("MOTCUA_DATABASE_URL", settings.database_url)
    assert main(["db", "purge", "--days", "0"]) == 0
    assert "purged 1 conversations" in capsys.readouterr().out
    with rig.runtime.store.session() as session:
        assert session.exec(select(Conversation)).all() == []  # the purge did its work
        assert len(session.exec(select(InboundMessage)).all()) == 1  # the dedupe key stayed
    assert (await rig.zalo.post(rig.http, event)).status == 200  # the captured event again
    await asyncio.sleep(1.0)  # time enough for a second answer, were there one
    with rig.runtime.store.session() as session:
        assert session.exec(select(Conversation)).all() == []
    assert len(zalo.texts("z-replay")) == answered
