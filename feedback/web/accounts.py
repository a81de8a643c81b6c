"""Account management for admins: list, create, reset a password, change a role, disable and
enable. Each change but creation ends the account's open sessions (:mod:`feedback.users`)."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp_session import get_session

from feedback import users
from feedback.safe_text import strip_controls
from feedback.store import Store
from feedback.web.auth import USER, require
from feedback.web.common import local_time, page
from feedback.web.context import STAFF
from feedback.web.labels import ROLES

routes = web.RouteTableDef()
DONE = {
    "create": "Đã tạo tài khoản {name}.",
    "password": "Đã đặt mật khẩu mới cho {name}; các phiên đăng nhập của tài khoản đã kết thúc.",
    "role": "Đã đổi vai trò của {name}; các phiên đăng nhập của tài khoản đã kết thúc.",
    "disable": "Đã khoá tài khoản {name}; các phiên đăng nhập của tài khoản đã kết thúc.",
    "enable": "Đã mở lại tài khoản {name}.",
}


def _accounts(store: Store) -> list[dict]:
    with store.session() as session:
        return [
            {
                "username": u.username,
                "name": u.display_name or u.username,
                "role": u.role,
                "active": u.active,
                "created": local_time(u.created_at, "%d/%m/%Y"),
            }
            for u in users.list_users(session)
        ]


async def _render(request: web.Request, status: int = 200, **context: object) -> web.Response:
    accounts = await asyncio.to_thread(_accounts, request.app[STAFF].store)
    context.setdefault("message", "")
    context.setdefault("error", "")
    return await page(request, "accounts.html", status, accounts=accounts, roles=ROLES, **context)


@routes.get("/staff/accounts")
@require("admin")
async def accounts_page(request: web.Request) -> web.Response:
    session = await get_session(request)
    return await _render(request, message=str(session.pop("accounts_done", "")))


def _change(store: Store, action: str, form: dict[str, str], admin: str) -> str:
    """Apply one change; returns the display name of the account changed."""
    username = form.get("username", "").strip().lower()
    if action in ("role", "disable") and username == admin:
        raise ValueError("không thể tự đổi vai trò hay tự khoá tài khoản của mình")
    with store.session() as session:
        if action == "create":
            user = users.add_user(
                session,
                username,
                form.get("password", ""),
                form.get("role", "staff"),
                strip_controls(form.get("display_name", "")).strip()[:64],
            )
        elif action == "password":
            user = users.set_password(session, username, form.get("password", ""))
        elif action == "role":
            user = users.set_role(session, username, form.get("role", ""))
        else:
            user = users.set_active(session, username, action == "enable")
        return user.display_name or user.username


@routes.post("/staff/accounts/{action:create|password|role|disable|enable}")
@require("admin")
async def account_action(request: web.Request) -> web.StreamResponse:
    action = request.match_info["action"]
    form = {key: str(value) for key, value in (await request.post()).items()}
    try:
        name = await asyncio.to_thread(
            _change, request.app[STAFF].store, action, form, request[USER]["username"]
        )
    except ValueError as exc:
        return await _render(request, 400, error=f"Không thực hiện được: {exc}.")
    session = await get_session(request)
    session["accounts_done"] = DONE[action].format(name=name)  # told once, after the redirect
    raise web.HTTPSeeOther("/staff/accounts")
