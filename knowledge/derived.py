"""Questions derived from the catalogue itself, for calibrating and measuring retrieval on
every procedure rather than on a handful of hand-written questions.

Each record gives a few questions the way citizens shorten them: the first words of its name
(the level in brackets left out), with or without accents, with a facet asked ("… cần giấy tờ
gì?"); what it delivers ("muốn có <result> thì làm thế nào"); and the name with a catalogue
phrase replaced by what citizens type instead (the lexicon read backwards: "đăng ký khai sinh"
→ "đkks"). A question accepts every procedure of the same name at another level.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class DerivedQuestion:
    """A question made from one record, the codes it accepts and how it was made."""

    text: str
    code: str
    accepted: tuple[str, ...]
    kind: str  # name, unaccented, result, lexicon, long, english


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
