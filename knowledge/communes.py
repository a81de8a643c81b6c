"""Bắc Ninh's 99 commune-level units, and finding one in what a citizen typed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from knowledge.text import fold

_PREFIXES = ("xa ", "phuong ")


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str  # "Phường Từ Sơn"

    @property
    def short_name(self) -> str:
        """The name without "Xã"/"Phường"."""
        return self.name.split(" ", 1)[1] if " " in self.name else self.name


class CommuneDirectory:
    def __init__(self, communes: list[Commune]) -> None:
        self.communes = communes
        self._keys = [fold(c.short_name) for c in communes]

    def __len__(self) -> int:
        return len(self.communes)

    def match(self, text: str, min_score: float = 88.0) -> Commune | None:
        """The unit a short reply names ("tu son", "phường Từ Sơn", "Tu Son ạ")."""
        key = fold(text).strip(" .,!?")
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]
        for filler in (" a", " nhe", " nha"):
            key = key.removesuffix(filler)
        if not key:
            return None
        best = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=min_score)
        return self.communes[best[2]] if best else None

    def mentioned_in(self, text: str) -> Commune | None:
        """A unit named inside a longer message ("em ở xã Yên Phong, …"), exact on folded
        words, preferring the longest name."""
        folded = f" {' '.join(fold(text).replace(',', ' ').split())} "
        hits = [
            (len(key), commune)
            for key, commune in zip(self._keys, self.communes, strict=True)
            if f" {key} " in folded
        ]
        return max(hits, key=lambda h: h[0])[1] if hits else None


@lru_cache(maxsize=1)
def bac_ninh() -> CommuneDirectory:
    raw = resources.files("knowledge").joinpath("data/units-bac-ninh.tsv").read_text("utf-8")
    communes = [
        Commune(*line.split("\t"))
        for line in raw.splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return CommuneDirectory(communes)
