"""The staff and admin web as an aiohttp sub-application, mounted by the server at ``/staff``.

Its session middleware wraps staff pages only, never a webhook. The server gives it a
:class:`StaffContext` when it starts (:func:`start_staff_web`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from feedback.web import (
    accounts,
    assist,
    attachments,
    auth,
    cases,
    contacts,
    dashboard,
    dossiers,
    errors,
    report,
    tickets,
)
from feedback.web.context import STAFF, StaffContext

PREFIX = "/staff"


def staff_web(data_dir: Path, session_key: str | None, secure_cookie: bool) -> web.Application:
    """Templates, sessions, routes and static files, to mount at :data:`PREFIX`."""
    app = web.Application()
    templates = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("feedback.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # shipped in the package: never re-read, so never read on the loop
    )
    for name in templates.list_templates():
        templates.get_template(name)  # compiled now, while the server is being built
    auth.install_sessions(app, auth.session_key(data_dir, session_key), secure_cookie)
    app.middlewares.append(errors.error_pages)  # inside the sessions: it reads the user
    # The route tables name full paths (/staff/inbox…); mounted, the prefix comes from the
    # mount point.
    tables = (auth.routes, cases.routes, tickets.routes, dashboard.routes, accounts.routes)
    desk = (assist.routes, dossiers.routes, contacts.routes, report.routes, attachments.routes)
    for table in (*tables, *desk):
        for route in table:
            assert isinstance(route, web.RouteDef) and route.path.startswith(PREFIX)
            path = route.path.removeprefix(PREFIX)
            app.router.add_route(route.method, path, route.handler, **route.kwargs)
    static = resources.files("feedback.web") / "static"
    app.router.add_static("/static", str(static), name="staff-static")
    return app


def start_staff_web(app: web.Application, context: StaffContext) -> None:
    """Hand the mounted staff web what it works with (call while the server starts)."""
    app[STAFF] = context
