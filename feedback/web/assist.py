"""Agent assist: hotline and counter staff search as the bot searches and see the answer card
the bot would send (every facet, the whole document list on demand, the portal link), so a
caller hears what the chat channels say. Each card leads to logging the contact about it.
A receipt code typed in the same box looks the dossier up instead (:mod:`.dossiers`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aiohttp import web

from bot.contract.dossiers import find_receipt_code
from feedback.safe_text import strip_controls
from feedback.web.auth import require
from feedback.web.common import page
from feedback.web.context import STAFF
from feedback.web.dossiers import StaffLookup, look_up
from knowledge.answer_card import build_card
from knowledge.document_list import full_lines
from knowledge.schema import Procedure

if TYPE_CHECKING:
    from knowledge.retriever import SearchResult

routes = web.RouteTableDef()
MAX_QUERY = 300  # characters searched (the bot searches no more of a message)
OTHER_HITS = 4  # further candidates listed by name under the answer


def card_view(procedure: Procedure, asked: Sequence[str]) -> dict:
    """The bot's full answer card for ``procedure`` as the template shows it: sections (those
    the question asked about marked), the full document list, the source and portal link."""
    card = build_card(procedure, None, "vi")
    return {
        "code": card.code,
        "title": card.title,
        "sections": [
            {"facet": s.facet, "title": s.title, "lines": s.lines, "asked": s.facet in asked}
            for s in card.sections
        ],
        "all_documents": full_lines(procedure.documents, "vi") if card.hidden_documents else [],
        "provenance": card.provenance,
        "url": card.url,
    }


def assist_view(search: Callable[[str], SearchResult], query: str) -> dict:
    """What the bot decides for ``query`` and the cards to show (runs on a worker thread)."""
    result = search(query)
    asked = list(result.facets)
    if result.decision == "answer" and result.best is not None:
        shown = [result.best.procedure]
    elif result.decision == "choose":
        shown = [hit.procedure for hit in result.choices]
    else:
        shown = []
    codes = {p.code for p in shown}
    others = [h.procedure for h in result.hits if h.procedure.code not in codes][:OTHER_HITS]
    return {
        "decision": result.decision,
        "asked": asked,
        "cards": [card_view(p, asked) for p in shown],
        "others": [{"code": p.code, "name": p.name} for p in others],
    }


@routes.get("/staff/assist")
@require()
async def assist_page(request: web.Request) -> web.Response:
    staff = request.app[STAFF]
    query = strip_controls(request.query.get("q", "")).strip()[:MAX_QUERY]
    code = request.query.get("code", "").strip()
    view: dict = {"decision": None, "asked": [], "cards": [], "others": []}
    unavailable = staff.search is None
    receipt = find_receipt_code(query) if query and not code else None
    dossier: StaffLookup | None = None
    if receipt:
        dossier = await asyncio.to_thread(look_up, staff.store, staff.dossiers, receipt)
        unavailable = False
    elif code:
        procedure = staff.catalogue.get(code)
        if procedure is None:
            raise web.HTTPNotFound(text=f"Không có thủ tục mã {code[:20]!r} trong danh mục.")
        view = {**view, "decision": "picked", "cards": [card_view(procedure, [])]}
    elif query and staff.search is not None:
        view = await asyncio.to_thread(assist_view, staff.search, query)
    return await page(
        request, "assist.html", query=query, unavailable=unavailable, dossier=dossier, **view
    )
