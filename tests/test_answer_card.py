from knowledge.answer_card import build_card
from knowledge.catalogue_files import embedded_catalogue


def test_a_question_about_fees_gets_the_fee_first():
    passport = embedded_catalogue().get("1.001456")
    card = build_card(passport, ["fee"], "vi")
    assert [s.facet for s in card.sections] == ["fee", "place"]
    text = card.render()
    assert "200.000 đồng" in text and "160.000 đồng" in text
    assert "Trực tuyến" in text


def test_a_plain_question_gets_the_whole_card_with_the_portal_link():
    card = build_card(embedded_catalogue().get("1.004194"), [], "vi")
    facets = [s.facet for s in card.sections]
    assert facets == ["steps", "documents", "fee", "time", "place", "online"]
    assert "dichvucong.gov.vn" in card.render()


def test_english_card_and_long_document_lists_are_summarised():
    birth = embedded_catalogue().get("1.001193")
    card = build_card(birth, ["documents"], "en", max_documents=2)
    assert card.sections[0].title == "Documents to prepare"
    assert card.hidden_documents == len(birth.documents) - 2
    notes = sum(d.count == 0 for d in birth.documents)
    papers = len(birth.documents) - notes - 2
    assert f"… plus {papers} papers, {notes} remarks (tap «All documents»)" in card.render()


def test_an_english_card_names_the_procedure_in_english_and_as_published():
    card = build_card(embedded_catalogue().get("1.014064"), ["fee"], "en").render()
    assert card.startswith("📄 Re-issue of identity card — Cấp lại thẻ căn cước (code 1.014064)")
    vietnamese = build_card(embedded_catalogue().get("1.014064"), ["fee"], "vi").render()
    assert vietnamese.startswith("📄 Cấp lại thẻ căn cước (mã 1.014064)")
