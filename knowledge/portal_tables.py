"""Parsers for the national portal's tables, which the crawl flattened into run-on text.

The channel table reads ``Hình thức nộpThời gianPhí, lệ phíMô tả`` followed by rows such as
``Trực tiếp5 Ngày làm việc135,000 VNĐ(Lệ phí …)``; the documents table is a run of
``<name>[<form file>]<n> bản chính|bản sao`` rows under optional group headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.schema import Channel, ChannelOption, Document, TimeUnit

_CHANNEL_NAMES: dict[str, Channel] = {
    "Trực tiếp": "in_person",
    "Trực tuyến": "online",
    "Dịch vụ bưu chính": "postal",
}
_FEE_START = (
    r"Miễn phí|Không có thông tin|Không quy định|Không phải|Phí|Lệ phí"
    r"|\d[\d.,]*\s*(?:VNĐ|Việt Nam|đồng|USD)|VNĐ"
)
# A row starts with a channel name directly followed by a time or a fee; the same words
# inside a description ("Trực tiếp tại cơ quan …") are followed by ordinary text instead.
_ROW_RE = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\s*(?:\d|" + _FEE_START + r"))")
_TIME_RE = re.compile(
    r"^\s*(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Ngày|Giờ làm việc|Giờ|Tháng)?", re.IGNORECASE
)
# The time column may hold "Không có thông tin" when the fee column that follows is filled.
_NO_TIME_RE = re.compile(
    r"^\s*(?:Không có thông tin|Không quy định)(?=\s*(?:Miễn phí|Không có thông tin|VNĐ|\d))"
)
_TIME_UNITS: dict[str, TimeUnit] = {
    "ngày làm việc": "working_days",
    "ngày": "days",
    "giờ làm việc": "hours",
    "giờ": "hours",
    "tháng": "months",
}
_AMOUNT_RE = re.compile(
    r"^\s*(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(VNĐ|Việt Nam đồng|đồng|USD)", re.IGNORECASE
)
_BARE_CURRENCY_RE = re.compile(r"^\s*(?:VNĐ|Việt Nam đồng)", re.IGNORECASE)
_TABLE_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


def parse_channels(text: str) -> tuple[ChannelOption, ...]:
    """Split the flattened channel/time/fee table into one option per row.

    Every row is kept, in the record's order: a channel may have several rows (one per case
    or agency), each with its own time, fee and description.
    """
    body = text.replace(_TABLE_HEADER, "", 1)
    starts = list(_ROW_RE.finditer(body))
    options: list[ChannelOption] = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        channel = _CHANNEL_NAMES[match.group(1)]
        options.append(_parse_row(channel, body[match.end() : end]))
    return tuple(options)


def _parse_row(channel: Channel, row: str) -> ChannelOption:
    raw = row.strip()
    time_value: float | None = None
    time_unit: TimeUnit | None = None
    time_text = ""
    time_match = _TIME_RE.match(row)
    no_time = _NO_TIME_RE.match(row)
    if time_match and not time_match.group(2) and _BARE_CURRENCY_RE.match(row[time_match.end() :]):
        # "125 VNĐ": the flattening ran a unit-less time into a fee; which digits are which
        # cannot be told, so the cell is kept as the record wrote it.
        return ChannelOption(channel=channel, fee_note=raw[:1500], note=raw[:1000], raw=raw)
    if time_match:
        time_value = float(time_match.group(1).replace(",", "."))
        unit = time_match.group(2)
        time_unit = _TIME_UNITS[unit.lower()] if unit else None
        time_text = time_match.group(0).strip()
        row = row[time_match.end() :]
    elif no_time:
        row = row[no_time.end() :]
    fee = _parse_fee(row)
    note = f"{fee.note} {fee.description}".strip()
    return ChannelOption(
        channel=channel,
        time_value=time_value,
        time_unit=time_unit,
        time_text=time_text,
        fee_vnd=fee.vnd,
        fee_text=fee.text,
        note=note[:1000],
        fee_note=fee.note.strip()[:1500],
        description=fee.description.strip()[:1500],
        fee_usd=fee.usd,
        raw=raw[:3000],
    )


@dataclass(frozen=True, slots=True)
class _FeeCell:
    vnd: int | None
    text: str
    note: str
    description: str
    usd: float | None = None


def _parse_fee(row: str) -> _FeeCell:
    """The fee column: its value, its bracketed note, and the description that follows."""
    stripped = row.lstrip()
    if stripped.startswith("Miễn phí"):
        note, rest = _split_note(stripped[len("Miễn phí") :])
        return _FeeCell(0, "Miễn phí", note, rest)
    if stripped.startswith("Không có thông tin"):
        note, rest = _split_note(stripped[len("Không có thông tin") :])
        return _FeeCell(None, "", note, rest)
    amount = _AMOUNT_RE.match(stripped)
    if amount:
        value = int(re.sub(r"[.,]", "", amount.group(1)))
        note, rest = _split_note(stripped[amount.end() :])
        if amount.group(2).upper() == "USD":
            return _FeeCell(None, f"{value} USD", note, rest, usd=float(value))
        # The portal sometimes writes thousands as a bare "135 VNĐ" and states the true
        # amount ("135.000 đồng") inside the parenthesis that follows.
        inner = _AMOUNT_IN_TEXT_RE.search(note)
        if value < 1000 and inner:
            value = int(re.sub(r"[.,]", "", inner.group(1)))
        return _FeeCell(value, f"{value:,} đồng".replace(",", "."), note, rest)
    bare = _BARE_CURRENCY_RE.match(stripped)
    if bare:  # a currency with no amount: the amounts, if any, are in the note
        note, rest = _split_note(stripped[bare.end() :])
        return _FeeCell(None, "", note, rest)
    return _FeeCell(None, "", "", stripped)


def _split_note(text: str) -> tuple[str, str]:
    """(the bracketed note that opens ``text``, the rest)."""
    inner = _leading_parens(text)
    if inner is None:
        return "", text
    return inner, text[len(inner) + 2 :]


_AMOUNT_IN_TEXT_RE = re.compile(r"(\d{1,3}(?:[.,]\d{3})+)\s*(?:đồng|VNĐ|đ\b)", re.IGNORECASE)


def _leading_parens(text: str) -> str | None:
    if not text.startswith("("):
        return None
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return text[1:i]
    return text[1:]


# The count column ("1 bản chính", "0 bản chính,1 bản sao") is glued to the row's name. A
# count never has a leading zero, which tells it from "01 bản chính" inside a name; glued to
# a name ending in a number ("Mẫu số 18" + "1 bản chính") it is the last digit.
_DOC_ROW_END_RE = re.compile(
    r"((?<!\d)(?:\d|[1-9]\d)|(?<=[1-9])\d)\s*(bản chính|bản sao|bản)"
    r"(?:\s*,\s*(\d+)\s*(bản sao|bản chính))?",
    re.IGNORECASE,
)
_DOC_HEADER_RE = re.compile(r"Tên giấy tờ\s*Mẫu đơn, tờ khai\s*Số lượng")
_FORM_EXT_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip|odt)\s*$", re.IGNORECASE)

_PRESENT_RE = re.compile(r"\*\s*Giấy tờ phải xuất trình\s*:?", re.IGNORECASE)
_SUBMIT_RE = re.compile(r"\*\s*Giấy tờ phải nộp\s*:?", re.IGNORECASE)
_NAME_STRIP = " -+•;.:\n\t"
_SECTION_RE = re.compile(r"\*\s*([^:*\n]{2,80}?)\s*:")


def parse_documents(text: str) -> tuple[Document, ...]:
    """Split the flattened documents table into documents (name, original/copy, count, form,
    the case heading over them, and whether they are shown rather than handed in).

    Every row with a name is kept; a row whose name the flattening fused with its form's
    file name keeps both.
    """
    documents: list[Document] = []
    present_only = False
    group = ""
    position = 0
    for match in _DOC_ROW_END_RE.finditer(text):
        chunk = text[position : match.start()]
        position = match.end()
        sections = list(_SECTION_RE.finditer(chunk))
        heading_row = ""
        if sections:
            # "* Giấy tờ phải nộp:", "* Giấy tờ phải xuất trình:", "* Lưu ý:" open a part of
            # the table; a part that is neither is a heading over the rows that follow.
            heading = " ".join(sections[-1].group(1).split())
            present_only = bool(_PRESENT_RE.match(sections[-1].group(0)))
            submit = bool(_SUBMIT_RE.match(sections[-1].group(0)))
            group = "" if present_only or submit else heading
            heading_row = "" if present_only or submit else sections[-1].group(0).lstrip("* ")
            chunk = chunk[sections[-1].end() :]
        parts = _DOC_HEADER_RE.split(chunk)
        if len(parts) > 1:
            heading = parts[-2].strip(_NAME_STRIP + "*")
            if heading not in ("", "--"):
                group = " ".join(heading.split())[:300]
            elif not sections:  # a new table without a heading ("--"): rows for everyone
                group = ""
        chunk, form = _split_form(parts[-1])
        name = chunk.strip(_NAME_STRIP)
        if (not name or name == "--") and form:
            name = _FORM_EXT_RE.sub("", form).strip(_NAME_STRIP)
        if not name and heading_row and len(parts) == 1:
            name = heading_row.strip()  # the row is itself a heading ("* Hồ sơ …, gồm:")
        if not name or name == "--":
            continue
        original, count, copies = _count_kind(match)
        documents.append(
            Document(
                name=" ".join(name.split())[:500],
                original=original,
                count=count,
                form=form,
                present_only=present_only,
                group=group,
                copies=copies,
            )
        )
    return tuple(documents)


def _count_kind(match: re.Match[str]) -> tuple[bool | None, int, int]:
    """(original?, how many, copies besides the originals) of a row's count column."""
    first_count, first_kind = int(match.group(1)), match.group(2).lower()
    second_count, second_kind = match.group(3), (match.group(4) or "").lower()
    copies = 0
    if first_kind == "bản chính" and first_count == 0 and second_count:
        original, count = False, int(second_count)
    elif first_kind == "bản chính":
        original, count = True, first_count
    elif first_kind == "bản sao":
        original, count = False, first_count
    else:
        original, count = None, first_count
    if second_kind == "bản sao" and first_kind == "bản chính" and first_count:
        copies = int(second_count)  # both originals and copies are asked for
    return original, count, copies


