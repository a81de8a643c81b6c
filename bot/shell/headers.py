"""Security headers on every response: a Content-Security-Policy that allows no inline script,
no framing (the web chat may be framed by configured host sites), no MIME sniffing, no
referrer, no caching of staff pages, and no software banner."""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)


def install_security_headers(app: web.Application, frame_ancestors: Iterable[str] = ()) -> None:
    """Add the headers to every response ``app`` sends. ``frame_ancestors``: origins (e.g.
    ``https://dichvucong.bacninh.gov.vn``) that may show the web chat in a frame."""
    hosts = tuple(frame_ancestors)
    strict = _POLICY.format(ancestors="'none'")
    chat = _POLICY.format(ancestors=" ".join(("'self'", *hosts))) if hosts else strict

    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        embeddable = hosts and (request.path == "/chat" or request.path.startswith("/chat/"))
        headers["Content-Security-Policy"] = chat if embeddable else strict
        if not embeddable:
            headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        if request.path == "/staff" or request.path.startswith("/staff/"):
            headers["Cache-Control"] = "no-store"
        headers["Server"] = ""  # aiohttp would name itself and its version

    app.on_response_prepare.append(add_headers)
