"""The conversation engine: one incoming message in, the replies out, state in the store.

Channel-neutral: channels hand it :class:`~bot.contract.messages.Incoming` and deliver what it
returns.
Each message is handled in one database transaction that locks the citizen's conversation, so
a citizen's messages are handled one at a time and in order, across restarts and workers, and a
redelivered platform message (same id) gets no second reply.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import cast

from sqlmodel import Session

from bot.contract.dossiers import DossierSource
from bot.contract.messages import Button, Incoming, Reply, attachments_to_json
from bot.conversation import (
    answers,
    auto_cases,
    dossier_flow,
    feedback_flow,
    follow_ups,
    language,
    place_replies,
)
from bot.conversation.attachment_replies import attachment_reply
from bot.conversation.intents import Recognised, recognise
from bot.conversation.office_hours import OfficeHours
from bot.conversation.phrases import HOTLINE, say
from bot.conversation.state import ConversationState
from feedback import dossier_events, escalations, insights
from feedback.conversations import (
    INSERT_MESSAGE,
    SAVE_CONVERSATION,
    LockedConversation,
    lock_conversation,
    log_incoming,
    message_row,
    saved_values,
)
from feedback.store import DeferredWrites, Store
from knowledge.communes import Commune, CommuneDirectory, Place, bac_ninh
from knowledge.facets import Facet
from knowledge.retriever import Hit, Retriever, SearchResult
from knowledge.text import fold

MAX_FAILURES = 2  # consecutive unanswered questions before staff are called in
FLOOD_WINDOW = timedelta(seconds=60)
FLOOD_LIMIT = 20  # messages a citizen may send in FLOOD_WINDOW before the bot slows them down
SEARCH_CHARS = 1000  # the most of one message the retriever reads (all of it is stored)
WAITING_CONFIDENCE = 0.6  # while staff have a case, only clear procedure questions are answered
ACK_INTERVAL = timedelta(minutes=5)  # while staff have a case: one "passed on" note per interval

AfterTurn = Callable[[Session, LockedConversation, list[Reply]], None]


@dataclass(frozen=True)
class Prepared:
    """A message made ready for its turn: its intent and, for a question, the search."""

    incoming: Incoming
    recognised: Recognised
    search: SearchResult | None
    dossier: dossier_flow.Lookup | None = None  # for a receipt code: what the system said


class Engine:
    """Answers citizens; hands conversations to staff and back."""

    def __init__(
        self,
        retriever: Retriever,
        store: Store,
        communes: CommuneDirectory | None = None,
        flood_limit: int = FLOOD_LIMIT,
        dossiers: DossierSource | None = None,
        office_hours: OfficeHours | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.retriever = retriever
        self.store = store
        self.communes = communes or bac_ninh()
        self.flood_limit = flood_limit
        self.dossiers = dossiers  # the province's dossier system (None: not connected)
        self.office_hours = office_hours or OfficeHours()
        self.clock = clock or (lambda: datetime.now(UTC))

    def staff_when(self, lang: str) -> str:
        """When staff will reply, said truthfully: soon in office hours, else the next opening
        ("sáng thứ Hai 7:30")."""
        now = self.clock()
        if self.office_hours.is_open(now):
            return say(lang, "staff_soon")
        return say(lang, "staff_at", when=self.office_hours.when_words(now, lang))

    def handle(self, incoming: Incoming, after: AfterTurn | None = None) -> list[Reply]:
        """Handle one citizen message; returns the replies to send (none for a redelivery, a
        flood, or while staff have the conversation). ``after`` runs inside the same
        transaction (the server enqueues the replies there, so both commit or neither)."""
        prepared = self.prepare(incoming)
        with self.store.session() as session:
            return self.turn(session, prepared, after)

    def prepare(self, incoming: Incoming) -> Prepared:
        """The part of a turn that needs no database: recognising the message and, for a
        typed question, the search (the encoder's ~20 ms stay outside any transaction); for a
        receipt code, the dossier system's answer (an HTTP call: never inside the turn's
        locked transaction, and never on the event loop, as the inbox runs this on a thread)."""
        text = incoming.text.strip()
        recognised = recognise(text) if text else Recognised("question")
        if recognised.intent == "dossier" and recognised.receipt and not incoming.payload:
            lookup = dossier_flow.fetch(self.dossiers, recognised.receipt)
            return Prepared(incoming, recognised, None, lookup)
        search = None
        if not incoming.payload and text and recognised.intent == "question":
            query = self.query_text(text[:SEARCH_CHARS])
            search = self.retriever.search(query) if query else None
        return Prepared(incoming, recognised, search)

    def query_text(self, text: str) -> str:
        """What to search for: the message without the place it names ("… ở phường Từ
        Sơn"), or nothing when the message is only a place."""
        mention = self.communes.find(text)
        return mention.rest if mention is not None else text

    def turn(
        self,
        session: Session,
        prepared: Prepared,
        after: AfterTurn | None = None,
        conversation: LockedConversation | None = None,
        writes: DeferredWrites | None = None,
    ) -> list[Reply]:
        """The bookkeeping part of a turn, in the caller's transaction (which may hold other
        citizens' turns too). The conversation row lock (FOR UPDATE; SQLite's exclusive write
        transaction) keeps one citizen's turns apart, within a process and across workers;
        a caller that has already locked the citizen's conversation passes it in. The log of
        the bot's replies and the conversation's new state go to ``writes`` when given (the
        caller runs them for the whole batch), else they are written before returning."""
        incoming = prepared.incoming
        if conversation is None:
            conversation = lock_conversation(session, incoming.channel, incoming.user_id)
        own = writes is None
        writes = writes or DeferredWrites()
        replies = self._turn(
            session,
            conversation,
            incoming,
            prepared.recognised,
            prepared.search,
            writes,
            prepared.dossier,
        )
        writes.add(SAVE_CONVERSATION, saved_values(conversation))
        if after is not None:
            after(session, conversation, replies)
        if own:
            writes.run(session)
        return replies

    def _turn(
        self,
        session: Session,
        conversation: LockedConversation,
        incoming: Incoming,
        recognised: Recognised,
        search: SearchResult | None,
        writes: DeferredWrites,
        dossier: dossier_flow.Lookup | None = None,
    ) -> list[Reply]:
        attached = attachments_to_json(incoming.attachments)
        if not log_incoming(
            session, conversation, incoming.text, incoming.payload, incoming.message_id, attached
        ):
            return []  # the platform delivered this message again
        state = ConversationState.from_json(conversation.state)
        recent = state.note_message(time.time(), FLOOD_WINDOW.total_seconds(), self.flood_limit)
        if recent > self.flood_limit:
            # Stored, not answered: one polite notice per window, then silence.
            notice = [Reply(say(state.language, "slow_down"))]
            replies = notice if recent == self.flood_limit + 1 else []
        else:
            state.turns += 1
            work = _Turn(self, session, conversation, state, incoming, recognised, search, dossier)
            if conversation.mode == "escalated":  # staff have it; the inbox shows all
                replies = work.respond_waiting()
            else:
                replies = []
                if incoming.text.strip() or incoming.payload or not incoming.attachments:
                    replies = work.respond()
                if incoming.attachments:  # what the bot can't read is acknowledged, kept for staff
                    replies = [attachment_reply(incoming.attachments, state.language), *replies]
        conversation.state = state.to_json()
        conversation.language = state.language
        for reply in replies:
            row = message_row(conversation, "out", reply.text, "bot", code=reply.procedure_code)
            writes.add(INSERT_MESSAGE, row)
        return replies


class _Turn:
    """The work of answering one message."""

    def __init__(
        self,
        engine: Engine,
        session: Session,
        conversation: LockedConversation,
        state: ConversationState,
        incoming: Incoming,
        recognised: Recognised,
        search: SearchResult | None = None,
        dossier: dossier_flow.Lookup | None = None,
    ) -> None:
        self.engine = engine
        self.recognised = recognised
        self.search = search
        self.dossier = dossier
        self.session = session
        self.conversation = conversation
        self.state = state
        self.text = incoming.text.strip()
        self.payload = incoming.payload
        self.folded = " ".join(fold(self.text).strip(" .!?").split())
        self.places = engine.communes
        self.district: tuple[Commune, ...] = ()  # units of an old district the message names

    @property
    def lang(self) -> str:
        return self.state.language

    @cached_property
    def reply_place(self) -> Place | None:
        """The place the message is nothing but, if any; in reply to "which commune?" a typo
        is forgiven and a bare one-syllable name is taken too. Read once a turn: the
        language and the intent both ask."""
        asked_where = bool(self.state.awaiting_commune or self.state.place_options)
        return self.places.place_in_reply(self.text, expected=asked_where) if self.text else None

    def respond(self) -> list[Reply]:
        self._follow_language()
        if self.payload:
            handled = self._on_payload(self.payload)
            if handled is not None:
                return handled
        recognised = self.recognised
        if recognised.intent == "cancel":
            self.state.reset()
            return [Reply(say(self.lang, "cancelled"))]
        digits = dossier_flow.confirmation_digits(self.text)
        if self.state.dossier_pending is not None and digits and recognised.intent != "dossier":
            return self._dossier(dossier_flow.confirm(self.state, digits, self.lang, _now()))
        if self.state.feedback is not None:
            return feedback_flow.step(
                self.session, self.conversation, self.state, self.text, self.payload, self.folded
            )
        return self._on_intent(recognised)

    def respond_waiting(self) -> list[Reply]:
        """A message while staff have the conversation: a procedure question is still
        answered (staff see it in the case); anything else gets a short note that it was passed
        on, at most one per :data:`ACK_INTERVAL`."""
        self._follow_language()
        kind = (self.payload or "").partition(":")[0]
        if kind in ("pick", "docs") and self.payload:
            handled = self._on_payload(self.payload)
            if handled is not None:
                return handled
        recognised = self.recognised
        if recognised.intent == "status" or (recognised.intent == "choice" and self.state.choices):
            return self._on_intent(recognised)
        search = self.search
        if (
            recognised.intent == "question"
            and search is not None
            and search.query.concepts
            and search.decision in ("answer", "choose")
            and (search.facets or search.confidence >= WAITING_CONFIDENCE)
        ):
            return self._question()
        now = self.engine.clock().timestamp()
        if now - self.state.acknowledged_at < ACK_INTERVAL.total_seconds():
            return []
        self.state.acknowledged_at = now
        return [Reply(say(self.lang, "waiting_ack", when=self.engine.staff_when(self.lang)))]

    def _follow_language(self) -> None:
        """Answer in the citizen's language; a message that is only a place ("Tu Son", the
        reply to "which commune?") says nothing about it."""
        if self.reply_place is not None:
            return
        self.state.language = language.follow(self.text, self.state.language)

    def _on_payload(self, payload: str) -> list[Reply] | None:
        if payload.startswith("fb:") and self.state.feedback is not None:
            return feedback_flow.step(
                self.session, self.conversation, self.state, self.text, payload, self.folded
            )
        kind, _, rest = payload.partition(":")
        if kind == "pick":
            return self._answer_code(rest, self.state.facets)
        if kind == "commune":
            commune = self.places.by_code(rest)
            return self._place_known(commune) if commune else None
        if kind == "rate":
            verdict, _, code = rest.partition(":")
            return self._rate(code or self.state.procedure, verdict == "up")
        if kind == "docs":
            procedure = self.engine.retriever.catalogue.get(rest)
            return [answers.documents_reply(procedure, self.lang)] if procedure else None
        if payload == "human":
            return self._escalate("requested")
        if payload == "none":
            self.state.choices = []
            return [self._not_found_reply()]
        if payload == "menu:feedback":
            return feedback_flow.start(self.state, None, "")
        if payload == dossier_flow.WATCH_PAYLOAD:
            return dossier_flow.watch(self.session, self.conversation, self.state, self.lang)
        if payload == "menu:status":
            return [Reply(say(self.lang, "status_ask"))]
        return None  # unknown payloads are read as text

    def _on_intent(self, recognised: Recognised) -> list[Reply]:
        intent = recognised.intent
        if intent == "greeting":
            return [Reply(say(self.lang, "greeting"), answers.menu_buttons(self.lang))]
        if intent == "help":
            return [Reply(say(self.lang, "help"), answers.menu_buttons(self.lang))]
        if intent == "thanks":
            return [Reply(say(self.lang, "thanks"))]
        if intent == "human":
            return self._escalate("requested")
        if intent == "feedback":
            return feedback_flow.start(self.state, recognised.category, self.text)
        if intent == "status":
            ticket = recognised.ticket
            self.state.failures = 0  # a lookup is never a miss, and it helped
            return [
                feedback_flow.status_reply(
                    self.session, self.lang, ticket, self.conversation, self.text
                )
            ]
        if intent == "dossier":
            lookup = self.dossier
            if lookup is None and recognised.receipt:  # not prepared: never call out in here
                lookup = dossier_flow.Lookup(recognised.receipt, None, down=True)
            return self._dossier(dossier_flow.start(self.state, lookup, self.lang, _now()))
        if intent == "dossier_watch":
            return dossier_flow.watch(self.session, self.conversation, self.state, self.lang)
        if intent == "dossier_unwatch":
            return dossier_flow.unwatch(self.session, self.conversation, self.lang)
        if intent == "rate" and self.state.procedure:
            return self._rate(self.state.procedure, bool(recognised.helpful))
        options = self.state.place_options or self.state.choices
        if intent == "choice" and options:
            number = recognised.number or 0
            if not 1 <= number <= len(options):
                return [Reply(say(self.lang, "choice_invalid", n=str(number)))]
            if self.state.place_options:
                commune = self.places.by_code(options[number - 1])
                return self._place_known(commune) if commune else [self._not_found_reply()]
            return self._answer_code(self.state.choices[number - 1], self.state.facets)
        # A message that is nothing but a place is read as one, before any search.
        if self.reply_place is not None:
            return self._on_place(self.reply_place)
        self.state.awaiting_commune = False
        self.state.place_options = []
        return self._question()

    def _on_place(self, place: Place) -> list[Reply]:
        """The citizen named a place: remember today's unit, or ask which one it is."""
        if place.commune is not None:
            return self._place_known(place.commune, place)
        self.state.place_options = [unit.code for unit in place.units]
        return [place_replies.which_reply(place, self.lang)]

    def _place_known(self, commune: Commune, place: Place | None = None) -> list[Reply]:
        """Remember the citizen's unit (replacing any earlier one) and carry on: the place
        of the procedure being discussed, or the choice still pending."""
        self.state.commune = commune.name
        self.state.place_options = []
        replies = []
        if place is not None and place.old:
            replies.append(place_replies.renamed_reply(place, commune, self.lang))
        procedure = self.engine.retriever.catalogue.get(self.state.procedure or "")
        if self.state.choices:
            codes = self.state.choices
            replies.append(Reply(say(self.lang, "place_noted", commune=commune.name)))
            replies.append(self._choices_again(codes))
        elif procedure is not None and answers.is_commune_level(procedure):
            self.state.awaiting_commune = False
            replies += self._answer_code(procedure.code, ["place"], with_rating=False)
        else:
            self.state.awaiting_commune = False
            key = "place_noted" if procedure is not None else "place_noted_topic"
            replies.append(Reply(say(self.lang, key, commune=commune.name)))
        return replies

    def _choices_again(self, codes: list[str]) -> Reply:
        catalogue = self.engine.retriever.catalogue
        procedures = [p for p in (catalogue.get(code) for code in codes) if p is not None]
        return answers.choices_reply([Hit(p, 0.0, 0.0, 0.0) for p in procedures], self.lang)

    def _question(self) -> list[Reply]:
        retriever = self.engine.retriever
        mention = self.places.find(self.text)
        asked = mention.rest if mention is not None else self.text
        result = self.search or retriever.search(asked[:SEARCH_CHARS])
        if mention is not None and mention.place.commune is not None:
            self.state.commune = mention.place.commune.name
        elif mention is not None:  # an old district: which of its communes, if it matters
            self.district = mention.place.units
        query = result.query
        current = self.state.procedure
        if (
            current
            and result.facets
            and not follow_ups.names_another(
                retriever, current, result, follow_ups.remainder(asked)
            )
        ):
            return self._answer_code(current, result.facets, follow_up=True)
        if not query.concepts:
            if current:
                return [Reply(say(self.lang, "no_topic"))]
            return [Reply(say(self.lang, "help"), answers.menu_buttons(self.lang))]
        if result.decision == "answer":
            return self._answer_code(result.hits[0].procedure.code, result.facets)
        if result.decision == "choose":
            self.state.choices = [h.procedure.code for h in result.choices]
            self.state.facets = list(result.facets)
            words = [*query.content_tokens, *query.expanded_tokens]  # what to show of long names
            return [answers.choices_reply(result.choices, self.lang, words)]
        return self._unanswered(result)

    def _answer_code(
        self,
        code: str | None,
        facets: Sequence[str],
        follow_up: bool = False,
        with_rating: bool = True,
    ) -> list[Reply]:
        procedure = self.engine.retriever.catalogue.get(code) if code else None
        if procedure is None:
            return [Reply(say(self.lang, "no_topic"))]
        self.state.procedure = procedure.code
        self.state.choices = []
        self.state.failures = 0
        commune = self.places.by_name(self.state.commune) if self.state.commune else None
        reply = answers.answer_reply(
            procedure,
            cast("list[Facet]", list(facets)),  # the state keeps facet names as strings
            self.lang,
            commune,
            with_place=not follow_up,
        )
        if not with_rating:
            reply = Reply(reply.text.rsplit("\n\n", 1)[0], (), reply.links, procedure.code)
        replies = [reply]
        wants_place = not facets or "place" in facets
        if commune is None and "place" in facets and answers.is_commune_level(procedure):
            self.state.awaiting_commune = True
            replies.append(self._ask_commune())
        elif not wants_place:
            self.state.awaiting_commune = False
        return replies

    def _ask_commune(self) -> Reply:
        """ "Which commune?": the units of the old district the citizen named, if any."""
        if not self.district:
            return Reply(say(self.lang, "ask_commune"))
        self.state.place_options = [unit.code for unit in self.district]
        return place_replies.units_reply(say(self.lang, "ask_commune"), self.district)

    def _rate(self, code: str | None, helpful: bool) -> list[Reply]:
        if not code:
            return [Reply(say(self.lang, "no_topic"))]
        insights.record_rating(self.session, self.conversation.id, code, helpful)
        if helpful:
            return [Reply(say(self.lang, "rated_up"))]
        human = Button(say(self.lang, "ask_human"), "human")
        return [Reply(say(self.lang, "rated_down"), (human,))]

    def _unanswered(self, result: SearchResult) -> list[Reply]:
        best = result.best
        topic = result.out_of_scope[0] if result.out_of_scope else None
        insights.record_unanswered(
            self.session,
            self.conversation.id,
            self.text,
            best.procedure.code if best else None,
            result.confidence,
            topic.topic if topic else None,
        )
        if topic is not None and topic.referral:
            return [
                Reply(
                    say(self.lang, "referral", where=topic.referral),
                    (Button(say(self.lang, "ask_human"), "human"),),
                )
            ]
        if auto_cases.recognisable(self.engine.retriever, result):
            self.state.failures += 1  # only real words the bot missed count towards staff
        channel = self.conversation.channel
        if self.state.failures >= MAX_FAILURES and auto_cases.may_open(
            self.session, self.engine.retriever, channel, result
        ):
            return [Reply(say(self.lang, "auto_escalated")), *self._escalate("unanswered")]
        return [self._not_found_reply()]

    def _not_found_reply(self) -> Reply:
        return Reply(say(self.lang, "not_found"), (Button(say(self.lang, "ask_human"), "human"),))

    def _dossier(self, outcome: dossier_flow.Outcome) -> list[Reply]:
        if outcome.shown:
            channel = self.conversation.channel
            dossier_events.record(self.session.connection(), dossier_events.LOOKUP, channel)
        if outcome.escalate:
            return [*outcome.replies, *self._escalate("dossier_check")]
        return outcome.replies

    def _escalate(self, reason: str) -> list[Reply]:
        escalations.open_case(self.session, self.conversation, reason)
        self.state.reset()
        hours = self.engine.office_hours.describe(self.lang)
        when = self.engine.staff_when(self.lang)
        text = say(self.lang, "escalated", when=when, hours=hours, hotline=HOTLINE)
        return [Reply(text)]


def _now() -> datetime:
    return datetime.now(UTC)
