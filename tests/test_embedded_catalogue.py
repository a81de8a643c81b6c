"""The embedded catalogue: facts generated from the national records, curated words on top."""

import gzip
import json
import re

import pytest

from knowledge.catalogue_files import embedded_catalogue
from knowledge.embedded_build import PACKAGE_DATA, build_embedded, facts_only, read_curated
from knowledge.portal_import import procedure_from_record


@pytest.fixture(scope="module")
def national_records(national_path):
    with gzip.open(national_path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {r["ma_thu_tuc"]: r for r in reversed(rows)}


def test_every_embedded_fact_is_its_national_record_s(national_records):
    for procedure in embedded_catalogue():
        record = national_records[procedure.code]
        imported = facts_only(procedure_from_record(record)).to_dict()
        ours = facts_only(procedure).to_dict()
        ours.pop("source_date"), imported.pop("source_date")
        differing = [key for key in ours if ours[key] != imported[key]]
        assert not differing, f"{procedure.code}: {differing} differ from the national record"


def test_the_generated_file_is_what_the_generator_writes(national_path):
    written = json.loads((PACKAGE_DATA / "procedures.json").read_text("utf-8"))
    generated = json.loads(json.dumps(build_embedded(national_path, read_curated())))
    assert written == generated
    assert "Cổng Dịch vụ công quốc gia" in written["attribution"]["source"]


# Words that name an office, a fee, a time or a paper: a summary may use one only where the
# procedure's official name does.
_FACT_WORDS = re.compile(
    r"UBND|[ỦủUu]y ban|[Cc]ông an|\bSở\b|\bPhòng\b|\bCục\b|Trung tâm|Văn phòng|phí|\d\s*đồng"
    r"|\d+\s*(?:ngày|tháng|giờ|năm)|bản sao|bản chính|nộp lại|mang theo|kèm theo"
)


def test_curated_summaries_state_no_office_fee_time_or_document():
    for procedure in embedded_catalogue():
        for word in _FACT_WORDS.findall(procedure.summary):
            assert word.lower() in procedure.name.lower(), (procedure.code, word)


def test_curated_words_sit_on_the_variant_they_describe():
    catalogue = embedded_catalogue()
    households, organisations = catalogue.get("1.013978"), catalogue.get("1.012753")
    assert "hộ gia đình" in households.name and "hộ gia đình" in households.summary
    assert "tổ chức" in organisations.name and "tổ chức" in organisations.summary
    assert "làm sổ đỏ lần đầu" in households.aliases
    assert "làm sổ đỏ lần đầu" not in organisations.aliases
    assert set(read_curated()) == {p.code for p in catalogue}
