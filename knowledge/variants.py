"""How near-identical procedures differ, in plain words, for a short question with buttons.

When several procedures fit ("cấp giấy chứng nhận quyền sử dụng đất" for households or for
organisations, first issue or re-issue, at the commune or the province), the citizen is asked
which case is theirs instead of being handed a guess. Each choice is labelled by what sets it
apart from the others — who files, first time / again / change, the level — read off the
record's name, applicants and levels (nothing is stated that the record doesn't say).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from knowledge.derived import base_name
from knowledge.schema import Procedure
from knowledge.text import fold, syllables
from knowledge.times import shorten

# (folded cue in the name, Vietnamese label, English label), first match wins per aspect.
_ACTIONS = (
    ("cap lai", "cấp lại (bị mất, hỏng)", "re-issue (lost or damaged)"),
    ("cap doi", "cấp đổi", "renewal / exchange"),
    ("lan dau", "lần đầu", "first time"),
    ("dang ky thay doi", "đăng ký thay đổi", "change of details"),
    ("thay doi", "thay đổi", "change"),
    ("dieu chinh", "điều chỉnh", "amendment"),
    ("gia han", "gia hạn", "extension"),
    ("xoa dang ky", "xóa đăng ký", "release / removal"),
    ("xoa", "xóa", "release / removal"),
    ("dang ky lai", "đăng ký lại", "re-registration"),
    ("cap moi", "cấp mới", "new issue"),
)
_WHO = (
    ("doanh nghiep", "doanh nghiệp", "a company"),
    ("to chuc", "tổ chức", "an organisation"),
    ("ho gia dinh", "hộ gia đình", "a household"),
    ("ca nhan", "cá nhân", "an individual"),
    ("yeu to nuoc ngoai", "có yếu tố nước ngoài", "with a foreign element"),
    ("nguoi nuoc ngoai", "người nước ngoài", "a foreigner"),
)
_LEVELS = {
    "commune": ("cấp xã", "commune level"),
    "province": ("cấp tỉnh", "provincial level"),
    "central": ("cấp trung ương", "central level"),
}


# A choice shows a record's name up to this many characters; some names run to a thousand
# (every case a land procedure covers), which no one reads on a phone. The answer card that
# follows the choice shows the name whole.
SHOWN_CHARS = 120
_LONG_ASIDE = re.compile(r"\s*\(([^()]{30,})\)")  # a bracketed list of sub-cases


def readable_name(name: str, limit: int = SHOWN_CHARS, asked: Collection[str] = ()) -> str:
    """``name`` as a choice shows it: whole when it fits in ``limit`` characters; else with
    its long bracketed asides as "(…)" ("… cấp III, cấp IV (…) và nhà ở riêng lẻ"), and if
    still too long, cut after the last clause or word that fits, marked with "…". A name
    that lists its cases after semicolons shows its opening and, when the citizen's words
    (``asked``: folded syllables) are found in a later case more than in that opening, that
    case ("Đăng ký biến động … … chuyển nhượng, thừa kế, tặng cho quyền sử dụng đất …")."""
    if len(name) <= limit:
        return name
    name = _LONG_ASIDE.sub(" (…)", name)
    if len(name) <= limit:
        return name
    opening = _cut(name, limit)
    cases = name.split("; ")[1:]
    if asked and cases:
        wanted = set(asked)
        found = max(cases, key=lambda case: len(wanted & set(syllables(case))))
        if len(wanted & set(syllables(found))) > len(wanted & set(syllables(opening))):
            return f"{_cut(name, limit // 2)} {_cut(found, limit - limit // 2)}"
    return opening


def _cut(text: str, limit: int) -> str:
    """``text`` up to the last clause end within ``limit`` characters when one is in its
    second half, else up to the last word end (:func:`knowledge.times.shorten`), then "…"."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    for mark in ("; ", ", "):
        at = head.rfind(mark)
        if at >= limit // 2:
            return head[:at].rstrip(" ,;:") + " …"
    return shorten(text, limit)


@dataclass(frozen=True, slots=True)
class Option:
    """One choice: the procedure and the words that set it apart."""

    procedure: Procedure
    label: str


def _first(cues: tuple[tuple[str, str, str], ...], text: str, lang: str) -> str | None:
    folded = f" {fold(text)} "
    for cue, vi, en in cues:
        if f" {cue} " in folded:
            return en if lang == "en" else vi
    return None


def _level(proc: Procedure, lang: str) -> str | None:
    named = _first(
        (
            ("cap xa", *_LEVELS["commune"]),
            ("cap tinh", *_LEVELS["province"]),
            ("trung uong", *_LEVELS["central"]),
        ),
        proc.name,
        lang,
    )
    if named:
        return named
    if len(proc.levels) == 1 and proc.levels[0] in _LEVELS:
        vi, en = _LEVELS[proc.levels[0]]
        return en if lang == "en" else vi
    return None


def _who(proc: Procedure, lang: str) -> str | None:
    """Who files: said in the name, or the applicants when they are of one kind only."""
    named = _first(_WHO, proc.name, lang)
    if named:
        return named
    kinds = {label for cue, label, _ in _WHO if f" {cue} " in f" {fold(proc.applicants)} "}
    return _first(_WHO, proc.applicants, lang) if len(kinds) == 1 else None


def _aspects(proc: Procedure, lang: str) -> list[str | None]:
    return [
        _who(proc, lang),
        _first(_ACTIONS, proc.name, lang),
        _level(proc, lang),
    ]


def describe(
    procedures: Sequence[Procedure],
    lang: str = "vi",
    name_of: Callable[[Procedure], str] | None = None,
    asked: Collection[str] = (),
) -> list[Option]:
    """Label each procedure by what differs between them. When they share a name (variants
    of one procedure), the label is only the difference ("cấp xã", "cấp lại …"); otherwise
    the name comes first (a long one shortened to the part ``asked`` about, the citizen's
    folded words: :func:`readable_name`) and the difference, if any, after it. ``name_of``
    gives the name to show (an English name, say); the record's name by default."""
    name_of = name_of or (lambda proc: proc.name)
    aspects = [_aspects(p, lang) for p in procedures]
    differing = [i for i in range(3) if len({a[i] for a in aspects}) > 1]
    same_name = len({fold(base_name(p.name)) for p in procedures}) == 1
    names = [name_of(p) for p in procedures]
    for i, found in enumerate(aspects):
        if 2 in differing and found[2]:  # the level is said after the dash
            names[i] = base_name(names[i])
    shown = [readable_name(name, asked=asked) for name in names]
    if len(set(shown)) < len(set(names)):  # shortening made two alike: show them whole
        shown = names
    options = []
    for proc, found, name in zip(procedures, aspects, shown, strict=True):
        words = [word for i in differing if (word := found[i])]
        if same_name and words:
            options.append(Option(proc, ", ".join(words).capitalize()))
        elif words:
            options.append(Option(proc, f"{name} — {', '.join(words)}"))
        else:
            options.append(Option(proc, name))
    return options


def shared_name(procedures: Sequence[Procedure]) -> str | None:
    """The name the procedures share when they are variants of one procedure, else None."""
    names = {fold(base_name(p.name)) for p in procedures}
    return base_name(procedures[0].name) if procedures and len(names) == 1 else None


def which_case(name: str, lang: str) -> str:
    """The one short question asked when the choices are variants of one procedure."""
    name = readable_name(name)
    if lang == "en":
        return f"“{name}” comes in several cases. Which one is yours?"
    return f"Thủ tục “{name}” có mấy trường hợp. Bạn thuộc trường hợp nào?"
