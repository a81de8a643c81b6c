"""Bắc Ninh's 99 commune-level units, their names before the 2025 reform, and finding the
place a citizen names.

A unit is recognised by its name with its kind word ("xã Yên Phong", "phường Chũ", "thị trấn
Chờ", "huyện Yên Phong"), after a word of place ("ở Chũ", "tại Từ Sơn"), by its full name
written as names are ("Từ Sơn"), or when a whole reply is the name ("tu son"). Never by one
folded syllable inside a phrase: "chữ ký" and "chủ hộ" fold to "chu ky", "chu ho" but name no
place. Names from before 1 July 2025 (313 old communes, wards and towns, 18 old districts) lead
to the unit of today; inside a message they need their kind word, in reply to "which commune?"
they don't. An old district, or an old name several units share, leads to a choice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from knowledge.text import fold, has_diacritics, normalize

# Kind words (folded syllables) and what they name: a unit of today or before 2025 ("unit"),
# or an old district ("district").
_KIND_WORDS: dict[tuple[str, ...], str] = {
    ("xa",): "xa",
    ("x",): "xa",
    ("phuong",): "phuong",
    ("p",): "phuong",
    ("thi", "tran"): "thi tran",
    ("tt",): "thi tran",
    ("huyen",): "huyen",
    ("thi", "xa"): "thi xa",
    ("tx",): "thi xa",
    ("thanh", "pho"): "thanh pho",
    ("tp",): "thanh pho",
}
_DISTRICT_KINDS = frozenset({"huyen", "thi xa", "thanh pho"})
_FULL_KINDS = {  # how names begin in the data files, folded
    "xa": "xa",
    "phuong": "phuong",
    "thi tran": "thi tran",
    "huyen": "huyen",
    "thi xa": "thi xa",
    "thanh pho": "thanh pho",
}
# Words that put a place after them: "ở Chũ", "tại Từ Sơn", "thuộc xã …".
_PLACE_WORDS = frozenset({"o", "tai", "thuoc"})
# Kind and place words as written with accents ("phương" is no "phường", "tài" no "tại").
_ACCENTED = frozenset("xã phường thị trấn huyện thành phố ở tại thuộc".split())
# What may come before and after a place in a reply that is nothing but the place ("em ở Từ
# Sơn ạ", "không, mình ở phường Kinh Bắc", "Từ Sơn, Bắc Ninh").
_LEADING = frozenset(
    """toi em minh anh chi ban nha o tai thuoc dang song hien gio bay la vang da khong nham
    chuyen sang moi roi a i live in at im my""".split()
)
_TRAILING = frozenset("a ah ak nhe nha nhi ha oi day do roi thi sao".split())
_PROVINCE = (("tinh", "bac", "ninh"), ("bac", "ninh"))
_WORD_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str  # "Phường Từ Sơn"

    @property
    def short_name(self) -> str:
        """The name without "Xã"/"Phường"."""
        return self.name.split(" ", 1)[1] if " " in self.name else self.name


@dataclass(frozen=True, slots=True)
class Place:
    """A place a citizen named, with the unit(s) of today it stands for."""

    said: str  # the name recognised, as officially written ("Thị trấn Chờ", "Huyện Yên Phong")
    units: tuple[Commune, ...]  # today's units: one when the place is settled
    old: bool = False  # named by a name from before 1 July 2025

    @property
    def commune(self) -> Commune | None:
        """Today's unit, when the name leads to exactly one."""
        return self.units[0] if len(self.units) == 1 else None


@dataclass(frozen=True, slots=True)
class Mention:
    """A place named inside a message: the place, and the message around it."""

    place: Place
    text: str  # the message, normalised
    start: int  # where the place's words (with their kind word and "ở", "tại") begin and end
    end: int

    @property
    def rest(self) -> str:
        """The message without the place's words."""
        return " ".join(f"{self.text[: self.start]} {self.text[self.end :]}".split())


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str  # "xa", "phuong", "thi tran", "huyen", "thi xa", "thanh pho"
    name: str  # as written, with kind: "Thị trấn Chờ"
    short: str  # as written, without kind: "Chờ"
    units: tuple[Commune, ...]
    old: bool
    rank: int  # 0 a unit of today, 1 an old unit, 2 an old district


def _split_kind(name: str) -> tuple[str, str]:
    """("thi tran", "Chờ") for "Thị trấn Chờ"."""
    words = name.split()
    for size in (2, 1):
        kind = fold(" ".join(words[:size]))
        if kind in _FULL_KINDS and len(words) > size:
            return _FULL_KINDS[kind], " ".join(words[size:])
    return "", name


