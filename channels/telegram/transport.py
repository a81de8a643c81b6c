"""python-telegram-bot's HTTP transport on aiohttp, the client the rest of the server uses.

PTB talks to the Bot API through a :class:`~telegram.request.BaseRequest`; its default is
built on httpx, whose connection pool checks every pooled connection on every request and
looks for an optional module on each lock it creates. Under load that made a Telegram reply
cost several times a Messenger or Zalo one on the event loop. This transport posts with
aiohttp instead; everything above it (bot methods, error mapping, ``retry_after``) is PTB's
own. Bodies go as JSON, which the Bot API accepts for every method without files: a form
would percent-encode each byte of a Vietnamese reply in pure Python (about a third of a
reply's sending cost); with files attached, multipart.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 15.0


class AiohttpRequest(BaseRequest):
    """A :class:`BaseRequest` over one aiohttp session (opened by :meth:`initialize`)."""

    def __init__(self, read_timeout: float | None = DEFAULT_TIMEOUT, connections: int = 64):
        self._read_timeout = read_timeout
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        timeout = aiohttp.ClientTimeout(
            sock_connect=_given(connect_timeout, DEFAULT_TIMEOUT),
            sock_read=_given(read_timeout, self._read_timeout),
            total=None,
        )
        body, content_type = _body(request_data)
        headers = {"User-Agent": self.USER_AGENT}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            async with self._session.request(
                method, url, data=body, timeout=timeout, headers=headers
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """A timeout PTB passed, or the default when it passed none."""
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None) -> tuple[bytes | aiohttp.FormData | None, str]:
    """PTB's parameters as JSON, or as multipart when files are attached; and the content
    type to declare (empty: aiohttp's, for multipart with its boundary)."""
    if request_data is None:
        return None, ""
    if not request_data.contains_files:
        return request_data.json_payload, "application/json"
    fields = request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content, *rest = part
        form.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
    return form, ""
