"""What hotline staff and admins do to conversations and feedback, with the citizen told on
their own channel: each message to a citizen is written to the outbox in the same transaction
as the change it reports. The citizen always knows who is speaking: staff replies carry the
staff member's display name ("Cán bộ Lan: …"), and joining, closing and handing back are
announced."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.contract.messages import Reply
from bot.conversation.phrases import say
from bot.conversation.state import ConversationState
from bot.delivery.outbox import enqueue
from feedback import escalations
from feedback.conversations import log_message
from feedback.models import Conversation, EscalationCase, FeedbackEvent, FeedbackItem, utcnow
from feedback.store import Store
from feedback.tickets import ANSWER, FINAL_STATUSES, STATUSES, find_by_ticket
from feedback.users import find_user

Split = Callable[[str, Reply], list[Reply]]


class StaffDesk:
    def __init__(
        self, store: Store, split: Split | None = None, wake: Callable[[], None] = lambda: None
    ):
        self.store = store
        self.split = split or (lambda channel, reply: [reply])
        self.wake = wake

    def _send(
        self, session: Session, conversation: Conversation, replies: list[Reply], author: str
    ) -> None:
        for reply in replies:
            log_message(session, conversation, "out", reply.text, author)
        pieces = [p for reply in replies for p in self.split(conversation.channel, reply)]
        enqueue(session, conversation.channel, conversation.user_id, pieces)

    @staticmethod
    def _speaker(session: Session, username: str, lang: str) -> str:
        """How the citizen sees a staff member: "Cán bộ Trần Thị Lan" (the display name)."""
        user = find_user(session, username)
        name = (user.display_name if user is not None else "") or username
        return say(lang, "staff_label", name=name)

    def _assign(
        self, session: Session, case: EscalationCase, conversation: Conversation, staff: str
    ) -> EscalationCase:
        """Take the case for ``staff``; the citizen is told when someone new joins."""
        joined = case.assignee != staff or case.status != "taken"
        escalations.take_case(session, case, staff)
        if joined:
            speaker = self._speaker(session, staff, conversation.language)
            notice = Reply(say(conversation.language, "staff_joined", staff=speaker))
            self._send(session, conversation, [notice], "bot")
        return case

    @staticmethod
    def _case(session: Session, case_id: int) -> tuple[EscalationCase, Conversation]:
        case = session.get(EscalationCase, case_id)
        if case is None:
            raise LookupError(f"no escalation case {case_id}")
        conversation = session.get(Conversation, case.conversation_id)
        assert conversation is not None
        return case, conversation

    def take(self, case_id: int, staff: str) -> EscalationCase:
        with self.store.session() as session:
            case, conversation = self._case(session, case_id)
            if case.status == "closed":
                raise ValueError("this case is closed")
            taken = self._assign(session, case, conversation, staff)
        self.wake()
        return taken

    def reply(self, case_id: int, staff: str, text: str) -> None:
        """Send ``text`` to the citizen on their channel (taking the case if still open)."""
        text = text.strip()
        if not text:
            raise ValueError("empty reply")
        with self.store.session() as session:
            case, conversation = self._case(session, case_id)
            if case.status == "closed":
                raise ValueError("this case is closed")
            author = case.assignee or staff
            if case.status != "taken":
                self._assign(session, case, conversation, author)
            speaker = self._speaker(session, staff, conversation.language)
            self._send(session, conversation, [Reply(f"{speaker}: {text[:4000]}")], "staff")
        self.wake()

    def hand_back(self, case_id: int, staff: str) -> None:
        """Close the case and let the bot answer again; the citizen is told."""
        self._close(case_id, staff, tell="handed_back")

    def close(self, case_id: int, staff: str) -> None:
        """Close the case; the citizen is told, in their language, that they can write again."""
        self._close(case_id, staff, tell="case_closed")

    def _close(self, case_id: int, staff: str, tell: str) -> None:
        with self.store.session() as session:
            case, conversation = self._case(session, case_id)
            case.assignee = case.assignee or staff
            escalations.close_case(session, case)
            state = ConversationState.from_json(conversation.state)
            state.reset()
            conversation.state = state.to_json()
            session.add(conversation)
            speaker = self._speaker(session, staff, state.language)
            notice = Reply(say(state.language, tell, staff=speaker))
            self._send(session, conversation, [notice], "bot")
        self.wake()

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
    ) -> FeedbackItem:
        """Change a feedback item; every change goes into its history. Resolving or rejecting
        it tells the citizen, with the ticket code, on the channel they wrote from."""
        with self.store.session() as session:
            item = find_by_ticket(session, ticket)
            if item is None or item.id is None:
                raise LookupError(f"no feedback {ticket}")
            events: list[tuple[str, str]] = []
            item_status_before = item.status
            if assignee is not None and assignee != (item.assignee or ""):
                item.assignee = assignee or None
                events.append(("assigned", assignee or "(unassigned)"))
                if item.status == "new" and assignee:
                    item.status = "assigned"
                    events.append(("status", "assigned"))
            if due_date is not None and due_date != item.due_date:
                item.due_date = due_date
                events.append(("due_date", due_date.date().isoformat()))
            if status is not None and status != item.status:
                if status not in STATUSES:
                    raise ValueError(f"unknown status {status!r}")
                item.status = status
                events.append(("status", status))
            if note:
                events.append(("note", note.strip()[:2000]))
            answer = (reply_to_citizen or "").strip()[:2000]
            if answer and status in FINAL_STATUSES and status != item_status_before:
                events.append((ANSWER, answer))  # kept: the CSV and status lookups repeat it
            if not events:
                return item
            item.updated_at = utcnow()
            session.add(item)
            for action, detail in events:
                session.add(
                    FeedbackEvent(feedback_id=item.id, actor=actor, action=action, detail=detail)
                )
            if status in ("resolved", "rejected"):
                self._notify_outcome(session, item, reply_to_citizen)
        self.wake()
        return item

    def _notify_outcome(self, session: Session, item: FeedbackItem, message: str | None) -> None:
        conversation = (
            session.get(Conversation, item.conversation_id) if item.conversation_id else None
        )
        if conversation is None:
            return  # the conversation was purged; staff contact the citizen by phone
        lang = conversation.language
        note = f" {message.strip()}" if message and message.strip() else ""
        text = say(
            lang,
            "resolved_notice",
            ticket=item.ticket,
            status=say(lang, f"status_{item.status}"),
            note=note,
        )
        self._send(session, conversation, [Reply(text)], "staff")
        assert item.id is not None  # a stored item
        session.add(
            FeedbackEvent(
                feedback_id=item.id, actor="system", action="notified", detail=conversation.channel
            )
        )
