"""A per-client-address budget for anonymous APIs (the web chat): messages and new sessions per
minute, over a moving window (the ``limits`` library, in-memory storage).

The counts live in each worker process: with ``serve --workers N`` the kernel spreads an
address's connections over the workers, so an address gets at most N times the configured
budget. The client address is the connection's peer, or, when the peer is a configured trusted
proxy, the right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from aiohttp import web
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

KNOWN_SESSIONS = 100_000  # session ids remembered as not new (least recently seen forgotten)


class ClientAddress:
    """Tells a request's client address (see the module's docstring)."""

    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        self._proxies: list[IPv4Network | IPv6Network] = [
            ip_network(proxy, strict=False) for proxy in trusted_proxies
        ]

    def __call__(self, request: web.Request) -> str:
        peer = request.remote or ""
        if not self._trusted(peer):
            return peer
        forwarded = [
            hop.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for hop in header.split(",")
            if hop.strip()
        ]
        for hop in reversed(forwarded):
            if not self._trusted(hop):
                return hop
        return forwarded[0] if forwarded else peer

    def _trusted(self, address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self._proxies)


class ClientBudget:
    """Charges each request to its client address; over budget, :meth:`charge_message` gives
    the 429 answer (with Retry-After) to send instead."""

    def __init__(
        self,
        messages_per_minute: int,
        sessions_per_minute: int,
        trusted_proxies: Iterable[str] = (),
    ) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._messages = RateLimitItemPerMinute(max(1, messages_per_minute))
        self._sessions = RateLimitItemPerMinute(max(1, sessions_per_minute))
        self.client = ClientAddress(trusted_proxies)
        self._known: OrderedDict[str, None] = OrderedDict()

    def charge_message(self, request: web.Request, session: str) -> web.Response | None:
        """Count one message, and its session if this worker has not seen it before; None
        within budget, else the 429 response to send (the message is not accepted)."""
        client = self.client(request)
        if session not in self._known:
            refused = self._spend(self._sessions, "new session", client)
            if refused is not None:
                return refused
        refused = self._spend(self._messages, "message", client)
        if refused is not None:
            return refused
        self._known[session] = None
        self._known.move_to_end(session)
        while len(self._known) > KNOWN_SESSIONS:
            self._known.popitem(last=False)
        return None

    def _spend(self, item: RateLimitItem, kind: str, client: str) -> web.Response | None:
        if self._limiter.hit(item, kind, client):
            return None
        reset, _ = self._limiter.get_window_stats(item, kind, client)
        wait = max(1, math.ceil(reset - time.time()))
        return web.json_response(
            {"error": f"too many {kind}s from this address; try again in {wait} s"},
            status=429,
            headers={"Retry-After": str(wait)},
        )
