"""What a returning web chat session has said and been told, oldest first: the page shows both
sides after a reload (the citizen's side from the inbound queue, the bot's from the outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from bot.contract.messages import reply_from_json
from channels.webchat.shape import page_message
from feedback.models import InboundMessage, OutboxMessage
from feedback.store import Store

HISTORY_LIMIT = 200
GREETING_ID = "greeting"  # the page's automatic first message, not something the citizen typed


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def conversation_history(store: Store, channel: str, session: str) -> dict[str, Any]:
    """The last messages of both sides (``mine`` marks the citizen's) and the id of the last
    reply included, from which the page polls on."""
    with store.session() as db:
        replies = db.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.user_id == session,
                OutboxMessage.status == "sent",
            )
            .order_by(col(OutboxMessage.id).desc())
            .limit(HISTORY_LIMIT)
        ).all()
        said = db.exec(
            select(InboundMessage)
            .where(InboundMessage.channel == channel, InboundMessage.user_id == session)
            .order_by(col(InboundMessage.id).desc())
            .limit(HISTORY_LIMIT)
        ).all()
    timeline: list[tuple[datetime, int, dict[str, Any]]] = []
    titles: dict[str, str] = {}
    for row in reversed(replies):
        message = page_message(row.id or 0, reply_from_json(row.body))
        titles.update((b["payload"], b["title"]) for b in message["buttons"])
        timeline.append((_naive(row.created_at), 1, message))
    for said_row in said:
        if said_row.platform_message_id == f"{session}:{GREETING_ID}":
            continue
        text = said_row.text or titles.get(said_row.payload or "", "")
        if text:
            timeline.append((_naive(said_row.received_at), 0, {"mine": True, "text": text}))
    timeline.sort(key=lambda entry: (entry[0], entry[1]))
    last = max((row.id or 0 for row in replies), default=0)
    return {"messages": [entry[2] for entry in timeline], "after": last}
