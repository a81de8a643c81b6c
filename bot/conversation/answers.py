"""Turning retrieval results into replies: answer cards, choices, full document lists."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace

from bot.contract.messages import Button, Link, Reply
from bot.conversation.phrases import say
from knowledge.answer_card import build_card
from knowledge.communes import Commune
from knowledge.document_list import full_lines
from knowledge.english import shown_english_name
from knowledge.facets import Facet
from knowledge.places import place_for
from knowledge.provenance import provenance_line
from knowledge.retriever import Hit
from knowledge.schema import Procedure
from knowledge.variants import describe, shared_name, which_case

MAX_DOCUMENTS = 4  # documents listed in an answer; the rest behind a "full list" button


def is_commune_level(procedure: Procedure) -> bool:
    """True when the place to file depends on the citizen's commune (commune police, the
    commune People's Committee, a commune centre)."""
    place = place_for(procedure)
    return place.level == "commune" or "{commune" in place.template_vi


def answer_reply(
    procedure: Procedure,
    facets: list[Facet],
    lang: str,
    commune: Commune | None,
    with_place: bool = True,
) -> Reply:
    """The answer card as one reply, with rating buttons and, when the document list was
    shortened, a button for the full list."""
    card = build_card(
        procedure,
        facets,
        lang,
        max_documents=MAX_DOCUMENTS,
        commune=commune.name if commune is not None else None,
    )
    sections = [s for s in card.sections if with_place or s.facet != "place" or "place" in facets]
    card = replace(card, sections=tuple(sections))
    buttons = []
    if card.hidden_documents and any(s.facet == "documents" for s in sections):
        buttons.append(Button(say(lang, "full_documents"), f"docs:{procedure.code}"))
    buttons += [
        Button("👍", f"rate:up:{procedure.code}"),
        Button("👎", f"rate:down:{procedure.code}"),
    ]
    text = f"{card.render()}\n\n{say(lang, 'rate_question')}"
    links = (Link("dichvucong.gov.vn", procedure.url),) if procedure.url else ()
    return Reply(text, tuple(buttons), links, procedure_code=procedure.code)


def documents_reply(procedure: Procedure, lang: str) -> Reply:
    """Every document row of the record, as the record names it, grouped by case, with
    counts and forms (after a "full list" button)."""
    lines = [say(lang, "documents_of", name=procedure.name)]
    lines += full_lines(procedure.documents, lang)
    lines += ["", provenance_line(procedure, lang)]
    links = (Link("dichvucong.gov.vn", procedure.url),) if procedure.url else ()
    return Reply("\n".join(lines), links=links, procedure_code=procedure.code)


def choices_reply(hits: list[Hit], lang: str, asked: Collection[str] = ()) -> Reply:
    """Numbered candidates, each labelled by what sets it apart (who files, first time or
    again, the level), one button each, and a way out. Variants of one procedure get one
    short question ("which case is yours?") instead of a list of near-identical names. A
    long name is shortened to the part ``asked`` about (the question's folded words)."""
    procedures = [hit.procedure for hit in hits]
    shared = shared_name(procedures)
    lines = [
        which_case(_shown_name(shared, procedures[0], lang), lang)
        if shared
        else say(lang, "choose")
    ]
    buttons = []
    options = describe(procedures, lang, _name_for(lang), asked)
    for number, option in enumerate(options, start=1):
        lines.append(f"{number}. {option.label}")
        buttons.append(Button(f"{number}. {option.label}", f"pick:{option.procedure.code}"))
    buttons.append(Button(say(lang, "choice_none"), "none"))
    return Reply("\n".join(lines), tuple(buttons))


def _name_for(lang: str) -> Callable[[Procedure], str] | None:
    if lang != "en":
        return None
    return lambda proc: shown_english_name(proc) or proc.name


def _shown_name(shared: str, procedure: Procedure, lang: str) -> str:
    if lang == "en":
        english = shown_english_name(procedure)
        return english.rsplit(" (", 1)[0] if english else shared
    return shared


def menu_buttons(lang: str) -> tuple[Button, ...]:
    return (
        Button(say(lang, "menu_feedback"), "menu:feedback"),
        Button(say(lang, "menu_status"), "menu:status"),
        Button(say(lang, "menu_human"), "human"),
    )
