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


def test_a_record_whose_document_list_could_not_be_read_sends_to_its_portal_page():
    """An empty list is what the import could read, not what the portal says: the card must
    not tell the citizen that no paper is needed or listed, and must give the page."""
    from dataclasses import replace

    unread = replace(embedded_catalogue().get("1.004194"), documents=())
    for lang, page in (("vi", "Cổng DVC"), ("en", "national portal")):
        card = build_card(unread, ["documents"], lang)
        documents = next(s for s in card.sections if s.facet == "documents")
        text = " ".join(documents.lines)
        assert page in text and ("hỏi cán bộ" in text or "ask the desk" in text)
        assert "chưa ghi" not in text and "lists no" not in text
        assert "dichvucong.gov.vn" in card.render()
