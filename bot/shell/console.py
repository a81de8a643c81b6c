"""The console channel: talk to the same engine the webhooks use, in a terminal.

Buttons are listed under each reply as ``/1``, ``/2``…; typing one presses that button.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from bot.contract.messages import Incoming, Reply
from bot.conversation.engine import Engine


def render(replies: Iterable[Reply]) -> tuple[str, dict[str, str]]:
    """The replies as terminal text, and the button shortcuts they offer."""
    lines: list[str] = []
    shortcuts: dict[str, str] = {}
    for reply in replies:
        lines.append(reply.text)
        for button in reply.buttons:
            key = f"/{len(shortcuts) + 1}"
            shortcuts[key] = button.payload
            lines.append(f"   {key}  {button.title}")
        lines.extend(f"   ↗ {link.url}" for link in reply.links)
        lines.append("")
    return "\n".join(lines), shortcuts


def run(
    engine: Engine, user_id: str = "local", stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> None:
    """Read lines until end of input; each line is one citizen message."""
    shortcuts: dict[str, str] = {}
    stdout.write("motcua — gõ câu hỏi (Ctrl-D để thoát) / type a question (Ctrl-D to quit)\n> ")
    stdout.flush()
    for line in stdin:
        text = line.strip()
        if not text:
            stdout.write("> ")
            stdout.flush()
            continue
        payload = shortcuts.get(text)
        incoming = Incoming("console", user_id, "" if payload else text, payload)
        output, shortcuts = render(engine.handle(incoming))
        stdout.write(output + "> ")
        stdout.flush()
    stdout.write("\n")
