"""Every row of the record's documents table is kept, named as the record names it."""

from knowledge.answer_card import build_card
from knowledge.document_list import full_lines
from knowledge.portal_tables import parse_documents
from knowledge.schema import Procedure

HEAD = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"


def test_a_form_whose_file_name_fused_with_its_name_is_kept():
    text = (
        HEAD + "01 Tờ khai đề nghị cấp giấy (Mẫu NA9).10-Mẫu NA9.doc1 bản chính"
        "Đơn xin thường trú;Mẫu-NA12,-Đơn-xin.-doc.doc1 bản chính"
        "Tờ khai do người đại diện khai và ký tên.m01a.pdf1 bản chính"
    )
    first, second, third = parse_documents(text)
    assert first.name == "01 Tờ khai đề nghị cấp giấy (Mẫu NA9)"
    assert first.form == "10-Mẫu NA9.doc"
    assert second.name == "Đơn xin thường trú" and second.form.startswith("Mẫu-NA12")
    assert third.name.endswith("ký tên") and third.form == "m01a.pdf"


def test_a_count_inside_a_name_does_not_split_the_row():
    (only,) = parse_documents(HEAD + "Giấy phép nhập khẩu: 01 bản chính;1 bản chính")
    assert only.name == "Giấy phép nhập khẩu: 01 bản chính"


def test_rows_keep_their_case_heading_and_the_part_they_belong_to():
    text = (
        "* Giấy tờ phải nộp:Trường hợp ủy quyền" + HEAD + "Văn bản ủy quyền1 bản chính"
        "* Giấy tờ phải xuất trình:" + HEAD + "Thẻ căn cước1 bản chính"
        "* Lưu ý:" + HEAD + "Không phải nộp bản giấy.0 bản chính"
    )
    proxy, card, remark = parse_documents(text)
    assert proxy.group == "Trường hợp ủy quyền" and not proxy.present_only
    assert card.present_only and card.group == ""
    assert remark.group == "Lưu ý" and not remark.present_only and remark.count == 0


def test_a_long_list_is_counted_and_the_full_list_has_every_row():
    rows = "".join(f"Giấy tờ số {i}1 bản chính" for i in range(1, 9))
    documents = parse_documents(HEAD + rows)
    procedure = Procedure("1.000001", "Thủ tục thử", ("province",), "Thử", documents=documents)
    card = build_card(procedure, ["documents"], max_documents=3)
    lines = card.sections[0].lines
    assert lines[0].startswith("Hồ sơ gồm 8 giấy tờ phải nộp")
    assert card.hidden_documents == 5 and "5 giấy tờ khác" in lines[-1]
    assert sum(line.startswith("• ") for line in full_lines(documents)) == 8


def test_a_table_without_heading_after_a_case_is_for_everyone():
    text = (
        "* Trường hợp ủy quyền:" + HEAD + "Văn bản ủy quyền1 bản chính"
        "--" + HEAD + "Thông báo chấm dứt hoạt động.1 bản chính"
    )
    proxy, notice = parse_documents(text)
    assert proxy.group == "Trường hợp ủy quyền" and notice.group == ""
    card = build_card(
        Procedure("1.000001", "Thử", ("commune",), "Thử", documents=(proxy, notice)), ["documents"]
    )
    assert card.sections[0].lines[0].startswith("• Thông báo chấm dứt")  # everyone's paper first


def test_a_form_number_and_a_count_glued_together_are_told_apart():
    text = HEAD + (
        "Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA).1.MuCT01.doc1 bản chính"
        "Đơn đăng ký biến động theo Mẫu số 181 bản chính,1 bản sao"
    )
    form, request = parse_documents(text)
    assert form.name.endswith("53/2025/TT-BCA)") and form.form == "1.MuCT01.doc"
    assert request.name == "Đơn đăng ký biến động theo Mẫu số 18" and request.original
    assert (form.count, form.copies) == (1, 0) and (request.count, request.copies) == (1, 1)


def test_a_paper_asked_as_an_original_and_a_copy_is_listed_with_both():
    # The citizen brings what the card lists: "1 bản chính, 1 bản sao" must not become
    # "1 bản chính" (618 national records ask for both on at least one row).
    (both,) = parse_documents(HEAD + "Bản gốc Giấy chứng nhận đã cấp.1 bản chính,1 bản sao")
    procedure = Procedure("1.000002", "Thử", ("commune",), "Thử", documents=(both,))
    card = build_card(procedure, ["documents"])
    assert card.sections[0].lines[-1].endswith("(1 bản chính, 1 bản sao)")
    english = build_card(procedure, ["documents"], "en")
    assert english.sections[0].lines[-1].endswith("(1 original, 1 copy)")
    (copy,) = parse_documents(HEAD + "Giấy tờ chứng minh chỗ ở0 bản chính,1 bản sao")
    assert (copy.original, copy.count, copy.copies) == (False, 1, 0)


def test_the_card_lists_papers_everyone_needs_before_those_of_a_particular_case():
    from knowledge.schema import Document

    rows = (
        Document("Trường hợp ủy quyền thì nộp văn bản ủy quyền", True, 1),
        Document("Nếu đã có bản điện tử thì không phải nộp bản giấy", True, 0),
        Document("Trường hợp người nước ngoài thì nộp hộ chiếu", True, 1),
        Document("Tờ khai theo mẫu", True, 1),
        Document("Giấy xác nhận của cơ sở y tế", True, 1),
        Document("Đối với hồ sơ trực tuyến, bản chụp phải rõ nét", True, 0),
    )
    procedure = Procedure("9.999999", "Thủ tục thử", ("commune",), "Hộ tịch", documents=rows)
    card = build_card(procedure, ["documents"], max_documents=3).render()
    first, second, third = [line for line in card.splitlines() if line.startswith("• ")]
    assert (first, second) == (
        "• Tờ khai theo mẫu (1 bản chính)",
        "• Giấy xác nhận của cơ sở y tế (1 bản chính)",
    )
    assert third.startswith("• Trường hợp")
    # what the full list adds is counted as it is: one paper, two remarks, not "3 papers"
    assert "còn 1 giấy tờ khác, 2 ghi chú" in card


def test_an_english_card_counts_one_paper_and_one_remark_in_the_singular():
    # Seen trying the product: "The file has 5 papers to hand in, with 1 remarks" and
    # "… plus 1 papers, 1 remarks".
    from knowledge.schema import Document

    rows = (
        Document("Tờ khai theo mẫu", True, 1),
        Document("Giấy xác nhận của cơ sở y tế", True, 1),
        Document("Đối với hồ sơ trực tuyến, bản chụp phải rõ nét", True, 0),
    )
    procedure = Procedure("9.999999", "Thủ tục thử", ("commune",), "Hộ tịch", documents=rows)
    card = build_card(procedure, ["documents"], "en", max_documents=1).render()
    assert "The file has 2 papers to hand in, with 1 remark; the first 1:" in card
    assert "… plus 1 paper, 1 remark (tap «All documents»)" in card
