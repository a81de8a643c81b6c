"""Function words that procedure names bind into terms ("giải thể", "nhà ở") are read as
part of the term, not dropped with "thì", "thế", "ở" (knowledge/function_words.py)."""

from __future__ import annotations

from knowledge.function_words import bound_pairs

# Names as the catalogue writes them (the team's own sample).
NAMES = (
    "Giải thể doanh nghiệp",
    "Giải thể hợp tác xã",
    "Giải thể quỹ xã hội",
    "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "Cho thuê nhà ở công vụ",
    "Mua bán nhà ở xã hội",
    "Đăng ký thành lập doanh nghiệp tư nhân",
    "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
    "Hỗ trợ chăm sóc trẻ em",
    "Tiếp nhận trẻ em vào cơ sở trợ giúp",
    "Trợ cấp cho người cao tuổi",
    "Cấp giấy phép cho tổ chức",
)


def test_pairs_that_names_bind_a_function_word_into_are_learned():
    pairs = bound_pairs(NAMES)
    assert ("giải", "thể") in pairs
    assert ("nhà", "ở") in pairs
    assert ("trẻ", "em") in pairs


def test_a_function_word_the_names_use_everywhere_is_not_bound_to_one_neighbour():
    # "cho" occurs in five names, beside a different word in each: no pair of it is
    # written three times; "có thể" is never written in a name.
    pairs = bound_pairs(NAMES)
    assert not any("cho" in pair for pair in pairs)
    assert ("có", "thể") not in pairs


def test_the_term_is_searched_whole_with_or_without_accents(national_retriever):
    # "thể" folds to the function word "the" (thì, thế): dropped, "giải thể doanh nghiệp
    # tư nhân" matched "Đăng ký thành lập doanh nghiệp tư nhân" on its other words.
    for question in (
        "Giải thể doanh nghiệp tư nhân cần những hồ sơ gì?",
        "giai the doanh nghiep tu nhan can nhung ho so gi",
    ):
        result = national_retriever.search(question)
        assert "the" in result.query.content_tokens
        assert result.hits[0].procedure.name.startswith("Giải thể doanh nghiệp")


def test_a_function_word_outside_such_a_term_stays_a_function_word(national_retriever):
    query = national_retriever.analyzer.analyze("Tôi có thể đăng ký tạm trú cho con không?")
    assert "the" not in query.content_tokens
