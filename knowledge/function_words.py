"""Function words of citizens' questions (words that carry no procedure meaning) and the
kinship words of their stories.

Read by query analysis (content words, the speller), by the focus on long messages (whether a
clause names anything besides them) and by the abbreviation generator. A function word that
the catalogue's names bind to a neighbour ("giải thể", "nhà ở", "trẻ em") is part of a term
there: :func:`bound_pairs` learns those pairs from the names.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable

from knowledge.text import fold, has_diacritics, normalize

# Function words of citizens' questions, Vietnamese (folded) and English. They carry no
# procedure meaning; they are dropped from the content words.
STOPWORDS = frozenset(
    """
    a ad ah ak admin anh ban be bi cac cach can cau cho cua da day de den di do duoc em gi gio
    giup ha hay hen hoi j ji khi khong la lam luon minh muon nao ne neu nhe nhi nho nhu nhung
    nua o oi phai qua ra roi se t ta thi the thoi toi va vay ve voi vs xin xem ya u uh vang
    thanks thank please pls hello hi i me my we our you your the an of to for in on at is are
    am do does did how what which when where who why could should would will with and or from
    by it this that there get need want about as ok okay dc k ko hok nhieu it bac ninh ubnd
    moi hom nay tuan truoc sau luc hien
    """.split()
)
# English function words. An English question typed without accents keeps them as typed in
# the encoder's text: given the catalogue's commonest accents they become Vietnamese words
# that mean something ("the" → "thẻ" card, "my" → "mỹ" America, "to" → "tổ", "can" → "căn").
ENGLISH_FUNCTION_WORDS = frozenset(
    """
    i me my we our us you your he she his her they them their it its this that these those
    the a an of to for in on at by with from into about as than then so if not no and or but
    is are am was were be been have has had do does did can could should would will may must
    how what which when where who why there here get need want like just also one some any all
    """.split()
)

# What the folded function words are when typed with accents. A word typed with other accents
# is a content word whose folded form happens to be a function word: "thẻ" (card) is not
# "the", "căn" (căn cước) is not "cần", "hạn" is not "hẹn".
ACCENTED_FUNCTION_WORDS = frozenset(
    """
    à ạ ả á anh bạn bị các cách cần câu cho của đã dạ đây đấy để đến đi đó được em gì giờ
    giúp hả hay hẹn hỏi khi không là làm luôn mình muốn nào nè nếu nhé nhỉ nhờ như những
    nhưng nữa ở ơ ơi phải qua quá ra rồi sẽ ta thì thế thể thôi tôi và vậy về với xin xem ừ
    vâng mới mọi hôm nay này tuần trước sau lúc hiện nhiều ít bắc ninh
    """.split()
)


def is_function_word(folded: str, typed: str | None) -> bool:
    """Whether a word is a function word: its folded form is one, unless the citizen typed it
    with accents that make it another word."""
    if folded not in STOPWORDS:
        return False
    return typed is None or not has_diacritics(typed) or typed in ACCENTED_FUNCTION_WORDS


# Words of a citizen's family story the catalogue seldom writes, folded: kinship. Never taken
# for typos ("con gái" is not "còn lại"); they stay content words, since who is concerned can
# pick a procedure ("khai sinh cho con", "giám hộ cho cháu").
KINSHIP = frozenset(
    """
    gai trai ong ba chau chong vo me bo cha chi co chu bac di cau mo thim duong dau re noi ngoai
    """.split()
)


BOUND_SHARE = 0.25  # of the names that spell a function word, the share where one pair holds it
BOUND_MIN = 3  # names a bound pair occurs in, at least


def bound_pairs(names: Iterable[str]) -> frozenset[tuple[str, str]]:
    """Pairs of words, spelt as procedure names spell them, in which a function word is part
    of a term ("giải thể", "nhà ở", "trẻ em", "quá cảnh", "an ninh"): the pair occurs in at
    least :data:`BOUND_MIN` names and in at least :data:`BOUND_SHARE` of the names where that
    spelling of the function word occurs, and its other word is not a function word. "có
    thể" is no such pair: names seldom write it."""
    in_names: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for name in dict.fromkeys(names):
        words = [w.strip(".,;:()[]\"'/-") for w in normalize(name).lower().split()]
        words = [w for w in words if w]
        in_names.update(set(words))
        pairs.update(set(itertools.pairwise(words)))
    found = set()
    for (a, b), count in pairs.items():
        for word, other in ((a, b), (b, a)):
            if (
                count >= BOUND_MIN
                and is_function_word(fold(word), word)
                and not is_function_word(fold(other), other)
                and count >= BOUND_SHARE * in_names[word]
            ):
                found.add((a, b))
    return frozenset(found)
