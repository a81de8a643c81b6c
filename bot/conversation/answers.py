"""Turning retrieval results into replies: answer cards, choices, full document lists."""

from __future__ import annotations

from dataclasses import replace

from bot.contract.messages import Button, Link, Reply
from bot.conversation.phrases import say
from knowledge.answer_card import build_card
from knowledge.communes import Commune
from knowledge.document_list import full_lines
from knowledge.facets import Facet
from knowledge.places import place_for
from knowledge.provenance import provenance_line
from knowledge.retriever import Hit
from knowledge.schema import Procedure

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


def choices_reply(hits: list[Hit], lang: str) -> Reply:
    """Numbered candidates with one button each, and a way out."""
    lines = [say(lang, "choose")]
    buttons = []
    for number, hit in enumerate(hits, start=1):
        lines.append(f"{number}. {hit.procedure.name}")
        buttons.append(Button(f"{number}. {hit.procedure.name}", f"pick:{hit.procedure.code}"))
    buttons.append(Button(say(lang, "choice_none"), "none"))
    return Reply("\n".join(lines), tuple(buttons))


def menu_buttons(lang: str) -> tuple[Button, ...]:
    return (
        Button(say(lang, "menu_feedback"), "menu:feedback"),
        Button(say(lang, "menu_status"), "menu:status"),
        Button(say(lang, "menu_human"), "human"),
    )
