"""Find the request inside a long message.

An elderly citizen often tells the story first ("Tôi năm nay 72 tuổi, ở xã …, mảnh đất của bố
mẹ để lại …") and asks at the end ("Cho tôi hỏi làm giấy chứng nhận lần đầu thì nộp ở
đâu?"). Retrieval reads the sentence that asks, plus the facts from the story that pick
between near-identical procedures (who files, first time / lost / change, a foreign element),
and drops the rest of the narrative. A sentence that tells what was done or is held ("năm
ngoái tôi đã làm …", "nhà tôi đã được cấp giấy rồi") is narrative even when it names a procedure,
and the actions it names ("cấp lại", "thay đổi") pick no variant. A request that names nothing
("Vậy bây giờ phải làm những gì?") is read with the story sentences that name something,
since what it asks about was told there. A message typed as one
sentence is cut at its commas, or, without any, where a request opens ("…, giờ tôi muốn làm
giấy khai tử cho bà thì nộp ở đâu"). A short message is read whole.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.facets import detect_facets
from knowledge.function_words import KINSHIP, is_function_word
from knowledge.text import has_diacritics, syllables

FOCUS_ABOVE = 150  # characters: a message this long or shorter is read whole (one sentence
# of story before the question already makes a message longer: it is narrowed too)
MAX_FOCUS_WORDS = 48  # the most words the focused request keeps (a fixed budget)
MIN_REQUEST_WORDS = 2  # content syllables a run-on message's request names besides its cues

_SENTENCE_RE = re.compile(r"[^.?!;\n]+[.?!;\n]*")
_CLAUSE_RE = re.compile(r"[^,]+,?")
_WORD_RE = re.compile(r"[^\W_]+")


def _phrases(block: str) -> tuple[str, ...]:
    """The ``|``-separated folded phrases of a block written over several lines."""
    return tuple(" ".join(p.split()) for p in block.split("|") if p.strip())


# Cues of a sentence that asks (folded syllables), Vietnamese and English.
_ASK_CUES = tuple(
    tuple(cue.split())
    for cue in _phrases(
        """
    cho toi hoi|cho em hoi|cho minh hoi|cho chau hoi|xin hoi|hoi|lam sao|the nao|nhu the nao|
    can gi|can nhung gi|giay to gi|o dau|bao lau|bao nhieu|co duoc khong|duoc khong|
    phai lam gi|lam gi|thu tuc gi|lam the nao|
    how|what|where|can i|do i|should i|which
    """
    )
)
# The citizen's intent ("muốn", "định", "cần") and the words a procedure is named with: the
# sentence that says what they want done or need, which may precede the one that asks about it.
_INTENT_CUES = tuple(
    tuple(cue.split())
    for cue in _phrases(
        """
    muon|dinh|can|lam thu tuc|xin cap|dang ky|cap giay|lam giay|lam so|lam ho so|
    want|would like|need to|apply for|get a|register
    """
    )
)

# What opens a request in a message typed without punctuation: the intent cues and the
# phrases that introduce a question ("cho tôi hỏi"), not the facet questions after it.
_OPENERS = (
    *(cue for cue in _ASK_CUES if cue[-1] == "hoi" and len(cue) > 1),
    *(cue for cue in _INTENT_CUES if cue != ("can",)),  # "cần" opens facet questions too
)

# Compounds a cue's syllable is only part of, which fold to the same syllables: "gia đình"
# (family), "ổn định", "quyết định" name no intent ("định"); "thu hồi", "hồi trước",
# "phục hồi" ask nothing ("hỏi"); "căn cước", "cán bộ", "căn hộ" need nothing ("cần").
_NOT_CUES = frozenset(
    tuple(pair.split())
    for pair in _phrases(
        """
    gia dinh|on dinh|quyet dinh|quy dinh|xac dinh|nhat dinh|co dinh|chi dinh|giam dinh|
    khang dinh|an dinh|dinh cu|dinh ky|dinh chinh|dinh muc|tham dinh|du dinh|
    thu hoi|phuc hoi|hoi truoc|hoi xua|hoi do|hoi tre|hoi nho|hoi phuc|hoi huong|hoi sinh|
    can cuoc|can bo|can ho|can cu|can thiep|can nha|can phong
    """
    )
)

# Cue syllables whose accented spelling is known: typed with other accents they are other
# words ("hồi" a time, "đình" a family or a temple).
_ACCENTED_CUES = {"hoi": "hỏi", "dinh": "định", "can": "cần"}

# Words for the paperwork of any procedure, not which one (folded): "Xin hỏi hồ sơ cần những
# gì?" and "nộp ở đâu để nhận …" name nothing, and what they ask about was told before.
_GENERIC = tuple(
    tuple(words.split())
    for words in _phrases(
        "ho so|giay to|thu tuc|giay|nop|nhan|procedure|paperwork|papers|documents|document|form"
    )
)

# Demonstratives that point back to what the story told ("khoản này", "việc đó", "thủ tục
# ấy"): the word before one names nothing itself. Only as typed with accents: folded, "nay"
# is also "now" and "do" also "because" or "red".
_POINTING_BACK = frozenset("này đó ấy kia".split())
# English ones come before the word they point with ("that confirmation", "this paper").
_POINTING_BACK_EN = frozenset("this that these those".split())

# A sentence stating a past or done fact ("năm ngoái tôi đã làm …", "nhà tôi đã được cấp
# giấy rồi") is story, whatever procedure words it holds: its intent cues don't make it the
# request, unless it also asks.
_PAST_CUES = tuple(
    tuple(cue.split())
    for cue in _phrases(
        """
    da|roi|tung|nam ngoai|hoi truoc|truoc day|nam truoc|thang truoc|hoi xua|xong xuoi|
    already|last year|used to|did
    """
    )
)

# Facts in a story that choose between variants of one procedure (folded phrases).
VARIANT_FACTS = _phrases(
    """
    lan dau|chua bao gio|chua co|cap lai|bi mat|lam mat|danh mat|that lac|bi hong|hu hong|
    rach|cap doi|
    thay doi|bi sai|ghi sai|dinh chinh|gia han|het han|doanh nghiep|cong ty|to chuc|ho gia dinh|
    ca nhan|nguoi nuoc ngoai|nuoc ngoai|yeu to nuoc ngoai|viet kieu|dinh cu|o nuoc ngoai|
    tai nuoc ngoai|cong an|quan doi|liet si|thuong binh|benh binh|chat doc hoa hoc|
    lien thong|truc tuyen|xoa the chap|giai chap|the chap|dang ky lai|
    first time|again|lost|damaged|replace|renew|change|correct|foreign|foreigner|company|
    business|household|online
    """
)


# The variant facts that are a procedure's action ("cấp lại", "thay đổi", "gia hạn"): told
# as done in the story, they name what was done before, not what is asked now.
ACTION_FACTS = frozenset(
    _phrases(
        """
    cap lai|cap doi|thay doi|dinh chinh|gia han|dang ky lai|xoa the chap|giai chap|the chap|
    lien thong|truc tuyen|again|replace|renew|change|correct|online
    """
    )
)


@dataclass(frozen=True, slots=True)
class FocusedRequest:
    """The part of a message retrieval reads, and whether anything was left out."""

    text: str
    narrative_dropped: bool


def sentences(text: str) -> list[str]:
    """The message cut at sentence ends (. ? ! ; and line breaks), each stripped."""
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip()]


def clauses(text: str) -> list[str]:
    """A sentence cut at its commas, each clause stripped (its comma kept)."""
    return [c.strip() for c in _CLAUSE_RE.findall(text) if c.strip(" ,")]


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(tokens[i : i + size]) == phrase for i in range(len(tokens) - size + 1))


def ask_score(sentence: str) -> float:
    """How much a sentence reads as the request: a question mark, asking cues, the
    citizen's intent ("tôi muốn …") and the words procedures are named with."""
    tokens = _masked(syllables(sentence), _WORD_RE.findall(sentence))
    score = 3.0 if sentence.rstrip().endswith("?") else 0.0
    score += sum(1.0 for cue in _ASK_CUES if _contains(tokens, cue))
    if score == 0 and is_past_fact(sentence):
        return 0.0  # story: what was done or is held, not what is wanted
    score += sum(1.5 for cue in _INTENT_CUES if _contains(tokens, cue))
    return score


