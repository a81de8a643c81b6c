"""The speller on its own: which words it takes for typos, judged by their neighbours."""

from knowledge.spelling import Speller

# A small catalogue's counts: syllables and the pairs it writes side by side.
COUNTS = {
    "chuyen": 300,
    "nhuong": 120,
    "quyen": 900,
    "quye": 2,  # one of the catalogue's own typos
    "su": 800,
    "dung": 700,
    "chuyen nhuong": 110,
    "nhuong quyen": 100,
    "quyen su": 850,
    "su dung": 690,
    "dang": 500,
    "ky": 500,
    "thuong": 400,
    "thong": 600,
    "tru": 420,
    "dang ky": 480,
    "ky thuong": 90,
    "ky thong": 30,
    "thuong tru": 410,
    "thong tin": 500,
    "tin": 520,
    "xn": 2,  # rare and short: chat shorthand as often as a typo
    "xin": 60,
    "xin giay": 40,
    "giay": 700,
}


def test_a_word_the_catalogue_writes_a_handful_of_times_is_repaired_by_its_neighbours():
    speller = Speller(COUNTS)
    assert speller.repair("quye", "nhuong", "su") == "quyen"
    # Without neighbours that tell, it stays as typed.
    assert speller.repair("quye", None, None) == "quye"


def test_a_frequent_word_stays_even_where_another_fits_better():
    speller = Speller(COUNTS)
    assert speller.repair("thong", "ky", "tru") == "thong"


def test_a_short_rare_word_is_left_to_the_shorthand_list():
    assert Speller(COUNTS).repair("xn", None, "giay") == "xn"


def test_a_suspect_word_may_be_repaired_into_a_longer_one():
    """ "thơng" (accents the catalogue never writes) lost a letter of the six of "thường":
    the five-letter word is matched against the longer ones too."""
    assert Speller(COUNTS).repair("thong", "ky", "tru", suspect=True) == "thuong"


def test_an_abbreviation_with_a_letter_lost_is_written_in_full():
    """ "ltp" is "lltp" (criminal record) with an "l" lost, though "btp" is a letter away
    too; "dkk" could be "dkkh", "dkks" or "dkkt" and stays as typed."""
    speller = Speller(COUNTS, abbreviations=["lltp", "btp", "dkkh", "dkks", "dkkt"])
    assert speller.repair("ltp", "xin", None) == "lltp"
    assert speller.repair("dkk", None, None) == "dkk"


def test_a_syllable_is_not_taken_for_an_abbreviation():
    # "can" is "cand" (công an nhân dân) with a letter lost, but it is a Vietnamese syllable.
    speller = Speller(COUNTS, abbreviations=["cand"])
    assert speller.repair("can", None, None) == "can"
