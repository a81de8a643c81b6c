"""Staff sign-in: argon2 passwords, server-side sessions named by an encrypted cookie, CSRF
tokens, roles, and throttled guessing (:mod:`feedback.signin_guard`).

Password checks run on their own small thread pool with a bounded queue, so guessing cannot
take the threads the bot answers with; every failed sign-in, whatever its cause, gets the
same answer.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import wraps
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session, new_session
from aiohttp_session import setup as setup_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from feedback import signin_guard
from feedback.store import Store
from feedback.users import (
    close_session,
    find_user,
    open_session,
    rehash_if_needed,
    session_user,
    verify_password,
)
from feedback.web.context import STAFF

COOKIE = "motcua_staff"
SESSION_HOURS = 10
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
USER = web.RequestKey("user", dict)  # the signed-in user, set by require()
HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="motcua-argon2")
HASH_QUEUE = 4  # password checks waiting or running in a process; more are refused at once
_hashing = 0


def session_key(data_dir: Path, configured: str | None = None) -> bytes:
    """The 32-byte cookie key: configured (base64), else kept in ``data_dir/session.key`` so
    sessions survive restarts and are shared by the workers of one machine."""
    if configured:
        key = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
        if len(key) != 32:
            raise ValueError("MOTCUA_SESSION_KEY must be 32 bytes, base64-encoded")
        return key
    path = data_dir / "session.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(os.urandom(32))
    return path.read_bytes()


def install_sessions(app: web.Application, key: bytes, secure_cookie: bool) -> None:
    storage = EncryptedCookieStorage(
        key,
        cookie_name=COOKIE,
        httponly=True,
        secure=secure_cookie,
        samesite="Strict",
        max_age=SESSION_HOURS * 3600,
        path="/staff",
    )
    setup_session(app, storage)


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


async def check_csrf(request: web.Request) -> None:
    session = await get_session(request)
    form = await request.post()
    given = form.get("csrf") or request.headers.get("X-CSRF-Token", "")
    expected = session.get("csrf")
    if not expected or not isinstance(given, str) or not secrets.compare_digest(given, expected):
        raise web.HTTPForbidden(text="CSRF token missing or wrong; reload the page and try again.")


def require(role: str = "staff") -> Callable[[Handler], Handler]:
    """Only signed-in users (admins, for ``role='admin'``); POSTs must carry the CSRF token."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            session = await get_session(request)
            token = session.get("token")
            user = await asyncio.to_thread(_signed_in, request.app[STAFF].store, token)
            if user is None:
                if request.method == "GET" and "/api/" not in request.path:
                    raise web.HTTPFound(f"/staff/login?next={request.path_qs}")
                raise web.HTTPUnauthorized(text="sign in first")
            if role == "admin" and user["role"] != "admin":
                raise web.HTTPForbidden(text="admins only")
            if request.method == "POST":
                await check_csrf(request)
            request[USER] = user
            return await handler(request)

        return wrapper

    return decorate


def _signed_in(store: Store, token: object) -> dict | None:
    """The account an open session token belongs to, as the pages use it."""
    if not isinstance(token, str) or store is None:
        return None
    with store.session() as db:
        user = session_user(db, token, timedelta(hours=SESSION_HOURS))
        if user is None:
            return None
        return {
            "id": user.id,
            "username": user.username,
            "role": user.role,
            "name": user.display_name,
        }


routes = web.RouteTableDef()


@routes.get("/staff/login")
@aiohttp_jinja2.template("login.html")
async def login_form(request: web.Request) -> dict:
    next_page = request.query.get("next", "/staff/inbox")
    return {"csrf": await csrf_token(request), "next": next_page, "user": None, "error": False}


@routes.post("/staff/login")
async def login(request: web.Request) -> web.StreamResponse:
    await check_csrf(request)
    form = await request.post()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    staff = request.app[STAFF]
    store, address = staff.store, staff.client_address(request)
    token, failed = await _sign_in(store, staff.signin, username, password, address)
    if token is None:
        context = {
            "csrf": await csrf_token(request),
            "next": form.get("next", ""),
            "error": True,
            "user": None,
        }
        return aiohttp_jinja2.render_template("login.html", request, context, status=401)
    session = await new_session(request)  # a fresh cookie on every sign-in
    session["token"] = token
    session["csrf"] = secrets.token_urlsafe(32)
    if failed:
        session["failed"] = failed
    target = str(form.get("next") or "/staff/inbox")
    if not target.startswith("/staff/") or target.startswith("//"):
        target = "/staff/inbox"
    raise web.HTTPFound(target)


async def _sign_in(
    store: Store, policy: signin_guard.SignInPolicy, username: str, password: str, address: str
) -> tuple[str | None, int]:
    """A new session token and the failed tries since the last sign-in, or (None, 0)."""
    global _hashing

    full = _hashing >= HASH_QUEUE  # read on the event loop, which alone changes it

    def admit() -> tuple[bool, str | None]:
        with store.session() as db:
            if full or not signin_guard.allowed(db, username, address, policy):
                signin_guard.record(db, username, address, "refused")
                return False, None
            user = find_user(db, username)
            return True, user.password_hash if user is not None and user.active else None

    admitted, password_hash = await asyncio.to_thread(admit)
    if not admitted:
        return None, 0
    _hashing += 1
    try:
        loop = asyncio.get_running_loop()
        matches = await loop.run_in_executor(HASHING, verify_password, password_hash, password)
    finally:
        _hashing -= 1

    def settle() -> tuple[str | None, int]:
        with store.session() as db:
            user = find_user(db, username) if matches else None
            if user is None or not user.active:
                signin_guard.record(db, username, address, "wrong")
                return None, 0
            failed = signin_guard.failed_since_last_sign_in(db, username)
            signin_guard.record(db, username, address, "ok")
            rehash_if_needed(db, user, password)
            return open_session(db, user), failed

    return await asyncio.to_thread(settle)


@routes.post("/staff/logout")
@require()
async def logout(request: web.Request) -> web.StreamResponse:
    session = await get_session(request)
    token = session.get("token")
    if isinstance(token, str):
        store = request.app[STAFF].store

        def close() -> None:
            with store.session() as db:
                close_session(db, token)

        await asyncio.to_thread(close)
    session.invalidate()
    raise web.HTTPFound("/staff/login")
