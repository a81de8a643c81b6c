"""The flattened portal tables, written here in the crawl's shape with our own wording."""

from knowledge.portal_tables import parse_channels, parse_documents

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


def test_channel_rows_give_time_unit_and_fee_per_channel():
    text = (
        HEADER + "Trực tiếp5 Ngày làm việc50,000 VNĐ(Phí thẩm định hồ sơ)"
        "Trực tuyến3 Ngày làm việcMiễn phíNộp qua cổng"
        "Dịch vụ bưu chính10 NgàyKhông có thông tin"
    )
    options = {o.channel: o for o in parse_channels(text)}
    assert set(options) == {"in_person", "online", "postal"}
    assert (options["in_person"].time_value, options["in_person"].time_unit) == (5, "working_days")
    assert options["in_person"].fee_vnd == 50000
    assert options["online"].fee_vnd == 0
    assert options["postal"].time_unit == "days" and options["postal"].fee_vnd is None


def test_channel_words_inside_a_description_do_not_start_a_row():
    text = HEADER + "Trực tiếp7 Ngày làm việcMiễn phíTrực tiếp tại trụ sở Công an xã."
    (option,) = parse_channels(text)
    assert option.channel == "in_person"
    assert "trụ sở" in option.note


def test_thousands_written_short_are_read_from_the_detail():
    text = HEADER + "Trực tiếp5 Ngày làm việc135 VNĐ(Lệ phí: 135.000 đồng/lần.)"
    (option,) = parse_channels(text)
    assert option.fee_vnd == 135000


def test_documents_split_into_name_kind_count_and_form():
    text = (
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "- Đơn đề nghị theo mẫu số 01 (ban hành kèm Thông tư)Mẫu 01 Đơn đề nghị.docx1 bản chính"
        "- Giấy tờ chứng minh chỗ ở0 bản chính,1 bản sao"
        "* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượngThẻ căn cước1 bản chính"
    )
    first, second, third = parse_documents(text)
    assert first.name.startswith("Đơn đề nghị theo mẫu số 01")
    assert first.form == "Mẫu 01 Đơn đề nghị.docx"
    assert (first.original, first.count) == (True, 1)
    assert (second.original, second.count) == (False, 1)
    assert third.name == "Thẻ căn cước" and third.present_only
