"""Retrieval as citizens meet it: the embedded catalogue, with and without the encoder."""

import json

import pytest

from knowledge.catalogue_files import embedded_catalogue, load_catalogue
from knowledge.retriever import Retriever
from tests.toy_catalogue import catalogue_of

CASES = [
    ("lam cccd lan dau", "1.014061"),
    ("đkks cho bé mất bao lâu ad", "1.001193"),
    ("xin lý lịch tư pháp", "3.000333"),
    ("đăng ký tạm trú cho người thuê trọ", "1.004194"),
    ("sang ten so do", "1.013831"),
    ("mat bang lai xe", "3.000348"),
    ("How do I register a marriage?", "1.000894"),
]


@pytest.mark.parametrize("question, code", CASES)
def test_hybrid_answers_common_questions(hybrid_retriever, question, code):
    result = hybrid_retriever.search(question)
    assert result.best.procedure.code == code
    assert result.decision in ("answer", "choose")


@pytest.mark.parametrize("question, code", CASES)
def test_lexical_only_still_finds_them_in_the_top_three(lexical_retriever, question, code):
    result = lexical_retriever.search(question)
    assert code in [h.procedure.code for h in result.hits[:3]]


def test_typing_without_diacritics_ranks_like_typing_with_them(hybrid_retriever):
    pairs = [
        ("Đăng ký kết hôn cần giấy tờ gì", "dang ky ket hon can giay to gi"),
        ("cấp đổi thẻ căn cước", "cap doi the can cuoc"),
        ("đăng ký hộ kinh doanh", "dang ky ho kinh doanh"),
    ]
    for accented, plain in pairs:
        a = hybrid_retriever.search(accented).best.procedure.code
        b = hybrid_retriever.search(plain).best.procedure.code
        assert a == b, (accented, plain)


def test_a_typo_is_repaired(lexical_retriever):
    result = lexical_retriever.search("dang ky ket honn")
    assert result.query.corrections == {"honn": "hon"}
    assert result.best.procedure.code == "1.000894"


def test_a_short_misspelt_word_is_repaired_by_its_neighbour(lexical_retriever):
    # Three letters are too few to guess from alone; the word next to them decides.
    result = lexical_retriever.search("dang ky khai sih cho con")
    assert result.query.corrections == {"sih": "sinh"}
    assert result.query.dense_text.startswith("đăng ký khai sinh")  # the encoder reads it right
    assert (
        result.best.procedure.code
        == lexical_retriever.search("dang ky khai sinh").best.procedure.code
    )
    # An unknown short word with no telling neighbour stays as typed.
    assert lexical_retriever.search("xyq").query.corrections == {}


def test_words_run_together_are_split(lexical_retriever):
    analyze = lexical_retriever.analyzer.analyze
    assert analyze("đăng ký khaisinh cho con").dense_text == "đăng ký khai sinh cho con"
    assert analyze("gia hạn tạmtrú").dense_text == analyze("gia hạn tạm trú").dense_text
    merged = lexical_retriever.search("lam lai bang laixe").best.procedure.code
    assert merged == lexical_retriever.search("lam lai bang lai xe").best.procedure.code
    # Abbreviations the lexicon knows are not syllables run together.
    assert analyze("lam cccd").tokens == ["lam", "cccd"]


def test_the_neighbours_choose_between_equally_close_words(lexical_retriever):
    # "thuog" is one letter from both "thuộc" and "thường"; "trú" says which.
    result = lexical_retriever.search("dang ky thuog tru")
    assert result.query.corrections == {"thuog": "thuong"}
    assert result.query.dense_text == "đăng ký thường trú"
    assert result.best.procedure.code == "1.004222"
    tinh_trang = lexical_retriever.analyzer.analyze("xác nhận tình trạg hôn nhân")
    assert tinh_trang.dense_text == "xác nhận tình trạng hôn nhân"


def test_a_real_word_is_corrected_only_when_its_accents_give_it_away(lexical_retriever):
    analyze = lexical_retriever.analyzer.analyze
    # "dan" is a word, but nothing is ever written "đăn": a letter was dropped from "đăng".
    assert analyze("đăn ký kết hôn").dense_text == "đăng ký kết hôn"
    # Typed without accents, "vo" may well be "vợ": it stays.
    assert analyze("dang ky tam tru cho vo").corrections == {}


def test_names_and_english_words_are_not_corrected(lexical_retriever):
    analyze = lexical_retriever.analyzer.analyze
    assert "Yên Phong" in analyze("Em ở trọ ở Yên Phong đăng ký tạm trú").dense_text
    assert analyze("How do I regster a birth").corrections == {}


