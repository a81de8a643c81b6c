"""Where to file comes from the record's agency, mapped to the citizen's place."""

import pytest

from knowledge.answer_card import build_card
from knowledge.catalogue_files import embedded_catalogue
from knowledge.places import place_for
from knowledge.schema import Procedure


def place(agency: str, name: str = "Thủ tục thử", levels=("province",), field: str = "Thử"):
    return place_for(Procedure("1.000001", name, levels, field, agency=agency))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1.014061", "Công an Phường Từ Sơn"),  # first ID card: commune police
        ("1.004222", "Công an Phường Từ Sơn"),  # permanent residence
        ("1.001456", "Phòng Quản lý xuất nhập cảnh, Công an tỉnh Bắc Ninh"),  # passport
        ("3.000333", "Công an tỉnh Bắc Ninh"),  # criminal record: not Sở Tư pháp
        ("3.000347", "Phòng Cảnh sát giao thông, Công an tỉnh Bắc Ninh"),  # driving licence
        ("1.013978", "Văn phòng Đăng ký đất đai tỉnh Bắc Ninh"),  # land, households
        ("1.000894", "UBND Phường Từ Sơn"),  # marriage: civil status at the commune
        ("2.001583", "Sở Tài chính (quầy tại Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh)"),
    ],
)
def test_the_place_follows_the_agency_and_the_citizen_s_commune(code, expected):
    procedure = embedded_catalogue().get(code)
    card = build_card(procedure, ["place"], commune="Phường Từ Sơn")
    (section,) = card.sections
    assert section.lines[0].startswith(expected)


def test_a_central_body_is_named_only_when_no_local_body_handles_it():
    assert place("Cục cảnh sát giao thông, Công an tỉnh, Công an cấp Xã").level != "central"
    assert place("Cục quản lý xuất nhập cảnh", levels=("central",)).level == "central"


def test_an_agency_without_a_rule_is_named_as_the_record_names_it():
    found = place("Trung tâm Thông tin Công nghiệp", levels=("province",))
    assert "Trung tâm Thông tin Công nghiệp" in found.text("vi")


def test_without_an_agency_the_field_and_level_decide():
    assert place("", levels=("commune",), field="Hộ tịch").text("vi").startswith("UBND xã")
