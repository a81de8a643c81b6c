"""After an answer: does a message ask more about the same procedure, or name another one?

"nộp online được không", "lệ phí bao nhiêu", "mẫu đơn" ask about a facet of the procedure just
answered; "còn đăng ký kết hôn thì mất bao lâu" names another. The test is what remains of the
message once its facet cues, courtesies, function words and the place it names are set aside:
a message names another procedure only when what remains holds words that are distinctive in
the catalogue (found in few of its procedures), found in the procedure retrieval would move
to, and not (as much) in the one being discussed.
"""

from __future__ import annotations

import math
from functools import lru_cache

from knowledge.facets import detect_facets
from knowledge.function_words import STOPWORDS
from knowledge.lexical import terms
from knowledge.query import COURTESIES
from knowledge.retriever import Retriever, SearchResult
from knowledge.text import syllables

# Words that, in a follow-up, join or soften the question rather than name anything: "còn …
# thì sao", "có … không", "… xong", "… nhanh".
CONNECTIVES = frozenset("co con sao xong nhanh lieu vay the thi nua them nhi ha".split())
# Words for filing and paying that every procedure shares ("nộp hồ sơ", "mẫu đơn", "tiền",
# "online"): outside a cue phrase too, they ask about the procedure rather than name one.
FILING_WORDS = frozenset(
    """nop ho so giay to mau don tien phi le online truc tuyen mang web website app
    apply application submit file filing lodge send take get done""".split()
)
# A word found in more than this share of the catalogue's procedures names none of them.
DISTINCTIVE_SHARE = 0.15


@lru_cache(maxsize=1)
def _asking_words() -> frozenset[str]:
    return FILING_WORDS | CONNECTIVES | COURTESIES | STOPWORDS


def remainder(text: str) -> str:
    """``text`` (without the place it names) minus facet cues, courtesies, function words and
    the words of filing every procedure shares."""
    tokens = syllables(text)
    _, cues = detect_facets(text)
    asking = _asking_words()
    return " ".join(t for i, t in enumerate(tokens) if i not in cues and t not in asking)


def names_another(
    retriever: Retriever,
    current: str,
    result: SearchResult,
    rest: str,
) -> bool:
    """Whether ``rest`` (see :func:`remainder`) names a procedure other than ``current``,
    the one retrieval ranked first for the whole message (``result``)."""
    if not rest or result.decision == "abstain" or not result.hits:
        return False
    if result.hits[0].procedure.code == current:
        return False
    # The current procedure may be among several offered (variants of one name): the message
    # still names another when its distinctive words belong to the first more than to it.
    analysed = retriever.analyzer.analyze(rest)
    words = set(terms(analysed.content_tokens))  # words and word pairs ("khai_tu")
    distinctive = {t for t in words if _distinctive(retriever, t)}
    if not distinctive:
        return False
    top = _strength(retriever, result.hits[0].procedure.code, distinctive)
    return top > 0 and top > _strength(retriever, current, distinctive)


def _distinctive(retriever: Retriever, word: str) -> bool:
    size = retriever.bm25.size
    share = DISTINCTIVE_SHARE * size
    threshold = math.log(1 + (size - share + 0.5) / (share + 0.5))
    return retriever.bm25.idf.get(word, 0.0) >= threshold


def _strength(retriever: Retriever, code: str, words: set[str]) -> float:
    """The weight (IDF) of the ``words`` (and word pairs) procedure ``code`` mentions."""
    doc = next((i for i, p in enumerate(retriever.procedures) if p.code == code), None)
    if doc is None:
        return 0.0
    found = retriever.bm25.matched(doc, words)
    return sum(retriever.bm25.idf[t] for t in found)
