"""Questions derived from the catalogue itself, for calibrating and measuring retrieval on
every procedure rather than on a handful of hand-written questions.

Each record gives a few questions the way citizens shorten them: the first words of its name
(the level in brackets left out), with or without accents, with a facet asked ("… cần giấy tờ
gì?"); what it delivers ("muốn có <result> thì làm thế nào"); and the name with a catalogue
phrase replaced by what citizens type instead (the lexicon read backwards: "đăng ký khai sinh"
→ "đkks"). A question accepts every procedure of the same name at another level.
``story_questions`` gives realistic long messages apart (another procedure of the same field
told as done, then the request in the citizen's words), drawn per record so the other kinds'
draws stay as they were.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from knowledge.lexicon import Lexicon
from knowledge.schema import Catalogue, Procedure
from knowledge.text import fold, syllables

_LEVEL_RE = re.compile(r"\((?:[^()]*\b(?:cấp|thực hiện tại|level)\b[^()]*)\)", re.IGNORECASE)
_OPENINGS = ("", "", "cho tôi hỏi ", "em muốn ", "thủ tục ", "làm ")
# Context citizens wrap a request in (the team's own generic phrases): a question with them
# reads as a real message does, with words no procedure is named by.
_CONTEXT = (
    "",
    "",
    "",
    "nhà tôi ở xã bên cạnh, ",
    "tôi năm nay đã lớn tuổi, ",
    "con tôi đang đi làm xa nên ",
    "mấy hôm nay tôi bận quá, ",
    "hôm qua cán bộ thôn có nói, ",
    "gia đình tôi ở quê, ",
    "chào anh chị, ",
)
# Narrative sentences (the team's own, about nothing any procedure names) that open the
# long messages elderly citizens write before they ask.
_STORY = (
    "Tôi năm nay đã ngoài sáu mươi tuổi, sống ở quê với bà nhà.",
    "Các con tôi đi làm ăn xa, ít khi về thăm.",
    "Nhà tôi làm ruộng, nuôi thêm mấy con gà, năm nay mùa màng cũng khá.",
    "Hôm trước cán bộ thôn đến nhà nói chuyện, tôi nghe không rõ lắm.",
    "Mắt tôi kém, đi lại cũng khó khăn, nên nhờ cháu gõ hộ mấy dòng này.",
    "Tôi hỏi mấy người hàng xóm thì mỗi người nói một kiểu.",
)
_EN_OPENINGS = ("", "how do i get ", "how to apply for ", "where can i do ", "i need ")
# What expats and Vietnamese abroad say around a request (the team's own generic phrases,
# about nothing any procedure names): English questions rarely come bare.
_EN_CONTEXT = (
    "",
    "",
    "",
    "hi, i'm a foreigner living in hanoi. ",
    "hello, sorry for my english. ",
    "my family lives in ho chi minh city and ",
    "i have been working here for two years, ",
    "quick question: ",
    "can you help me? ",
)
_EN_ENDINGS = ("", " what documents do i need", " how long does it take", " fee", " online")
_ENDINGS = (
    "",
    " cần giấy tờ gì",
    " nộp ở đâu",
    " mất bao lâu",
    " lệ phí bao nhiêu",
    " làm thế nào",
    " được không",
)


# Stories as real ones run (the team's own frames, kind "story"): a place and family detail,
# a DIFFERENT procedure of the same field stated as a past fact (its paper held, its step
# done), then the request in the citizen's words (the record's result paper, an alias, the
# lexicon's wording, or a shortened name) with a facet asked.
_PLACES = ("Thái Bình", "Nghệ An", "Phú Thọ", "Thanh Hóa", "Hà Nam", "Hải Dương", "Quảng Ngãi")
_FAMILY = ("con trai tôi", "con gái tôi", "cháu nội tôi", "bà nhà tôi", "con dâu tôi")
_DETAILS = (
    "Nhà tôi ở một xã thuộc {place}, {family} đi làm ăn xa.",
    "Tôi sống với {family} ở quê {place} đã lâu.",
    "Quê tôi ở {place}, {family} thì đang ở trên thành phố.",
)
_PAST_DONE = (
    "Năm ngoái tôi đã làm {other} rồi.",
    "Hồi trước nhà tôi đã {other}, xong xuôi cả.",
    "Mấy năm trước {family} cũng từng đi {other} ở xã.",
)
_PAST_HELD = (
    "Nhà tôi đã có {other} từ lâu.",
    "Tôi đã được cấp {other} rồi.",
)
_ASKS = (
    "Nay tôi muốn {request} thì{ending} ạ?",
    "Cho tôi hỏi giờ muốn {request} thì{ending}?",
    "Bây giờ {family} muốn {request},{ending} ạ?",
)
_SPLIT_ASKS = (" Vậy thì{ending} ạ?", " Như thế thì{ending}?")


@dataclass(frozen=True, slots=True)
class DerivedQuestion:
    """A question made from one record, the codes it accepts and how it was made."""

    text: str
    code: str
    accepted: tuple[str, ...]
    kind: str  # name, unaccented, result, lexicon, long, english, story


def fold_of(code: str) -> str:
    """The fixed fold ("A" or "B") of a procedure: a hash of its code, so derived questions
    can be tuned on one fold and checked on the other."""
    return "A" if hashlib.sha256(code.encode()).digest()[0] % 2 == 0 else "B"


def base_name(name: str) -> str:
    """A procedure's name (or its English rendering) without the level it is filed at: the
    key its variants share."""
    return " ".join(_LEVEL_RE.sub(" ", name).split())


def variant_groups(catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    """Every code → the codes of the procedures with the same name at any level."""
    groups: dict[str, list[str]] = {}
    for proc in catalogue:
        groups.setdefault(fold(base_name(proc.name)), []).append(proc.code)
    return {code: tuple(codes) for codes in groups.values() for code in codes}


def _shortened(name: str, draw: random.Random) -> str:
    words = base_name(name).split()
    keep = min(len(words), draw.randint(4, 9))
    return " ".join(words[:keep]).rstrip(",;:-").lower()


def _citizen_phrases(lexicon: Lexicon) -> dict[str, list[str]]:
    """Catalogue wording → the phrases citizens type for it (the lexicon read backwards)."""
    back: dict[str, list[str]] = {}
    for phrase, expansions in lexicon.entries():
        for expansion in expansions:
            back.setdefault(fold(expansion), []).append(phrase)
    return back


def questions_for(
    proc: Procedure,
    accepted: tuple[str, ...],
    back: dict[str, list[str]],
    draw: random.Random,
) -> Iterator[DerivedQuestion]:
    """The questions one record gives."""
    short = _shortened(proc.name, draw)
    opening = draw.choice(_CONTEXT) + draw.choice(_OPENINGS)
    asked = f"{opening}{short}{draw.choice(_ENDINGS)}"
    yield DerivedQuestion(asked, proc.code, accepted, "name")
    yield DerivedQuestion(
        fold(f"{short}{draw.choice(_ENDINGS)}"), proc.code, accepted, "unaccented"
    )
    story = " ".join(draw.sample(_STORY, draw.randint(2, 4)))
    ending = draw.choice(_ENDINGS[1:])
    long_message = f"{story} Cho tôi hỏi {short}{ending} ạ?"
    yield DerivedQuestion(long_message, proc.code, accepted, "long")
    result = proc.result.split(".")[0].strip()
    if 2 <= len(syllables(result)) <= 10:
        yield DerivedQuestion(
            f"muốn có {result.lower()} thì làm thế nào", proc.code, accepted, "result"
        )
    folded = fold(base_name(proc.name))
    for wording, phrases in back.items():
        if len(wording.split()) >= 2 and f" {wording} " in f" {folded} ":
            swapped = f" {folded} ".replace(f" {wording} ", f" {draw.choice(phrases)} ", 1)
            words = swapped.split()[: draw.randint(4, 9)]
            yield DerivedQuestion(" ".join(words), proc.code, accepted, "lexicon")
            break


def _paper(proc: Procedure) -> str:
    """The paper a record delivers, as a citizen names it (its result's first sentence),
    or "" when that is long or not a paper."""
    result = proc.result.split(".")[0].split(";")[0].strip()
    if not 2 <= len(syllables(result)) <= 8:
        return ""
    return result[0].lower() + result[1:]


def _requests(proc: Procedure, back: dict[str, list[str]], draw: random.Random) -> list[str]:
    """What a citizen says they want done, in their words: "làm" the result paper, an
    alias, the name with the lexicon's wording, a shortened name."""
    found = [_shortened(proc.name, draw)]
    paper = _paper(proc)
    if paper:
        verb = "làm" if fold(paper).split()[0] in {"giay", "the", "so", "ban"} else "xin"
        found.append(f"{verb} {paper}")
    found.extend(alias.lower() for alias in proc.aliases[:2])
    folded = fold(base_name(proc.name))
    for wording, phrases in back.items():
        if len(wording.split()) >= 2 and f" {wording} " in f" {folded} ":
            swapped = f" {folded} ".replace(f" {wording} ", f" {draw.choice(phrases)} ", 1)
            found.append(" ".join(swapped.split()[: draw.randint(4, 8)]))
            break
    return found


def story_question(
    proc: Procedure,
    accepted: tuple[str, ...],
    other: Procedure,
    back: dict[str, list[str]],
    draw: random.Random,
) -> DerivedQuestion:
    """A long message as real ones run: a family and place detail, another procedure
    (``other``) stated as done or held, a generic story sentence, then the request in the
    citizen's words, sometimes said first and asked after ("… Vậy thì nộp ở đâu ạ?")."""
    family = draw.choice(_FAMILY)
    detail = draw.choice(_DETAILS).format(place=draw.choice(_PLACES), family=family)
    paper = _paper(other)
    if paper and draw.random() < 0.5:
        past = draw.choice(_PAST_HELD).format(other=paper)
    else:
        past = draw.choice(_PAST_DONE).format(other=_shortened(other.name, draw), family=family)
    story = [detail, past, *draw.sample(_STORY, draw.randint(0, 2))]
    draw.shuffle(story)
    request = draw.choice(_requests(proc, back, draw))
    ending = draw.choice(_ENDINGS[1:])
    if draw.random() < 0.3:
        ask = f"Nay tôi muốn {request}.{draw.choice(_SPLIT_ASKS).format(ending=ending)}"
    else:
        ask = draw.choice(_ASKS).format(request=request, ending=ending, family=family)
    text = " ".join([*story, ask[0].upper() + ask[1:]])
    return DerivedQuestion(text, proc.code, accepted, "story")


def story_questions(
    catalogue: Catalogue, lexicon: Lexicon, seed: int = 11
) -> list[DerivedQuestion]:
    """One realistic long message for every record of ``catalogue`` whose field holds
    another procedure (a seeded draw per record: the same every run, independent of the
    other kinds' draws)."""
    groups = variant_groups(catalogue)
    back = _citizen_phrases(lexicon)
    by_field: dict[str, list[Procedure]] = {}
    for proc in catalogue:
        by_field.setdefault(proc.field, []).append(proc)
    found = []
    for proc in catalogue:
        others = [p for p in by_field[proc.field] if p.code not in groups[proc.code]]
        if not others:
            continue
        draw = random.Random(f"{seed}:{proc.code}")
        found.append(story_question(proc, groups[proc.code], draw.choice(others), back, draw))
    return found


def english_question(
    english_name: str, code: str, accepted: tuple[str, ...], draw: random.Random
) -> DerivedQuestion:
    """An English question from a procedure's English name (its level left out), often
    wrapped in the context expats write around a request."""
    words = english_name.split(" (")[0].lower().split()[: draw.randint(3, 7)]
    opening = draw.choice(_EN_CONTEXT) + draw.choice(_EN_OPENINGS)
    text = f"{opening}{' '.join(words)}{draw.choice(_EN_ENDINGS)}"
    return DerivedQuestion(text, code, accepted, "english")


def derived_questions(
    catalogue: Catalogue,
    lexicon: Lexicon,
    english_names: dict[str, str] | None = None,
    seed: int = 11,
) -> list[DerivedQuestion]:
    """Questions from every record of ``catalogue`` (a seeded draw: the same every run);
    with ``english_names`` (code → shown English name), an English one for each named."""
    draw = random.Random(seed)
    groups = variant_groups(catalogue)
    back = _citizen_phrases(lexicon)
    found = [q for proc in catalogue for q in questions_for(proc, groups[proc.code], back, draw)]
    for code, name in (english_names or {}).items():
        found.append(english_question(name, code, groups.get(code, (code,)), draw))
    return found
