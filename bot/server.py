"""The aiohttp server: every channel's webhook, the web chat, health and metrics, one app.

``create_app(settings)`` is what ``motcua serve`` and the tests both run. Routes are declared
up front; the store, the engine, HTTP sessions, the Telegram Application and the background
workers open in a ``cleanup_ctx`` when the app starts and close when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import aiohttp
from aiohttp import web
from sqlalchemy import text

from bot.app import build_retriever
from bot.config import Settings
from bot.engine import Engine
from bot.headers import install_security_headers
from bot.inbox import InboxWorker
from bot.messages import Reply
from bot.outbox import OutboxWorker, pending_count
from bot.ratelimit import ClientBudget
from bot.sent_journal import SentJournal
from bot.staff import StaffDesk
from channels.base import Sender
from channels.intake import Intake
from channels.messenger.inbound import routes as messenger_routes
from channels.messenger.outbound import MessengerSender
from channels.metrics import Metrics
from channels.telegram.adapter import (
    TelegramSender,
    build_application,
    register_handlers,
)
from channels.telegram.adapter import routes as telegram_routes
from channels.webchat.routes import WebChatSender
from channels.webchat.routes import routes as webchat_routes
from channels.zalo.inbound import routes as zalo_routes
from channels.zalo.outbound import ZaloSender
from channels.zalo.tokens import ZaloTokens
from feedback.store import Store
from feedback.web.app import setup_staff_web
from feedback.web.context import StaffContext
from knowledge.retriever import Retriever

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What the running app holds; filled in when it starts."""

    settings: Settings
    metrics: Metrics
    intake: Intake
    telegram_app: object | None = None
    store: Store | None = None
    engine: Engine | None = None
    senders: dict[str, Sender] = field(default_factory=dict)
    inbox: InboxWorker | None = None
    outbox: OutboxWorker | None = None
    staff: StaffContext | None = None
    desk: StaffDesk | None = None


RUNTIME = web.AppKey("runtime", Runtime)
RETRIEVER = web.AppKey("retriever", Retriever)


def create_app(settings: Settings, retriever: Retriever | None = None) -> web.Application:
    """The whole server. Platforms without configuration get no webhook (``serve
    --standins`` points them at local stand-ins first)."""
    app = web.Application(client_max_size=settings.max_body_bytes)
    metrics = Metrics()
    runtime = Runtime(settings, metrics, Intake(None, None, metrics))  # type: ignore[arg-type]
    app[RUNTIME] = runtime
    if retriever is not None:
        app[RETRIEVER] = retriever
    intake = runtime.intake
    if settings.messenger:
        config = settings.messenger
        app.router.add_routes(
            messenger_routes(intake, config.app_secret, config.verify_token, metrics)
        )
    if settings.zalo:
        window = timedelta(seconds=settings.zalo_event_window_seconds)
        app.router.add_routes(
            zalo_routes(intake, settings.zalo.app_id, settings.zalo.oa_secret, metrics, window)
        )
    if settings.telegram:
        config = settings.telegram
        application = build_application(config.token, config.api_base, config.polling)
        register_handlers(application, intake)
        runtime.telegram_app = application
        if not config.polling:
            app.router.add_routes(telegram_routes(application, config.webhook_secret, metrics))
    budget = ClientBudget(
        settings.webchat_messages_per_minute,
        settings.webchat_sessions_per_minute,
        settings.trusted_proxies,
    )
    app.router.add_routes(webchat_routes(intake, metrics, budget))
    install_security_headers(app, settings.frame_ancestors)
    runtime.staff = setup_staff_web(
        app,
        settings.data_dir,
        settings.session_key,
        settings.cookie_secure,
        settings.trusted_proxies,
    )
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_view)
    app.cleanup_ctx.append(_services)
    return app


async def _services(app: web.Application) -> AsyncIterator[None]:
    runtime = app[RUNTIME]
    settings = runtime.settings
    # Database batches, searches, claims and the staff web all run on worker threads; the
    # default pool (cores + 4) is small enough for one kind to starve another.
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=16, thread_name_prefix="motcua")
    )
    retriever = app.get(RETRIEVER) or await asyncio.to_thread(build_retriever, settings)
    store = await asyncio.to_thread(Store, settings.database)
    engine = Engine(retriever, store)
    runtime.store, runtime.engine = store, engine
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
    senders: dict[str, Sender] = {"web": WebChatSender()}
    if settings.messenger:
        config = settings.messenger
        senders["messenger"] = MessengerSender(http, config.api_base, config.page_token)
    if settings.zalo:
        config = settings.zalo
        tokens = ZaloTokens(store, http, config.oauth_base, config.app_id, config.app_secret)
        await asyncio.to_thread(tokens.seed, config.access_token, config.refresh_token)
        senders["zalo"] = ZaloSender(http, config.api_base, tokens)
    application = runtime.telegram_app
    if application is not None:
        await application.initialize()
        senders["telegram"] = TelegramSender(application)
        await application.start()
        if settings.telegram and settings.telegram.polling:
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
    runtime.senders = senders

    lease = timedelta(seconds=settings.lease_seconds)
    journal = SentJournal(settings.data_dir / "sent-journal", store.url)
    outbox = OutboxWorker(
        store, senders, runtime.metrics, settings.retry_cap_seconds, lease, journal=journal
    )
    inbox = InboxWorker(
        engine,
        lambda channel, reply: _parts(senders, channel, reply),
        outbox,
        metrics=runtime.metrics,
        lease=lease,
    )
    runtime.inbox, runtime.outbox = inbox, outbox
    runtime.intake.store, runtime.intake.inbox = store, inbox
    runtime.desk = StaffDesk(
        store, lambda channel, reply: _parts(senders, channel, reply), outbox.wake
    )
    if runtime.staff is not None:
        runtime.staff.store, runtime.staff.desk = store, runtime.desk
        runtime.staff.catalogue = retriever.catalogue
    poll = settings.poll_seconds
    tasks = [asyncio.create_task(inbox.run(poll)), asyncio.create_task(outbox.run(poll))]
    log.info("motcua serving channels: %s", ", ".join(sorted(senders)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if application is not None:
            if application.updater and application.updater.running:
                await application.updater.stop()
            await application.stop()
            await application.shutdown()
        await http.close()
        journal.close()
        await asyncio.to_thread(store.dispose)


def _parts(senders: dict[str, Sender], channel: str, reply: Reply) -> list[Reply]:
    sender = senders.get(channel)
    return sender.parts(reply) if sender is not None else [reply]


async def healthz(request: web.Request) -> web.Response:
    """200 when the store answers; 503 otherwise."""
    runtime = request.app[RUNTIME]
    if runtime.store is None:
        return web.json_response({"status": "starting"}, status=503)

    def ping() -> None:
        with runtime.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await asyncio.to_thread(ping)
    except Exception as exc:  # the database is down or restarting
        return web.json_response({"status": "unavailable", "error": str(exc)[:200]}, status=503)
    return web.json_response(
        {
            "status": "ok",
            "channels": sorted(runtime.senders),
            "modes": runtime.settings.channel_modes(),
            "worker": os.getpid(),
        }
    )


async def metrics_view(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if runtime.store is not None:
        with contextlib.suppress(Exception):
            runtime.metrics.outbox_depth.set(await asyncio.to_thread(pending_count, runtime.store))
    if runtime.engine is not None:
        runtime.metrics.searches.set(runtime.engine.retriever.searches)
        runtime.metrics.encoder_calls.set(runtime.engine.retriever.encoder_calls)
    return web.Response(body=runtime.metrics.render(), content_type="text/plain")
