"""A question that names who is asking (a company, a household business, a household) gets
the variant of the procedure for that applicant (knowledge/applicants.py)."""

import pytest

from knowledge.applicants import compatible, kinds_named
from knowledge.lexicon import Lexicon
from knowledge.retriever import RetrievalSettings, Retriever
from knowledge.schema import Catalogue
from knowledge.text import syllables
from tests.toy_catalogue import catalogue_of, top_name

# A hand-made catalogue: procedures whose variants differ only by who files them.
NAMES = (
    "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
    "Thông báo tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo "
    "(doanh nghiệp, chi nhánh, văn phòng đại diện, địa điểm kinh doanh)",
    "Giải thể hợp tác xã",
    "Giải thể doanh nghiệp",
    "Đăng ký đất đai lần đầu cho hộ gia đình, cá nhân",
    "Đăng ký đất đai lần đầu cho doanh nghiệp",
)


def _catalogue() -> Catalogue:
    return catalogue_of(NAMES)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("công ty chúng tôi cần thông báo tạm ngừng kinh doanh", NAMES[1]),
        ("cty minh xin tam ngung kinh doanh", NAMES[1]),
        ("hộ kinh doanh của tôi muốn thông báo tạm ngừng kinh doanh", NAMES[0]),
        ("hợp tác xã muốn giải thể", NAMES[2]),
        ("công ty muốn đăng ký đất đai lần đầu", NAMES[5]),
        ("hộ gia đình tôi đăng ký đất đai lần đầu", NAMES[4]),
    ],
)
def test_the_variant_for_the_applicant_the_question_names_comes_first(question, expected):
    assert top_name(Retriever(_catalogue(), encoder=None), question) == expected


def test_without_the_rule_a_company_is_handed_the_household_record():
    # The same question and catalogue with the rule turned off: the words alone pick the
    # household business record (what the national catalogue did before the rule). No
    # lexicon, so that its lines for the same words (knowledge/data/lexicon.tsv) don't decide.
    bare = Lexicon.parse("zzz\tzzz\n")  # one line no question uses (an empty one means the default)
    off = RetrievalSettings(applicant_penalty=0)
    plain = Retriever(_catalogue(), encoder=None, lexicon=bare, settings=off)
    ruled = Retriever(_catalogue(), encoder=None, lexicon=bare)
    question = "công ty xin tạm ngừng kinh doanh"
    assert top_name(plain, question) == NAMES[0]
    assert top_name(ruled, question) == NAMES[1]


def test_a_question_naming_no_applicant_is_ranked_as_before():
    ruled = Retriever(_catalogue(), encoder=None)
    plain = Retriever(_catalogue(), encoder=None, settings=RetrievalSettings(applicant_penalty=0))
    question = "tạm ngừng kinh doanh thì làm thế nào"
    assert [h.procedure.code for h in ruled.search(question).hits] == [
        h.procedure.code for h in plain.search(question).hits
    ]


def test_kinds_are_read_off_names_and_questions():
    assert kinds_named(syllables(NAMES[0])) == {"business household"}
    assert kinds_named(syllables(NAMES[1])) == {"company"}
    assert kinds_named(syllables("cty tnhh cua toi")) == {"company"}
    # "tổ chức" is as often "to organise" as "an organisation": it names no kind.
    assert kinds_named(syllables("đăng ký tổ chức lễ hội")) == frozenset()


def test_a_household_business_is_served_by_records_for_households_and_individuals():
    assert compatible(frozenset({"business household"}), frozenset({"household or individual"}))
    assert not compatible(frozenset({"company"}), frozenset({"business household"}))
    assert compatible(frozenset(), frozenset({"company"}))
