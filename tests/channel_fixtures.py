"""Fixtures for round trips: the platform stand-ins, our server on loopback, and waiting."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from blockbuster import BlockBuster

from bot.shell.config import Settings
from bot.shell.server import RUNTIME, Runtime, create_app
from bot.shell.standins import StandIns
from channels.messenger.standin import MessengerPlatform
from channels.telegram.standin import TelegramPlatform
from channels.zalo.standin import ZaloPlatform


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``check()`` holds (the workers run in the background)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def complete_answers(texts: list[str]) -> int:
    """How many whole answers a citizen received (each ends with the rating question)."""
    return sum("hữu ích" in t for t in texts)


@dataclass
class Rig:
    """Our server, the stand-ins, and the platform sides that post to it."""

    url: str
    standins: StandIns
    runtime: Runtime
    http: aiohttp.ClientSession
    messenger: MessengerPlatform
    zalo: ZaloPlatform
    telegram: TelegramPlatform


async def start_rig(settings: Settings, retriever, standins: StandIns) -> tuple[TestServer, Rig]:
    settings = standins.configure(settings)
    app = create_app(settings, retriever=retriever)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    messenger, zalo, telegram = standins.platforms(url)
    http = aiohttp.ClientSession()
    return server, Rig(url, standins, app[RUNTIME], http, messenger, zalo, telegram)


# The project's packages: a blocking call made from their code on the event loop fails the test.
OUR_PACKAGES = ["bot", "channels", "feedback", "knowledge"]


def _called_by_a_test() -> bool:
    """Whether a test's own code is on the stack (a test may read the store directly)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(TESTS) and name != __file__:
            return True
        frame = frame.f_back
    return False


TESTS = str(Path(__file__).parent) + os.sep


@contextmanager
def no_blocking() -> Iterator[BlockBuster]:
    """While serving, fail on any blocking call (file, socket, SQLite, sleep, lock) our code
    makes on the event loop, as aiohttp's own test suite does. Starting and stopping the
    server may block; the stand-ins and the tests themselves may too."""
    buster = BlockBuster(OUR_PACKAGES)
    for function in buster.functions.values():
        allowed = function.can_block_predicate  # e.g. a non-blocking socket's calls

        def predicate(*args: object, _allowed=allowed, **kwargs: object) -> bool:
            return _allowed(*args, **kwargs) or _called_by_a_test()

        function.can_block_predicate = predicate
    # The one exception, by design: the sent journal appends a line to a file it holds open
    # (the page cache, no fsync) the instant a send returns, on the loop, so that nothing
    # comes between the platform's answer and its record (see bot/delivery/sent_journal). Every
    # 100,000 records it opens the next file there too.
    journal = "bot/delivery/sent_journal.py"
    buster.functions["os.write"].can_block_in(journal, "record")
    for call in ("os.rename", "os.unlink", "os.stat"):
        buster.functions[call].can_block_in(journal, {"_rotate", "_open_locked"})
    buster.activate()
    try:
        yield buster
    finally:
        buster.deactivate()


@pytest.fixture
async def standins() -> AsyncIterator[StandIns]:
    started = await StandIns.start()
    yield started
    await started.stop()


@pytest.fixture
def fast_settings(tmp_path) -> Settings:
    """SQLite in a temp dir; workers poll often and retries wait at most 0.2 s."""
    return Settings(data_dir=tmp_path, encoder="none", poll_seconds=0.05, retry_cap_seconds=0.2)


@pytest.fixture
async def rig(fast_settings, hybrid_retriever, standins) -> AsyncIterator[Rig]:
    server, started = await start_rig(fast_settings, hybrid_retriever, standins)
    with no_blocking():
        yield started
    await started.http.close()
    await server.close()


@pytest.fixture
async def pg_rig(request, fast_settings, hybrid_retriever, standins) -> AsyncIterator[Rig]:
    from tests.conftest import fresh_postgres

    settings = replace(fast_settings, database_url=fresh_postgres(request))
    server, started = await start_rig(settings, hybrid_retriever, standins)
    with no_blocking():
        yield started
    await started.http.close()
    await server.close()
