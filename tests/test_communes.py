"""Where the citizen lives: communes recognised by word boundaries and context, names from
before the 2025 reform, a place named later, a place given while a choice is pending.

Transcripts on SQLite and PostgreSQL (the ``store`` fixture), and the directory on its own.
"""

from __future__ import annotations

import csv
import re

import pytest

from knowledge.build_old_units import OUTPUT, build, read_rows
from knowledge.communes import bac_ninh
from knowledge.text import fold
from tests.conftest import SHARED

REFERENCE = SHARED / "reference" / "bac-ninh-old-to-new-2025.csv"
ASK = "xã, phường nào"


def centre_of(text: str) -> str | None:
    """The unit whose centre a reply sends the citizen to."""
    found = re.search(
        r"(?:UBND|Công an|hành chính công) ((?:Xã|Phường) [^(—\n]+?)(?: \(| —|$)", text, re.M
    )
    return found.group(1) if found else None


def old_rows() -> list[dict[str, str]]:
    if not REFERENCE.exists():
        pytest.skip(f"reference table not found at {REFERENCE}")
    return read_rows(REFERENCE)


def district_units(district: str) -> list[str]:
    """Today's units an old district's communes became part of (from the shared table)."""
    names = {r["new_unit"] for r in old_rows() if r["old_district"] == district}
    return sorted(names, key=lambda n: fold(n.split(" ", 1)[1]))


# --- transcripts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["chứng thực chữ ký ở đâu", "chung thuc chu ky o dau", "chủ hộ tách hộ ở đâu"]
)
def test_a_syllable_of_a_phrase_is_not_a_commune_and_the_named_one_is_taken(chat, question):
    chat.say(question)
    assert "Chũ" not in chat.text
    picks = [p for p in chat.payloads() if p.startswith("pick:")]
    if picks:  # several procedures fit: the citizen picks the first
        chat.press(picks[0])
        assert "Chũ" not in chat.text
    assert ASK in chat.text
    chat.say("Từ Sơn")
    assert centre_of(chat.text) == "Phường Từ Sơn"


def test_a_pre_2025_town_leads_to_todays_commune(chat):
    chat.say("đăng ký kết hôn nộp ở đâu")
    assert ASK in chat.text
    chat.say("thị trấn Chờ")
    assert "Thị trấn Chờ" in chat.text and "nay thuộc Xã Yên Phong" in chat.text
    assert centre_of(chat.text) == "Xã Yên Phong"


@pytest.mark.parametrize(
    ("said", "district"),
    [("TP Bắc Ninh", "Thành phố Bắc Ninh"), ("huyện Yên Phong", "Huyện Yên Phong")],
)
def test_an_old_district_asks_which_commune_with_buttons(chat, said, district):
    chat.say("đăng ký khai tử nộp ở đâu")
    assert ASK in chat.text
    chat.say(said)
    units = district_units(district)
    assert centre_of(chat.text) is None  # no office named before the citizen chooses
    for number, name in enumerate(units, start=1):
        assert f"{number}. {name}" in chat.text
    buttons = {b.title: b.payload for r in chat.replies for b in r.buttons}
    assert list(buttons) == units
    chat.press(buttons[units[-1]])
    assert centre_of(chat.text) == units[-1]


def test_an_old_district_choice_by_number(chat):
    chat.say("đăng ký kết hôn ở đâu")
    chat.say("huyen yen phong")
    units = district_units("Huyện Yên Phong")
    chat.say("2")
    assert centre_of(chat.text) == units[1]


def test_a_commune_named_later_replaces_the_remembered_one(chat):
    chat.say("đăng ký kết hôn ở đâu")
    chat.say("Từ Sơn")
    assert centre_of(chat.text) == "Phường Từ Sơn"
    chat.say("à không, mình ở phường Kinh Bắc")
    assert centre_of(chat.text) == "Phường Kinh Bắc"
    chat.say("chứng thực chữ ký nộp ở đâu")
    assert centre_of(chat.text) == "Phường Kinh Bắc"
    assert ASK not in chat.text  # remembered, not asked again