def test_courtesies_around_a_question_do_not_change_what_the_encoder_reads(hybrid_retriever):
    bare = hybrid_retriever.search("đăng ký tạm trú cho con")
    for wrapped in (
        "cho em hỏi đăng ký tạm trú cho con ạ",
        "ad ơi đăng ký tạm trú cho con với",
        "chị ơi đăng ký tạm trú cho con vậy",
        "chi oi đăng ký tạm trú cho con",
    ):
        result = hybrid_retriever.search(wrapped)
        assert result.query.dense_text == bare.query.dense_text  # one cache entry serves all
        assert result.best.procedure.code == bare.best.procedure.code
    # Words that only look like courtesies once folded stay: "nhà" is not "nha".
    assert hybrid_retriever.search("xin giấy phép xây nhà").query.dense_text.startswith(
        "giấy phép xây nhà"
    )
    # A greeting typed with accents doesn't make an unaccented question an accented one.
    plain = hybrid_retriever.search("dang ky tam tru cho con").query.dense_text
    assert hybrid_retriever.search("cho mình hỏi dang ky tam tru cho con").query.dense_text == plain
    # Typed without accents, a final "vay" may be a loan ("hồ sơ vay"): it stays.
    assert hybrid_retriever.search("lam ho so vay").query.dense_text.endswith("vay")
    # A message of courtesies only is left as it is.
    assert hybrid_retriever.search("cho em hỏi ạ").query.dense_text


def test_facets_are_detected_and_not_read_as_content(hybrid_retriever):
    result = hybrid_retriever.search("lam passport mat bao lau")
    assert result.facets == ["time"]
    assert result.best.procedure.code == "1.001456"  # "mất" here is "how long", not "lost"


@pytest.mark.parametrize(
    "question",
    [
        "hôm nay trời có mưa không",
        "Can you recommend a nice hotel near the lake for the weekend?",
    ],
)
def test_out_of_scope_questions_are_not_guessed(hybrid_retriever, question):
    assert hybrid_retriever.search(question).decision == "abstain"


def test_close_candidates_are_offered_as_a_choice(hybrid_retriever):
    result = hybrid_retriever.search("báo mất hộ chiếu")
    assert result.decision == "choose"
    codes = {h.procedure.code for h in result.choices}
    assert {"1.010386", "1.001445"} <= codes


def test_long_messages_are_read_without_failing(hybrid_retriever):
    result = hybrid_retriever.search("xin chào " * 500 + "đăng ký khai sinh")
    assert result.decision in ("answer", "choose", "abstain")


def test_empty_message_abstains(hybrid_retriever):
    assert hybrid_retriever.search("   ").decision == "abstain"


@pytest.mark.parametrize(
    "text, language",
    [
        ("lam cccd lan dau can giay to gi", "vi"),  # "can", "to" are also English words
        ("the can cuoc bi mat", "vi"),
        ("dkks cho be mat bao lau ad", "vi"),
        ("lam passport mat bao lau", "vi"),
        ("Làm căn cước", "vi"),
        ("How do I register a birth?", "en"),
        ("extend temporary residence for foreigner", "en"),
        ("hello", "en"),
        # An English sentence may carry an accented word; Vietnamese accents most of its own.
        ("My fiancée and I want to register our marriage, what papers do we need?", "en"),
        ("I live in Bắc Ninh and need a copy of my birth certificate", "en"),
        ("cho em hỏi làm cccd", "vi"),
        ("mất cccd", "vi"),
        ("lam the can cuoc o đâu", "vi"),
    ],
)
def test_the_language_of_a_question(text, language):
    from knowledge.query import guess_language

    assert guess_language(text) == language


def test_the_spellers_counts_are_kept_on_disk_and_read_back(tmp_path):
    catalogue = load_catalogue(None)
    first = Retriever(catalogue, None, tmp_path)
    files = list(tmp_path.glob("speller-*.json"))
    assert len(files) == 1
    again = Retriever(catalogue, None, tmp_path)
    assert again.analyzer.speller.vocabulary == first.analyzer.speller.vocabulary
    assert again.analyzer.analyze("dang ky thuog tru").corrections == {"thuog": "thuong"}
    files[0].write_text("{not json", "utf-8")  # a damaged cache is ignored and rewritten
    damaged = Retriever(catalogue, None, tmp_path)
    assert damaged.analyzer.analyze("dang ky thuog tru").corrections == {"thuog": "thuong"}
    assert json.loads(files[0].read_text("utf-8"))["counts"]


