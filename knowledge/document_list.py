"""The record's document list as a card shows it: every row, in order, under its case heading,
papers to hand in apart from papers to show; a long list summarised by count and first rows.

Names are the record's own (only cut, with "…", when very long on the card); nothing is
paraphrased. The full list (:func:`full_lines`) is what the "xem đủ" button sends.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.schema import Document
from knowledge.text import fold
from knowledge.times import shorten

CARD_NAME_CHARS = 140  # a name longer than this is cut on the card (never in the full list)
_WORDS = {
    "vi": {
        "original": "bản chính",
        "copy": "bản sao",
        "show": "Giấy tờ xuất trình (mang theo để đối chiếu):",
        "count": "Hồ sơ gồm {n} giấy tờ phải nộp{shown}; {k} giấy tờ đầu:",
        "count_shown": ", {m} giấy tờ xuất trình",
        "count_notes": ", kèm {k} ghi chú",
        "form": "mẫu",
        # Not "the portal lists none": for 30 of the 54 national records without a list, the
        # page has a documents table that the crawl flattened past reading.
        "none": (
            "Chưa đọc được danh sách giấy tờ từ hồ sơ thủ tục; "
            "xem trang thủ tục trên Cổng DVC hoặc hỏi cán bộ"
        ),
    },
    "en": {
        "original": "original",
        "copy": "copy",
        "show": "Papers to show at the desk:",
        "count": "The file has {n} paper{s} to hand in{shown}; the first {k}:",
        "count_shown": ", {m} to show",
        "count_notes": ", with {k} remark{s}",
        "form": "form",
        "none": (
            "The document list could not be read from the procedure's record; "
            "see its page on the national portal or ask the desk"
        ),
    },
}


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """The card's document lines and how many rows it left for the full list."""

    lines: tuple[str, ...]
    shown: tuple[Document, ...]
    hidden: int
    hidden_papers: int = 0  # of ``hidden``, papers (the rest are remarks)


def plural_s(count: int) -> str:
    """The English plural ending for ``count`` things ("1 remark", "2 remarks"); the
    Vietnamese labels have no plural and ignore it."""
    return "" if count == 1 else "s"


def kind_text(document: Document, lang: str = "vi") -> str:
    """ "1 bản chính", "2 bản sao", "1 bản chính, 1 bản sao" (both asked for), or "" when
    the record gives no count."""
    words = _WORDS.get(lang, _WORDS["vi"])
    if not document.count:
        return ""
    if document.original is None:
        return str(document.count)
    kind = f"{document.count} {words['original' if document.original else 'copy']}"
    return f"{kind}, {document.copies} {words['copy']}" if document.copies else kind


def _line(document: Document, lang: str, limit: int | None) -> str:
    name = shorten(document.name, limit) if limit else document.name
    kind = kind_text(document, lang)
    return f"• {name}" + (f" ({kind})" if kind else "")


def _grouped(documents: tuple[Document, ...], lang: str, limit: int | None) -> list[str]:
    words = _WORDS.get(lang, _WORDS["vi"])
    lines: list[str] = []
    present, group = False, ""
    for document in documents:
        if document.present_only and not present:
            lines.append(words["show"])
            present, group = True, ""
        if document.group and document.group != group:
            lines.append(f"▸ {shorten(document.group, limit) if limit else document.group}:")
        group = document.group
        line = _line(document, lang, limit)
        if limit is None and document.form:
            line += f" — {words['form']}: {document.form}"
        lines.append(line)
    return lines


_CONDITIONAL_OPENINGS = ("truong hop", "neu ", "doi voi")


def is_conditional(document: Document) -> bool:
    """A paper the record asks for only in a particular case ("Trường hợp …", "Nếu …")."""
    return fold(document.name).startswith(_CONDITIONAL_OPENINGS)


def is_note(document: Document) -> bool:
    """A row the record lists with "0 bản chính": a remark on the file, not a paper."""
    return document.count == 0


def summarise(documents: tuple[Document, ...], lang: str, max_rows: int) -> DocumentSummary:
    """The first ``max_rows`` papers (with their headings), in the record's order within
    papers for everyone, papers of a case and papers to show, after a count of papers to
    hand in, papers to show and remarks when more rows remain."""
    words = _WORDS.get(lang, _WORDS["vi"])
    if not documents:
        return DocumentSummary((words["none"],), (), 0)
    papers = tuple(d for d in documents if not is_note(d)) or documents
    # The papers everyone hands in first, then those of particular cases, then those shown.
    order = sorted(papers, key=lambda d: (d.present_only, bool(d.group), is_conditional(d)))
    shown = tuple(order[:max_rows])
    lines = _grouped(shown, lang, CARD_NAME_CHARS)
    hidden = len(documents) - len(shown)
    if hidden:
        submit = sum(not d.present_only and not is_note(d) for d in documents)
        show = sum(d.present_only and not is_note(d) for d in documents)
        notes = sum(is_note(d) for d in documents)
        extra = words["count_shown"].format(m=show) if show else ""
        if notes:
            extra += words["count_notes"].format(k=notes, s=plural_s(notes))
        count = words["count"].format(n=submit, s=plural_s(submit), shown=extra, k=len(shown))
        lines.insert(0, count)
    hidden_papers = sum(not is_note(d) for d in documents) - sum(not is_note(d) for d in shown)
    return DocumentSummary(tuple(lines), shown, hidden, hidden_papers)


def full_lines(documents: tuple[Document, ...], lang: str = "vi") -> list[str]:
    """Every row of the record, with its count, form and case heading."""
    if not documents:
        return [_WORDS.get(lang, _WORDS["vi"])["none"]]
    return _grouped(documents, lang, None)
