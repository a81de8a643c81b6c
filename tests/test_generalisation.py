"""Retrieval on questions nobody tuned for: long messages, English, near-identical variants,
decisions, catalogue-derived questions, and no dev question inside the package."""

import json
from pathlib import Path

import pytest

import bot
import channels
import feedback
import knowledge
from bot.conversation.answers import choices_reply
from knowledge.catalogue_files import embedded_catalogue
from knowledge.decision import DecisionRule, decide
from knowledge.derived import base_name, derived_questions, variant_groups
from knowledge.english import default_terms, shown_english_name
from knowledge.focus import focus
from knowledge.lexicon import default_lexicon
from knowledge.query import DENSE_WORD_BUDGET
from knowledge.retriever import Hit, Retriever
from knowledge.schema import Catalogue, Procedure
from knowledge.text import fold
from knowledge.variants import SHOWN_CHARS, describe

SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"

STORY = (
    "Tôi năm nay đã ngoài 70 tuổi, sống một mình ở quê, các con đi làm ăn xa cả. "
    "Hồi trẻ tôi đi bộ đội, sau về làm ruộng, nuôi mấy con gà con lợn. "
    "Tháng trước nhà tôi bị dột, tôi dọn đồ thì thấy cái thẻ cũ bị mất đâu không thấy. "
    "Cho tôi hỏi làm lại thẻ căn cước thì cần giấy tờ gì?"
)


def test_the_request_is_found_inside_a_story_and_the_variant_fact_kept(lexical_retriever):
    assert lexical_retriever.analyzer.analyze(STORY).narrative_dropped
    focused = focus(STORY)
    assert focused.narrative_dropped
    assert "thẻ căn cước" in focused.text
    assert "bộ đội" not in focused.text and "làm ruộng" not in focused.text
    # "bị mất" was said in the story, not in the question: it picks re-issue over first issue.
    assert "bị mất" in focused.text


SHORT_STORY = (
    "Ông nhà tôi mới mất tuần trước ở nhà, tang lễ lo xong xuôi rồi, các cháu ở xa cũng đã về "
    "đông đủ, giờ nhà chỉ còn mình tôi. "
    "Cho tôi hỏi đăng ký khai tử thì làm ở đâu ạ?"
)


def test_a_story_of_one_sentence_before_the_question_is_narrowed_too(lexical_retriever):
    # 150-220 characters: one sentence of story, then the request. The story's words
    # (funeral, grandchildren) are left out, as in a longer message.
    assert 150 < len(SHORT_STORY) <= 220
    focused = focus(SHORT_STORY)
    assert focused.narrative_dropped
    assert "khai tử" in focused.text
    assert "tang lễ" not in focused.text and "các cháu" not in focused.text
    assert lexical_retriever.analyzer.analyze(SHORT_STORY).narrative_dropped


def test_a_short_message_is_read_whole():
    text = "đăng ký khai sinh cho con cần gì"
    assert focus(text).text == text and not focus(text).narrative_dropped


def test_the_encoder_reads_a_capped_text_however_long_the_message(lexical_retriever):
    long_message = ("Tôi kể chuyện nhà tôi cho cán bộ nghe. " * 60) + "Tôi muốn đăng ký khai sinh?"
    assert len(long_message) > 2000
    query = lexical_retriever.analyzer.analyze(long_message)
    assert len(query.dense_text.split()) <= DENSE_WORD_BUDGET
    assert "khai sinh" in query.dense_text


def test_a_long_story_is_answered_with_the_procedure_it_asks_about(hybrid_retriever):
    result = hybrid_retriever.search(STORY)
    assert result.decision in ("answer", "choose")
    shown = [result.best] if result.decision == "answer" else result.choices
    assert "1.014061" not in [h.procedure.code for h in shown[:1]]  # not a first-time card
    assert any("căn cước" in h.procedure.name for h in shown)


def test_social_insurance_is_in_scope(tmp_path):
    one_time = _proc("1.001613", "Giải quyết hưởng bảo hiểm xã hội một lần")
    catalogue = Catalogue([one_time, *embedded_catalogue()])
    result = Retriever(catalogue, cache_dir=tmp_path).search("rut bhxh 1 lan")
    assert not result.out_of_scope
    assert result.decision != "abstain"
    assert result.best.procedure.code == "1.001613"


def test_topics_without_a_procedure_still_get_a_referral(hybrid_retriever):
    result = hybrid_retriever.search("tuyển sinh vào lớp 1 cho con")
    assert result.decision == "abstain"
    assert result.out_of_scope and result.out_of_scope[0].topic == "education"


