"""Conversation state: what the engine remembers between a citizen's messages.

Stored as JSON on the conversation row, so it survives restarts and is shared by workers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class FeedbackDraft:
    """A feedback item being collected, step by step."""

    step: str = "category"  # category | content | name | phone | confirm
    category: str | None = None
    content: str = ""
    contact_name: str | None = None
    phone: str | None = None


@dataclass(slots=True)
class DossierCheck:
    """A dossier lookup waiting for the owner check (salted hashes of the right digits)."""

    code: str
    salt: str
    hashes: list[str]
    card: str  # the status card to show once the check passes ("" for an unknown code)
    stage: str


@dataclass(slots=True)
class ConversationState:
    language: str = "vi"
    turns: int = 0  # messages handled in this conversation
    procedure: str | None = None  # the procedure being talked about (for follow-ups)
    choices: list[str] = field(default_factory=list)  # codes offered as numbered choices
    facets: list[str] = field(default_factory=list)  # what the question behind the choices asked
    failures: int = 0  # consecutive questions the bot could not answer
    awaiting_commune: bool = False  # the bot asked "which commune?" and waits for the answer
    commune: str | None = None  # the citizen's commune or ward, once known (official name)
    place_options: list[str] = field(default_factory=list)  # unit codes offered to choose from
    feedback: FeedbackDraft | None = None
    recent: list[float] = field(default_factory=list)  # when the latest messages came (flood)
    dossier_pending: DossierCheck | None = None
    dossier_verified: str | None = None  # the receipt code the citizen proved theirs
    dossier_stage: str = ""  # its stage when looked up
    dossier_wrong: list[str] = field(default_factory=list)  # days of wrong owner checks
    acknowledged_at: float = 0.0  # when the bot last said "passed on to staff" (epoch seconds)

    def note_message(self, now: float, window: float, limit: int) -> int:
        """Record a message at ``now``; how many came in the last ``window`` seconds, this one
        included. Counting stops at ``limit + 2`` (enough to tell the first message over the
        limit from the rest), so the list stays short."""
        kept = [t for t in self.recent if now - t < window][-(limit + 1) :]
        self.recent = [*kept, now]
        return len(self.recent)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | None) -> ConversationState:
        """Parse stored state; unknown keys (from older versions) are ignored."""
        data: dict[str, Any] = json.loads(raw or "{}")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        draft = known.pop("feedback", None)
        check = known.pop("dossier_pending", None)
        state = cls(**known)
        if check:
            state.dossier_pending = DossierCheck(**check)
        if draft:
            fields = FeedbackDraft.__dataclass_fields__
            state.feedback = FeedbackDraft(**{k: v for k, v in draft.items() if k in fields})
        return state

    def reset(self) -> None:
        """Forget the current topic and any flow in progress (language and commune stay)."""
        self.procedure = None
        self.choices = []
        self.facets = []
        self.failures = 0
        self.awaiting_commune = False
        self.place_options = []
        self.feedback = None
        self.dossier_pending = None
