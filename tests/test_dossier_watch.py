"""Notifications: a citizen who looked up a dossier asks to be told of changes; the watch
poller tells them once per change, on their own channel, through the outbox."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.conversation.engine import Engine
from bot.delivery.dossier_watch import DossierWatcher
from bot.dossiers.client import HttpDossierSource
from bot.dossiers.standin import DossierApiStandIn, owner_phone
from channels.standin import StandIn
from feedback import dossier_watches
from feedback.models import DossierWatch, OutboxMessage, utcnow
from feedback.stats import province_report
from feedback.store import Store
from tests.channel_fixtures import eventually, no_blocking, start_rig
from tests.conftest import Chat, fresh_postgres

CHANGED = "vừa đổi tình trạng"


def _no_split(channel, reply):
    return [reply]


def _notifications(store: Store, user: str) -> list[str]:
    with store.session() as session:
        rows = session.exec(
            select(OutboxMessage).where(OutboxMessage.user_id == user).order_by(OutboxMessage.id)
        ).all()
    return [row.body for row in rows if CHANGED in row.body]


@pytest.fixture
async def api():
    stand_in = DossierApiStandIn()
    server = StandIn(stand_in.app())
    await server.start()
    stand_in.url = server.url  # type: ignore[attr-defined]
    yield stand_in
    await server.stop()


def _source(api) -> HttpDossierSource:
    return HttpDossierSource(api.url, api.token, 2.0)


async def _look_up_and_watch(engine: Engine, api, user: str, number: int) -> Chat:
    citizen = Chat(engine, user=user)
    await asyncio.to_thread(citizen.say, api.code(number))
    await asyncio.to_thread(citizen.say, owner_phone(number)[-4:])
    await asyncio.to_thread(citizen.say, "báo cho tôi khi có kết quả")
    assert "Mình sẽ nhắn bạn" in citizen.text
    return citizen


async def test_one_message_per_change_and_stop(hybrid_retriever, store, api):
    started = utcnow()
    engine = Engine(hybrid_retriever, store, dossiers=_source(api))
    citizen = await _look_up_and_watch(engine, api, "z-1", 2)
    watcher = DossierWatcher(store, _source(api), _no_split, interval=timedelta(0))
    await watcher.poll_once()
    assert _notifications(store, "z-1") == []  # no change yet
    api.advance(api.code(2))  # in progress -> result ready
    await watcher.poll_once()
    await watcher.poll_once()
    sent = _notifications(store, "z-1")
    assert len(sent) == 1 and "đã có kết quả" in sent[0] and "dừng theo dõi" in sent[0]
    await asyncio.to_thread(citizen.say, "dừng theo dõi")
    assert "Đã dừng theo dõi" in citizen.text
    api.advance(api.code(2))  # result ready -> returned
    await watcher.poll_once()
    assert len(_notifications(store, "z-1")) == 1
    with store.session() as session:  # the province report's figures
        figures = province_report(session, started, utcnow()).dossiers
    assert (figures.lookups["zalo"], figures.notified, figures.unreachable) == (1, 1, 0)


async def test_a_finished_dossier_closes_its_watch(hybrid_retriever, store, api):
    engine = Engine(hybrid_retriever, store, dossiers=_source(api))
    await _look_up_and_watch(engine, api, "z-2", 5)
    watcher = DossierWatcher(store, _source(api), _no_split, interval=timedelta(0))
    api.advance(api.code(5))  # -> returned
    await watcher.poll_once()
    await watcher.poll_once()
    assert len(_notifications(store, "z-2")) == 1
    with store.session() as session:
        assert session.exec(select(DossierWatch)).one().status == "closed"


async def test_watch_needs_a_checked_lookup_first(hybrid_retriever, store, api):
    citizen = Chat(Engine(hybrid_retriever, store, dossiers=_source(api)))
    await asyncio.to_thread(citizen.say, "báo cho tôi khi có kết quả")
    assert "tra cứu hồ sơ trước" in citizen.text
    await asyncio.to_thread(citizen.say, api.code(2))
    await asyncio.to_thread(citizen.say, "báo cho tôi khi có kết quả")  # digits not given
    assert "tra cứu hồ sơ trước" in citizen.text


async def test_a_failing_system_backs_off_per_dossier(hybrid_retriever, store, api):
    engine = Engine(hybrid_retriever, store, dossiers=_source(api))
    await _look_up_and_watch(engine, api, "z-3", 2)
    interval = timedelta(seconds=10)
    watcher = DossierWatcher(store, _source(api), _no_split, interval=interval)
    with store.session() as session:
        row = session.exec(select(DossierWatch)).one()
    api.malformed = 1
    await watcher.poll_once()
    with store.session() as session:
        after = session.exec(select(DossierWatch)).one()
    assert after.failures == 1
    waited = after.next_check_at - row.next_check_at
    assert waited >= timedelta(seconds=19)  # 2 × the interval
    assert await watcher.poll_once() == 0  # not due again yet


async def test_two_workers_on_postgresql_tell_each_change_once(request, hybrid_retriever, api):
    url = fresh_postgres(request)
    stores = [Store(url), Store(url, migrate=False)]
    try:
        engine = Engine(hybrid_retriever, stores[0], dossiers=_source(api))
        users = [f"z-{n}" for n in (1, 2, 3, 4)]
        for user, number in zip(users, (1, 2, 3, 4), strict=True):
            await _look_up_and_watch(engine, api, user, number)
        watchers = [
            DossierWatcher(s, _source(api), _no_split, interval=timedelta(0), batch=2)
            for s in stores
        ]
        for number in (1, 2, 3, 4):
            api.advance(api.code(number))
        for _ in range(4):
            await asyncio.gather(*(w.poll_once() for w in watchers))
        counts = [len(_notifications(stores[0], user)) for user in users]
        assert counts == [1, 1, 1, 1]
        for number in (1, 2):
            api.advance(api.code(number))
        for _ in range(4):
            await asyncio.gather(*(w.poll_once() for w in watchers))
        counts = [len(_notifications(stores[0], user)) for user in users]
        assert counts == [2, 2, 1, 1]
    finally:
        for s in stores:
            s.dispose()


async def test_on_zalo_the_change_arrives_and_a_closed_window_is_recorded_for_staff(
    fast_settings, hybrid_retriever, standins
):
    settings = replace(fast_settings, dossier_watch_seconds=0.1)
    server, rig = await start_rig(settings, hybrid_retriever, standins)
    api, zalo = standins.dossiers, standins.zalo
    code = api.code(2)
    try:
        with no_blocking():
            await rig.zalo.say(rig.http, "zc", f"hồ sơ {code} đến đâu rồi")
            await eventually(lambda: any("4 số cuối" in t for t in zalo.texts("zc")))
            await rig.zalo.say(rig.http, "zc", owner_phone(2)[-4:])
            await eventually(lambda: any("đang được xử lý" in t for t in zalo.texts("zc")))
            await rig.zalo.say(rig.http, "zc", "báo cho tôi khi có kết quả")
            await eventually(lambda: any("Mình sẽ nhắn bạn" in t for t in zalo.texts("zc")))
            api.advance(code)
            await eventually(lambda: any(CHANGED in t for t in zalo.texts("zc")))
            zalo.close_window_next(1)
            api.advance(code)  # result ready -> returned: this one cannot be delivered

            def unreachable() -> list[DossierWatch]:
                with rig.runtime.store.session() as session:
                    return dossier_watches.unreachable(session)

            await eventually(lambda: bool(unreachable()))
        assert sum(CHANGED in t for t in zalo.texts("zc")) == 1
        [watch] = unreachable()
        assert watch.receipt_code == code and "couldn't notify" in (watch.note or "")
    finally:
        await rig.http.close()
        await server.close()
