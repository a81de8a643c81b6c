"""Reading a fee cell of the national record the way a citizen needs it.

A cell is the fee column of one channel row: a value ("Miễn phí", "135,000 VNĐ", "10 USD",
"Không có thông tin") and often a bracketed note. The note may contradict the value (453
cells read "Miễn phí(…)" with a note that sets a fee or leaves it to the provincial council),
state the amount the value garbled ("135 VNĐ(… 135.000 đồng/lần)"), name who is exempt, or
carry a dated rule ("từ 01/7/2025 đến hết 31/12/2026 … bằng 50%"). :func:`read_fee` keeps all
of that: amounts as the record states them, the qualifiers in plain words, a dated rule applied
to today's date, and the note itself (shortened) so nothing is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from knowledge.schema import ChannelOption
from knowledge.times import shorten

FeeKind = Literal["free", "amount", "qualified", "unknown"]

_NUMBER = r"\d{1,3}(?:[.,]\d{3})+|\d+"
_AMOUNT_RE = re.compile(
    rf"(?<![\d.,/])({_NUMBER})\s*(USD|đồng|VNĐ|đ(?![a-zà-ỹ]))"
    r"(?:\s*/\s*([^\s,;.()+]+(?: (?!kể|theo|từ|trường|áp|đối|và|hoặc)[^\s,;.()+]+){0,3}))?",
    re.IGNORECASE,
)
_PER_ONLY_RE = re.compile(r"^\s*/\s*([^\s,;.()]+(?: [^\s,;.()]+){0,2})\s*\.?\s*$")
# Notes that say nothing against "Miễn phí": "Không", "Không có", "Không quy định", …
_NOTHING_RE = re.compile(
    r"^\W*(?:a|không|không có|không quy định|chưa quy định|không thu(?: lệ phí| phí)?"
    r"|không phải nộp(?: phí| lệ phí)?)\W*$",
    re.IGNORECASE,
)
# A note that itself says no fee is charged, perhaps with its legal ground or its cases.
_SAYS_FREE_RE = re.compile(r"^\W*(?:không thu|không phải nộp|miễn)", re.IGNORECASE)
_LOOSE_AMOUNT_RE = re.compile(r"\d[\d.,]*\s*(?:đồng|đ\b|VNĐ|USD)", re.IGNORECASE)
_BARE_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+\s*/")
_FEE_WORD_RE = re.compile(r"\bphí\b|mức thu|giá dịch vụ|chi phí", re.IGNORECASE)
_COUNCIL_RE = re.compile(r"hội đồng nhân dân|hđnd", re.IGNORECASE)
_PROVINCE_BODY_RE = re.compile(r"ủy ban nhân dân (?:cấp )?tỉnh|ubnd (?:cấp )?tỉnh", re.IGNORECASE)
_EXEMPT_RE = re.compile(
    r"\bmiễn(?: nộp)?(?: lệ phí| phí)?\s+(?:cho|đối với)|(?:diện|được) miễn", re.IGNORECASE
)
_LAW_RE = re.compile(r"thông tư|nghị định|quyết định|luật phí|pháp luật về (?:phí|giá)", re.I)
_DATE = r"(\d{1,2})/(\d{1,2})/(\d{4})"
_REDUCTION_RE = re.compile(
    rf"từ (?:ngày )?{_DATE}\s*(?:đến hết|đến) (?:ngày )?{_DATE}[^()]*?bằng (\d{{1,3}})\s*%",
    re.IGNORECASE,
)
_UNTIL_RE = re.compile(rf"áp dụng đến hết (?:ngày )?{_DATE}", re.IGNORECASE)
NOTE_CHARS = 160  # how much of the record's note a card quotes


@dataclass(frozen=True, slots=True)
class Amount:
    """One amount the record states, with what it is charged per ("lần", "trang", …)."""

    value: int
    currency: Literal["VND", "USD"]
    per: str = ""

    def text(self, lang: str = "vi") -> str:
        number = f"{self.value:,}".replace(",", ".")
        unit = "USD" if self.currency == "USD" else ("đồng" if lang == "vi" else "VND")
        return f"{number} {unit}" + (f"/{self.per}" if self.per else "")


@dataclass(frozen=True, slots=True)
class DatedRule:
    """A temporary rate in the note: ``percent`` of the full amount between two dates."""

    start: date
    end: date
    percent: int


@dataclass(frozen=True, slots=True)
class FeeReading:
    """What one fee cell says, ready to render and to check against the record."""

    kind: FeeKind
    amounts: tuple[Amount, ...] = ()
    qualifiers: tuple[str, ...] = ()
    note: str = ""  # the record's own note, shortened
    rule: DatedRule | None = None  # the dated rule in force today, if any
    expired_until: date | None = None  # the note says this amount applied only until then
    today: date = field(default_factory=date.today)
    waived_first: bool = False  # the note waives one charge before naming another

    def render(self, lang: str = "vi") -> str:
        """One line: amount(s) or "Miễn phí", qualifiers, and the record's note."""
        vi = lang == "vi"
        if self.kind == "unknown":
            return "Chưa có thông tin" if vi else "Not stated"
        if self.kind == "free":
            line = "Miễn phí" if vi else "Free"
            if self.note:
                line += (
                    f" (Cổng DVC ghi: «{self.note}»)" if vi else f" (portal note: «{self.note}»)"
                )
            return line
        parts: list[str] = []
        if self.waived_first:
            pass
        elif self.amounts:
            parts.append(" hoặc ".join(self._amount_text(a, lang) for a in self.amounts))
        elif vi:
            parts.append("Có thể phải nộp phí, lệ phí")
        else:
            parts.append("A fee may apply")
        parts += [q if vi else _english_qualifier(q) for q in self.qualifiers]
        if self.expired_until is not None:
            until = self.expired_until.strftime("%d/%m/%Y")
            parts.append(
                f"Cổng DVC ghi mức này áp dụng đến hết {until}; vui lòng hỏi cán bộ mức hiện hành"
                if vi
                else f"the portal says this rate applied until {until}; ask the desk"
            )
        line = "; ".join(parts)
        if self.note:
            line += f" (Cổng DVC ghi: «{self.note}»)" if vi else f" (portal note: «{self.note}»)"
        return line

    def _amount_text(self, amount: Amount, lang: str) -> str:
        if self.rule is None:
            return amount.text(lang)
        reduced = Amount(amount.value * self.rule.percent // 100, amount.currency, amount.per)
        end = self.rule.end.strftime("%d/%m/%Y")
        if lang == "vi":
            cut = 100 - self.rule.percent
            return f"{reduced.text(lang)} — giảm {cut} % đến hết {end} (mức đầy đủ {amount.text()})"
        full = amount.text(lang)
        return f"{reduced.text(lang)} — {self.rule.percent} % of the full {full} until {end}"

    def rendered_amounts(self) -> tuple[int, ...]:
        """Every amount the rendered line states (reduced ones included)."""
        values = [a.value for a in self.amounts]
        if self.rule is not None:
            values += [a.value * self.rule.percent // 100 for a in self.amounts]
        return tuple(values)


def read_fee(option: ChannelOption, today: date | None = None) -> FeeReading:
    """Interpret the fee cell of one channel row (see the module's docstring)."""
    today = today or date.today()
    note = _unwrap(" ".join(option.fee_note.split()))
    if option.fee_text == "Miễn phí" and (not note or _NOTHING_RE.match(note)):
        return FeeReading("free", today=today)
    if option.fee_text == "Miễn phí" and not contradicts_free(note):
        return FeeReading("free", note=shorten(note, NOTE_CHARS), today=today)
    base = _base_amount(option, note)
    from_note = _amounts_in(note, today)
    qualifiers = _qualifiers(note, bool(base))
    if not base and not from_note and not note:
        described = _fee_in_description(option.description)
        if described is None:
            return FeeReading("unknown", today=today)
        note, from_note, qualifiers = described, _amounts_in(described), _qualifiers(described)
    if option.fee_text == "Miễn phí" and not from_note and _SAYS_FREE_RE.match(note):
        # "Miễn lệ phí. Phí cấp bản sao … (nếu có yêu cầu) …": one charge waived, another named.
        first = re.split(r";|\.\s", note, maxsplit=1)[0].strip(" .")
        qualifiers = (f"{first}{_OTHER_CHARGE}",)
        return FeeReading(
            "qualified", (), qualifiers, shorten(note, NOTE_CHARS), None, None, today, True
        )
    amounts = _merge(base, from_note)
    kind: FeeKind = "amount" if base and not _COUNCIL_RE.search(note) else "qualified"
    rule = _rule_in_force(note, today) if base else None
    expired = _expired_until(note, today) if rule is None else None
    quoted = "" if _note_is_only_per(note, amounts) else shorten(note, NOTE_CHARS)
    return FeeReading(kind, amounts, qualifiers, quoted, rule, expired, today)


def _unwrap(note: str) -> str:
    """The note without brackets around all of it ("(Miễn lệ phí.)" → "Miễn lệ phí.")."""
    while note.startswith("(") and note.endswith(")"):
        note = note[1:-1].strip()
    return note


def contradicts_free(note: str) -> bool:
    """True when a note beside "Miễn phí" sets a fee, hands it to someone to set, or points
    to a fee rule; False for "Không", "Không quy định", "Miễn … cho …" and the like."""
    note = " ".join(note.split())
    if not note or _NOTHING_RE.match(note):
        return False
    if _amounts_in(note) or _COUNCIL_RE.search(note) or _PROVINCE_BODY_RE.search(note):
        return True
    if _BARE_THOUSANDS_RE.search(note) or _LOOSE_AMOUNT_RE.search(note):
        return True  # "8.000.000/lần", "10.000.0000 đồng": amounts the portal mistyped
    clauses = (c.strip() for c in re.split(r";|\.\s", note))
    return any(_FEE_WORD_RE.search(c) and not _SAYS_FREE_RE.match(c) for c in clauses)


def _base_amount(option: ChannelOption, note: str) -> tuple[Amount, ...]:
    per_match = _PER_ONLY_RE.match(note)
    per = per_match.group(1) if per_match else ""
    if option.fee_usd is not None:
        return (Amount(int(option.fee_usd), "USD", per),)
    if option.fee_vnd:
        return (Amount(option.fee_vnd, "VND", per),)
    return ()


def _amounts_in(text: str, today: date | None = None) -> tuple[Amount, ...]:
    """The amounts ``text`` states; with ``today``, not those its own clause dates to a
    period that has ended or not begun ("từ 01/12/2023 đến hết 31/12/2025 … 115.000 đồng")."""
    found = []
    for match in _AMOUNT_RE.finditer(text):
        if today is not None and not _in_force(_clause_before(text, match.start()), today):
            continue
        value = int(re.sub(r"[.,]", "", match.group(1)))
        currency: Literal["VND", "USD"] = "USD" if match.group(2).upper() == "USD" else "VND"
        if currency == "VND" and value < 1000:
            continue  # "40 đồng" is the portal's shorthand for thousands; the note restates it
        found.append(Amount(value, currency, (match.group(3) or "").strip()))
    return tuple(dict.fromkeys(found))


def _clause_before(text: str, position: int) -> str:
    start = max(text.rfind(" - ", 0, position), text.rfind(". ", 0, position), 0)
    return text[start : position + 40]


def _in_force(clause: str, today: date) -> bool:
    until = re.search(rf"đến hết (?:ngày )?{_DATE}", clause, re.IGNORECASE)
    since = re.search(rf"từ (?:ngày )?{_DATE}", clause, re.IGNORECASE)
    end = _date(*until.group(1, 2, 3)) if until else None
    start = _date(*since.group(1, 2, 3)) if since else None
    return not ((end and end < today) or (start and start > today))


def _merge(base: tuple[Amount, ...], noted: tuple[Amount, ...]) -> tuple[Amount, ...]:
    """The cell's own amount (with the note's "per" when the note restates it) when there is
    one, else the note's amounts (at most four; the quoted note keeps the rest)."""
    if not base:
        return noted[:4]
    first = base[0]
    same = next((a for a in noted if (a.value, a.currency) == (first.value, first.currency)), None)
    if same is not None and not first.per:
        first = same
    return (first,)


# The qualifiers: what the record's note says, said plainly, and the same in English.
_SET_BY_COUNCIL = "mức cụ thể do HĐND tỉnh quyết định"
_SET_BY_PROVINCE = "mức do UBND tỉnh quy định"
_SOME_EXEMPT = "một số trường hợp được miễn"
_SET_BY_LAW = "mức thu theo văn bản Cổng DVC dẫn"
_ENGLISH_QUALIFIERS = {
    _SET_BY_COUNCIL: "the exact amount is set by the Provincial People's Council",
    _SET_BY_PROVINCE: "the amount is set by the Provincial People's Committee",
    _SOME_EXEMPT: "some people are exempt",
    _SET_BY_LAW: "the amount is set by the legal text the portal cites",
}
_OTHER_CHARGE = "; ghi chú nêu thêm khoản phí khác"


def _english_qualifier(qualifier: str) -> str:
    """A qualifier for an English card; a quote of the record stays as written."""
    if qualifier.endswith(_OTHER_CHARGE):
        return f"{qualifier.removesuffix(_OTHER_CHARGE)}; the note names another charge"
    return _ENGLISH_QUALIFIERS.get(qualifier, qualifier)


def _qualifiers(note: str, has_amount: bool = False) -> tuple[str, ...]:
    found = []
    if _COUNCIL_RE.search(note):
        found.append(_SET_BY_COUNCIL)
    elif _PROVINCE_BODY_RE.search(note):
        found.append(_SET_BY_PROVINCE)
    if _EXEMPT_RE.search(note):
        found.append(_SOME_EXEMPT)
    if not found and not _amounts_in(note) and not has_amount and _LAW_RE.search(note):
        found.append(_SET_BY_LAW)
    return tuple(found)


def _fee_in_description(description: str) -> str | None:
    """A fee the row states in its description when the fee column is empty."""
    text = " ".join(description.split())
    match = re.search(r"(?:lệ phí|phí)[^.]{0,160}", text, re.IGNORECASE)
    if match and _amounts_in(match.group(0)):
        return match.group(0)
    return None


def _date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _rule_in_force(note: str, today: date) -> DatedRule | None:
    for match in _REDUCTION_RE.finditer(note):
        start, end = _date(*match.group(1, 2, 3)), _date(*match.group(4, 5, 6))
        percent = int(match.group(7))
        if start and end and start <= today <= end and 0 < percent < 100:
            return DatedRule(start, end, percent)
    return None


def _expired_until(note: str, today: date) -> date | None:
    match = _UNTIL_RE.search(note)
    until = _date(*match.group(1, 2, 3)) if match else None
    return until if until is not None and until < today else None


def _note_is_only_per(note: str, amounts: tuple[Amount, ...]) -> bool:
    """True when the note adds nothing the rendered amounts don't already say."""
    if not note or _PER_ONLY_RE.match(note):
        return True
    rest = _AMOUNT_RE.sub("", note)
    return bool(amounts) and not re.search(r"[^\W\d_]{2,}", rest.replace("/", " "))
