"""Checking a rendered answer card against the raw national record it claims to state.

The checks read only what a citizen reads (the card's section lines) and the record's raw
fields, never the importer's parsed values, so they catch a parser that misreads the record:

* fee: every amount on a fee line (outside the record's quoted note) is in the record's
  channel table, or is a reduction the record states ("bằng 50%"); a channel said to be
  "Miễn phí" has at least one row whose "Miễn phí" carries no note that sets a fee;
* time: every time line has a unit (or says the record gives none) and its number and unit
  are in the record;
* documents: every document line and heading is the record's own words;
* place: the office named is one the record's agency lists (when it lists any).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from knowledge.text import fold

FIELDS = ("fee", "free", "time", "documents", "documents_kept", "place")
_CHANNEL_LABELS = {
    "Trực tiếp": "Trực tiếp",
    "Trực tuyến": "Trực tuyến",
    "Bưu chính": "Dịch vụ bưu chính",
    "In person": "Trực tiếp",
    "Online": "Trực tuyến",
    "By post": "Dịch vụ bưu chính",
}
_LABEL_RE = re.compile(r"^((?:(?:Trực tiếp|Trực tuyến|Bưu chính)(?:, )?)+): ")
_QUOTE_RE = re.compile(r"\(Cổng DVC ghi: «.*?»\)|«.*?»", re.DOTALL)
_AMOUNT_RE = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)\s*(đồng|USD)")
_PERCENT_RE = re.compile(r"giảm (\d{1,2}) %")
_TIME_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ngày làm việc|ngày|giờ|tháng)", re.IGNORECASE)
_NO_UNIT = "không ghi đơn vị"
_ROW_RE = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\s*(?:\d|Miễn phí|Không))")
_QUALIFYING_RE = re.compile(
    r"\d[\d.,]*\s*(?:đồng|đ\b|vnđ|usd)|\d{1,3}(?:\.\d{3}){1,3}\s*/|hội đồng nhân dân|hđnd"
    r"|mức (?:lệ )?phí|mức thu",
    re.IGNORECASE,
)
# The generic centres a fallback names are not offices the record lists.
_FALLBACK_PLACE = "trung tam phuc vu hanh chinh cong"
_PLACE_KEYS = (
    "xuat nhap canh",
    "canh sat",
    "toa an",
    "thi hanh an",
    "kiem lam|thuy san|lam nghiep",
    "cong an",
    "uy ban nhan dan|ubnd",
    "van phong dang ky dat dai",
    "thue",
    "bao hiem xa hoi",
    "ngan hang nha nuoc",
    "hai quan",
    "ban quan ly",
    "tro giup phap ly",
    "kho bac",
    "so ",
)


@dataclass
class FidelityReport:
    """Counts of checked and failed items per field, with examples of failures."""

    checked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    failed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    examples: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, name: str, ok: bool, code: str, detail: str) -> None:
        self.checked[name] += 1
        if not ok:
            self.failed[name] += 1
            if len(self.examples) < 200:
                self.examples.append((code, name, detail))

    def rate(self, name: str) -> float:
        """Share of checked items of ``name`` that passed (1.0 when none were checked)."""
        checked = self.checked[name]
        return 1.0 - self.failed[name] / checked if checked else 1.0

    def failures(self, name: str) -> list[tuple[str, str, str]]:
        return [e for e in self.examples if e[1] == name]


def squash(text: str) -> str:
    """Folded text with punctuation and spacing removed, for "is this the record's words"."""
    return re.sub(r"[^0-9a-z]+", "", fold(text))


def _digits(text: str) -> set[int]:
    """Every number in ``text``, thousands separators removed."""
    return {int(re.sub(r"[.,]", "", m)) for m in re.findall(r"\d{1,3}(?:[.,]\d{3})+|\d+", text)}


def _split_label(line: str) -> tuple[list[str], str]:
    match = _LABEL_RE.match(line)
    if not match:
        return [], line
    labels = [_CHANNEL_LABELS[x.strip()] for x in match.group(1).split(",") if x.strip()]
    return labels, line[match.end() :]


def _raw_rows(cell: str) -> list[tuple[str, str]]:
    starts = list(_ROW_RE.finditer(cell))
    return [
        (m.group(1), cell[m.end() : starts[i + 1].start() if i + 1 < len(starts) else len(cell)])
        for i, m in enumerate(starts)
    ]


def _free_row_is_plain(row: str) -> bool | None:
    """For a row whose fee is "Miễn phí": True when no note sets a fee; None if not free."""
    body = re.sub(
        r"^\s*(?:\d+(?:[.,]\d+)?\s*(?:Ngày làm việc|Ngày|Giờ|Tháng)?|Không có thông tin"
        r"|Không quy định)",
        "",
        row,
    )
    if not body.lstrip().startswith("Miễn phí"):
        return None
    rest = body.lstrip()[len("Miễn phí") :]
    if not rest.startswith("("):
        return True
    depth, end = 0, len(rest)
    for i, ch in enumerate(rest):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            end = i
            break
    return not _QUALIFYING_RE.search(rest[1:end])


def check_card(
    code: str,
    sections: Iterable[tuple[str, tuple[str, ...]]],
    record: dict[str, Any],
    rows_kept: int | None,
    report: FidelityReport,
) -> None:
    """Check one card's ``(facet, lines)`` sections against its raw ``record``."""
    cell = record.get("cach_thuc_thuc_hien") or ""
    cell_numbers = _digits(cell)
    cell_squashed = squash(cell)
    table = record.get("thanh_phan_ho_so") or ""
    table_squashed = squash(table)
    for facet, lines in sections:
        for line in lines:
            if facet == "fee":
                _check_fee(code, line, cell, cell_numbers, report)
            elif facet == "time":
                _check_time(code, line, cell_squashed, report)
            elif facet == "documents" and line.startswith(("• ", "▸ ")):
                text = re.sub(r" \(\d+(?: bản chính| bản sao)?(?:, \d+ bản sao)?\)$", "", line[2:])
                text = text.rstrip(":").removesuffix(" …")
                ok = squash(text) in table_squashed
                report.add("documents", ok, code, text[:120])
            elif facet == "place":
                _check_place(code, line, record, report)
    if rows_kept is not None:
        expected = len(_DOC_ROWS_RE.findall(table))
        report.add("documents_kept", rows_kept >= expected, code, f"{rows_kept}/{expected}")


