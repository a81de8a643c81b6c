"""Staff sign-in: argon2 passwords, an encrypted session cookie, CSRF tokens, roles."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session, new_session
from aiohttp_session import setup as setup_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from feedback.users import authenticate
from feedback.web.context import STAFF

COOKIE = "motcua_staff"
SESSION_HOURS = 10
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
USER = web.RequestKey("user", dict)  # the signed-in user, set by require()


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
            user = session.get("user")
            if not user or time.time() - session.get("since", 0) > SESSION_HOURS * 3600:
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
    store = request.app[STAFF].store

    def check():
        with store.session() as db:
            user = authenticate(db, username, password)
            return (
                None
                if user is None
                else {
                    "id": user.id,
                    "username": user.username,
                    "role": user.role,
                    "name": user.display_name,
                }
            )

    user = await asyncio.to_thread(check)
    if user is None:
        context = {
            "csrf": await csrf_token(request),
            "next": form.get("next", ""),
            "error": True,
            "user": None,
        }
        return aiohttp_jinja2.render_template("login.html", request, context, status=401)
    session = await new_session(request)  # a fresh session id on every sign-in
    session["user"] = user
    session["since"] = time.time()
    session["csrf"] = secrets.token_urlsafe(32)
    target = str(form.get("next") or "/staff/inbox")
    if not target.startswith("/staff/") or target.startswith("//"):
        target = "/staff/inbox"
    raise web.HTTPFound(target)


@routes.post("/staff/logout")
@require()
async def logout(request: web.Request) -> web.StreamResponse:
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPFound("/staff/login")
