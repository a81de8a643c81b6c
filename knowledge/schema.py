"""The typed procedure record shared by the embedded catalogue, the importer and retrieval."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Channel = Literal["in_person", "online", "postal"]
TimeUnit = Literal["working_days", "days", "hours", "months"]
Level = Literal["central", "province", "commune", "other"]

CHANNELS: tuple[Channel, ...] = ("in_person", "online", "postal")
PORTAL_SEARCH_URL = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh.html"


@dataclass(frozen=True, slots=True)
class Document:
    """One paper in the application file."""

    name: str
    original: bool | None = None  # True: bản chính, False: bản sao, None: not stated
    count: int | None = None
    form: str | None = None  # the official form's name or number, when there is one
    present_only: bool = False  # shown at the desk (xuất trình) rather than handed in
    group: str = ""  # the record's heading over this row (a case such as "Trường hợp …")
    copies: int = 0  # copies asked for besides the originals ("1 bản chính, 1 bản sao")


@dataclass(frozen=True, slots=True)
class ChannelOption:
    """How long and how much one submission channel takes."""

    channel: Channel
    time_value: float | None = None
    time_unit: TimeUnit | None = None
    time_text: str = ""
    fee_vnd: int | None = None  # 0 = free; None = not stated or not a single amount
    fee_text: str = ""
    note: str = ""  # fee note and description together (older readers)
    fee_note: str = ""  # the record's words in brackets after the fee ("(Lệ phí …)")
    description: str = ""  # the row's "Mô tả" column: a case, an office, a deadline
    fee_usd: float | None = None  # the fee when the record states it in US dollars
    raw: str = ""  # the row as the record has it, after the channel's name


@dataclass(frozen=True, slots=True)
class Procedure:
    """An administrative procedure (TTHC), keyed by its national code."""

    code: str
    name: str
    levels: tuple[Level, ...]
    field: str
    applicants: str = ""
    agency: str = ""
    documents: tuple[Document, ...] = ()
    channels: tuple[ChannelOption, ...] = ()
    steps: str = ""
    conditions: str = ""
    legal_basis: tuple[str, ...] = ()
    result: str = ""
    url: str = ""
    online_level: Literal["full", "partial"] | None = None
    aliases: tuple[str, ...] = ()
    summary: str = ""
    common: bool = False  # among the procedures citizens ask the centres about most
    name_en: str = ""  # curated English name, when there is one
    decision: str = ""  # the record's so_quyet_dinh (the decision that published it)
    source_date: str = ""  # when the record was read from the portal ("06-07/2026")

    def channel(self, channel: Channel) -> ChannelOption | None:
        """The option for ``channel``, if the procedure can be filed that way."""
        return next((opt for opt in self.channels if opt.channel == channel), None)

    @property
    def online(self) -> bool:
        """True when the procedure can be filed online."""
        return self.online_level is not None or self.channel("online") is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the embedded catalogue's on-disk form)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Procedure:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        data = dict(data)
        data["levels"] = tuple(data.get("levels", ()))
        data["documents"] = tuple(Document(**d) for d in data.get("documents", ()))
        data["channels"] = tuple(ChannelOption(**c) for c in data.get("channels", ()))
        data["legal_basis"] = tuple(data.get("legal_basis", ()))
        data["aliases"] = tuple(data.get("aliases", ()))
        return cls(**data)


@dataclass
class Catalogue:
    """An ordered, code-indexed set of procedures."""

    procedures: list[Procedure] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        self._by_code = {p.code: p for p in self.procedures}

    def __len__(self) -> int:
        return len(self.procedures)

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self.procedures)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Procedure | None:
        """The procedure with national code ``code``, or None."""
        return self._by_code.get(code)

    def merged_with(self, extra: Iterable[Procedure]) -> Catalogue:
        """A catalogue where ``extra`` enriches procedures of the same code.

        The embedded catalogue's aliases, summary and ``common`` flag are folded into the
        imported records (which keep their fuller facts); procedures only in ``extra`` are
        appended.
        """
        extra_by_code = {p.code: p for p in extra}
        merged: list[Procedure] = []
        for proc in self.procedures:
            ours = extra_by_code.pop(proc.code, None)
            if ours is None:
                merged.append(proc)
                continue
            merged.append(
                replace(
                    proc,
                    aliases=tuple(dict.fromkeys(proc.aliases + ours.aliases)),
                    summary=ours.summary or proc.summary,
                    common=ours.common,
                    name_en=ours.name_en or proc.name_en,
                    online_level=proc.online_level or ours.online_level,
                )
            )
        merged.extend(extra_by_code.values())
        return Catalogue(merged, source=self.source)
