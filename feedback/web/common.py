"""Helpers shared by the staff pages: rendering with the signed-in user and CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from feedback.web.auth import USER, csrf_token

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def local_time(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A stored UTC time as Vietnam time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL).strftime(fmt)


async def page(
    request: web.Request, template: str, status: int = 200, **context: Any
) -> web.Response:
    session = await get_session(request)
    failed = session.pop("failed", 0) if request.get(USER) else 0  # told once, after sign-in
    context.update(user=request.get(USER), csrf=await csrf_token(request), failed=failed)
    return aiohttp_jinja2.render_template(template, request, context, status=status)
