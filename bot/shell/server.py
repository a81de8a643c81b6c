"""The aiohttp server: every channel's webhook, the web chat, the staff web, health and
metrics, one app.

``create_app(settings)`` is what ``motcua serve`` and the tests both run. Routes are declared
up front. Each resource — the store, the thread pool, the retriever, the HTTP session, the Zalo
tokens, the Telegram application, the sent journal, the workers — opens in its own
``cleanup_ctx`` when the app starts, in that order, and closes in reverse when it stops; if
one fails to start, those already started are closed by the runner's cleanup.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from aiohttp import web
from sqlalchemy import text

from bot.contract.messages import Incoming, Reply
from bot.contract.ratelimit import ClientAddress, ClientBudget
from bot.contract.sending import Sender
from bot.conversation.engine import Engine
from bot.delivery.dossier_watch import DossierWatcher
from bot.delivery.inbox import InboxWorker
from bot.delivery.intake import Intake
from bot.delivery.outbox import OutboxWorker, pending_count
from bot.delivery.sent_journal import SentJournal
from bot.delivery.staff import StaffDesk
from bot.dossiers.client import HttpDossierSource
from bot.shell.app import build_retriever
from bot.shell.config import Settings
from bot.shell.headers import install_security_headers
from bot.shell.metrics import Metrics
from channels.messenger.inbound import routes as messenger_routes
from channels.messenger.outbound import MessengerSender
from channels.telegram.adapter import (
    TelegramApplication,
    TelegramSender,
    build_application,
    register_polling,
)
from channels.telegram.adapter import routes as telegram_routes
from channels.webchat.routes import WebChatSender
from channels.webchat.routes import routes as webchat_routes
from channels.zalo.inbound import routes as zalo_routes
from channels.zalo.outbound import ZaloSender
from channels.zalo.tokens import ZaloTokens
from feedback.store import Store
from feedback.web.app import PREFIX as STAFF_PREFIX
from feedback.web.app import staff_web, start_staff_web
from feedback.web.context import StaffContext
from knowledge.retriever import Retriever

log = logging.getLogger(__name__)
THREADS = 16


@dataclass(frozen=True)
class Runtime:
    """What the running app holds, complete once it has started."""

    settings: Settings
    metrics: Metrics
    store: Store
    engine: Engine
    senders: Mapping[str, Sender]
    intake: Intake
    inbox: InboxWorker
    outbox: OutboxWorker
    desk: StaffDesk


SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
RETRIEVER = web.AppKey("retriever", Retriever)
STORE = web.AppKey("store", Store)
HTTP = web.AppKey("http", aiohttp.ClientSession)
ZALO_TOKENS = web.AppKey("zalo_tokens", ZaloTokens)
TELEGRAM = web.AppKey("telegram", TelegramApplication)
JOURNAL = web.AppKey("journal", SentJournal)
STAFF_APP = web.AppKey("staff_app", web.Application)
RUNTIME = web.AppKey("runtime", Runtime)


class AppIntake:
    """The intake the webhooks are given when the app is built: it hands their messages to
    the running app's :class:`Intake`, which exists once the workers have started."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    async def submit(self, messages: Sequence[Incoming]) -> int:
        return await self._app[RUNTIME].intake.submit(messages)

    @property
    def store(self) -> Store:
        return self._app[STORE]


def create_app(settings: Settings, retriever: Retriever | None = None) -> web.Application:
    """The whole server. Platforms without configuration get no webhook (``serve
    --standins`` points them at local stand-ins first)."""
    app = web.Application(client_max_size=settings.max_body_bytes)
    metrics = Metrics()
    app[SETTINGS], app[METRICS] = settings, metrics
    if retriever is not None:
        app[RETRIEVER] = retriever
    intake = AppIntake(app)
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
        telegram = settings.telegram
        application = build_application(telegram.token, telegram.api_base, telegram.polling)
        app[TELEGRAM] = application
        if telegram.polling:
            register_polling(application, intake)
        else:
            app.router.add_routes(
                telegram_routes(intake, application.bot, telegram.webhook_secret, metrics)
            )
    budget = ClientBudget(
        settings.webchat_messages_per_minute,
        settings.webchat_sessions_per_minute,
        settings.trusted_proxies,
    )
    app.router.add_routes(webchat_routes(intake, metrics, budget))
    install_security_headers(app, settings.frame_ancestors)
    staff = staff_web(settings.data_dir, settings.session_key, settings.cookie_secure)
    app[STAFF_APP] = staff
    app.add_subapp(STAFF_PREFIX, staff)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_view)
    app.cleanup_ctx.extend(
        [_store, _thread_pool, _retriever, _http, _zalo_tokens, _telegram, _journal, _workers]
    )
    return app


async def _thread_pool(app: web.Application) -> AsyncIterator[None]:
    # Database batches, searches, claims and the staff web all run on worker threads; the
    # default pool (cores + 4) is small enough for one kind to starve another.
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="motcua")
    loop.set_default_executor(pool)
    yield
    # Later users of this loop get a fresh pool; ours finishes its work (a cancelled worker's
    # transaction, say) off the loop, before the store closes.
    loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="asyncio"))
    await loop.run_in_executor(None, pool.shutdown)


