"""Importer for the National Public Service Portal's crawl format (JSON lines, gzip or plain).

A bad line never aborts an import: it is reported with its line number, skipped and counted.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from knowledge.portal_tables import parse_channels, parse_documents
from knowledge.schema import Catalogue, Level, Procedure
from knowledge.text import normalize, visible_nfc

_EMPTY = {"", "--", "không có thông tin", "không có", "không"}
_LEVELS: dict[str, Level] = {
    "cấp bộ": "central",
    "cấp tỉnh": "province",
    "cấp xã": "commune",
    "cơ quan khác": "other",
}
_CODE_RE = re.compile(r"^\d+\.\d{6}$")
_FULL_ONLINE_RE = re.compile(r"toàn trình", re.IGNORECASE)
_PARTIAL_ONLINE_RE = re.compile(r"(một phần|mức độ 3)", re.IGNORECASE)
_LEGAL_CODE_RE = re.compile(r"\d{1,4}/\d{4}/[A-ZĐ]+(?:-[A-ZĐ]+)*\d{0,2}(?![a-zà-ỹđ])")


class RecordError(ValueError):
    """A portal record that cannot become a procedure."""


@dataclass(slots=True)
class ImportReport:
    """What an import read, kept, skipped, and how well each structured field parsed."""

    lines: int = 0
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    parsed: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return len(self.errors)

    def rate(self, name: str) -> float:
        """Share of imported procedures in which field ``name`` was parsed."""
        return self.parsed.get(name, 0) / self.imported if self.imported else 0.0

    def count(self, procedure: Procedure) -> None:
        self.imported += 1
        checks = {
            "documents": bool(procedure.documents),
            "channels": bool(procedure.channels),
            "time": any(o.time_value is not None and o.time_unit for o in procedure.channels),
            "fee": any(o.fee_vnd is not None for o in procedure.channels),
            "agency": bool(procedure.agency),
            "legal_basis": bool(procedure.legal_basis),
            "conditions": bool(procedure.conditions),
            "result": bool(procedure.result),
            "online_level": procedure.online_level is not None,
        }
        for name, ok in checks.items():
            self.parsed[name] = self.parsed.get(name, 0) + int(ok)


def _clean(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    text = normalize(value)
    return "" if text.lower() in _EMPTY else text


def _levels(raw: str) -> tuple[Level, ...]:
    levels = []
    for part in raw.split(","):
        level = _LEVELS.get(part.strip().lower())
        if level and level not in levels:
            levels.append(level)
    return tuple(levels)


def _result(raw: str) -> str:
    # The crawl appends the page's agency picker after the result's name and code.
    return _clean(re.split(r"Mã:|Từ khóa|Chọn cơ quan", raw, maxsplit=1)[0])


def _online_level(raw_text: str) -> Literal["full", "partial"] | None:
    if _FULL_ONLINE_RE.search(raw_text):
        return "full"
    if _PARTIAL_ONLINE_RE.search(raw_text):
        return "partial"
    return None


def procedure_from_record(record: dict[str, Any]) -> Procedure:
    """Turn one portal record into a :class:`Procedure`, or raise :class:`RecordError`."""
    if not isinstance(record, dict):
        raise RecordError("not a JSON object")
    code = _clean(record.get("ma_thu_tuc"))
    name = _clean(record.get("ten_thu_tuc"))
    if not _CODE_RE.match(code):
        raise RecordError(f"missing or malformed procedure code {code!r}")
    if not name:
        raise RecordError(f"procedure {code} has no name")
    levels = _levels(_clean(record.get("cap_thuc_hien")))
    legal = tuple(dict.fromkeys(_LEGAL_CODE_RE.findall(record.get("can_cu_phap_ly") or "")))
    return Procedure(
        code=code,
        name=name,
        levels=levels,
        field=_clean(record.get("linh_vuc")),
        applicants=_clean(record.get("doi_tuong_thuc_hien")),
        agency=_clean(record.get("co_quan_thuc_hien")),
        documents=parse_documents(visible_nfc(record.get("thanh_phan_ho_so") or "")),
        channels=parse_channels(visible_nfc(record.get("cach_thuc_thuc_hien") or "")),
        steps=_clean(record.get("trinh_tu_thuc_hien")),
        conditions=_clean(record.get("yeu_cau_dieu_kien")),
        legal_basis=legal,
        result=_result(visible_nfc(record.get("ket_qua_xu_ly") or "")),
        url=_clean(record.get("detail_url")),
        online_level=_online_level(record.get("raw_text") or ""),
        decision=_clean(record.get("so_quyet_dinh")),
    )


def _open_lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        yield from handle


def crawl_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """The crawl's records as parsed JSON, in file order (``.jsonl`` or ``.jsonl.gz``; blank
    lines skipped), for tools that read fields the import leaves out (the page text)."""
    for line in _open_lines(Path(path)):
        if line.strip():
            yield json.loads(line)


def import_lines(lines: Iterable[str]) -> tuple[Catalogue, ImportReport]:
    """Import portal JSON lines; duplicates of a code keep the first record."""
    report = ImportReport()
    procedures: dict[str, Procedure] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        report.lines += 1
        try:
            procedure = procedure_from_record(json.loads(line))
        except json.JSONDecodeError as exc:
            report.errors.append((number, f"invalid JSON: {exc.msg} at column {exc.colno}"))
            continue
        except RecordError as exc:
            report.errors.append((number, str(exc)))
            continue
        if procedure.code in procedures:
            report.errors.append((number, f"duplicate procedure code {procedure.code}"))
            continue
        procedures[procedure.code] = procedure
        report.count(procedure)
    return Catalogue(list(procedures.values())), report


def import_portal_file(path: str | Path) -> tuple[Catalogue, ImportReport]:
    """Import a portal crawl file (``.jsonl`` or ``.jsonl.gz``)."""
    path = Path(path)
    catalogue, report = import_lines(_open_lines(path))
    catalogue.source = str(path)
    return catalogue, report
