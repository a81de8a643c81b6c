"""What the staff web needs from the running server, filled in when it starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from bot.staff import StaffDesk
from feedback.signin_guard import SignInPolicy
from feedback.store import Store
from knowledge.schema import Catalogue


@dataclass
class StaffContext:
    store: Store | None = None
    desk: StaffDesk | None = None
    catalogue: Catalogue | None = None
    signin: SignInPolicy = field(default_factory=SignInPolicy)
    client_address: Callable[[web.Request], str] = lambda request: request.remote or ""

    def procedure_name(self, code: str | None) -> str:
        if not code or self.catalogue is None:
            return code or ""
        procedure = self.catalogue.get(code)
        return procedure.name if procedure else code


STAFF = web.AppKey("staff", StaffContext)
