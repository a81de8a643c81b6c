"""Chat shorthand ("ck", "đc", "cần j") is read as the words it stands for."""

import pytest

from knowledge.shorthand import Shorthand, default_shorthand


def test_shorthand_is_written_out_with_the_message_accents():
    shorthand = default_shorthand()
    assert shorthand.write_out("đăng ký kết hôn với ck cần j") == (
        "đăng ký kết hôn với chồng cần gì"
    )
    # A message typed without accents stays one: the speller and the accent table read it.
    assert shorthand.write_out("dang ky ket hon voi ck can j") == (
        "dang ky ket hon voi chong can gi"
    )


def test_only_whole_words_are_written_out_and_sums_stay_sums():
    shorthand = default_shorthand()
    assert shorthand.write_out("Công ty kinh doanh") == "Công ty kinh doanh"  # "ty", "kinh"
    assert shorthand.write_out("phí 200 k đúng không") == "phí 200 k đúng không"
    assert shorthand.write_out("VK tôi") == "vợ tôi"


def test_a_malformed_line_names_its_number():
    with pytest.raises(ValueError, match="line 2"):
        Shorthand.parse("ck\tchồng\nvk vợ\n")


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("lam can cuoc cho con can j", "documents"),
        ("đăng ký tạm trú ntn ạ", "steps"),
    ],
)
def test_a_question_in_shorthand_asks_what_it_says(lexical_retriever, question, facet):
    # "cần j" asks for the documents and "ntn" for the steps, as "cần gì" and "như thế nào" do.
    assert facet in lexical_retriever.analyzer.analyze(question).facets


def test_english_chat_keeps_its_own_shorthand(lexical_retriever):
    query = lexical_retriever.analyzer.analyze("what r the fees for a work permit")
    assert query.language == "en"
    assert "rồi" not in query.dense_text and "roi" not in query.tokens


def test_a_spouse_in_shorthand_is_read_as_a_spouse(lexical_retriever):
    query = lexical_retriever.analyzer.analyze("vk mình là ng nước ngoài, muốn đăng ký kết hôn")
    assert {"vo", "nguoi"} <= set(query.tokens)


def test_chat_spellings_of_everyday_words_are_not_taken_for_what_the_question_asks(
    lexical_retriever,
):
    """ "mún" (muốn), "nhìu" (nhiều), "bít" (biết), "đag" (đang), "zậy" (vậy) are chat
    spellings of function words: written out, they weigh nothing, so a question in chat
    spelling is as sure of its procedure as the same question spelt out."""
    chat = "em mún làm lại cccd bị mất mà ko bít cần nhìu giấy tờ ko, đag ở xa zậy"
    spelt = "em muốn làm lại cccd bị mất mà không biết cần nhiều giấy tờ không, đang ở xa vậy"
    analyze = lexical_retriever.analyzer.analyze
    assert [c.surface for c in analyze(chat).concepts] == [
        c.surface for c in analyze(spelt).concepts
    ]
    assert lexical_retriever.search(chat).confidence == lexical_retriever.search(spelt).confidence