def test_accents_and_bound_words_are_kept_on_disk_and_read_back(tmp_path):
    # A cold start reads the accent table and the name pairs instead of relearning them.
    catalogue = load_catalogue(None)
    question = "dang ky khai sinh cho con o dau"
    fresh = Retriever(catalogue, None, tmp_path).analyzer.analyze(question)
    assert "đăng ký khai sinh" in fresh.dense_text
    files = list(tmp_path.glob("words-*.json"))
    assert len(files) == 1
    again = Retriever(catalogue, None, tmp_path).analyzer.analyze(question)
    assert (again.dense_text, again.content_tokens) == (fresh.dense_text, fresh.content_tokens)
    english = "how do I renew my temporary residence card"  # its gloss is kept there too
    assert Retriever(catalogue, None, tmp_path).analyzer.analyze(english).gloss == [
        "gia hạn",
        "tạm trú",
        "thẻ",
    ]
    for damage in ("[1, 2", '{"restore": {}}'):  # unreadable, or a field missing
        files[0].write_text(damage, "utf-8")  # a damaged cache is ignored and rewritten
        damaged = Retriever(catalogue, None, tmp_path).analyzer.analyze(question)
        assert damaged.dense_text == fresh.dense_text
        assert json.loads(files[0].read_text("utf-8"))["restore"]


def test_a_question_asked_again_in_the_same_words_is_not_searched_again(encoder, tmp_path_factory):
    retriever = Retriever(embedded_catalogue(), encoder, tmp_path_factory.mktemp("repeat"))
    question = "con em mới sinh thì làm giấy tờ gì đầu tiên ạ"  # needs the encoder
    first = retriever.search(question)
    calls = retriever.encoder_calls
    assert calls == 1
    assert retriever.search(question) is first  # the whole search kept, not redone
    assert retriever.encoder_calls == calls
    assert retriever.searches == 2  # still counted for /metrics
    other = retriever.search(question + " nhé")  # other words: searched afresh
    assert other is not first and other.hits[0].procedure == first.hits[0].procedure


def test_family_words_of_a_story_are_not_taken_for_typos(lexical_retriever):
    """The catalogue seldom writes "gái" or "cháu": they are still not repaired into the
    catalogue words that fold alike ("tại", "chữ")."""
    query = lexical_retriever.analyzer.analyze(
        "con gái tôi vừa sinh cháu ngoại, làm giấy khai sinh cho cháu ở đâu"
    )
    assert "gái" in query.dense_text and query.dense_text.count("cháu") == 2
    assert query.corrections == {}


def test_a_word_typed_with_accents_is_not_taken_for_the_function_word_it_folds_to(
    lexical_retriever,
):
    """ "thẻ" folds to English "the" and "căn" to "cần": typed with their accents, they are
    what the question is about."""
    query = lexical_retriever.analyzer.analyze("tôi muốn đổi thẻ căn cước vì thẻ sắp hết hạn")
    words = {concept.surface for concept in query.concepts}
    assert {"the", "can", "cuoc"} <= words
    assert not {"toi", "muon"} & words  # "tôi", "muốn" are still function words
    unaccented = lexical_retriever.analyzer.analyze("toi muon doi the can cuoc")
    assert "the" not in {concept.surface for concept in unaccented.concepts}


def test_a_repaired_word_gets_the_accents_its_neighbour_calls_for():
    """ "thơng trú" lost the "ư" of "thường": repaired, it reads to the encoder as the
    catalogue writes the pair ("thường trú"), not as "thuong" alone is most often spelt
    (here "thương", as in "thương binh")."""
    names = [f"Trợ cấp thương binh hạng {n}" for n in range(1, 5)]
    names += ["Đăng ký thường trú", "Xóa đăng ký thường trú"]
    retriever = Retriever(catalogue_of(names), encoder=None)
    query = retriever.analyzer.analyze("đăng ký thơng trú cho con mới sinh")
    assert query.corrections == {"thong": "thuong"}
    assert "thường trú" in query.dense_text


def test_an_english_question_keeps_its_own_words_as_typed(lexical_retriever):
    """Accents go back on the Vietnamese pairs an English question quotes ("giay khai sinh"),
    not on its English words that look like a syllable ("pho" is not "phổ" there)."""
    query = lexical_retriever.analyzer.analyze(
        "Where is the best place to eat pho near the lake? Also, where do I get a giay "
        "khai sinh copy for my son?"
    )
    assert query.language == "en"
    assert " pho " in query.dense_text
    assert "giấy khai sinh" in query.dense_text


def test_an_abbreviation_typed_with_a_letter_lost_still_finds_its_procedure(lexical_retriever):
    result = lexical_retriever.search("xin ltp số 1 mất mấy ngày")
    assert result.query.corrections == {"ltp": "lltp"}
    assert result.best.procedure.code == lexical_retriever.search("xin lltp").best.procedure.code
