"""Local stand-ins of the platforms' APIs: small aiohttp servers on loopback, faithful enough
that the real client code runs against them, with failure modes for tests and demos."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Faults:
    """Failures to inject into the next calls: ``failing`` calls answered by ``failure``,
    and a ``delay`` before every answer."""

    failing: int = 0
    failure: Callable[[], web.Response] | None = None
    delay: float = 0.0
    calls: int = 0

    def fail_next(self, count: int, failure: Callable[[], web.Response]) -> None:
        self.failing, self.failure = count, failure

    async def apply(self) -> web.Response | None:
        """Sleep if asked to; the injected failure if one is due, else None."""
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failing > 0 and self.failure is not None:
            self.failing -= 1
            return self.failure()
        return None


@dataclass
class StandIn:
    """Runs an aiohttp app on 127.0.0.1 (port 0 = any free port)."""

    app: web.Application
    host: str = "127.0.0.1"
    port: int = 0
    _runner: web.AppRunner | None = field(default=None, repr=False)

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def sample_png(width: int = 48, height: int = 32) -> bytes:
    """A small, valid PNG (a red card with a white band): what a citizen's photo of a paper
    stands in as."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b""
    for y in range(height):
        colour = b"\xff\xff\xff" if height // 3 <= y < 2 * height // 3 else b"\xb3\x26\x1e"
        rows += b"\x00" + colour * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# What the stand-ins serve as a citizen's attachment, by file extension.
SAMPLE_MEDIA = {
    "png": (sample_png(), "image/png"),
    "pdf": (b"%PDF-1.4\n% stand-in document\n%%EOF\n", "application/pdf"),
    "ogg": (b"OggS\x00stand-in voice", "audio/ogg"),
    "mp4": (b"\x00\x00\x00\x18ftypmp42stand-in", "video/mp4"),
}
MEDIA_PATH = "/media/{name}"


async def serve_media(request: web.Request) -> web.Response:
    """``/media/<anything>.<png|pdf|ogg|mp4>``: a sample of that type (a platform's CDN)."""
    extension = request.match_info["name"].rpartition(".")[2]
    if extension not in SAMPLE_MEDIA:
        raise web.HTTPNotFound()
    body, kind = SAMPLE_MEDIA[extension]
    return web.Response(body=body, content_type=kind)


# The file a stand-in attaches for each kind of attachment.
KIND_FILES = {
    "image": "photo.png",
    "sticker": "sticker.png",
    "file": "to-khai.pdf",
    "audio": "voice.ogg",
    "video": "clip.mp4",
}
