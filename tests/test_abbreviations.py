"""Abbreviations learned from the catalogue's own text, and used both ways in matching."""

from importlib import resources

from knowledge.abbreviations import Abbreviations, Pair, default_abbreviations, spelt_lengths
from knowledge.build_abbreviations import learn, record_texts, render
from knowledge.lexicon import default_lexicon
from knowledge.text import syllables

# Made-up record texts: the pairs below are defined inline or written beside their words.
RECORDS = [
    "Cấp giấy phép khai thác nước ngầm (GPKTNN). Hồ sơ: đơn đề nghị cấp GPKTNN; bản sao "
    "quyết định của Sở (QĐS). Căn cứ Nghị định số 12/2024/NĐ-CP.",
    "Gia hạn GPKTNN. Trường hợp giấy phép khai thác nước ngầm hết hạn, người nộp thuế ghi "
    "số tài khoản (STK) vào tờ khai; mẫu TK01.",
    "Điều chỉnh GPKTNN khi giấy phép khai thác nước ngầm thay đổi; nộp tại bộ phận tiếp "
    "nhận, BPTN trả kết quả. Chữ ký của kế toán trưởng (KTT).",
    "Biên bản kiểm kê lập tại kho tạm thời (KTT).",
    # "VAN" is a syllable citizens type ("van"), never taken for an abbreviation.
    "Kết nối hệ thống VAN (vận ánh nối); vận ánh nối theo VAN.",
]


def test_the_generator_learns_pairs_defined_in_the_text():
    learned = {p.abbreviation: p for p in learn(RECORDS)}
    assert learned["GPKTNN"].expansion == "giấy phép khai thác nước ngầm"
    assert learned["GPKTNN"].records == 3
    assert learned["GPKTNN"].defined == 1
    assert "VAN" not in learned
    # Two candidate expansions, each as well supported: a conflict, so neither.
    assert "KTT" not in learned
    # Beside its words in one record, defined nowhere: not enough support.
    assert "BPTN" not in learned
    # Defined inline in one record: a definition counts as support.
    assert learned["STK"].expansion == "số tài khoản"
    # No run of words spells it: nothing learned.
    assert "QĐS" not in learned
    # The generated file reads back as what was learned.
    back = Abbreviations.parse(render(list(learned.values())))
    assert back.expansion("GPKTNN") == "giấy phép khai thác nước ngầm"


def test_initials_may_be_two_letters_and_keep_đ_apart_from_d():
    assert spelt_lengths("NgĐ", ["nguoi", "đai", "dien"]) == [2]
    assert spelt_lengths("TNLĐ", ["tai", "nan", "lao", "đong"]) == [4]
    assert spelt_lengths("TNLĐ", ["tai", "nan", "lao", "dong"]) == []


def test_a_record_text_gains_the_words_of_its_abbreviations_not_of_legal_references():
    pairs = Abbreviations([Pair("TNLĐ", "tai nạn lao động", 8, 0), Pair("NĐ", "nghị định", 10, 0)])
    text = "Hưởng chế độ TNLĐ theo 12/2024/NĐ-CP"
    assert pairs.written_out(text) == "Hưởng chế độ tai nạn lao động theo 12/2024/NĐ-CP"


def test_the_shipped_pairs_are_the_catalogues_and_expand_questions():
    pairs = default_abbreviations()
    assert pairs.expansion("TNLĐ") == "tai nạn lao động"
    assert pairs.expansion("HTX") == "hợp tác xã"
    header = resources.files("knowledge").joinpath("data/abbreviations.tsv").read_text("utf-8")
    assert "national catalogue" in header.splitlines()[1]
    # A question's abbreviation expands through the lexicon; the team's lines still win.
    (hit,) = default_lexicon().find(syllables("htx"))
    assert hit.expansions == ("hợp tác xã",)
    (hit,) = default_lexicon().find(syllables("gcn"))
    assert hit.expansions == ("giấy chứng nhận",)


def test_words_written_out_reach_a_record_whose_name_abbreviates_them(national_retriever):
    # The name writes "TNLĐ, BNN"; the citizen writes "tai nạn lao động".
    best = national_retriever.search("xin hưởng chế độ tai nạn lao động lần đầu").best
    assert best is not None
    assert best.procedure.name.startswith("Giải quyết hưởng chế độ TNLĐ, BNN")
    assert "lần đầu" in best.procedure.name


def test_an_abbreviation_reaches_a_record_whose_name_writes_the_words(national_retriever):
    # The citizen writes "htx"; the name writes "hợp tác xã".
    best = national_retriever.search("đăng ký thành lập htx").best
    assert best is not None
    assert best.procedure.name.startswith("Đăng ký thành lập hợp tác xã")


def test_the_shipped_file_is_what_the_generator_writes(national_path):
    shipped = resources.files("knowledge").joinpath("data/abbreviations.tsv").read_text("utf-8")
    assert render(learn(record_texts(national_path))) == shipped
