"""Replies about where the citizen lives: which of several communes, and old names renamed."""

from __future__ import annotations

from collections.abc import Sequence

from bot.contract.messages import Button, Reply
from bot.conversation.phrases import say
from knowledge.communes import Commune, Place


def units_reply(question: str, units: Sequence[Commune]) -> Reply:
    """``question`` with the units numbered, and a button for each (payload ``commune:``)."""
    lines = [question, *(f"{n}. {unit.name}" for n, unit in enumerate(units, start=1))]
    buttons = tuple(Button(unit.name, f"commune:{unit.code}") for unit in units)
    return Reply("\n".join(lines), buttons)


def which_reply(place: Place, lang: str) -> Reply:
    """A name that stands for several units today (an old district): which one?"""
    key = "place_which" if place.old else "place_which_now"
    return units_reply(say(lang, key, place=place.said), place.units)


def renamed_reply(place: Place, commune: Commune, lang: str) -> Reply:
    """An old name and the unit it is part of today."""
    return Reply(say(lang, "place_renamed", old=place.said, new=commune.name))