def _split_form(chunk: str) -> tuple[str, str | None]:
    """Separate a trailing form file name ("Mẫu DC01 ….docx") from a document's name."""
    ext = _FORM_EXT_RE.search(chunk)
    if not ext:
        return chunk, None
    stem_end = ext.start()
    window_start = max(1, stem_end - 160)
    # Flattening glued the file name to the document's name. Where a ";" runs straight into
    # the next word, that is the seam; else where "." or ")" runs into a letter or digit;
    # else where a lower-case letter runs into a capital.
    for seam in (_semicolon_seam, _bracket_seam, _stop_seam, _capital_seam):
        for cut in range(stem_end - 1, window_start - 1, -1):
            if seam(chunk[cut - 2 : cut], chunk[cut]):
                return chunk[:cut], chunk[cut:].strip()
    return "", chunk.strip()


def _semicolon_seam(before: str, here: str) -> bool:
    return before.endswith(";") and not here.isspace()


def _bracket_seam(before: str, here: str) -> bool:
    """ ")" or ")." straight into a letter or digit: a name ending in "(Mẫu …)"."""
    return (before.endswith(")") or before == ").") and here.isalnum()


def _stop_seam(before: str, here: str) -> bool:
    return before[-1:] in (".", ")") and here.isalnum()


def _capital_seam(before: str, here: str) -> bool:
    return here.isupper() and (before[-1:].islower() or before[-1:] in (".", ")"))
