"""Questions about subjects the desks don't handle get "not found", not a list of procedures."""

from __future__ import annotations

import pytest

from feedback.web.labels import TOPICS
from knowledge.catalogue_files import embedded_catalogue
from knowledge.derived import base_name
from knowledge.off_catalogue import OffCatalogue, default_descriptions, parse_descriptions
from knowledge.retriever import RetrievalSettings, Retriever
from knowledge.scope import default_scope_rules
from knowledge.text import has_diacritics


@pytest.mark.parametrize(
    "question, topic",
    [
        ("cuối tuần này ở Bắc Ninh có nắng không hay lại mưa rét", "chit_chat"),
        ("quán phở nào ở gần chợ ngon mà rẻ vậy mọi người", "chit_chat"),
        ("bé nhà em 5 tuổi, muốn xin vào trường tiểu học gần nhà thì làm sao", "education"),
        ("tôi mất việc ở công ty rồi, làm sao nhận tiền hỗ trợ khi không có việc", "employment"),
        ("Which city should I visit first on a two-week holiday?", "chit_chat"),
    ],
)
def test_a_subject_no_procedure_covers_is_not_answered_with_procedures(
    hybrid_retriever, question, topic
):
    result = hybrid_retriever.search(question)
    assert result.decision == "abstain"
    assert result.choices == []
    assert [t.topic for t in result.out_of_scope] == [topic]


def test_a_topic_with_a_referral_brings_it(hybrid_retriever):
    result = hybrid_retriever.search("tôi mất việc ở công ty rồi, làm sao nhận tiền hỗ trợ")
    assert result.out_of_scope[0].referral == default_scope_rules().topic("employment").referral
    assert result.out_of_scope[0].referral  # the citizen is told where to go


def test_no_procedure_asked_by_its_own_name_is_sent_away(hybrid_retriever):
    """Every procedure of the catalogue, asked for by its name the way citizens shorten it
    (level left out, "thủ tục …", "… cần giấy tờ gì"), is still served."""
    margin = hybrid_retriever.settings.rule.off_catalogue_margin
    sent_away = []
    for procedure in hybrid_retriever.procedures:
        words = base_name(procedure.name).split()
        for question in (
            "thủ tục " + " ".join(words[:8]).lower(),
            " ".join(words[:6]).lower() + " cần giấy tờ gì",
        ):
            result = hybrid_retriever.search(question)
            off = result.off_catalogue
            if result.decision == "abstain" and off is not None and off.margin >= margin:
                sent_away.append(question)
    assert sent_away == []


@pytest.mark.parametrize(
    "question",
    [
        "làm phiếu lý lịch tư pháp nhằm đi xuất khẩu lao động Nhật Bản",
        "lam phieu ly lich tu phap nham di xuat khau lao dong Nhat Ban",
    ],
)
def test_a_paper_the_desks_give_is_served_whatever_it_is_for(hybrid_retriever, question):
    # What it is for (going to work abroad) is a subject the desks don't handle; the paper
    # asked for before it is theirs.
    result = hybrid_retriever.search(question)
    assert result.decision != "abstain"
    assert "lý lịch tư pháp" in result.hits[0].procedure.name.lower()


def test_a_purpose_does_not_bring_a_subject_the_desks_dont_handle_in(hybrid_retriever):
    # Nothing before "để" is a procedure: the question is still sent away.
    result = hybrid_retriever.search("Tôi muốn biết nên học nghề gì để đi xuất khẩu lao động")
    assert result.decision == "abstain"


def test_the_descriptions_name_their_topic_and_the_referrals_exist():
    descriptions = default_descriptions()
    assert len(descriptions) >= 30
    topics = {topic for topic, _ in descriptions}
    referred = {t for t in topics if default_scope_rules().topic(t).referral}
    assert {"health", "education", "employment", "social_welfare"} <= referred


def test_every_topic_has_a_name_on_the_staff_dashboard():
    """Unanswered questions are listed by topic for admins, in Vietnamese."""
    named = {topic for topic, _ in default_descriptions()}
    assert named - set(TOPICS) == set()


def test_a_malformed_description_line_is_refused_with_its_number():
    with pytest.raises(ValueError, match="line 2"):
        parse_descriptions("health\tkhám bệnh\nno tab here")


def test_the_topic_is_the_one_most_nearby_descriptions_share(encoder, tmp_path):
    question = encoder.encode_queries(["ngày mai trời có mưa không"])[0]
    split = OffCatalogue(
        encoder,
        tmp_path,
        (
            ("a", "Thời tiết hôm nay mưa hay nắng"),
            ("b", "Dự báo thời tiết ngày mai"),
            ("c", "Trời mưa to, bão, lũ lụt"),
        ),
    )
    assert split.nearest(question, 0.0).votes == 1  # no two agree: no referral is trusted
    agreed = OffCatalogue(
        encoder,
        tmp_path,
        (
            ("rain", "Thời tiết hôm nay mưa hay nắng"),
            ("rain", "Dự báo thời tiết ngày mai"),
            ("food", "Món ăn ngon, quán phở"),
        ),
    )
    match = agreed.nearest(question, 0.0)
    assert (match.topic, match.votes) == ("rain", 2)


def test_the_off_catalogue_check_reuses_the_questions_vector(encoder, tmp_path):
    """With no query-vector cache (first-time questions), one search runs the encoder once,
    whatever the off-catalogue check compares."""
    settings = RetrievalSettings(query_cache=0)
    retriever = Retriever(embedded_catalogue(), encoder, tmp_path, settings=settings)
    result = retriever.search("con em mới sinh thì làm giấy tờ gì đầu tiên ạ")
    assert result.off_catalogue is not None  # the encoder was asked and the check ran
    assert retriever.encoder_calls == 1


def test_a_labour_question_is_not_sent_to_the_job_centre(hybrid_retriever):
    """The job centre handles jobs and unemployment; a work accident, wages or a labour
    contract is not its business, and this catalogue (the embedded one) has no procedure for
    them either: "not found" and staff, never a wrong address."""
    job_centre = default_scope_rules().topic("employment").referral
    for question in (
        "anh trai tôi bị thương khi đang làm ở xưởng gỗ, giờ muốn hưởng chế độ tai nạn lao động",
        "công ty nợ lương hai tháng không trả thì tôi khiếu nại ở đâu",
    ):
        result = hybrid_retriever.search(question)
        assert result.decision == "abstain", question
        assert job_centre not in [t.referral for t in result.out_of_scope], question


def test_the_descriptions_are_written_in_the_catalogue_s_language():
    # An English question then meets Vietnamese text on both sides of the margin: English
    # descriptions drew English questions that have a procedure by their language alone.
    assert all(has_diacritics(text) for _, text in default_descriptions())