def _masked(tokens: list[str], words: list[str]) -> list[str]:
    """``tokens`` with the compounds a cue is only part of blanked out ("gia đình"), and,
    typed with accents, the words that only fold to a cue ("hồi" is not "hỏi")."""
    masked = list(tokens)
    for i in range(len(tokens) - 1):
        if (tokens[i], tokens[i + 1]) in _NOT_CUES:
            masked[i] = masked[i + 1] = ""
    if len(words) == len(tokens):
        for i, word in enumerate(words):
            cue = _ACCENTED_CUES.get(tokens[i])
            if cue and has_diacritics(word) and word.lower() != cue:
                masked[i] = ""
    return masked


def is_past_fact(sentence: str) -> bool:
    """Whether a sentence states something done or held ("đã", "rồi", "năm ngoái") and
    nothing still to do ("chưa": "đã định tặng đất nhưng chưa làm giấy" tells what is wanted)."""
    tokens = syllables(sentence)
    return "chua" not in tokens and any(_contains(tokens, cue) for cue in _PAST_CUES)


def variant_facts(text: str) -> list[str]:
    """The variant-picking phrases a text states, as the citizen wrote them."""
    words = _WORD_RE.findall(text)
    tokens = syllables(text)
    if len(words) != len(tokens):  # a word the folding splits: fall back to folded forms
        words = tokens
    found: dict[tuple[int, int], str] = {}
    for phrase in VARIANT_FACTS:
        wanted = tuple(phrase.split())
        size = len(wanted)
        for i in range(len(tokens) - size + 1):
            if tuple(tokens[i : i + size]) == wanted:
                found[(i, i + size)] = " ".join(words[i : i + size])
    # A longer phrase makes the phrases inside it redundant ("yếu tố nước ngoài").
    spans = [
        span
        for span in found
        if not any(o != span and o[0] <= span[0] and span[1] <= o[1] for o in found)
    ]
    return list(dict.fromkeys(found[span].lower() for span in sorted(spans)))