# A count token ends each row; a token straight after another one is the record's glitch.
_DOC_ROWS_RE = re.compile(
    r"(?<!bản chính)(?<!bản sao)(?:(?<!\d)(?:\d|[1-9]\d)|(?<=[1-9])\d)\s*(?:bản chính|bản sao)"
    r"(?!\s*,\s*\d)"
)


def _check_fee(code: str, line: str, cell: str, numbers: set[int], report: FidelityReport) -> None:
    labels, text = _split_label(line)
    stated = _QUOTE_RE.sub("", text)
    cut = _PERCENT_RE.search(stated)
    kept = 100 - int(cut.group(1)) if cut else None
    stated_rule = kept is not None and re.search(rf"bằng {kept}\s*%", cell) is not None
    for match in _AMOUNT_RE.finditer(stated):
        value = int(match.group(1).replace(".", ""))
        ok = value in numbers
        if not ok and stated_rule:  # a reduction the record states, applied to its amount
            ok = any(value * 100 == n * kept for n in numbers)  # type: ignore[operator]
        report.add("fee", ok, code, f"{match.group(0)} in {line[:100]}")
    if stated.startswith(("Miễn phí", "Free")):
        rows = _raw_rows(cell)
        channels = labels or sorted({c for c, _ in rows})
        for channel in channels:
            verdicts = [_free_row_is_plain(r) for c, r in rows if c == channel]
            ok = any(v is True for v in verdicts)
            report.add("free", ok, code, f"{channel}: {line[:100]}")


def _check_time(code: str, line: str, cell_squashed: str, report: FidelityReport) -> None:
    _, text = _split_label(line)
    text = text.split(" — ", 1)[0]
    if text.startswith(("Chưa có thông tin", "Not stated")):
        return
    match = _TIME_RE.search(text)
    if match is None:
        report.add("time", _NO_UNIT in text, code, f"no unit: {line[:80]}")
        return
    value, unit = squash(match.group(1)), squash(match.group(2))
    found = any(f"{pad}{unit}" in cell_squashed for pad in (value, value.zfill(2)))
    report.add("time", found, code, line[:100])


def _check_place(code: str, line: str, record: dict[str, Any], report: FidelityReport) -> None:
    agency = fold(record.get("co_quan_thuc_hien") or "")
    if not agency or "khong co thong tin" in agency:
        return
    place = fold(line)
    keys = [k for k in _PLACE_KEYS if re.search(k, place)]
    bodies = [squash(b) for b in re.split(r"[,;]", agency) if len(squash(b)) > 4]
    ok = any(b in squash(line) for b in bodies) or any(
        re.search(k, agency) for k in keys if not re.search(k, _FALLBACK_PLACE)
    )
    report.add("place", ok, code, f"{line[:80]} | {agency[:80]}")


def check_catalogue(
    pairs: Iterable[tuple[Any, dict[str, Any]]],
    render: Callable[[Any], Iterable[tuple[str, tuple[str, ...]]]],
) -> FidelityReport:
    """Check ``render(procedure)`` for every (procedure, record) pair."""
    report = FidelityReport()
    for procedure, record in pairs:
        check_card(procedure.code, render(procedure), record, len(procedure.documents), report)
    return report
