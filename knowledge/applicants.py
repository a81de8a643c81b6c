"""Who files: the kind of applicant a record's name is for, and the kind a question names.

Many procedures come in variants that differ only by who files them: "Tạm ngừng kinh doanh
… của hộ kinh doanh" and "Thông báo tạm ngừng kinh doanh … (doanh nghiệp, chi nhánh …)", land
records for "hộ gia đình, cá nhân" or for organisations. Their other words match a question
alike, so a company asking to suspend its business could be handed the household record. A
clerk reads who is asking; so does the ranking: a record whose *name* restricts it to one kind
of applicant falls behind when the question names another kind and none of the record's.

Only kinds the law names in set words count (a company, a household business, a cooperative,
a household or individual). "Tổ chức" is left out: in names and questions alike it is as
often the verb "to organise" ("tổ chức lễ hội") as the noun.
"""

from __future__ import annotations

from collections.abc import Iterable

# Kind → the folded phrases that name it.
KINDS: dict[str, tuple[str, ...]] = {
    "company": ("doanh nghiep", "cong ty", "cty"),
    "business household": ("ho kinh doanh", "ho ca the"),
    "cooperative": ("hop tac xa", "htx"),
    "household or individual": ("ho gia dinh", "ca nhan"),
}

# Kinds that are the same applicant under two names: a household business is run by a
# household or an individual, so records for either serve it.
_SAME_APPLICANT = frozenset({frozenset({"business household", "household or individual"})})


def kinds_named(words: Iterable[str]) -> frozenset[str]:
    """The applicant kinds named in a sequence of folded syllables (a name or a question)."""
    text = f" {' '.join(words)} "
    return frozenset(
        kind for kind, phrases in KINDS.items() if any(f" {p} " in text for p in phrases)
    )


def compatible(asked: frozenset[str], named: frozenset[str]) -> bool:
    """Whether a record whose name names ``named`` kinds may serve a question naming
    ``asked`` ones: yes when either names none, or when one kind is shared (or is the same
    applicant under another name)."""
    if not asked or not named:
        return True
    return any(a == n or frozenset({a, n}) in _SAME_APPLICANT for a in asked for n in named)
