"""Where a citizen files, from the executing agency of the national record.

The record's ``co_quan_thuc_hien`` names bodies ("Công an cấp Xã, Công an tỉnh, Cục cảnh sát
giao thông"); the rules in ``data/places.tsv`` map each body to the place a citizen of Bắc Ninh
goes to, with a level. The nearest place wins (commune before province before central); a
central body is named only when no provincial or commune body handles the procedure. When the
record names no agency, the field (``linh_vuc``) and then the level (``cap_thuc_hien``) decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Literal

from knowledge.schema import Procedure
from knowledge.text import fold

PlaceLevel = Literal["commune", "province", "central"]
_RANK = {"commune": 0, "province": 1, "central": 2}
_SLOT_RE = re.compile(r"\{commune\|([^}]*)\}")
# Example provinces the national record names after a department ("Sở … Thành phố Hà Nội").
_FOREIGN_TAIL_RE = re.compile(
    r"\s+(?:thành phố|tp\.?|các tỉnh|tỉnh)\b.*$|\s+-\s+.*$", re.IGNORECASE
)
_CENTRAL_RE = re.compile(
    r"^(?:bo|cuc|vu|tong cuc|thu tuong|uy ban chung khoan|ngan hang nha nuoc viet)"
)


@dataclass(frozen=True, slots=True)
class PlaceRule:
    scope: Literal["agency", "field", "name"]
    pattern: re.Pattern[str]
    level: PlaceLevel
    vi: str
    en: str
    requires: re.Pattern[str] | None = None  # the folded agency must match this


@dataclass(frozen=True, slots=True)
class Place:
    """Where to file, the level it sits at, and the record field the answer came from."""

    level: PlaceLevel
    template_vi: str
    template_en: str
    source_field: str  # "co_quan_thuc_hien", "linh_vuc" or "cap_thuc_hien"
    agency: str = ""  # the record's body this place stands for

    def text(self, lang: str = "vi", commune: str | None = None) -> str:
        """The place in words, with the citizen's commune put in when it is known."""
        template = self.template_en if lang == "en" else self.template_vi
        text = _SLOT_RE.sub(lambda m: commune or m.group(1), template)
        return text.replace("{agency}", self.agency)


@lru_cache(maxsize=1)
def place_rules() -> tuple[PlaceRule, ...]:
    """The rules of ``data/places.tsv``, in order."""
    raw = resources.files("knowledge").joinpath("data/places.tsv").read_text("utf-8")
    rules = []
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        scope, pattern, level, vi, en, *requires = line.split("\t")
        needs = re.compile(requires[0]) if requires and requires[0] else None
        rules.append(PlaceRule(scope, re.compile(pattern), level, vi, en, needs))  # type: ignore[arg-type]
    return tuple(rules)


def agency_bodies(agency: str) -> list[str]:
    """The bodies a record's agency field lists ("A, B; C" → [A, B, C])."""
    return [b.strip(" .") for b in re.split(r"[,;]", agency) if b.strip(" .")]


def _clean_body(body: str) -> str:
    return _FOREIGN_TAIL_RE.sub("", body).strip() or body


def _match(scope: str, text: str, agency: str = "") -> PlaceRule | None:
    folded, folded_agency = fold(text), fold(agency)
    return next(
        (
            r
            for r in place_rules()
            if r.scope == scope
            and r.pattern.search(folded)
            and (r.requires is None or r.requires.search(folded_agency))
        ),
        None,
    )


def places_for(procedure: Procedure) -> list[Place]:
    """Every place the agency's bodies map to, nearest first (duplicates dropped)."""
    found: dict[str, Place] = {}
    for body in agency_bodies(procedure.agency):
        rule = _match("agency", body)
        if rule is not None:
            place = Place(rule.level, rule.vi, rule.en, "co_quan_thuc_hien", _clean_body(body))
        elif _CENTRAL_RE.search(fold(body)):
            place = Place(
                "central",
                "Cơ quan trung ương: {agency}",
                "a central body: {agency}",
                "co_quan_thuc_hien",
                body,
            )
        else:
            continue
        found.setdefault(place.text("vi"), place)
    return sorted(found.values(), key=lambda p: _RANK[p.level])


def place_for(procedure: Procedure) -> Place:
    """The nearest place a citizen of Bắc Ninh can file ``procedure`` at."""
    if procedure.agency:
        named = _match("name", f"{procedure.name} {procedure.field}", procedure.agency)
        if named is not None:
            return Place(named.level, named.vi, named.en, "co_quan_thuc_hien", procedure.agency)
    places = places_for(procedure)
    local = [p for p in places if p.level != "central"]
    if local:
        return local[0]
    if places:  # only central bodies handle it
        return places[0]
    rule = _match("field", procedure.field) if procedure.field else None
    if rule is not None and rule.level in _levels_allowed(procedure):
        return _with_agency(Place(rule.level, rule.vi, rule.en, "linh_vuc"), procedure.agency)
    by_level = _by_level(procedure)
    if by_level is not None:
        return _with_agency(by_level, procedure.agency)
    return _with_agency(
        Place(
            "central",
            "Cơ quan được giao (xem trang thủ tục trên Cổng DVC)",
            "the designated body (see the portal page)",
            "cap_thuc_hien",
        ),
        procedure.agency,
    )


def _with_agency(place: Place, agency: str) -> Place:
    """``place`` followed by the record's own agency words when the table had no rule for
    them (so the citizen sees what the record says)."""
    if not agency:
        return place
    agency = agency.replace("{", "(").replace("}", ")")
    return replace(
        place,
        template_vi=f"{place.template_vi} — cơ quan thực hiện theo Cổng DVC: {agency}",
        template_en=f"{place.template_en} — the portal names: {agency}",
        source_field=f"{place.source_field}, co_quan_thuc_hien",
        agency=agency,
    )


def _levels_allowed(procedure: Procedure) -> set[str]:
    levels: set[str] = {"central" if lv == "other" else lv for lv in procedure.levels}
    return levels or {"commune", "province", "central"}


def _by_level(procedure: Procedure) -> Place | None:
    if "commune" in procedure.levels:
        return Place(
            "commune",
            "Trung tâm Phục vụ hành chính công {commune|xã, phường nơi bạn cư trú}",
            "the Public Administration Service Centre of {commune|your commune or ward}",
            "cap_thuc_hien",
        )
    if "province" in procedure.levels:
        return Place(
            "province",
            "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh",
            "the Bắc Ninh Public Administration Service Centre",
            "cap_thuc_hien",
        )
    return None
