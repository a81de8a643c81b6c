"""A question that states an age gets the variant of the procedure for that age
(knowledge/ages.py)."""

import pytest

from knowledge.ages import AgeBound, ages_stated, bound_of, fits
from knowledge.retriever import RetrievalSettings, Retriever
from knowledge.schema import Catalogue
from knowledge.text import fold
from tests.toy_catalogue import catalogue_of, top_name

# A hand-made catalogue: variants that differ only by the applicant's age.
NAMES = (
    "Cấp thẻ căn cước cho người dưới 14 tuổi",
    "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên",
    "Cấp lại thẻ căn cước",
)


def _catalogue() -> Catalogue:
    return catalogue_of(NAMES)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Con tôi năm nay 15 tuổi, chưa làm căn cước bao giờ, cần mang gì?", NAMES[1]),
        ("lam the can cuoc cho con 15 tuoi", NAMES[1]),
        ("làm thẻ căn cước cho con 10 tuổi", NAMES[0]),
        # A bound the question states is no one's age: it names the variant itself.
        ("lam cccd cho be duoi 14 tuoi", NAMES[0]),
        ("My daughter is 16 years old: how does she get her căn cước card?", NAMES[1]),
    ],
)
def test_the_variant_for_the_age_the_question_states_comes_first(question, expected):
    assert top_name(Retriever(_catalogue(), encoder=None), question) == expected


def test_without_the_rule_a_fifteen_year_old_is_sent_to_the_under_fourteen_record():
    # On words alone the shorter name leads; the stated age is what tells them apart.
    question = "lam the can cuoc cho con 15 tuoi"
    plain = Retriever(_catalogue(), encoder=None, settings=RetrievalSettings(age_penalty=0))
    assert top_name(plain, question) == NAMES[0]
    assert top_name(Retriever(_catalogue(), encoder=None), question) == NAMES[1]


def test_an_age_stated_in_the_story_counts_too():
    # The focus keeps the request; the age told before it still picks the variant.
    question = (
        "Nhà tôi ở xã Tiên Du, cháu nội tôi năm nay vừa tròn 15 tuổi, đang học lớp 9 ở trường "
        "xã. Bố mẹ cháu đi làm xa cả năm mới về. Tôi là ông nội thì có đưa cháu đi làm thẻ căn "
        "cước được không?"
    )
    names = [h.procedure.name for h in Retriever(_catalogue(), encoder=None).search(question).hits]
    assert names.index(NAMES[1]) < names.index(NAMES[0])


def test_bounds_and_stated_ages_are_read_from_folded_text():
    assert bound_of(fold(NAMES[0])) == AgeBound(below=14)
    assert bound_of(fold(NAMES[1])) == AgeBound(lowest=14)
    assert bound_of(fold("Trợ cấp cho người trên 80 tuổi")) == AgeBound(lowest=81)
    assert bound_of(fold(NAMES[2])) is None
    assert ages_stated(fold("bố tôi 72 tuổi, cháu 8 tuổi; a 10-year-old")) == [72, 8, 10]
    assert ages_stated(fold("làm cccd cho bé dưới 14 tuổi, ông ngoài 60 tuổi")) == []
    assert ages_stated(fold("người từ đủ 14 tuổi trở lên; cháu đã đủ 14 tuổi")) == [14]
    assert fits(AgeBound(below=14), [72, 8])  # one of the people fits
    assert not fits(AgeBound(below=14), [15])
    assert fits(AgeBound(below=14), [])  # no age stated: every variant may serve