def test_the_decision_answers_offers_or_abstains_like_a_clerk():
    rule = DecisionRule(abstain_below=0.4, answer_above=0.8, answer_lead=0.06, choose_within=0.1)
    assert decide([0.9, 0.7, 0.6], 0.95, rule) == ("answer", 0)
    # Confident but two fit almost equally: both offered.
    assert decide([0.9, 0.88, 0.6], 0.95, rule) == ("choose", 2)
    # Not confident enough to answer, not far enough to say "not found": a short list.
    assert decide([0.6, 0.4, 0.3], 0.6, rule) == ("choose", 2)
    assert decide([0.6, 0.58, 0.55, 0.2], 0.6, rule) == ("choose", 3)
    assert decide([0.6, 0.4], 0.2, rule) == ("abstain", 0)
    # English questions and long messages read from their request have floors of their own.
    lenient = DecisionRule(abstain_below=0.4, abstain_below_en=0.1, abstain_below_long=0.2)
    assert decide([0.6, 0.4], 0.3, lenient)[0] == "abstain"
    assert decide([0.6, 0.4], 0.3, lenient, language="en")[0] == "choose"
    assert decide([0.6, 0.4], 0.3, lenient, long_message=True)[0] == "choose"


def test_a_record_that_stands_apart_is_offered_under_the_floor():
    rule = DecisionRule(abstain_below=0.45, rescue_lead=0.25, rescue_band=0.15)
    # Under the floor but far ahead of every other record: "did you mean …?", never an answer.
    assert decide([1.0, 0.5, 0.45], 0.35, rule) == ("choose", 2)
    # Not that far ahead, or too far under the floor: "not found", as before.
    assert decide([1.0, 0.8, 0.45], 0.35, rule) == ("abstain", 0)
    assert decide([1.0, 0.5, 0.45], 0.25, rule) == ("abstain", 0)
    # Off-topic English questions lead by as much: their own (lower) floor decides.
    assert decide([1.0, 0.5], 0.1, DecisionRule(abstain_below_en=0.15), language="en") == (
        "abstain",
        0,
    )


def test_english_names_come_from_the_term_list():
    card = next(p for p in embedded_catalogue() if fold(p.name) == "cap lai the can cuoc")
    assert shown_english_name(card) == "Re-issue of identity card"
    # A name the terms cover only in part is not shown.
    partial = Procedure("9.9", "Cấp phép nuôi rồng bay lượn", ("province",), "Thử")
    assert shown_english_name(partial) is None
    assert len(default_terms()) >= 300


def test_an_english_question_finds_a_procedure_through_its_english_name(hybrid_retriever):
    result = hybrid_retriever.search("How do I get a re-issue of my identity card?")
    assert result.decision in ("answer", "choose")
    shown = [result.best] if result.decision == "answer" else result.choices
    assert any(fold(h.procedure.name).startswith("cap lai the can cuoc") for h in shown)


def _proc(code: str, name: str, levels=("province",), applicants: str = "") -> Procedure:
    return Procedure(code, name, levels, "Thử", applicants=applicants)


def test_variants_are_told_apart_in_plain_words():
    procs = [
        _proc("1", "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)", ("commune",)),
        _proc("2", "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp tỉnh)"),
    ]
    assert [o.label for o in describe(procs)] == ["Cấp xã", "Cấp tỉnh"]
    reply = choices_reply([Hit(p, 1.0, 1.0, 0.9) for p in procs], "vi")
    assert "Trình báo mất hộ chiếu phổ thông" in reply.text
    assert "trường hợp nào" in reply.text
    assert [b.payload for b in reply.buttons][:2] == ["pick:1", "pick:2"]
    assert reply.buttons[0].title == "1. Cấp xã"
    again = [
        _proc("3", "Cấp giấy phép lái xe"),
        _proc("4", "Cấp lại giấy phép lái xe"),
    ]
    labels = [o.label for o in describe(again, "en")]
    assert labels[1].endswith("re-issue (lost or damaged)")


def test_choices_between_very_long_names_stay_readable_and_distinct():
    # Names that list every case they cover: the choice shows what a reader can take in and
    # keeps the words that tell them apart; the card after the choice shows the name whole.
    cases = "/".join(f"trường hợp số {n} của công trình" for n in range(12))
    procs = [
        _proc("7", f"Cấp giấy phép xây dựng mới đối với công trình cấp IV ({cases}) và nhà ở"),
        _proc("8", f"Gia hạn giấy phép xây dựng đối với công trình cấp IV ({cases}) và nhà ở"),
        _proc("9", "Đăng ký biến động đất đai; " + "; ".join(["chuyển nhượng, thừa kế"] * 40)),
    ]
    labels = [o.label for o in describe(procs)]
    assert all(len(label) <= SHOWN_CHARS + 2 for label in labels)
    assert labels[0].startswith("Cấp giấy phép xây dựng mới") and labels[0].endswith("và nhà ở")
    assert labels[1].startswith("Gia hạn giấy phép xây dựng")
    assert labels[2].startswith("Đăng ký biến động đất đai") and labels[2].endswith("…")
    reply = choices_reply([Hit(p, 1.0, 1.0, 0.9) for p in procs], "vi")
    assert len(reply.text) < 600
    same_start = [_proc("10", "Đăng ký " + "x" * 200 + " A"), _proc("11", "Đăng ký " + "x" * 200)]
    assert len({o.label for o in describe(same_start)}) == 2  # never shortened into one
    # A name listing its cases after semicolons shows the case the citizen asked about.
    cases = ["cho thuê lại quyền sử dụng đất trong khu công nghiệp"] * 3 + ["tặng cho con"]
    listing = _proc("12", "Đăng ký biến động đất đai trong các trường hợp; " + "; ".join(cases))
    (asked,) = describe([listing], asked=["tang", "con", "dat"])
    assert "tặng cho con" in asked.label and len(asked.label) <= SHOWN_CHARS + 4
    (plain,) = describe([listing])
    assert "tặng cho con" not in plain.label


