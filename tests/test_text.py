import unicodedata

from knowledge.text import fold, has_diacritics, normalize, syllables, unify_tones


def test_folding_makes_accented_and_plain_spellings_meet():
    assert fold("Đăng ký khai sinh") == fold("dang ky khai sinh") == "dang ky khai sinh"
    assert fold("SỔ ĐỎ") == "so do"


def test_decomposed_unicode_folds_like_composed():
    decomposed = unicodedata.normalize("NFD", "Hộ chiếu")
    assert decomposed != "Hộ chiếu"
    assert normalize(decomposed) == "Hộ chiếu"
    assert fold(decomposed) == "ho chieu"


def test_new_style_tone_marks_move_to_the_catalogue_style():
    assert unify_tones("hoà giải") == "hòa giải"
    assert unify_tones("thuỷ lợi") == "thủy lợi"
    assert unify_tones("Hoá đơn") == "Hóa đơn"


def test_vowels_with_two_marks_are_left_alone():
    for word in ("hoặc", "luật", "thuật", "khuyết", "Hoạt"):
        assert unify_tones(word) == word


def test_qu_and_closed_syllables_keep_their_tone_marks():
    assert unify_tones("quý") == "quý"
    assert unify_tones("hoàng") == "hoàng"
    assert unify_tones("khoảng") == "khoảng"


def test_syllables_drop_punctuation_and_keep_digits():
    assert syllables("Làm CCCD (lần 2)?") == ["lam", "cccd", "lan", "2"]


def test_has_diacritics():
    assert has_diacritics("đổi căn cước")
    assert not has_diacritics("doi can cuoc")
