"""What the staff web needs from the running server: the store, the desk that acts on cases
and feedback, the catalogue (for procedure names), the bot's search and the province's
dossier system (agent assist). Given whole when the server starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from bot.contract.dossiers import DossierSource
from feedback.signin_guard import SignInPolicy
from feedback.store import Store
from knowledge.schema import Catalogue

if TYPE_CHECKING:  # the retriever's module loads numpy and the index code
    from knowledge.retriever import SearchResult


class Desk(Protocol):
    """What staff do to conversations and feedback (the server's ``StaffDesk``); each call
    runs a store transaction, so the web calls it on a worker thread."""

    def take(self, case_id: int, staff: str) -> Any: ...

    def reply(self, case_id: int, staff: str, text: str) -> None: ...

    def hand_back(self, case_id: int, staff: str) -> None: ...

    def close(self, case_id: int, staff: str) -> None: ...

    def update_feedback(
        self,
        ticket: str,
        actor: str,
        *,
        status: str | None = None,
        assignee: str | None = None,
        note: str | None = None,
        due_date: datetime | None = None,
        reply_to_citizen: str | None = None,
    ) -> Any: ...


@dataclass(frozen=True)
class StaffContext:
    store: Store
    desk: Desk
    catalogue: Catalogue
    signin: SignInPolicy = field(default_factory=SignInPolicy)
    # the client's address as the budget reads it (X-Forwarded-For only from trusted proxies)
    client_address: Callable[[web.Request], str] = lambda request: request.remote or ""
    # the bot's own retrieval (the server's retriever), for agent assist; blocking: call it
    # on a worker thread
    search: Callable[[str], SearchResult] | None = None
    # the province's dossier system, for a lookup by receipt code in agent assist (None: not
    # connected); blocking: call it on a worker thread
    dossiers: DossierSource | None = None
    # the Bot API (base URL, bot token) that resolves a Telegram attachment's file id
    telegram_api: str = "https://api.telegram.org"
    telegram_token: str = field(default="", repr=False)

    def procedure_name(self, code: str | None) -> str:
        if not code:
            return ""
        procedure = self.catalogue.get(code)
        return procedure.name if procedure else code


STAFF = web.AppKey("staff", StaffContext)
