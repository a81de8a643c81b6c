"""The answer card: a procedure's facets laid out for a phone screen, Vietnamese or English."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge.facets import Facet
from knowledge.schema import ChannelOption, Procedure

_LEVEL_PLACES = {
    "vi": {
        "commune": "Trung tâm Phục vụ hành chính công hoặc UBND xã, phường nơi bạn cư trú",
        "province": "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh (hoặc sở, ngành phụ trách)",
        "central": "Cơ quan cấp bộ, ngành trung ương",
        "other": "Cơ quan, tổ chức được giao (xem chi tiết trên Cổng DVC)",
    },
    "en": {
        "commune": (
            "the Public Administration Service Centre or People's Committee of your commune"
        ),
        "province": "the Bắc Ninh Provincial Public Administration Service Centre",
        "central": "the competent ministry",
        "other": "the designated agency (see the portal page)",
    },
}
_LOCALITY = ["commune", "province", "other", "central"]  # nearest to the citizen first
_CHANNEL_NAMES = {
    "vi": {"in_person": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính"},
    "en": {"in_person": "In person", "online": "Online", "postal": "By post"},
}
_UNITS = {
    "vi": {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ", "months": "tháng"},
    "en": {"working_days": "working days", "days": "days", "hours": "hours", "months": "months"},
}
_LABELS = {
    "vi": {
        "documents": "Giấy tờ cần chuẩn bị",
        "fee": "Lệ phí",
        "time": "Thời gian giải quyết",
        "place": "Nơi nộp",
        "online": "Nộp trực tuyến",
        "steps": "Tóm tắt",
        "free": "Miễn phí",
        "unknown": "Chưa có thông tin, vui lòng hỏi cán bộ",
        "more": "… và {n} giấy tờ khác",
        "online_yes": "Có thể nộp trực tuyến tại Cổng Dịch vụ công quốc gia: {url}",
        "online_no": (
            "Thủ tục này chưa nhận hồ sơ trực tuyến; vui lòng nộp trực tiếp hoặc qua bưu chính."
        ),
        "about": "khoảng {n} ngày",
    },
    "en": {
        "documents": "Documents to prepare",
        "fee": "Fee",
        "time": "Processing time",
        "place": "Where to file",
        "online": "Online filing",
        "steps": "In short",
        "free": "Free",
        "unknown": "Not stated; please ask the desk",
        "more": "… and {n} more",
        "online_yes": "You can file online on the National Public Service Portal: {url}",
        "online_no": "This procedure cannot be filed online yet; please file in person or by post.",
        "about": "about {n} days",
    },
}


@dataclass(frozen=True, slots=True)
class CardSection:
    facet: Facet
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnswerCard:
    """A procedure's answer: a title and sections, asked-about facets first."""

    code: str
    title: str
    sections: tuple[CardSection, ...]
    url: str
    hidden_documents: int = 0  # documents left out of the summary (a "full list" button)

    def render(self) -> str:
        """Plain text, one blank line between sections."""
        blocks = [f"📄 {self.title} (mã {self.code})"]
        for section in self.sections:
            body = "\n".join(section.lines)
            blocks.append(f"{section.title}:\n{body}")
        return "\n\n".join(blocks)


def _time_text(option: ChannelOption, lang: str) -> str | None:
    if option.time_value is None:
        return None
    value = f"{option.time_value:g}"
    if option.time_unit is None:
        return _LABELS[lang]["about"].format(n=value)
    return f"{value} {_UNITS[lang][option.time_unit]}"


def _fee_text(option: ChannelOption, lang: str) -> str | None:
    if option.fee_vnd is None:
        return None
    if option.fee_vnd == 0:
        return _LABELS[lang]["free"]
    return f"{option.fee_vnd:,}".replace(",", ".") + (" đồng" if lang == "vi" else " VND")


def _per_channel(
    procedure: Procedure, lang: str, describe: Callable[[ChannelOption, str], str | None]
) -> tuple[str, ...]:
    values: dict[str, list[str]] = {}
    for option in procedure.channels:
        text = describe(option, lang)
        if text:
            values.setdefault(text, []).append(_CHANNEL_NAMES[lang][option.channel])
    if not values:
        return (_LABELS[lang]["unknown"],)
    if len(values) == 1:
        return (next(iter(values)),)
    return tuple(f"{', '.join(channels)}: {text}" for text, channels in values.items())


def build_card(
    procedure: Procedure,
    facets: list[Facet] | None = None,
    lang: str = "vi",
    max_documents: int = 5,
) -> AnswerCard:
    """The card for ``procedure``. When the question asked about particular facets (fee,
    time…) only those are shown, plus where to file; otherwise the whole card."""
    lang = lang if lang in _LABELS else "vi"
    labels = _LABELS[lang]
    # "How do I …" asks for the whole procedure, so "steps" alone gets the full card.
    asked = [f for f in dict.fromkeys(facets or []) if f != "steps"]
    full: list[Facet] = ["steps", "documents", "fee", "time", "place", "online"]
    shown: list[Facet] = [*asked, "place"] if asked and "place" not in asked else [*(asked or full)]
    documents = [d.name for d in procedure.documents]
    hidden = max(0, len(documents) - max_documents)
    sections = []
    for facet in shown:
        if facet == "documents":
            lines = tuple(f"• {name}" for name in documents[:max_documents]) or (labels["unknown"],)
            if hidden:
                lines += (labels["more"].format(n=hidden),)
        elif facet == "fee":
            lines = _per_channel(procedure, lang, _fee_text)
        elif facet == "time":
            lines = _per_channel(procedure, lang, _time_text)
        elif facet == "place":
            nearest = sorted(procedure.levels, key=_LOCALITY.index)[:2]
            lines = tuple(_LEVEL_PLACES[lang][level] for level in nearest) or (labels["unknown"],)
        elif facet == "online":
            url = procedure.url or "https://dichvucong.gov.vn"
            lines = (labels["online_yes" if procedure.online else "online_no"].format(url=url),)
        else:
            if not procedure.summary:
                continue
            lines = (procedure.summary,)
        sections.append(CardSection(facet, labels[facet], lines))
    return AnswerCard(procedure.code, procedure.name, tuple(sections), procedure.url, hidden)
