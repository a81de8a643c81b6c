"""Running the server (``motcua serve [--workers N]``) and the stand-ins (``motcua standins``).

A platform whose variables are partly set stops ``serve`` with the missing names; one with none
set is off, unless ``--standins`` asks for local stand-ins of the unconfigured platforms' APIs
(``make run`` does). With several workers, this process supervises: it starts those stand-ins,
warms the embedding cache once, then runs N worker processes that each serve
the whole app on the same port (SO_REUSEPORT; the kernel spreads connections). All shared
state lives in the database, so any worker can take any request. A worker that dies is
replaced; SIGTERM stops them all.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import replace

from aiohttp import web

from bot.shell.config import Settings, settings_env
from bot.shell.server import create_app
from bot.shell.standins import StandIns
from feedback.privacy import install_log_masking

log = logging.getLogger("motcua")


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the bot token
    install_log_masking()  # phone and ID numbers never reach the logs


def _banner(settings: Settings, standins: StandIns | None, workers: int) -> None:
    base = f"http://{settings.host}:{settings.port}"
    print(f"motcua is serving on {base} ({workers} worker{'s' if workers > 1 else ''})", flush=True)
    print(f"  web chat:  {base}/chat", flush=True)
    print(f"  webhooks:  {base}/webhooks/messenger, /webhooks/zalo, /webhooks/telegram", flush=True)
    print(
        f"  staff:     {base}/staff   (accounts: motcua users add NAME --role staff|admin)",
        flush=True,
    )
    print(f"  health:    {base}/healthz   metrics: {base}/metrics", flush=True)
    if standins is not None:
        for server in standins.servers:
            print(f"  stand-in:  {server.url}", flush=True)


def unconfigured(settings: Settings) -> tuple[str, ...]:
    """The platforms with no configuration at all."""
    return tuple(name for name, mode in settings.channel_modes().items() if mode == "off")


async def serve(
    settings: Settings, workers: int = 1, reuse_port: bool = False, standins: bool = False
) -> None:
    """Serve until interrupted. With ``standins``, platforms without configuration are wired
    to local stand-ins (started here), so the server runs out of the box; without, they are
    off. Raises ValueError for a partly configured platform."""
    settings.check()
    _configure_logging()
    stand_ins = None
    if standins and (unconfigured(settings) or settings.dossier_api_base is None):
        stand_ins = await StandIns.start(settings.host)
        missing = unconfigured(settings)
        settings = replace(stand_ins.configure(settings), standin_channels=missing)
    elif not reuse_port:
        for name in unconfigured(settings):
            log.warning("%s is not configured: off (serve --standins runs a stand-in)", name)
    try:
        if workers > 1:
            await _supervise(settings, workers, stand_ins)
        else:
            # One OpenMP thread per encoder model and one model per core: short queries from
            # many citizens encode side by side instead of queueing for one model.
            os.environ.setdefault("OMP_NUM_THREADS", "1")
            await _serve_one(settings, reuse_port, stand_ins)
    finally:
        if stand_ins is not None:
            await stand_ins.stop()


async def _serve_one(settings: Settings, reuse_port: bool, standins: StandIns | None) -> None:
    runner = web.AppRunner(create_app(settings), access_log=None)
    try:
        await runner.setup()
    except BaseException:
        await runner.cleanup()  # closes whatever had started before the failure
        raise
    site = web.TCPSite(runner, settings.host, settings.port, reuse_port=reuse_port or None)
    await site.start()
    if not reuse_port:
        _banner(settings, standins, 1)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


async def _supervise(settings: Settings, workers: int, standins: StandIns | None) -> None:
    from bot.shell.app import build_retriever

    await asyncio.to_thread(build_retriever, settings)  # embed once; the workers read the cache
    env = dict(os.environ) | settings_env(settings)
    threads = max(1, (os.cpu_count() or 1) // workers)
    env.setdefault("OMP_NUM_THREADS", str(threads))  # don't oversubscribe the cores
    models = max(1, (os.cpu_count() or 1) // (workers * int(env["OMP_NUM_THREADS"])))
    env.setdefault("MOTCUA_ENCODER_MODELS", str(models))  # nor with encoder models
    command = [sys.executable, "-m", "bot.shell.cli", "serve", "--worker"]
    procs: dict[int, asyncio.subprocess.Process] = {}
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)

    async def keep(slot: int) -> None:
        while not stopping.is_set():
            procs[slot] = await asyncio.create_subprocess_exec(*command, env=env)
            code = await procs[slot].wait()
            if not stopping.is_set():
                log.warning("worker %d exited with %s; starting a new one", slot, code)
                await asyncio.sleep(1.0)

    tasks = [asyncio.create_task(keep(slot)) for slot in range(workers)]
    _banner(settings, standins, workers)
    await stopping.wait()
    for proc in procs.values():
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    await asyncio.gather(*(p.wait() for p in procs.values()))
    for task in tasks:
        task.cancel()


async def run_standins(host: str, ports: tuple[int, int, int], dossier_port: int = 0) -> None:
    """Run the stand-ins alone and print the settings that point a server at them."""
    standins = await StandIns.start(host, ports, dossier_port)
    print("# platform stand-ins are running; point motcua at them with:")
    env = settings_env(standins.configure(Settings()))
    for name, value in env.items():
        if name.startswith(
            ("MOTCUA_MESSENGER", "MOTCUA_ZALO", "MOTCUA_TELEGRAM", "MOTCUA_DOSSIER_API")
        ):
            print(f"export {name}='{value}'", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await standins.stop()