def test_a_place_given_while_a_choice_is_pending_is_read_as_a_place(chat):
    chat.say("lỡ làm mất hộ chiếu")
    picks = [p for p in chat.payloads() if p.startswith("pick:")]
    assert len(picks) >= 2
    chat.say("tu son")
    assert "Phường Từ Sơn" in chat.text
    assert [p for p in chat.payloads() if p.startswith("pick:")] == picks  # still to choose
    chat.press(next(p for p in picks if p.endswith("1.010386")))  # the commune-level one
    chat.say("nộp ở đâu")
    assert centre_of(chat.text) == "Phường Từ Sơn"


def new_unit_of(old_unit: str) -> str:
    return next(r["new_unit"] for r in old_rows() if r["old_unit"] == old_unit)


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("em ở thị trấn Lim, đăng ký kết hôn nộp ở đâu", "Thị trấn Lim"),
        ("dang ky ket hon o xa dong phong nop o dau", "Xã Đông Phong"),
    ],
)
def test_a_pre_2025_name_inside_a_question_gives_the_centre_of_today(chat, question, place):
    chat.say(question)
    assert "kết hôn" in chat.text.lower()
    assert centre_of(chat.text) == new_unit_of(place)
    assert ASK not in chat.text


def test_an_old_district_inside_a_question_asks_among_its_communes(chat):
    chat.say("em ở huyện Lương Tài, đăng ký khai tử nộp ở đâu")
    assert "khai tử" in chat.text.lower()
    units = district_units("Huyện Lương Tài")
    assert [b.title for r in chat.replies for b in r.buttons if b.payload.startswith("commune:")]
    chat.say(fold(units[0].split(" ", 1)[1]))  # the commune's name, typed without accents
    assert centre_of(chat.text) == units[0]


# --- the directory ------------------------------------------------------------------------

ONE_SYLLABLE_PHRASES = [
    "chữ ký",
    "chủ hộ",
    "hồ sơ",
    "hộ khẩu",
    "chỗ nào",
    "cho con",
    "với ai",
    "thừa kế",
    "thắng cố",
    "kép kín",
]


@pytest.mark.parametrize("phrase", ONE_SYLLABLE_PHRASES)
def test_one_folded_syllable_inside_a_phrase_names_no_place(phrase):
    directory = bac_ninh()
    for text in (f"cho mình hỏi {phrase} làm ở đâu", fold(f"nộp {phrase} ở chỗ nào")):
        assert directory.find(text) is None, text


@pytest.mark.parametrize(
    "text",
    [
        "chấp thuận thành lập văn phòng đại diện",  # "thuận thành" inside a phrase
        "kiểm định phương tiện phòng cháy",  # "phương" is no "phường"
        "hàng hóa dưới năm triệu đồng Việt Nam",  # the start of a longer name
        "gia đình tôi chuyển về từ Bình Dương",  # a pre-2025 name without its kind word
    ],
)
def test_names_that_are_words_of_a_phrase_are_no_place(text):
    assert bac_ninh().find(text) is None


def test_every_unit_of_today_is_found_by_its_full_name_and_by_its_kind_word():
    directory = bac_ninh()
    assert len(directory) == 99
    for unit in directory.communes:
        kind = unit.name.split(" ", 1)[0].lower()
        for text in (f"tôi ở {unit.name}", fold(f"nha em o {kind} {unit.short_name}")):
            mention = directory.find(text)
            assert mention is not None and mention.place.commune == unit, text
        assert directory.match(unit.short_name) == unit


def test_every_old_unit_with_its_kind_word_leads_to_its_unit_of_today():
    directory = bac_ninh()
    rows = old_rows()
    assert len(rows) == 313
    for row in rows:
        place = directory.place_in_reply(row["old_unit"])
        assert place is not None, row["old_unit"]
        assert row["new_unit"] in [u.name for u in place.units], row


def test_every_old_district_asks_among_exactly_its_units():
    directory = bac_ninh()
    districts = {r["old_district"] for r in old_rows()}
    assert len(districts) == 18
    for district in districts:
        place = directory.place_in_reply(district)
        assert place is not None and place.commune is None, district
        assert sorted(u.name for u in place.units) == sorted(district_units(district))


def test_the_generated_file_is_the_shared_table():
    rows = old_rows()
    assert OUTPUT.read_text("utf-8") == build(rows)
    with REFERENCE.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(rows)
