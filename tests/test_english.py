"""English questions (issue 14): the term list names most of the catalogue, everyday English
words reach the catalogue's formal terms, and country names mark a foreign element."""

from knowledge.catalogue_files import load_catalogue
from knowledge.english import EnglishNames, TermList, default_terms
from knowledge.lexicon import default_lexicon
from knowledge.schema import Procedure
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
