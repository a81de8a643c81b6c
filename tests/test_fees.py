"""Fee cells read as the record states them (cells written here in the crawl's shape)."""

from datetime import date

from knowledge.fees import read_fee
from knowledge.portal_tables import parse_channels

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
TODAY = date(2026, 11, 30)


def fee_line(row: str, today: date = TODAY) -> str:
    (option,) = parse_channels(HEADER + row)
    return read_fee(option, today).render("vi")


def test_free_with_a_note_that_hands_the_fee_to_the_council_is_not_free():
    line = fee_line(
        "Trực tiếp3 Ngày làm việcMiễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết "
        "định. Miễn lệ phí cho người thuộc hộ nghèo.)"
    )
    assert not line.startswith("Miễn phí")
    assert "HĐND tỉnh quyết định" in line and "được miễn" in line


def test_free_with_a_note_that_states_the_amount_gives_the_amount():
    line = fee_line("Trực tiếp5 Ngày làm việcMiễn phí(Lệ phí cấp giấy phép: 135.000 đồng/lần.)")
    assert line.startswith("135.000 đồng/lần")


def test_free_with_an_empty_note_stays_free():
    assert fee_line("Trực tuyến2 Ngày làm việcMiễn phí(Không quy định.)") == "Miễn phí"


def test_a_dated_reduction_is_applied_while_in_force_and_stated():
    row = (
        "Trực tiếp7 Ngày làm việc70,000 Việt Nam Đồng(Cấp lại thẻ: 70.000 đồng/thẻ. Kể từ ngày "
        "01/7/2025 đến hết ngày 31/12/2026 mức thu lệ phí bằng 50% mức thu nêu trên.)"
    )
    line = fee_line(row)
    assert line.startswith("35.000 đồng/thẻ — giảm 50 % đến hết 31/12/2026")
    assert "70.000 đồng" in line
    assert fee_line(row, date(2027, 1, 1)).startswith("70.000 đồng/thẻ")


def test_usd_fees_and_fees_after_an_unknown_time_are_kept():
    assert fee_line("Trực tiếp5 Ngày làm việc10 USD(/lần)") == "10 USD/lần"
    assert fee_line("Trực tiếpKhông có thông tin9,000,000 Việt Nam Đồng").startswith(
        "9.000.000 đồng"
    )


def test_an_amount_whose_period_has_ended_is_not_given_as_today_s():
    line = fee_line(
        "Trực tiếp5 Ngày làm việcMiễn phí(- Lệ phí: 135.000 đồng/lần. - Trực tuyến: Kể từ ngày "
        "01/12/2023 đến hết ngày 31/12/2025, áp dụng mức thu lệ phí là 115.000 đồng/lần cấp.)"
    )
    assert line.startswith("135.000 đồng/lần") and "115.000 đồng/lần cấp (" not in line
    assert "hoặc 115.000" not in line


def test_no_information_is_said_only_when_the_record_has_none():
    assert fee_line("Trực tiếp10 NgàyKhông có thông tin") == "Chưa có thông tin"


def test_a_waived_fee_with_another_charge_named_is_neither_free_nor_unknown():
    line = fee_line(
        "Trực tiếp1Miễn phí((Miễn lệ phí. Phí cấp bản sao Trích lục (nếu có yêu cầu) thực hiện "
        "theo Thông tư số 281/2016/TT-BTC.))"
    )
    assert line.startswith("Miễn lệ phí; ghi chú nêu thêm khoản phí khác")
    assert "«Miễn lệ phí. Phí cấp bản sao" in line


def test_an_english_card_says_in_english_who_sets_the_fee():
    # Found trying the product: "A fee may apply; mức cụ thể do HĐND tỉnh quyết định; …".
    (option,) = parse_channels(
        HEADER + "Trực tiếp5 Ngày làm việcMiễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh "
        "quyết định. Miễn lệ phí cho người thuộc hộ nghèo.)"
    )
    line = read_fee(option, TODAY).render("en")
    assert line.startswith(
        "A fee may apply; the exact amount is set by the Provincial People's Council; "
        "some people are exempt (portal note: «Mức lệ phí cụ thể"
    )
