"""Age bounds: the ages a record's name is for, and the ages a question states.

A few procedures come in variants by age: "Cấp thẻ căn cước cho người dưới 14 tuổi" and "…
cho người từ đủ 14 tuổi trở lên", health insurance cards "cho trẻ em dưới 6 tuổi". A question
that says "con tôi năm nay 15 tuổi" matches both names' other words alike; a clerk reads the
age. A record whose name bounds the age falls behind when the question states ages and none
is within the bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# On folded text: "duoi 14 tuoi", "tu du 14 tuoi tro len", "tu 14 tuoi tro len", "tren 80 tuoi".
_UNDER_RE = re.compile(r"\bduoi (\d{1,3}) tuoi\b")
_FROM_RE = re.compile(r"\btu (?:du )?(\d{1,3}) tuoi tro len\b")
_OVER_RE = re.compile(r"\btren (\d{1,3}) tuoi\b")
# A stated age: "15 tuổi", "15 tuoi", "15 years old", "15-year-old", "aged 15".
_STATED_RE = re.compile(r"\b(\d{1,3}) tuoi\b|\b(\d{1,3})[ -]years?[ -]old\b|\baged (\d{1,3})\b")


@dataclass(frozen=True, slots=True)
class AgeBound:
    """The ages a record is for: from ``lowest`` (inclusive) to ``below`` (exclusive)."""

    lowest: int = 0
    below: int | None = None

    def admits(self, age: int) -> bool:
        """Whether a person of ``age`` is within the bound."""
        return age >= self.lowest and (self.below is None or age < self.below)


def bound_of(folded_name: str) -> AgeBound | None:
    """The age bound a record's folded name states, if any ("dưới 14 tuổi", "từ đủ 14 tuổi
    trở lên", "trên 80 tuổi")."""
    if match := _UNDER_RE.search(folded_name):
        return AgeBound(below=int(match.group(1)))
    if match := _FROM_RE.search(folded_name):
        return AgeBound(lowest=int(match.group(1)))
    if match := _OVER_RE.search(folded_name):
        return AgeBound(lowest=int(match.group(1)) + 1)
    return None


# Words before a figure that make it a bound, not someone's age ("dưới 14 tuổi", "từ đủ 14
# tuổi", "over 60"). "Đủ" alone states one ("cháu đã đủ 14 tuổi": 14 or over).
_BOUND_WORDS = frozenset("duoi tren tu qua hon ngoai under over below above".split())


def ages_stated(folded_text: str) -> list[int]:
    """The ages a question states in figures ("con tôi 15 tuổi", "my son is 15 years old");
    a bound it states ("cho bé dưới 14 tuổi") is no one's age."""
    ages = []
    for match in _STATED_RE.finditer(folded_text):
        before = folded_text[: match.start()].rsplit(None, 2)[-2:]  # the two words before
        if before[-1:] == ["du"]:  # "từ đủ 14" is a bound, "đã đủ 14" an age
            bound = before == ["tu", "du"]
        else:
            bound = bool(before) and before[-1] in _BOUND_WORDS
        if not bound:
            ages.append(int(next(g for g in match.groups() if g)))
    return ages


def fits(bound: AgeBound | None, ages: list[int]) -> bool:
    """Whether a record with ``bound`` may serve a question stating ``ages``: yes when either
    states none, or when one of the ages is within the bound."""
    return bound is None or not ages or any(bound.admits(age) for age in ages)
