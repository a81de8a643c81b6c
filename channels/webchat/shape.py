"""A stored reply as the web chat page shows it: buttons instead of a repeated text list,
and rating buttons with words beside the emoji (the page must read without an emoji font)."""

from __future__ import annotations

from typing import Any

from bot.contract.messages import Reply

RATING_LABELS = {"rate:up": "Hữu ích", "rate:down": "Chưa hữu ích"}


def button_title(title: str, payload: str) -> str:
    """``title``, with a word after a rating emoji (``👍 Hữu ích``)."""
    for prefix, label in RATING_LABELS.items():
        if payload.startswith(prefix + ":") and label not in title:
            return f"{title} {label}".strip()
    return title


def text_without_button_lines(reply: Reply) -> str:
    """The reply's text less the lines that repeat a button's title (a numbered list of
    choices is shown as the buttons themselves). Channels without buttons keep the list."""
    titles = {button.title.strip() for button in reply.buttons}
    if not titles:
        return reply.text
    kept = [line for line in reply.text.split("\n") if line.strip() not in titles]
    return "\n".join(kept).strip("\n")


def page_message(row_id: int, reply: Reply) -> dict[str, Any]:
    """One of the bot's replies, as the page's JSON."""
    return {
        "id": row_id,
        "mine": False,
        "text": text_without_button_lines(reply),
        "buttons": [
            {"title": button_title(b.title, b.payload), "payload": b.payload} for b in reply.buttons
        ],
        "links": [{"title": link.title, "url": link.url} for link in reply.links],
    }
