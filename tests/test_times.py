"""Times per channel row, always with a unit, with the case when rows differ."""

from knowledge.answer_card import build_card
from knowledge.portal_tables import parse_channels
from knowledge.schema import Procedure
from knowledge.times import read_time

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


def card_lines(table: str, facet: str = "time") -> tuple[str, ...]:
    procedure = Procedure(
        "1.000001", "Thủ tục thử", ("province",), "Thử", channels=parse_channels(table)
    )
    (section, *_) = build_card(procedure, [facet]).sections
    return section.lines


def test_a_bare_number_is_never_shown_alone():
    (option,) = parse_channels(HEADER + "Trực tiếp1Miễn phí")
    reading = read_time(option)
    assert reading is not None and reading.text != "1" and "không ghi đơn vị" in reading.text


def test_a_bare_number_takes_its_unit_from_the_row_description():
    (option,) = parse_channels(HEADER + "Trực tiếp2Miễn phíTrong thời hạn 02 ngày làm việc.")
    assert read_time(option).text == "2 ngày làm việc"


def test_rows_of_one_channel_that_differ_state_their_cases():
    lines = card_lines(
        HEADER + "Trực tiếp7 Ngày làm việcMiễn phí+ Cấp biển số trúng đấu giá: Không quá 07 ngày "
        "làm việc;Trực tiếp2 Ngày làm việcMiễn phí+ Cấp chứng nhận đăng ký xe: Không quá 02 ngày "
        "làm việc."
    )
    assert len(lines) == 2
    assert lines[0].startswith("Trực tiếp: 7 ngày làm việc — Cấp biển số trúng đấu giá")
    assert lines[1].startswith("Trực tiếp: 2 ngày làm việc — Cấp chứng nhận đăng ký xe")


def test_channels_that_agree_share_one_line():
    lines = card_lines(HEADER + "Trực tuyến5 Ngày làm việcMiễn phíTrực tiếp5 Ngày làm việcMiễn phí")
    assert lines == ("5 ngày làm việc",)


def test_one_row_whose_description_names_several_cases_states_each_with_its_time():
    lines = card_lines(
        HEADER + "Trực tuyến2 NgàyMiễn phí- Thời hạn giải quyết: + Cấp chứng nhận đăng ký xe: "
        "Không quá 02 ngày làm việc. + Cấp biển số trúng đấu giá: Không quá 07 ngày làm việc."
    )
    (line,) = lines
    assert "02 ngày làm việc" in line and "trúng đấu giá: Không quá 07 ngày làm việc" in line