def focus(text: str, max_words: int = MAX_FOCUS_WORDS) -> FocusedRequest:
    """The request inside ``text``: the sentence that asks most (the last on ties), the one
    that says what is wanted when another does (one that names something first), the
    questions asked after it, and the variant facts of the dropped narrative; when none of
    those names anything ("Vậy giờ phải làm gì?"), the story sentences that do. At most
    ``max_words`` words."""
    text = " ".join(text.split())
    parts = sentences(text)
    if len(text) > FOCUS_ABOVE and len(parts) == 1:
        return _run_on_focus(text, max_words)
    if len(text) <= FOCUS_ABOVE or len(parts) < 2:
        return _read_whole(text, max_words)
    scores = [ask_score(s) for s in parts]
    best = max(range(len(parts)), key=lambda i: (scores[i], i))
    # The sentence that says what is wanted, when it is not the one that asks: one that
    # names something ("… giờ muốn xin lý lịch tư pháp …") before one that only asks.
    others = [i for i in range(len(parts)) if i != best and scores[i] >= 1.5]
    wanted = max(others, key=lambda i: (_names_something(parts[i]), scores[i], i), default=best)
    # The questions asked after the request ("… Nếu được thì cần mang gì?") ask about it.
    after = [i for i in range(best + 1, len(parts)) if scores[i] > 0]
    chosen = sorted({best, wanted, *after})
    if not any(_names_something(parts[i]) for i in chosen):
        return _nameless_request(text, parts, chosen, max_words)
    kept = " ".join(parts[i] for i in chosen)
    dropped = [part for i, part in enumerate(parts) if i not in chosen]
    return FocusedRequest(_cap_keeping_end(_with_story_facts(kept, dropped), max_words), True)


def _nameless_request(
    text: str, parts: list[str], chosen: list[int], max_words: int
) -> FocusedRequest:
    """A request that names nothing ("Vậy bây giờ phải làm những gì?"): what it asks about
    is told in the story before it ("… để mẹ đứng tên thừa kế quyền sử dụng đất."), in a
    sentence no cue marks. The request is read with the story's sentences that name
    something, past facts left out when others remain (their last ``max_words`` words,
    the request last, then the variant facts of the sentences left out); with nothing named
    at all, the message is read whole."""
    named = [i for i in range(chosen[0]) if _names_something(parts[i])]
    if not named:
        return _read_whole(text, max_words)
    story = [i for i in named if not is_past_fact(parts[i])] or named[-1:]
    read = [*story, *chosen]
    kept = " ".join(parts[i] for i in read)
    dropped = [part for i, part in enumerate(parts) if i not in read]
    return FocusedRequest(_cap_keeping_end(_with_story_facts(kept, dropped), max_words), True)


def _run_on_focus(text: str, max_words: int) -> FocusedRequest:
    """A long message typed as one sentence, its story and request joined by commas ("tôi ở
    …, bà nội tôi mất tháng trước …, giờ tôi muốn làm giấy khai tử … nộp ở đâu"): the clause
    that asks most among those that name something besides their cues (the last on ties) is
    the request; the clauses before it are story and are dropped (their variant facts kept),
    the clauses after it are read with it, since they often carry its facets ("…, cần giấy
    tờ gì, nộp ở đâu")."""
    parts = clauses(text)
    if len(parts) < 2:
        parts = _cue_pieces(text)
    scores = [ask_score(part) for part in parts]
    named = [i for i, part in enumerate(parts) if scores[i] > 0 and _names_something(part)]
    anchor = max(named, key=lambda i: (scores[i], i), default=0)
    if anchor == 0:
        return _read_whole(text, max_words)
    kept = " ".join(parts[anchor:])
    return FocusedRequest(_cap(_with_story_facts(kept, parts[:anchor]), max_words), True)


