"""Every card, for all 2,642 national records, states only what its record says."""

import gzip
import json

import pytest

from knowledge.answer_card import build_card
from knowledge.fidelity import FidelityReport, check_card, check_catalogue
from knowledge.portal_import import procedure_from_record


@pytest.fixture(scope="module")
def report(national_path) -> FidelityReport:
    with gzip.open(national_path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    records = {r["ma_thu_tuc"]: r for r in reversed(rows)}
    pairs = [(procedure_from_record(r), r) for r in records.values()]

    def render(procedure):
        return [(s.facet, s.lines) for s in build_card(procedure, None, "vi").sections]

    return check_catalogue(pairs, render)


@pytest.mark.parametrize("field", ["fee", "free", "time", "documents", "documents_kept"])
def test_every_amount_time_and_document_is_the_record_s(report, field):
    assert report.checked[field] > 500
    assert report.failures(field) == [], report.failures(field)[:5]


def test_the_office_named_is_one_the_record_lists(report):
    assert report.rate("place") >= 0.99, report.failures("place")[:5]


def test_the_check_catches_a_free_card_over_a_fee_note():
    record = {
        "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3 Ngày làm việc"
        "Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.)",
        "thanh_phan_ho_so": "",
    }
    report = FidelityReport()
    check_card("1.000001", [("fee", ("Miễn phí",)), ("time", ("1",))], record, None, report)
    assert report.failed["free"] == 1 and report.failed["time"] == 1
