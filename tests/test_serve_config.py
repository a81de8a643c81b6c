"""``motcua serve`` and platform configuration: partly set is an error, stand-ins only when
asked for, and /healthz tells which channels are live."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys

import aiohttp

from bot.shell.cli import main
from bot.shell.config import Settings
from tests.server_process import ROOT


def test_serve_refuses_a_partly_configured_platform_and_names_what_is_missing(monkeypatch, capsys):
    monkeypatch.setenv("MOTCUA_ZALO_APP_ID", "1234")
    monkeypatch.setenv("MOTCUA_ZALO_OA_SECRET", "oa-secret")
    assert main(["serve", "--standins"]) == 2
    error = capsys.readouterr().err
    for name in ("MOTCUA_ZALO_APP_SECRET", "MOTCUA_ZALO_ACCESS_TOKEN", "MOTCUA_ZALO_REFRESH_TOKEN"):
        assert name in error
    assert "MOTCUA_ZALO_APP_ID" not in error


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def serve_and_ask(tmp_path, *flags: str) -> tuple[dict, int]:
    """Start ``motcua serve`` with no platform configured; its /healthz and the status of a
    Zalo webhook post."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env |= {"MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_ENCODER": "none"}
    command = [sys.executable, "-m", "bot.shell.cli", "serve", "--port", str(port), *flags]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                try:
                    async with http.get(url + "/healthz") as response:
                        if response.status == 200:
                            health = await response.json()
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("server did not become healthy")
            async with http.post(url + "/webhooks/zalo", data=b"{}") as response:
                return health, response.status
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


async def test_stand_ins_run_only_when_asked_for_and_health_tells_each_mode(tmp_path):
    health, zalo = await serve_and_ask(tmp_path / "plain")
    assert health["modes"] == {"web": "live", "messenger": "off", "telegram": "off", "zalo": "off"}
    assert zalo == 404  # no webhook for a platform that is off
    health, zalo = await serve_and_ask(tmp_path / "standins", "--standins")
    assert health["modes"] == {
        "web": "live",
        "messenger": "stand-in",
        "telegram": "stand-in",
        "zalo": "stand-in",
    }
    assert zalo in (400, 401, 403)  # the stand-in's webhook exists and refuses an unsigned post


def test_a_configured_platform_is_reported_live():
    env = {"MOTCUA_TELEGRAM_TOKEN": "1:abc", "MOTCUA_TELEGRAM_WEBHOOK_SECRET": "secret"}
    assert Settings.from_env(env).channel_modes()["telegram"] == "live"
