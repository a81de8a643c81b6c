"""Running the server (``motcua serve``) and the stand-ins (``motcua standins``)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.config import Settings
from bot.server import create_app
from channels.standins import StandIns

log = logging.getLogger("motcua")


async def serve(settings: Settings) -> None:
    """Serve until interrupted. Platforms without configuration are wired to local stand-ins
    (started here), so the server runs out of the box."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    standins = None
    if not (settings.messenger and settings.zalo and settings.telegram):
        standins = await StandIns.start(settings.host)
        settings = standins.configure(settings)
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    base = f"http://{settings.host}:{settings.port}"
    print(f"motcua is serving on {base}", flush=True)
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
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        if standins is not None:
            await standins.stop()


async def run_standins(host: str, ports: tuple[int, int, int]) -> None:
    """Run the stand-ins alone and print the settings that point a server at them."""
    standins = await StandIns.start(host, ports)
    m, z, t = standins.messenger_config, standins.zalo_config, standins.telegram_config
    print("# platform stand-ins are running; point motcua at them with:")
    for name, value in [
        ("MOTCUA_MESSENGER_APP_SECRET", m.app_secret),
        ("MOTCUA_MESSENGER_VERIFY_TOKEN", m.verify_token),
        ("MOTCUA_MESSENGER_PAGE_TOKEN", m.page_token),
        ("MOTCUA_MESSENGER_API_BASE", m.api_base),
        ("MOTCUA_ZALO_APP_ID", z.app_id),
        ("MOTCUA_ZALO_OA_SECRET", z.oa_secret),
        ("MOTCUA_ZALO_APP_SECRET", z.app_secret),
        ("MOTCUA_ZALO_ACCESS_TOKEN", z.access_token),
        ("MOTCUA_ZALO_REFRESH_TOKEN", z.refresh_token),
        ("MOTCUA_ZALO_API_BASE", z.api_base),
        ("MOTCUA_ZALO_OAUTH_BASE", z.oauth_base),
        ("MOTCUA_TELEGRAM_TOKEN", t.token),
        ("MOTCUA_TELEGRAM_WEBHOOK_SECRET", t.webhook_secret),
        ("MOTCUA_TELEGRAM_API_BASE", t.api_base),
    ]:
        print(f"export {name}='{value}'", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await standins.stop()
