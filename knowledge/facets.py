"""What a question asks about a procedure: documents, fee, time, place, online, steps."""

from __future__ import annotations

from typing import Literal

from knowledge.text import syllables

Facet = Literal["documents", "fee", "time", "place", "online", "steps"]
FACETS: tuple[Facet, ...] = ("documents", "fee", "time", "place", "online", "steps")

# Cue phrases on folded syllables. A cue is consumed from the query before retrieval, so
# "mất bao lâu" (how long) is never read as "mất" (lost).
_CUES: dict[Facet, tuple[str, ...]] = {
    "documents": (
        "giay to gi",
        "can giay to",
        "giay to can",
        "can nhung gi",
        "can gi",
        "ho so gom",
        "ho so can",
        "thanh phan ho so",
        "mang theo gi",
        "chuan bi gi",
        "can mang",
        "chuan bi",
        "can nhung giay to",
        "giay to nao",
        "mang theo",
        "mau don",
        "don mau",
        "mau to khai",
        "to khai mau",
        "bieu mau",
        "documents",
        "document",
        "papers",
        "what do i need",
        "what is needed",
        "requirements",
        "form",
        "forms",
    ),
    "fee": (
        "bao nhieu tien",
        "het bao nhieu",
        "mat bao nhieu",
        "ton bao nhieu",
        "le phi",
        "phi",
        "chi phi",
        "mat tien",
        "mien phi",
        "gia bao nhieu",
        "bao nhieu",
        "dong tien",
        "dong phi",
        "nop tien",
        "nop phi",
        "tra tien",
        "ton tien",
        "ton phi",
        "mat phi",
        "fee",
        "fees",
        "cost",
        "how much",
        "price",
        "charge",
        "free",
    ),
    "time": (
        "mat bao lau",
        "bao lau",
        "may ngay",
        "bao nhieu ngay",
        "thoi gian",
        "thoi han",
        "khi nao co",
        "bao gio co",
        "co ket qua",
        "nhan ket qua",
        "lay ket qua",
        "tra ket qua",
        "bao gio xong",
        "khi nao xong",
        "bao lau xong",
        "may hom",
        "bao nhieu lau",
        "how long",
        "how many days",
        "processing time",
        "when will",
        "how soon",
    ),
    "place": (
        "o dau",
        "noi nao",
        "cho nao",
        "nop o dau",
        "co quan nao",
        "lam o dau",
        "den dau",
        "tai dau",
        "o cho nao",
        "nop ho so o dau",
        "noi nop",
        "nop tai",
        "where",
        "which office",
        "address",
    ),
    "online": (
        "online",
        "truc tuyen",
        "qua mang",
        "tren mang",
        "dich vu cong",
        "internet",
        "qua app",
        "nop qua mang",
        "vneid",
        "website",
        "web",
        "nop online",
        "lam online",
        "nop truc tuyen",
        "lam truc tuyen",
    ),
    "steps": (
        "the nao",
        "nhu the nao",
        "ra sao",
        "cac buoc",
        "quy trinh",
        "trinh tu",
        "thu tuc",
        "lam sao",
        "how to",
        "how do",
        "how can",
        "steps",
        "procedure",
        "process",
    ),
}
# Verbs of spending time or money that go with a fee or time cue after them ("mất mấy ngày",
# "hết bao nhiêu tiền", "tốn bao nhiêu"): part of the cue, not a word of the procedure ("mất"
# alone is "lost").
_SPENDING = frozenset({"mat", "het", "ton"})
_CUE_TOKENS: list[tuple[Facet, tuple[str, ...]]] = sorted(
    ((facet, tuple(cue.split())) for facet, cues in _CUES.items() for cue in cues),
    key=lambda item: -len(item[1]),
)


def detect_facets(text: str) -> tuple[list[Facet], set[int]]:
    """Facets asked about in ``text`` (in order of appearance) and the token positions of
    their cue phrases in :func:`knowledge.text.syllables` of ``text``."""
    tokens = syllables(text)
    used: set[int] = set()
    found: list[tuple[int, Facet]] = []
    starts: dict[str, list[int]] = {}  # where each token occurs: a cue is only tried there
    for position, token in enumerate(tokens):
        starts.setdefault(token, []).append(position)
    for facet, cue in _CUE_TOKENS:
        size = len(cue)
        for start in starts.get(cue[0], ()):
            span = range(start, start + size)
            if tuple(tokens[start : start + size]) == cue and not used.intersection(span):
                used.update(span)
                found.append((start, facet))
                if facet in ("fee", "time") and start and tokens[start - 1] in _SPENDING:
                    used.add(start - 1)  # "mất mấy ngày", "hết bao nhiêu tiền"
    ordered: list[Facet] = []
    for _, facet in sorted(found):
        if facet not in ordered:
            ordered.append(facet)
    return ordered, used


def facet_cues() -> list[str]:
    """Every cue phrase (folded): how citizens ask about fees, time, documents, places."""
    return [cue for cues in _CUES.values() for cue in cues]
