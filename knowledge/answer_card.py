"""The answer card: a procedure's facets laid out for a phone screen, Vietnamese or English."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

from knowledge.document_list import DocumentSummary, plural_s, summarise
from knowledge.english import shown_english_name
from knowledge.facets import Facet
from knowledge.fees import read_fee
from knowledge.places import place_for
from knowledge.provenance import provenance_line
from knowledge.schema import ChannelOption, Procedure
from knowledge.times import case_of, read_time

_CHANNEL_NAMES = {
    "vi": {"in_person": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính"},
    "en": {"in_person": "In person", "online": "Online", "postal": "By post"},
}
_LABELS = {
    "vi": {
        "documents": "Giấy tờ cần chuẩn bị",
        "fee": "Lệ phí",
        "time": "Thời gian giải quyết",
        "place": "Nơi nộp",
        "online": "Nộp trực tuyến",
        "steps": "Tóm tắt",
        "code": "mã",
        "free": "Miễn phí",
        "unknown": "Chưa có thông tin, vui lòng hỏi cán bộ",
        "more": "… còn {rest} (bấm «Xem đủ giấy tờ»)",
        "more_papers": "{n} giấy tờ khác",
        "more_notes": "{n} ghi chú",
        "online_yes": "Có thể nộp trực tuyến tại Cổng Dịch vụ công quốc gia (đường dẫn bên dưới).",
        "online_no": (
            "Thủ tục này chưa nhận hồ sơ trực tuyến; vui lòng nộp trực tiếp hoặc qua bưu chính."
        ),
    },
    "en": {
        "documents": "Documents to prepare",
        "fee": "Fee",
        "time": "Processing time",
        "place": "Where to file",
        "online": "Online filing",
        "steps": "In short",
        "code": "code",
        "free": "Free",
        "unknown": "Not stated; please ask the desk",
        "more": "… plus {rest} (tap «All documents»)",
        "more_papers": "{n} paper{s}",
        "more_notes": "{n} remark{s}",
        "online_yes": "You can file online on the National Public Service Portal (link below).",
        "online_no": "This procedure cannot be filed online yet; please file in person or by post.",
    },
}


@dataclass(frozen=True, slots=True)
class CardFact:
    """One fact a card states and the record field it was read from."""

    facet: str
    text: str
    record_field: str
    channel: str = ""


@dataclass(frozen=True, slots=True)
class CardSection:
    facet: Facet
    title: str
    lines: tuple[str, ...]
    facts: tuple[CardFact, ...] = ()


@dataclass(frozen=True, slots=True)
class AnswerCard:
    """A procedure's answer: a title and sections, asked-about facets first, and the record
    it came from."""

    code: str
    title: str
    sections: tuple[CardSection, ...]
    url: str
    hidden_documents: int = 0  # documents left out of the summary (a "full list" button)
    provenance: str = ""
    code_label: str = "mã"

    def render(self) -> str:
        """Plain text, one blank line between sections, the source last."""
        blocks = [f"📄 {self.title} ({self.code_label} {self.code})"]
        for section in self.sections:
            body = "\n".join(section.lines)
            blocks.append(f"{section.title}:\n{body}")
        if self.provenance:
            blocks.append(self.provenance)
        return "\n\n".join(blocks)

    def facts(self) -> list[CardFact]:
        """Every fact the card states, each with its record field."""
        return [fact for section in self.sections for fact in section.facts]


def _rows(
    procedure: Procedure,
    lang: str,
    describe: Callable[[ChannelOption], str | None],
    single_row_cases: bool,
) -> tuple[list[str], list[CardFact]]:
    """One line per distinct (text, case) across the channel rows, channels named when they
    differ. A channel whose rows differ in this text states each row's case; one whose rows
    agree (or whose row describes a case with its own time) is one line."""
    texts: dict[str, list[tuple[str, ChannelOption]]] = {}
    for option in procedure.channels:
        text = describe(option)
        if text:
            texts.setdefault(option.channel, []).append((text, option))
    grouped: dict[tuple[str, str], list[str]] = {}
    for channel, rows in texts.items():
        several = len({text for text, _ in rows}) > 1
        for text, option in rows:
            lone = single_row_cases and len(rows) == 1
            case = case_of(option, several) if several or lone else ""
            names = grouped.setdefault((text, case), [])
            if _CHANNEL_NAMES[lang][channel] not in names:
                names.append(_CHANNEL_NAMES[lang][channel])
    if not grouped:
        return [_LABELS[lang]["unknown"]], []
    lines, facts = [], []
    single = len(grouped) == 1
    for (text, case), channels in grouped.items():
        label = ", ".join(channels)
        line = text if single and not case else f"{label}: {text}"
        if case:
            line += f" — {case}"
        lines.append(line)
        facts.append(CardFact("", text, "cach_thuc_thuc_hien", label))
    return lines, facts


def _more_line(summary: DocumentSummary, labels: dict[str, str]) -> str:
    """ "… còn 3 giấy tờ khác, 25 ghi chú": what the full list adds, papers and remarks apart."""
    notes = summary.hidden - summary.hidden_papers
    papers = summary.hidden_papers
    parts = [labels["more_papers"].format(n=papers, s=plural_s(papers))] if papers else []
    parts += [labels["more_notes"].format(n=notes, s=plural_s(notes))] if notes else []
    return labels["more"].format(rest=", ".join(parts))


def build_card(
    procedure: Procedure,
    facets: list[Facet] | None = None,
    lang: str = "vi",
    max_documents: int = 5,
    commune: str | None = None,
    today: date | None = None,
) -> AnswerCard:
    """The card for ``procedure``. When the question asked about particular facets (fee,
    time…) only those are shown, plus where to file; otherwise the whole card. Every fact is
    the national record's (fees read for ``today``), and the card ends with its source."""
    lang = lang if lang in _LABELS else "vi"
    labels = _LABELS[lang]
    # "How do I …" asks for the whole procedure, so "steps" alone gets the full card.
    asked = [f for f in dict.fromkeys(facets or []) if f != "steps"]
    full: list[Facet] = ["steps", "documents", "fee", "time", "place", "online"]
    shown: list[Facet] = [*asked, "place"] if asked and "place" not in asked else [*(asked or full)]
    hidden = 0
    sections = []
    for facet in shown:
        facts: list[CardFact] = []
        if facet == "documents":
            summary = summarise(procedure.documents, lang, max_documents)
            hidden = summary.hidden
            lines = summary.lines + ((_more_line(summary, labels),) if hidden else ())
            facts = [CardFact("documents", d.name, "thanh_phan_ho_so") for d in summary.shown]
        elif facet in ("fee", "time"):
            describe: Callable[[ChannelOption], str | None]
            if facet == "fee":
                describe = partial(_fee_line, lang=lang, today=today or date.today())
            else:
                describe = partial(_time_line, lang=lang)
            row_lines, facts = _rows(procedure, lang, describe, facet == "time")
            lines = tuple(row_lines)
            facts = [CardFact(facet, f.text, f.record_field, f.channel) for f in facts]
        elif facet == "place":
            place = place_for(procedure)
            text = place.text(lang, commune if place.level == "commune" else None)
            lines = (text,)
            facts = [CardFact("place", text, place.source_field)]
        elif facet == "online":
            url = procedure.url or "https://dichvucong.gov.vn"
            lines = (labels["online_yes" if procedure.online else "online_no"].format(url=url),)
            facts = [CardFact("online", lines[0], "cach_thuc_thuc_hien")]
        else:
            if not procedure.summary:
                continue
            lines = (procedure.summary,)
        sections.append(CardSection(facet, labels[facet], tuple(lines), tuple(facts)))
    return AnswerCard(
        procedure.code,
        _title(procedure, lang),
        tuple(sections),
        procedure.url,
        hidden,
        provenance_line(procedure, lang),
        labels["code"],
    )


def _title(procedure: Procedure, lang: str) -> str:
    """The record's name; in English its English name when the record or the term list has
    one, with the official Vietnamese name after it (what the desk and the portal use)."""
    if lang != "en":
        return procedure.name
    english = procedure.name_en or shown_english_name(procedure)
    return f"{english} — {procedure.name}" if english else procedure.name


def _fee_line(option: ChannelOption, lang: str, today: date) -> str:
    return read_fee(option, today).render(lang)


def _time_line(option: ChannelOption, lang: str) -> str | None:
    reading = read_time(option, lang)
    return reading.text if reading else None
