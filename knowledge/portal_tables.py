"""Parsers for the national portal's tables, which the crawl flattened into run-on text.

The channel table reads ``Hình thức nộpThời gianPhí, lệ phíMô tả`` followed by rows such as
``Trực tiếp5 Ngày làm việc135,000 VNĐ(Lệ phí …)``; the documents table is a run of
``<name>[<form file>]<n> bản chính|bản sao`` rows under optional group headings.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.schema import Channel, ChannelOption, Document, TimeUnit

_CHANNEL_NAMES: dict[str, Channel] = {
    "Trực tiếp": "in_person",
    "Trực tuyến": "online",
    "Dịch vụ bưu chính": "postal",
}
_FEE_START = (
    r"Miễn phí|Không có thông tin|Không phải|Phí|Lệ phí|\d[\d.,]*\s*(?:VNĐ|Việt Nam|đồng)|VNĐ"
)
# A row starts with a channel name directly followed by a time or a fee; the same words
# inside a description ("Trực tiếp tại cơ quan …") are followed by ordinary text instead.
_ROW_RE = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\s*(?:\d|" + _FEE_START + r"))")
_TIME_RE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Ngày|Giờ làm việc|Giờ|Tháng)?")
_TIME_UNITS: dict[str, TimeUnit] = {
    "ngày làm việc": "working_days",
    "ngày": "days",
    "giờ làm việc": "hours",
    "giờ": "hours",
    "tháng": "months",
}
_AMOUNT_RE = re.compile(
    r"^\s*(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:VNĐ|Việt Nam đồng|đồng)", re.IGNORECASE
)
_TABLE_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


def parse_channels(text: str) -> tuple[ChannelOption, ...]:
    """Split the flattened channel/time/fee table into one option per submission channel.

    When a channel appears in several rows (one per agency), the first row is kept and the
    others' descriptions are appended to its note.
    """
    body = text.replace(_TABLE_HEADER, "", 1)
    starts = list(_ROW_RE.finditer(body))
    options: dict[Channel, ChannelOption] = {}
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        channel = _CHANNEL_NAMES[match.group(1)]
        option = _parse_row(channel, body[match.end() : end])
        if channel in options:
            first = options[channel]
            note = f"{first.note} {option.note}".strip()
            options[channel] = replace(first, note=note[:1000])
        else:
            options[channel] = option
    return tuple(options.values())


def _parse_row(channel: Channel, row: str) -> ChannelOption:
    time_value: float | None = None
    time_unit: TimeUnit | None = None
    time_text = ""
    time_match = _TIME_RE.match(row)
    if time_match:
        time_value = float(time_match.group(1).replace(",", "."))
        unit = time_match.group(2)
        time_unit = _TIME_UNITS[unit.lower()] if unit else None
        time_text = time_match.group(0).strip()
        row = row[time_match.end() :]
    fee_vnd, fee_text, note = _parse_fee(row)
    return ChannelOption(
        channel=channel,
        time_value=time_value,
        time_unit=time_unit,
        time_text=time_text,
        fee_vnd=fee_vnd,
        fee_text=fee_text,
        note=note.strip()[:1000],
    )


def _parse_fee(row: str) -> tuple[int | None, str, str]:
    """Return (amount in VND or None, the fee's own words, the rest of the row)."""
    stripped = row.lstrip()
    if stripped.startswith("Miễn phí"):
        rest = stripped[len("Miễn phí") :]
        return 0, "Miễn phí", _strip_parens(rest)
    if stripped.startswith("Không có thông tin"):
        return None, "", stripped[len("Không có thông tin") :]
    amount = _AMOUNT_RE.match(stripped)
    if amount:
        digits = re.sub(r"[.,]", "", amount.group(1))
        value = int(digits)
        rest = stripped[amount.end() :]
        detail = _leading_parens(rest)
        # The portal sometimes writes thousands as a bare "135 VNĐ" and states the true
        # amount ("135.000 đồng") inside the parenthesis that follows.
        inner = _AMOUNT_IN_TEXT_RE.search(detail or "")
        if value < 1000 and inner:
            value = int(re.sub(r"[.,]", "", inner.group(1)))
        return value, f"{value:,} đồng".replace(",", "."), _strip_parens(rest)
    return None, "", stripped


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


def _strip_parens(text: str) -> str:
    inner = _leading_parens(text)
    if inner is None:
        return text
    return f"{inner} {text[len(inner) + 2 :]}"


_DOC_ROW_END_RE = re.compile(
    r"(\d)\s*(bản chính|bản sao|bản)(?:\s*,\s*(\d)\s*(bản sao|bản chính))?", re.IGNORECASE
)
_DOC_HEADER_RE = re.compile(r"Tên giấy tờ\s*Mẫu đơn, tờ khai\s*Số lượng")
_FORM_EXT_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip)\s*$", re.IGNORECASE)

_PRESENT_RE = re.compile(r"\*\s*Giấy tờ phải xuất trình\s*:?", re.IGNORECASE)
_SUBMIT_RE = re.compile(r"\*\s*Giấy tờ phải nộp\s*:?", re.IGNORECASE)


def parse_documents(text: str) -> tuple[Document, ...]:
    """Split the flattened documents table into documents (name, original/copy, count, form)."""
    documents: list[Document] = []
    present_only = False
    position = 0
    for match in _DOC_ROW_END_RE.finditer(text):
        chunk = text[position : match.start()]
        position = match.end()
        if _PRESENT_RE.search(chunk):
            present_only = True
            chunk = _PRESENT_RE.split(chunk)[-1]
        elif _SUBMIT_RE.search(chunk):
            present_only = False
            chunk = _SUBMIT_RE.split(chunk)[-1]
        chunk = _DOC_HEADER_RE.split(chunk)[-1]
        chunk, form = _split_form(chunk)
        name = chunk.strip(" -+•;.:\n\t")
        if not name or name == "--":
            continue
        first_count, first_kind = int(match.group(1)), match.group(2).lower()
        second_count, second_kind = match.group(3), (match.group(4) or "").lower()
        if first_kind == "bản chính" and first_count == 0 and second_count:
            original, count = False, int(second_count)
        elif first_kind == "bản chính":
            original, count = True, first_count
        elif first_kind == "bản sao":
            original, count = False, first_count
        else:
            original, count = None, first_count
        if second_kind == "bản sao" and first_kind == "bản chính" and first_count:
            original = True  # both an original and copies are asked for
        documents.append(
            Document(
                name=" ".join(name.split())[:500],
                original=original,
                count=count,
                form=form,
                present_only=present_only,
            )
        )
    return tuple(documents)


def _split_form(chunk: str) -> tuple[str, str | None]:
    """Separate a trailing form file name ("Mẫu DC01 ….docx") from a document's name."""
    if not _FORM_EXT_RE.search(chunk):
        return chunk, None
    # Flattening glued the file name to the document's name: it starts at the last place
    # where a lower-case letter, "." or ")" runs straight into a capital letter.
    window_start = max(1, len(chunk) - 160)
    for cut in range(len(chunk) - 1, window_start - 1, -1):
        before, here = chunk[cut - 1], chunk[cut]
        if here.isupper() and (before.islower() or before in ".)"):
            return chunk[:cut], chunk[cut:].strip()
    return "", chunk.strip()
