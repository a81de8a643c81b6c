"""Mounting the staff and admin web (``/staff``) onto the server's aiohttp app."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.ratelimit import ClientAddress
from feedback.web import auth, cases, dashboard, tickets
from feedback.web.context import STAFF, StaffContext


def setup_staff_web(
    app: web.Application,
    data_dir: Path,
    session_key: str | None,
    secure_cookie: bool,
    trusted_proxies: Iterable[str] = (),
) -> StaffContext:
    """Templates, sessions, routes and static files; returns the context the server fills
    in when it starts."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("feedback.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    auth.install_sessions(app, auth.session_key(data_dir, session_key), secure_cookie)
    for table in (auth.routes, cases.routes, tickets.routes, dashboard.routes):
        app.router.add_routes(table)
    static = resources.files("feedback.web") / "static"
    app.router.add_static("/staff/static", str(static), name="staff-static")
    context = StaffContext(client_address=ClientAddress(trusted_proxies))
    app[STAFF] = context
    return context
