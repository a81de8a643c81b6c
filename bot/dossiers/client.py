"""The HTTP adapter to the province's dossier system (wire format: docs/dossiers.md).

Blocking by design: the engine calls it from ``Engine.prepare``, which runs on a worker
thread, and the watch poller calls it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from bot.contract.dossiers import (
    Dossier,
    DossierNotFound,
    DossierUnavailable,
    dossier_from_json,
    normalise_receipt_code,
)


class HttpDossierSource:
    """``GET {api_base}/dossiers/{code}`` with ``Authorization: Bearer {token}``."""

    def __init__(self, api_base: str, token: str, timeout: float = 5.0) -> None:
        self.api_base = api_base.rstrip("/")
        self.token = token
        self.timeout = timeout

    def lookup(self, receipt_code: str) -> Dossier:
        code = normalise_receipt_code(receipt_code)
        if code is None:
            raise DossierNotFound(receipt_code)
        url = f"{self.api_base}/dossiers/{urllib.parse.quote(code, safe='')}"
        request = urllib.request.Request(
            url, headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(1_000_000)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise DossierNotFound(code) from exc
            raise DossierUnavailable(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DossierUnavailable(str(exc)) from exc
        try:
            dossier = dossier_from_json(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DossierUnavailable(f"malformed dossier: {exc}") from exc
        if dossier.receipt_code != code:
            raise DossierUnavailable("the system answered with another dossier")
        return dossier
