"""Which language to answer in: it follows the citizen, but only when they write a real
sentence in another language; keyboard mashing ("asdkj qwpoe") never flips it."""

from __future__ import annotations

from knowledge.query import guess_language
from knowledge.spelling import SYLLABLE_SHAPE
from knowledge.text import fold

# Common English words: two of them make a message a real English sentence.
ENGLISH_WORDS = frozenset(
    """a an the i me my we our you your he she it they them is am are was were be been do does
    did have has had can could will would should may must need needs want wants how what when
    where which who why whom please help hello hi hey thanks thank yes no not and or but if for
    to of in on at from with about by as this that these those there here get got make made
    apply register renew lost new old change issue birth death marriage certificate card id
    passport licence license driving driver fee fees cost costs long time take takes document
    documents paper papers office online form file child son daughter wife husband house land
    business permit residence temporary permanent copy ask talk speak staff person human agent
    english vietnamese know tell show much many days day week weeks month money""".split()
)


def follow(text: str, current: str) -> str:
    """The conversation's language after ``text``: Vietnamese for a message that reads as
    Vietnamese with its accents (an English one may carry a "fiancée" or a "Bắc Ninh"),
    English for one with at least two common English words, Vietnamese for an unaccented
    sentence mostly of Vietnamese-shaped syllables; otherwise unchanged."""
    if any(ord(c) > 127 and c.isalpha() for c in text) and guess_language(text) == "vi":
        return "vi"
    words = [w for w in fold(text).split() if w.isalpha()]
    english = [w for w in words if w in ENGLISH_WORDS]
    greeting = words in (["hello"], ["hi"], ["hey"], ["help"], ["thanks"])
    unlike_vietnamese = any(not SYLLABLE_SHAPE.match(w) for w in english)
    if greeting or (
        len(english) >= 2
        and len(english) >= len(words) / 2
        and (unlike_vietnamese or guess_language(text) == "en")
    ):
        return "en"
    syllables = [w for w in words if SYLLABLE_SHAPE.match(w)]
    if len(syllables) >= 2 and len(syllables) >= 0.6 * len(words) and guess_language(text) == "vi":
        return "vi"
    return current
