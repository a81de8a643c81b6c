"""A question that states one action on an object gets the record that does that action:
"khai tử" is not "đăng ký lại khai tử", "giải thể" is not "thành lập" (knowledge/actions.py)."""

import pytest

from knowledge.actions import ActionHeads, asked_words
from knowledge.lexicon import default_lexicon
from knowledge.retriever import RetrievalSettings, Retriever
from knowledge.schema import Catalogue
from knowledge.text import syllables
from tests.toy_catalogue import catalogue_of, top_name

# A hand-made catalogue: objects that several actions apply to, as the national one has.
NAMES = (
    "Đăng ký thành lập doanh nghiệp tư nhân",
    "Đăng ký thành lập công ty cổ phần",
    "Giải thể doanh nghiệp",
    "Giải thể hợp tác xã",
    "Đăng ký tạm trú",
    "Xóa đăng ký tạm trú",
    "Đăng ký thường trú",
    "Xóa đăng ký thường trú",
    "Thủ tục đăng ký khai tử",
    "Đăng ký lại khai tử",
    "Đăng ký khai sinh",
    "Đăng ký lại khai sinh",
    "Cấp giấy phép lái xe",
    "Cấp lại giấy phép lái xe",
    "Thông báo tạm ngừng kinh doanh",
    "Chuyển đổi công ty trách nhiệm hữu hạn một thành viên thành công ty cổ phần",
)


def _catalogue() -> Catalogue:
    return catalogue_of(NAMES)


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return Retriever(_catalogue(), encoder=None)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("làm khai tử", "Thủ tục đăng ký khai tử"),
        ("khai tử cho ông mất từ lâu", "Thủ tục đăng ký khai tử"),
        ("giải thể doanh nghiệp tư nhân", "Giải thể doanh nghiệp"),
        ("giai the doanh nghiep tu nhan", "Giải thể doanh nghiệp"),
    ],
)
def test_a_record_whose_name_states_an_action_not_asked_falls_behind(retriever, question, expected):
    assert top_name(retriever, question) == expected
    # The same catalogue without the action rule hands the citizen the other action.
    plain = Retriever(_catalogue(), encoder=None, settings=RetrievalSettings(action_penalty=0))
    assert top_name(plain, question) != expected


@pytest.mark.parametrize(
    "question, expected",
    [
        ("đăng ký lại khai tử", "Đăng ký lại khai tử"),
        ("dang ky lai khai tu", "Đăng ký lại khai tử"),
        ("xoá đăng ký tạm trú", "Xóa đăng ký tạm trú"),
        ("đăng ký tạm trú", "Đăng ký tạm trú"),
    ],
)
def test_an_action_the_question_states_keeps_its_record(retriever, question, expected):
    assert top_name(retriever, question) == expected


def test_action_weights_are_learned_from_where_words_sit_in_names():
    heads = ActionHeads.learn(NAMES)
    # "xóa", "lại" open names; "trú", "sinh" only end them.
    assert heads.weight["xoa"] > 0.5 and heads.weight["lai"] > 0.5
    assert "tru" not in heads.weight and "sinh" not in heads.weight


def test_accents_tell_one_action_from_a_word_that_folds_alike():
    heads = ActionHeads.learn(["Cấp giấy phép lái xe", "Cấp lại giấy phép lái xe"])
    words = ["cap", "giay", "phep", "lai", "xe"]
    accented = asked_words(words, "cấp giấy phép lái xe")
    assert heads.unstated(0, accented) == 0
    assert heads.unstated(1, accented) > 0  # "lái" (drive) is not "lại" (again)
    # Typed without accents, "lai" may be either: neither record is held back.
    unaccented = asked_words(words, "cap giay phep lai xe")
    assert heads.unstated(0, unaccented) == heads.unstated(1, unaccented) == 0


def test_a_name_listing_alternative_actions_matches_either():
    heads = ActionHeads.learn(["Cấp, cấp lại giấy phép khai thác thủy sản", "Cấp giấy phép lái xe"])
    words = syllables("cấp giấy phép khai thác thủy sản")
    assert heads.unstated(0, asked_words(words, "cấp giấy phép khai thác thủy sản")) == 0
    again = syllables("cấp lại giấy phép khai thác thủy sản")
    assert heads.unstated(0, asked_words(again, "cấp lại giấy phép khai thác thủy sản")) == 0


@pytest.mark.parametrize("question", ["register a death", "death registration for my grandfather"])
def test_an_english_question_is_read_against_the_actions_of_english_names(retriever, question):
    # "Đăng ký lại khai tử" reads "re-registration of death": "re-" was not asked.
    assert top_name(retriever, question) == "Thủ tục đăng ký khai tử"
    plain = RetrievalSettings(english_action_penalty=0)
    assert top_name(Retriever(_catalogue(), encoder=None, settings=plain), question) != (
        "Thủ tục đăng ký khai tử"
    )


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("tăng vốn", "thay đổi vốn điều lệ"),
        ("mở chi nhánh", "đăng ký hoạt động chi nhánh"),
        ("xoá thế chấp", "xóa đăng ký biện pháp bảo đảm"),
        ("giai chap", "xóa đăng ký biện pháp bảo đảm"),
        ("tạm dừng kinh doanh", "thông báo tạm ngừng kinh doanh"),
        ("nghỉ kinh doanh", "thông báo tạm ngừng kinh doanh"),
    ],
)
def test_citizens_verbs_for_catalogue_actions_are_in_the_lexicon(typed, expected):
    (hit,) = default_lexicon().find(syllables(typed))
    assert hit.expansions[0] == expected


def test_the_rule_changes_the_order_never_how_sure_the_answer_is():
    # However strong the rule, the record it passed scored higher on the words: the citizen
    # is shown both rather than told one.
    strong = RetrievalSettings(action_penalty=1.0)
    result = Retriever(_catalogue(), encoder=None, settings=strong).search("làm khai tử")
    assert result.hits[0].procedure.name == "Thủ tục đăng ký khai tử"
    assert result.hits[0].score - result.hits[1].score > strong.rule.answer_lead
    assert result.decision == "choose"
    offered = [hit.procedure.name for hit in result.choices]
    assert offered[:2] == ["Thủ tục đăng ký khai tử", "Đăng ký lại khai tử"]


def test_action_heads_are_kept_on_disk_and_read_back_the_same(tmp_path):
    # A cold start reads what the names taught instead of learning it again.
    learned = ActionHeads.cached(NAMES, tmp_path)
    (saved,) = tmp_path.glob("actions-vi-*.json")
    again = ActionHeads.cached(NAMES, tmp_path)
    assert again.weight == learned.weight
    words = syllables("xóa đăng ký tạm trú")
    asked = asked_words(words, "xóa đăng ký tạm trú")
    assert [again.unstated(i, asked) for i in range(len(NAMES))] == [
        learned.unstated(i, asked) for i in range(len(NAMES))
    ]
    saved.write_text('{"weight": {}}', "utf-8")  # a table missing a field is learned again
    assert ActionHeads.cached(NAMES, tmp_path).weight == learned.weight