def _cue_pieces(text: str) -> list[str]:
    """A message typed without any punctuation cut before each phrase that opens a request
    ("… xong rồi giờ tôi | muốn | làm giấy khai tử cho bà thì phải mang giấy tờ gì và nộp ở
    đâu"), the only marks left of where it begins. Facet questions ("ở đâu", "bao lâu") don't
    cut: they follow the request they ask about."""
    words = text.split()
    folded = [" ".join(syllables(word)) for word in words]
    at: dict[str, list[int]] = {}  # where each word occurs: a cue is only tried there
    for i, word in enumerate(folded):
        at.setdefault(word, []).append(i)
    starts = {0}
    for cue in _OPENERS:
        spelt = " ".join(cue)
        for i in at.get(cue[0], ()):
            if " ".join(folded[i : i + len(cue)]) == spelt:
                starts.add(i)
    bounds = [*sorted(starts), len(words)]
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds) if a < b]


def _read_whole(text: str, max_words: int) -> FocusedRequest:
    """The message as it is, cut only to ``max_words`` (and then said to be narrowed)."""
    return FocusedRequest(_cap(text, max_words), len(text.split()) > max_words)


def _with_story_facts(kept: str, dropped: list[str]) -> str:
    """``kept`` followed by the variant facts of the ``dropped`` story it doesn't state
    itself, in brackets ("… (bị mất, lần đầu)")."""
    kept_tokens = syllables(kept)
    facts = [
        fact
        for part in dropped
        for fact in _story_facts(part)
        if not _contains(kept_tokens, tuple(syllables(fact)))
    ]
    facts = list(dict.fromkeys(facts))
    return f"{kept} ({', '.join(facts)})" if facts else kept


@lru_cache(maxsize=4096)  # asked of one sentence by several steps of one focus
def _names_something(clause: str) -> bool:
    """Whether a clause names what it is about ("giờ tôi muốn làm giấy khai tử cho bà thì …",
    "nay tôi muốn đăng ký thường trú"): at least :data:`MIN_REQUEST_WORDS` syllables besides
    its asking, intent and facet cues, function words and kinship words. "…, cần chuẩn bị
    giấy tờ gì, nộp ở đâu" and "giờ tôi muốn làm lại cho mẹ thì …" name nothing: what they
    ask about is in a clause before them, which must not be dropped."""
    words = syllables(clause)
    typed = [word.lower() for word in _WORD_RE.findall(clause)]
    aligned = typed if len(typed) == len(words) else [None] * len(words)
    _, cue_positions = detect_facets(clause)
    for cue in (*_ASK_CUES, *_INTENT_CUES, *_GENERIC):
        for i in range(len(words) - len(cue) + 1):
            if tuple(words[i : i + len(cue)]) == cue:
                cue_positions.update(range(i, i + len(cue)))
    pointing = {i for i in range(len(words) - 1) if aligned[i + 1] in _POINTING_BACK}
    pointing |= {i for i in range(1, len(words)) if aligned[i - 1] in _POINTING_BACK_EN}
    content = [
        word
        for i, (word, as_typed) in enumerate(zip(words, aligned, strict=True))
        if i not in cue_positions
        and i not in pointing
        and not is_function_word(word, as_typed)
        and word not in KINSHIP
    ]
    return len(content) >= MIN_REQUEST_WORDS


def _story_facts(sentence: str) -> list[str]:
    """The variant facts of a dropped sentence; of one that states a past fact, only the
    citizen's circumstances ("bị mất", "lần đầu", "nước ngoài"), not the actions of a
    procedure already done ("năm ngoái tôi đã làm thủ tục thay đổi …")."""
    facts = variant_facts(sentence)
    if not is_past_fact(sentence):
        return facts
    return [f for f in facts if " ".join(syllables(f)) not in ACTION_FACTS]


def _cap_keeping_end(text: str, max_words: int) -> str:
    """``text`` cut to its last ``max_words`` words: the question, asked last, and the story's
    facts after it stay; a long sentence before it loses its opening."""
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[-max_words:])


def _cap(text: str, max_words: int) -> str:
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words])