def test_national_records_with_the_longest_names_are_offered_readably(national_retriever):
    catalogue = national_retriever.catalogue
    permits = [catalogue.get(code) for code in ("1.013225", "1.013229", "1.013227")]
    assert all(p is not None and len(p.name) > 250 for p in permits)
    labels = [o.label for o in describe([p for p in permits if p is not None])]
    assert all(len(label) < 130 and "nhà ở riêng lẻ" in label for label in labels)
    assert [label.split()[:2] for label in labels] == [
        ["Cấp", "giấy"],
        ["Cấp", "giấy"],
        ["Gia", "hạn"],
    ]
    transfers = catalogue.get("1.013831")  # "Đăng ký biến động … ; chuyển nhượng, thừa kế, …"
    assert transfers is not None and len(transfers.name) > 500
    question = national_retriever.analyzer.analyze("tặng cho con mảnh đất thì làm thủ tục gì")
    words = [*question.content_tokens, *question.expanded_tokens]
    (option,) = describe([transfers], asked=words)
    assert "tặng cho" in option.label and len(option.label) <= SHOWN_CHARS + 4
    longest = max(catalogue, key=lambda p: len(p.name))
    (option,) = describe([longest])
    assert len(longest.name) > 1000 and len(option.label) <= SHOWN_CHARS + 2


def test_english_choices_use_english_names_where_the_terms_allow():
    procs = [_proc("5", "Cấp lại thẻ căn cước"), _proc("6", "Cấp đổi thẻ căn cước")]
    reply = choices_reply([Hit(p, 1.0, 1.0, 0.9) for p in procs], "en")
    assert "Re-issue of identity card" in reply.text


def test_questions_are_derived_from_every_procedure_and_accept_its_variants(national_path):
    from knowledge.catalogue_files import load_catalogue

    catalogue = load_catalogue(national_path)
    questions = derived_questions(catalogue, default_lexicon())
    assert {q.code for q in questions} == {p.code for p in catalogue}
    groups = variant_groups(catalogue)
    passport = [p for p in catalogue if base_name(p.name) == "Trình báo mất hộ chiếu phổ thông"]
    assert len(passport) >= 2
    assert set(groups[passport[0].code]) == {p.code for p in passport}
    # Derived questions are not the names: they are shortened, or asked, or unaccented.
    names = {fold(p.name) for p in catalogue}
    assert sum(fold(q.text) in names for q in questions) < len(questions) * 0.1


def _package_text() -> str:
    """Every source and data file of the package, lower-cased, except the embedded catalogue's
    facts (``knowledge/data/procedures.json``), which are generated from the national record
    and compared with it by ``test_embedded_catalogue``."""
    texts = []
    for package in (bot, channels, feedback, knowledge):
        root = Path(package.__file__).parent
        for path in root.rglob("*"):
            if path.name == "procedures.json" and path.parent.name == "data":
                continue
            if path.is_file() and path.suffix in {".py", ".tsv", ".json", ".html", ".txt", ".js"}:
                texts.append(path.read_text("utf-8", errors="ignore").lower())
    return "\n".join(texts)


@pytest.mark.parametrize("name", ["dev-questions.jsonl", "dev2-questions.jsonl"])
def test_no_dev_question_occurs_in_the_package(name, national_path):
    from knowledge.catalogue_files import load_catalogue

    path = SHARED_EVAL / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    package = _package_text()
    # A question that is word for word a procedure's official name comes from the record.
    official = {p.name.lower() for p in load_catalogue(national_path)}
    questions = [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines()]
    assert questions
    found = [q for q in questions if q.lower() in package and q.lower() not in official]
    assert found == []


def test_a_special_case_the_message_does_not_state_is_not_offered(lexical_retriever):
    # "1.004772" (for people who already have papers) and "1.000689" (with recognition of
    # parentage) are special cases of plain birth registration: offered only when stated.
    plain = lexical_retriever.search("đăng ký khai sinh")
    assert plain.decision == "answer" and plain.best.procedure.code == "1.001193"
    foreign = lexical_retriever.search("đăng ký khai sinh cho con có yếu tố nước ngoài")
    shown = [foreign.best] if foreign.decision == "answer" else foreign.choices
    assert "2.000528" in [h.procedure.code for h in shown]


def test_an_english_choice_says_its_level_once():
    procs = [
        _proc("7", "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)", ("commune",)),
        _proc("8", "Cấp hộ chiếu phổ thông (thực hiện tại cấp tỉnh)"),
    ]
    reply = choices_reply([Hit(p, 1.0, 1.0, 0.9) for p in procs], "en")
    titles = [b.title for b in reply.buttons[:2]]
    assert all(title.count("level") == 1 for title in titles), titles