async def _retriever(app: web.Application) -> AsyncIterator[None]:
    if RETRIEVER not in app:
        app[RETRIEVER] = await asyncio.to_thread(build_retriever, app[SETTINGS])
    yield


async def _store(app: web.Application) -> AsyncIterator[None]:
    store = await asyncio.to_thread(Store, app[SETTINGS].database)
    app[STORE] = store
    yield
    await asyncio.to_thread(store.dispose)


async def _http(app: web.Application) -> AsyncIterator[None]:
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
    app[HTTP] = http
    yield
    await http.close()


async def _zalo_tokens(app: web.Application) -> AsyncIterator[None]:
    config = app[SETTINGS].zalo
    if config is not None:
        tokens = ZaloTokens(
            app[STORE], app[HTTP], config.oauth_base, config.app_id, config.app_secret
        )
        await asyncio.to_thread(tokens.seed, config.access_token, config.refresh_token)
        app[ZALO_TOKENS] = tokens
    yield


async def _telegram(app: web.Application) -> AsyncIterator[None]:
    application = app.get(TELEGRAM)
    if application is None:
        yield
        return
    await application.initialize()
    try:
        await application.start()
        try:
            if application.updater is not None:  # polling mode
                await application.updater.start_polling(poll_interval=0.0, timeout=1)
            yield
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()


async def _journal(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    journal = SentJournal(settings.data_dir / "sent-journal", app[STORE].url)
    app[JOURNAL] = journal
    yield
    journal.close()


def _senders(app: web.Application) -> dict[str, Sender]:
    settings = app[SETTINGS]
    senders: dict[str, Sender] = {"web": WebChatSender()}
    if settings.messenger:
        config = settings.messenger
        senders["messenger"] = MessengerSender(app[HTTP], config.api_base, config.page_token)
    if settings.zalo:
        senders["zalo"] = ZaloSender(app[HTTP], settings.zalo.api_base, app[ZALO_TOKENS])
    if TELEGRAM in app:
        senders["telegram"] = TelegramSender(app[TELEGRAM].bot)
    return senders


async def _workers(app: web.Application) -> AsyncIterator[None]:
    """The engine, the intake, the inbox and outbox workers and the staff desk; the workers
    run as tasks until the app stops."""
    settings, metrics, store = app[SETTINGS], app[METRICS], app[STORE]
    retriever = app[RETRIEVER]
    senders = _senders(app)

    def split(channel: str, reply: Reply) -> list[Reply]:
        sender = senders.get(channel)
        return sender.parts(reply) if sender is not None else [reply]

    lease = timedelta(seconds=settings.lease_seconds)
    dossiers = None
    if settings.dossier_api_base:
        dossiers = HttpDossierSource(
            settings.dossier_api_base,
            settings.dossier_api_token or "",
            settings.dossier_timeout_seconds,
        )
    engine = Engine(retriever, store, dossiers=dossiers, office_hours=settings.office_hours)
    outbox = OutboxWorker(
        store, senders, metrics, settings.retry_cap_seconds, lease, journal=app[JOURNAL]
    )
    inbox = InboxWorker(engine, split, outbox, metrics=metrics, lease=lease)
    desk = StaffDesk(store, split, outbox.wake)
    intake = Intake(store, inbox, metrics)
    app[RUNTIME] = Runtime(settings, metrics, store, engine, senders, intake, inbox, outbox, desk)
    start_staff_web(
        app[STAFF_APP],
        StaffContext(
            store,
            desk,
            retriever.catalogue,
            signin=settings.signin,
            client_address=ClientAddress(settings.trusted_proxies),
            search=retriever.search,
            dossiers=dossiers,
            telegram_api=settings.telegram.api_base.rstrip("/") if settings.telegram else "",
            telegram_token=settings.telegram.token if settings.telegram else "",
        ),
    )
    poll = settings.poll_seconds
    tasks = [asyncio.create_task(inbox.run(poll)), asyncio.create_task(outbox.run(poll))]
    if dossiers is not None:
        watch_every = timedelta(seconds=settings.dossier_watch_seconds)
        watcher = DossierWatcher(store, dossiers, split, interval=watch_every, lease=lease)
        tasks.append(asyncio.create_task(watcher.run(poll)))
    log.info("motcua serving channels: %s", ", ".join(sorted(senders)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def healthz(request: web.Request) -> web.Response:
    """200 when the store answers; 503 otherwise."""
    runtime = request.app[RUNTIME]

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
    with contextlib.suppress(Exception):
        runtime.metrics.outbox_depth.set(await asyncio.to_thread(pending_count, runtime.store))
    runtime.metrics.searches.set(runtime.engine.retriever.searches)
    runtime.metrics.encoder_calls.set(runtime.engine.retriever.encoder_calls)
    return web.Response(body=runtime.metrics.render(), content_type="text/plain")
