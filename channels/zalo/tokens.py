"""Zalo OA access tokens: kept in the store, refreshed one refresher at a time.

Zalo's OAuth v4 refresh tokens are single-use: two processes refreshing with the same one
would lock the OA out. A refresh therefore holds the token row's lock (``FOR UPDATE``; on
SQLite the exclusive write transaction) for the whole exchange, re-reads the row first (someone
else may just have refreshed), and commits the new pair before anyone uses it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import aiohttp
from sqlmodel import select

from feedback.models import PlatformToken, utcnow
from feedback.store import Store

log = logging.getLogger(__name__)
CHANNEL = "zalo"


class TokenRefreshFailed(Exception):
    pass


class ZaloTokens:
    def __init__(
        self,
        store: Store,
        session: aiohttp.ClientSession,
        oauth_base: str,
        app_id: str,
        app_secret: str,
    ) -> None:
        self.store = store
        self.session = session
        self.url = oauth_base.rstrip("/") + "/v4/oa/access_token"
        self.app_id = app_id
        self.app_secret = app_secret
        self._lock = asyncio.Lock()
        self._current: str | None = None

    def seed(self, access_token: str, refresh_token: str) -> None:
        """Store the first token pair (from configuration) unless one is stored already."""
        with self.store.session() as session:
            if session.get(PlatformToken, CHANNEL) is None:
                session.add(
                    PlatformToken(
                        channel=CHANNEL, access_token=access_token, refresh_token=refresh_token
                    )
                )

    def _read(self) -> PlatformToken:
        with self.store.session() as session:
            token = session.get(PlatformToken, CHANNEL)
        if token is None:
            raise TokenRefreshFailed(
                "no Zalo token stored; configure ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN"
            )
        return token

    async def access_token(self) -> str:
        """The current access token, read from the store once and then kept: a token that
        another worker has since replaced fails with -216, and :meth:`refresh` reads the
        store again before refreshing anything."""
        if self._current is None:
            self._current = (await asyncio.to_thread(self._read)).access_token
        return self._current

    async def refresh(self, stale: str) -> str:
        """A fresh access token to replace ``stale`` (refreshing only if nobody else has)."""
        async with self._lock:
            loop = asyncio.get_running_loop()
            self._current = await asyncio.to_thread(self._refresh_locked, stale, loop)
            return self._current

    def _refresh_locked(self, stale: str, loop: asyncio.AbstractEventLoop) -> str:
        with self.store.session() as session:
            query = select(PlatformToken).where(PlatformToken.channel == CHANNEL).with_for_update()
            token = session.exec(query).one()
            if token.access_token != stale:
                return token.access_token  # refreshed meanwhile by another worker
            future = asyncio.run_coroutine_threadsafe(self._exchange(token.refresh_token), loop)
            access, refresh, expires_in = future.result(timeout=30)
            token.access_token, token.refresh_token = access, refresh
            token.expires_at = utcnow() + timedelta(seconds=expires_in)
            token.updated_at = utcnow()
            session.add(token)
        log.info("Zalo access token refreshed")
        return access

    async def _exchange(self, refresh_token: str) -> tuple[str, str, int]:
        form = {
            "refresh_token": refresh_token,
            "app_id": self.app_id,
            "grant_type": "refresh_token",
        }
        async with self.session.post(
            self.url, data=form, headers={"secret_key": self.app_secret}
        ) as response:
            data = await response.json(content_type=None)
        if "access_token" not in data:
            raise TokenRefreshFailed(f"Zalo refused the refresh: {data}")
        return data["access_token"], data["refresh_token"], int(data.get("expires_in", 90000))
