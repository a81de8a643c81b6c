"""Where a card's facts come from: the national record, its date and its page.

Every fact a card states is tied to the record field it was read from, so a reader (or
``motcua ask --json``) can check it against the portal.
"""

from __future__ import annotations

from knowledge.schema import PORTAL_SEARCH_URL, Procedure

# The record field behind each facet of a card.
RECORD_FIELDS = {
    "title": "ten_thu_tuc",
    "documents": "thanh_phan_ho_so",
    "fee": "cach_thuc_thuc_hien",
    "time": "cach_thuc_thuc_hien",
    "online": "cach_thuc_thuc_hien",
    "url": "detail_url",
    "steps": "curated summary (not a record field)",
}


def provenance_line(procedure: Procedure, lang: str = "vi") -> str:
    """ "Theo Cổng Dịch vụ công quốc gia (…): <link>" for the card's foot."""
    url = procedure.url or PORTAL_SEARCH_URL
    if lang == "en":
        when = f" (record read {procedure.source_date})" if procedure.source_date else ""
        return f"Source: National Public Service Portal{when}: {url}"
    when = f" (dữ liệu đọc tháng {procedure.source_date})" if procedure.source_date else ""
    return f"Theo Cổng Dịch vụ công quốc gia{when}: {url}"