class CommuneDirectory:
    """Today's units, and the names citizens still use for them."""

    def __init__(
        self,
        communes: list[Commune],
        old_units: Iterable[tuple[str, str, str]] = (),
    ) -> None:
        """``old_units``: (old name, old district, new code) of each unit before 2025."""
        self.communes = communes
        by_code = {c.code: c for c in communes}
        entries: list[_Entry] = []
        for commune in communes:
            kind, short = _split_kind(commune.name)
            entries.append(_Entry(kind, commune.name, short, (commune,), False, 0))
        districts: dict[str, list[Commune]] = {}
        for name, district, code in old_units:
            unit = by_code[code]
            kind, short = _split_kind(name)
            entries.append(_Entry(kind, name, short, (unit,), True, 1))
            members = districts.setdefault(district, [])
            if unit not in members:
                members.append(unit)
        for district, members in districts.items():
            kind, short = _split_kind(district)
            units = tuple(sorted(members, key=lambda c: fold(c.short_name)))
            entries.append(_Entry(kind, district, short, units, True, 2))
        self._by_key: dict[tuple[str, ...], list[_Entry]] = {}
        for entry in entries:
            self._by_key.setdefault(tuple(fold(entry.short).split()), []).append(entry)
        self._keys = [" ".join(key) for key in self._by_key]
        self._longest = max((len(key) for key in self._by_key), default=0)

    def __len__(self) -> int:
        return len(self.communes)

    def by_name(self, name: str) -> Commune | None:
        """Today's unit with exactly this official name ("Phường Từ Sơn")."""
        return next((c for c in self.communes if c.name == name), None)

    def by_code(self, code: str) -> Commune | None:
        return next((c for c in self.communes if c.code == code), None)

    def match(self, text: str) -> Commune | None:
        """Today's unit a short reply names ("tu son", "phường Từ Sơn", "Tu Son ạ"), when it
        names exactly one."""
        place = self.place_in_reply(text)
        return place.commune if place else None

    def find(self, text: str, old_bare: bool = False) -> Mention | None:
        """A place named inside a message: with its kind word, after a word of place, or by
        its full name as written ("Từ Sơn"). The most precise one when several are named.
        A name from before 2025 needs its kind word ("xã Đông Phong"; "Bình Dương" alone is
        a province elsewhere) unless ``old_bare``."""
        words = _words(text)
        found: list[tuple[tuple[int, bool, int], Mention]] = []
        for start in range(len(words)):
            for size in range(min(self._longest, len(words) - start), 0, -1):
                span = words[start : start + size]
                entries = self._by_key.get(tuple(w.folded for w in span), [])
                if not old_bare and not _kind_before(words, start)[0]:
                    entries = [e for e in entries if not e.old]
                if not entries:
                    continue
                seen = self._in_context(normalize(text), words, start, size, entries)
                if seen is not None:
                    mention, strength = seen
                    found.append(((strength, mention.place.commune is not None, size), mention))
                    break
        return max(found, key=lambda f: f[0])[1] if found else None

    def place_in_reply(self, text: str, expected: bool = False) -> Place | None:
        """The place a reply names when the reply is nothing but that place ("Từ Sơn",
        "em ở thị trấn Chờ ạ", "huyện Yên Phong"). ``expected`` (a reply to "which commune?")
        also forgives a typo or two and takes a one-syllable name typed without accents."""
        words = _words(text)
        mention = self.find(text, old_bare=expected)
        if mention is not None:
            outside = [w.folded for w in words if w.end <= mention.start or w.start >= mention.end]
            if all(w in _LEADING or w in _TRAILING or w in ("bac", "ninh") for w in outside):
                return mention.place
        core = _strip_reply_words(words)
        if not core:
            return None
        kind, core = _leading_kind(core)
        key = tuple(w.folded for w in core)
        entries = self._by_key.get(key)
        if entries and not (kind or expected):
            entries = [e for e in entries if not e.old]
        bare = len(key) == 1 and not kind and not _typed_as(core, entries)
        if bare and (core[0].accented or not expected):
            return None  # "chủ", "chỗ" are no places; a bare "cho" is one only when asked
        place = _best(entries, kind) if entries else None
        if place is not None or not expected:
            return place
        best = process.extractOne(" ".join(key), self._keys, scorer=fuzz.ratio, score_cutoff=88)
        return _best(self._by_key[tuple(best[0].split())], kind) if best else None

    def _in_context(
        self, text: str, words: list[_Word], start: int, size: int, entries: list[_Entry]
    ) -> tuple[Mention, int] | None:
        """The mention at ``start`` if its context makes it a place, with how surely: 2 after
        its kind word, 1 as written, 0 after a word of place only."""
        span = words[start : start + size]
        kind, kind_size = _kind_before(words, start)
        before = words[start - 1].folded if start else ""
        first = start - kind_size
        if first and words[first - 1].folded in _PLACE_WORDS:
            first -= 1  # "ở", "tại" go with the place
        mention_start = words[first].start
        after = words[start + size] if start + size < len(words) else None
        typed = _typed_as(span, entries)
        unaccented_end = after is None and not span[0].accented
        place_word = start > 0 and before in _PLACE_WORDS and _as_kind(words[start - 1])
        after_place_word = place_word and (size > 1 or typed or unaccented_end)
        # A name as names are written: capitalised, accents as in the name (or none), and not
        # the start of a longer name ("đồng Việt Nam", "chấp thuận thành lập" are no places).
        capitalised = all(w.raw[0].isupper() for w in span)
        longer = after is not None and after.raw[0].isupper()
        accents = typed or not any(w.accented for w in span)
        as_written = size > 1 and capitalised and accents and not longer
        if not (kind or after_place_word or as_written):
            return None
        place = _best(entries, kind)
        if place is None:
            return None
        strength = 2 if kind else 1 if (typed or as_written) else 0
        return Mention(place, text, mention_start, span[-1].end), strength


