"""English questions (issue 14): the term list names most of the catalogue, everyday English
words reach the catalogue's formal terms, and country names mark a foreign element."""

from knowledge.catalogue_files import load_catalogue
from knowledge.english import (
    EnglishGloss,
    EnglishNames,
    TermList,
    default_terms,
    shown_english_name,
)
from knowledge.lexicon import default_lexicon
from knowledge.retriever import RetrievalSettings, Retriever
from knowledge.schema import Catalogue, Procedure
from knowledge.text import syllables

TERMS = "cấp lại\tre-issue of\treplace; new copy\nthẻ căn cước\tidentity card\tID card\n"


def _proc(code: str, name: str) -> Procedure:
    return Procedure(code, name, ("province",), "Thử")


def test_everyday_synonyms_are_matched_but_never_shown():
    terms = TermList.parse(TERMS)
    names = EnglishNames([_proc("1", "Cấp lại thẻ căn cước")], terms)
    assert names.shown("1") == "Re-issue of identity card"
    assert "replace" in names.matching_text(0) and "ID card" in names.matching_text(0)
    # The action of the name is read on the name alone, not on its synonyms.
    assert names.name_text(0) == "Re-issue of identity card"


def test_an_everyday_english_word_finds_the_formal_procedure(lexical_retriever):
    # "police check" is what many expats call the judicial record certificate.
    result = lexical_retriever.search("where do I apply for a police check for my new job")
    assert "lý lịch tư pháp" in result.hits[0].procedure.name.lower()


def test_the_term_list_names_most_of_the_national_catalogue(national_path):
    catalogue = list(load_catalogue(national_path))
    names = EnglishNames(catalogue, default_terms())
    # 1,117 of 2,642 before the third pass over the names' untranslated words.
    assert names.covered() >= 2000
    sample = next(
        p
        for p in catalogue
        if p.name == "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp trung ương)"
    )
    assert names.shown(sample.code) == "Report lost ordinary passport (central level)"


def test_english_country_names_mark_a_foreign_element():
    lexicon = default_lexicon()
    for typed in ("australia", "united states", "korea"):
        (hit,) = lexicon.find(syllables(typed))
        assert hit.expansions == ("nước ngoài",), typed
    # Vietnamese texting ("uk" = yes, "trc" = before) is not read as English.
    assert lexicon.find(syllables("uk trc em có hỏi rồi")) == []


def test_an_english_question_reads_to_the_encoder_in_english(lexical_retriever):
    # Given the catalogue's accents, "the" is "thẻ" (card), "my" "mỹ" (America), "to" "tổ":
    # meanings the citizen never wrote. Vietnamese words in the question still get theirs.
    question = "What documents do I need to get the tam tru card for my wife?"
    analyzed = lexical_retriever.analyzer.analyze(question)
    assert analyzed.language == "en"
    words = analyzed.dense_text.split()
    assert {"the", "my", "to"} <= set(words)
    assert not {"thẻ", "mỹ", "tổ"} & set(words)
    assert "tạm trú" in analyzed.dense_text  # the Vietnamese words get their accents back
    vietnamese = lexical_retriever.analyzer.analyze("lam the can cuoc cho con")
    assert "thẻ" in vietnamese.dense_text.split()  # a Vietnamese question is read as before


def test_an_english_question_is_glossed_in_the_words_the_catalogue_uses():
    terms = TermList.parse(
        "thẻ tạm trú\ttemporary residence card\tTRC; residence permit\n"
        "giấy chứng nhận\tcertificate\nchứng chỉ\tcertificate\n"
        "hộ chiếu\tpassport\nthị thực\tvisa\n"
    )
    names = [
        "Cấp thẻ tạm trú cho người nước ngoài",
        "Cấp giấy chứng nhận quyền sử dụng đất",
        "Cấp đổi giấy chứng nhận đăng ký kinh doanh",
        "Cấp chứng chỉ hành nghề",
        "Cấp hộ chiếu phổ thông",
    ]
    gloss = EnglishGloss.learn(terms, names)
    # Read backwards, on stems, the question's function words aside; of the two terms
    # called "certificate", the one more names use; synonyms lead to their term too.
    asked = "How do I renew the temporary residence cards and get certificates?"
    assert gloss.vietnamese(asked) == ["thẻ tạm trú", "giấy chứng nhận"]
    assert gloss.vietnamese("my TRC expired") == ["thẻ tạm trú"]
    assert gloss.vietnamese("lost passport, my residence permit too") == ["hộ chiếu", "thẻ tạm trú"]
    # A term no procedure's name uses leads nowhere and is never given.
    assert gloss.vietnamese("do I need a visa") == []


def test_an_english_question_finds_the_record_by_its_vietnamese_words(national_retriever):
    # The English names said "certificate … change of name" for several land records; the
    # gloss reads "change", "name" and "land" as the catalogue writes them ("thay đổi", "tên",
    # "đất") and finds the registration of a change of name (land parcels came first).
    result = national_retriever.search("how to change the name on my land certificate")
    assert "đổi tên" in result.hits[0].procedure.name


def test_an_english_question_is_ranked_by_meaning_with_its_gloss(national_path, encoder):
    # Cross-lingual cosines put "report a lost passport" first for a passport wanted; the
    # question's terms read in Vietnamese ("hộ chiếu") rank the issue of one first.
    passports = {"1.001445", "1.001456", "1.001471", "1.010382", "1.010384", "1.010385"}
    passports |= {"1.010386", "2.000539"}
    records = [p for p in load_catalogue(national_path) if p.code in passports]
    retriever = Retriever(Catalogue(records), encoder)
    result = retriever.search("how do I get a vietnamese passport for my little son")
    assert result.hits[0].procedure.name.startswith("Cấp hộ chiếu phổ thông")
    # Ranked by the question's own cosines alone, the lost-passport report came first.
    unglossed = Retriever(Catalogue(records), encoder, settings=RetrievalSettings(gloss_weight=0))
    first = unglossed.search("how do I get a vietnamese passport for my little son").hits[0]
    assert first.procedure.name.startswith("Trình báo mất")


def test_an_english_name_does_not_open_with_procedure():
    # Many names open with "Thủ tục" (procedure), which said nothing in English: a choice
    # read "Procedure registration of death".
    death = Procedure("1.000656", "Thủ tục đăng ký khai tử", ("commune",), "Hộ tịch")
    assert shown_english_name(death) == "Registration of death"
    land = Procedure("9", "Thủ tục hành chính về đất đai", ("commune",), "Đất đai")
    assert shown_english_name(land) == "Administrative procedure on land"
