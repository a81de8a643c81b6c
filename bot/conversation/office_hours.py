"""The centres' working hours: whether staff are at their desks now, and when they next are,
in words a citizen reads ("sáng thứ Hai 7:30", "Monday 7:30")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_DAYS = (0, 1, 2, 3, 4)  # Monday to Friday (datetime.weekday numbers)
DEFAULT_SPANS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))

_VI_DAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_spans(raw: str) -> tuple[tuple[time, time], ...]:
    """Opening spans written as "7:30-11:30,13:30-17:00"; a clear error on anything else."""
    spans = []
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        start, sep, end = part.partition("-")
        try:
            opens, closes = time.fromisoformat(start.zfill(5)), time.fromisoformat(end.zfill(5))
        except ValueError as exc:
            raise ValueError(f"office hours: {part!r} is not like 7:30-11:30") from exc
        if not sep or closes <= opens:
            raise ValueError(f"office hours: {part!r} must end after it starts")
        spans.append((opens, closes))
    if not spans:
        raise ValueError("office hours: no opening span given")
    return tuple(sorted(spans))


def parse_days(raw: str) -> tuple[int, ...]:
    """Working weekdays as numbers 1 (Monday) to 7 (Sunday), e.g. "1-5" or "1,2,3,4,5,6"."""
    days: set[int] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            lo, hi = int(first), int(last or first)
        except ValueError as exc:
            raise ValueError(f"office days: {part!r} is not a day number 1-7") from exc
        if not 1 <= lo <= hi <= 7:
            raise ValueError(f"office days: {part!r} is not within 1 (Monday) to 7 (Sunday)")
        days.update(range(lo - 1, hi))
    if not days:
        raise ValueError("office days: none given")
    return tuple(sorted(days))


def parse_holidays(raw: str) -> tuple[date, ...]:
    """Public holidays as ISO dates separated by commas or spaces ("2026-09-02 2026-09-01")."""
    holidays = []
    for word in raw.replace(",", " ").split():
        try:
            holidays.append(date.fromisoformat(word))
        except ValueError as exc:
            raise ValueError(f"holidays: {word!r} is not a date like 2026-09-02") from exc
    return tuple(sorted(holidays))


@dataclass(frozen=True)
class OfficeHours:
    """When hotline staff work: weekdays, opening spans in local time, public holidays off."""

    timezone: str = DEFAULT_TIMEZONE
    days: tuple[int, ...] = DEFAULT_DAYS
    spans: tuple[tuple[time, time], ...] = DEFAULT_SPANS
    holidays: Sequence[date] = field(default_factory=tuple)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _works_on(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def is_open(self, now: datetime) -> bool:
        """Whether staff are at work at ``now`` (an aware datetime)."""
        local = now.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        return self._works_on(local.date()) and any(a <= clock < b for a, b in self.spans)

    def next_opening(self, now: datetime) -> datetime:
        """The next moment staff start work after ``now`` (local time)."""
        local = now.astimezone(self.zone)
        for offset in range(0, 366):
            day = local.date() + timedelta(days=offset)
            if not self._works_on(day):
                continue
            for opens, _ in self.spans:
                moment = datetime.combine(day, opens, tzinfo=self.zone)
                if moment > local:
                    return moment
        raise ValueError("office hours: no working day within a year")

    def when_words(self, now: datetime, lang: str) -> str:
        """The next opening as words: "sáng thứ Hai 7:30" / "Monday 7:30"; "chiều nay 13:30" /
        "today 13:30" later the same day; the date is added when it is a week or more away."""
        moment = self.next_opening(now)
        local_today = now.astimezone(self.zone).date()
        clock = f"{moment.hour}:{moment.minute:02d}"
        days_away = (moment.date() - local_today).days
        if lang == "en":
            day = "today" if days_away == 0 else _EN_DAYS[moment.weekday()]
            words = f"{day} {clock}"
        else:
            part = "sáng" if moment.hour < 12 else "chiều"
            day = "nay" if days_away == 0 else _VI_DAYS[moment.weekday()]
            words = f"{part} {day} {clock}"
        if days_away >= 7:
            words += f" ({moment:%d/%m})"
        return words

    def describe(self, lang: str) -> str:
        """The working hours in one line ("Thứ Hai – Thứ Sáu, 7:30–11:30 và 13:30–17:00")."""
        names = _EN_DAYS if lang == "en" else _VI_DAYS
        first, last = names[self.days[0]], names[self.days[-1]]
        contiguous = list(self.days) == list(range(self.days[0], self.days[-1] + 1))
        if contiguous and len(self.days) > 1:
            joiner = " to " if lang == "en" else " – "
            days = f"{first}{joiner}{last}"
        else:
            days = ", ".join(names[d] for d in self.days)
        times = [f"{a.hour}:{a.minute:02d}–{b.hour}:{b.minute:02d}" for a, b in self.spans]
        conjunction = " and " if lang == "en" else " và "
        spans = ", ".join(times[:-1]) + conjunction + times[-1] if len(times) > 1 else times[0]
        return f"{days[0].upper()}{days[1:]}, {spans}"