@dataclass(frozen=True, slots=True)
class _Word:
    raw: str
    folded: str
    start: int
    end: int

    @property
    def accented(self) -> bool:
        return has_diacritics(self.raw)


def _words(text: str) -> list[_Word]:
    text = normalize(text)
    return [_Word(m.group(), fold(m.group()), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def _kind_before(words: list[_Word], start: int) -> tuple[str, int]:
    """The kind word just before position ``start`` and how many words it takes."""
    for size in (2, 1):
        if start >= size:
            kind_words = words[start - size : start]
            kind = _KIND_WORDS.get(tuple(w.folded for w in kind_words))
            if kind and all(_as_kind(w) for w in kind_words):
                return kind, size
    return "", 0


def _as_kind(word: _Word) -> bool:
    """Whether a kind or place word was typed as one (or without accents)."""
    return not word.accented or word.raw.lower() in _ACCENTED


def _strip_reply_words(words: list[_Word]) -> list[_Word]:
    """The words of a reply without what people put around a place."""
    start, end = 0, len(words)
    while start < end and words[start].folded in _LEADING:
        start += 1
    while end > start and words[end - 1].folded in _TRAILING:
        end -= 1
    core = words[start:end]
    for tail in _PROVINCE:
        if len(core) > len(tail) and tuple(w.folded for w in core[-len(tail) :]) == tail:
            return core[: -len(tail)]
    return core


def _leading_kind(words: list[_Word]) -> tuple[str, list[_Word]]:
    kind, size = "", 0
    for candidate in (2, 1):
        found = _KIND_WORDS.get(tuple(w.folded for w in words[:candidate]))
        if found and len(words) > candidate:
            kind, size = found, candidate
            break
    return kind, words[size:]


def _typed_as(span: list[_Word], entries: list[_Entry] | None) -> bool:
    """Whether the words were typed as one of the names is written (accents and all): "Chũ"
    is the ward, "chữ" and "chủ" are not."""
    if not entries or not any(w.accented for w in span):
        return False
    typed = " ".join(w.raw.lower() for w in span)
    return any(normalize(e.short).lower() == typed for e in entries)


def _best(entries: list[_Entry], kind: str) -> Place | None:
    """The place the entries sharing one name stand for: the named kind first, then today's
    units before old units before old districts (an old district only with its kind word:
    "Bắc Ninh" alone is the province). Several old units of that name lead to all the units
    they became part of."""
    if not kind:
        entries = [e for e in entries if e.kind not in _DISTRICT_KINDS]
        if not entries:
            return None
    else:
        same = [e for e in entries if e.kind == kind]
        if not same and kind in _DISTRICT_KINDS:
            same = [e for e in entries if e.kind in _DISTRICT_KINDS]
        if not same and kind not in _DISTRICT_KINDS:
            same = [e for e in entries if e.kind not in _DISTRICT_KINDS]
        entries = same or entries
    rank = min(e.rank for e in entries)
    chosen = [e for e in entries if e.rank == rank]
    units: list[Commune] = []
    for entry in chosen:
        units += [u for u in entry.units if u not in units]
    said = chosen[0].name if len({e.name for e in chosen}) == 1 else chosen[0].short
    return Place(said, tuple(units), old=chosen[0].old)


def _data_lines(name: str) -> list[list[str]]:
    raw = resources.files("knowledge").joinpath(f"data/{name}").read_text("utf-8")
    return [
        line.split("\t") for line in raw.splitlines() if line.strip() and not line.startswith("#")
    ]


@lru_cache(maxsize=1)
def bac_ninh() -> CommuneDirectory:
    """Today's 99 units of Tỉnh Bắc Ninh and their names before 2025."""
    communes = [Commune(code, name) for code, name in _data_lines("units-bac-ninh.tsv")]
    old = [(name, district, new) for _, name, district, new in _data_lines(_OLD_UNITS)]
    return CommuneDirectory(communes, old)


_OLD_UNITS = "units-bac-ninh-before-2025.tsv"
