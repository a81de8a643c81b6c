"""The server's start and stop: every resource opened is closed, even when starting fails."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from telegram.error import InvalidToken

from bot.shell.server import HTTP, STAFF_APP, create_app


def open_files_under(directory: Path) -> list[str]:
    """Files under ``directory`` this process holds open (SQLite databases, lock files…)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            found.append(target)
    return found


async def test_a_failing_telegram_start_releases_what_had_started(
    fast_settings, lexical_retriever, standins
):
    settings = standins.configure(fast_settings)
    wrong_token = replace(settings.telegram, token="123:not-the-bot-token")  # getMe → 401
    app = create_app(replace(settings, telegram=wrong_token), retriever=lexical_retriever)
    runner = web.AppRunner(app)
    with pytest.raises(InvalidToken):
        await runner.setup()
    assert open_files_under(fast_settings.data_dir), "the store had opened its database"
    await runner.cleanup()  # what serve does when starting fails
    assert app[HTTP].closed
    assert open_files_under(fast_settings.data_dir) == []  # the store is closed


async def test_a_started_and_stopped_server_leaves_nothing_open(
    fast_settings, lexical_retriever, standins
):
    app = create_app(standins.configure(fast_settings), retriever=lexical_retriever)
    runner = web.AppRunner(app)
    await runner.setup()
    assert not app[HTTP].closed
    await runner.cleanup()
    assert app[HTTP].closed
    assert open_files_under(fast_settings.data_dir) == []


def test_staff_sessions_wrap_staff_pages_only(fast_settings, lexical_retriever):
    app = create_app(fast_settings, retriever=lexical_retriever)
    assert list(app.middlewares) == []  # webhooks, the web chat, health: no session cookie
    assert list(app[STAFF_APP].middlewares)  # the staff web's session middleware
