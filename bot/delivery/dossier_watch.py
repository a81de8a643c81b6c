"""The watch poller: asks the dossier system about watched dossiers and tells the citizen,
through the outbox, on their own channel, once per change of status.

Workers share the polling: each claims due watches with a lease (FOR UPDATE SKIP LOCKED on
PostgreSQL), and a change is recorded only if the watch still shows the stage it was claimed
with, in the same transaction that queues the message. A failed lookup backs off per
dossier (doubling, capped); a notification the platform refused for good (its reply window
closed) turns the watch "unreachable" for staff instead of being retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from bot.contract.dossiers import Dossier, DossierNotFound, DossierSource, DossierUnavailable
from bot.contract.messages import Link, Reply
from bot.conversation.dossier_phrases import PORTAL, say, status_words
from bot.delivery.outbox import INSERT_OUTBOX, outbox_rows
from feedback import dossier_events
from feedback.dossier_watches import DueWatch, claim_due, record_change, reschedule
from feedback.models import DossierWatch, OutboxMessage, table_of, utcnow
from feedback.store import Store

log = logging.getLogger(__name__)
_OUTBOX = table_of(OutboxMessage)
_WATCH = table_of(DossierWatch)


class DossierWatcher:
    """Polls watched dossiers every ``interval``; after failures, waits ``interval * 2**n``
    (at most ``max_backoff``) before asking about that dossier again."""

    def __init__(
        self,
        store: Store,
        source: DossierSource,
        split: Callable[[str, Reply], list[Reply]],
        interval: timedelta = timedelta(minutes=30),
        max_backoff: timedelta = timedelta(hours=6),
        lease: timedelta = timedelta(minutes=2),
        batch: int = 32,
    ) -> None:
        self.store = store
        self.source = source
        self.split = split
        self.interval = interval
        self.max_backoff = max_backoff
        self.lease = lease
        self.batch = batch

    async def run(self, poll_seconds: float = 30.0) -> None:
        """Poll until cancelled."""
        while True:
            try:
                checked = await self.poll_once()
            except Exception:
                log.exception("dossier watch poll failed; trying again")
                checked = 0
            if not checked:
                await asyncio.sleep(poll_seconds)

    async def poll_once(self) -> int:
        """Check the watches that are due; how many were checked."""
        due = await asyncio.to_thread(claim_due, self.store, self.batch, self.lease)
        for watch in due:
            await self._check(watch)
        return len(due)

    async def _check(self, watch: DueWatch) -> None:
        try:
            dossier = await asyncio.to_thread(self.source.lookup, watch.receipt_code)
        except (DossierUnavailable, DossierNotFound) as exc:
            failures = watch.failures + 1
            wait = min(self.interval * 2**failures, self.max_backoff)
            log.info("dossier %s not checked (%s); again in %s", watch.id, exc, wait)
            await asyncio.to_thread(reschedule, self.store, watch, failures, utcnow() + wait)
            return
        if dossier.stage == watch.last_stage:
            await asyncio.to_thread(reschedule, self.store, watch, 0, utcnow() + self.interval)
            return
        await asyncio.to_thread(self._notify, watch, dossier)

    def _notify(self, watch: DueWatch, dossier: Dossier) -> None:
        """Record the change and queue its message, in one transaction (or neither)."""
        lang = watch.language
        status = status_words(lang, dossier.status(utcnow()))
        text = say(lang, "changed", code=dossier.receipt_code, status=status)
        if dossier.stage not in ("returned", "rejected"):
            text += "\n" + say(lang, "stop_hint")
        reply = Reply(text, (), (Link("dichvucong.gov.vn", PORTAL),))
        with self.store.session() as session:
            if not record_change(session, watch, dossier.stage, None, utcnow() + self.interval):
                return  # another worker told this change already
            connection = session.connection()
            pieces = self.split(watch.channel, reply)
            last = None
            for row in outbox_rows(watch.channel, watch.user_id, pieces):
                last = connection.execute(INSERT_OUTBOX.returning(_OUTBOX.c.id), row).scalar_one()
            connection.execute(
                _WATCH.update().where(_WATCH.c.id == watch.id).values(last_outbox_id=last)
            )
            dossier_events.record(connection, dossier_events.NOTIFIED, watch.channel, last)
