"""Working days in China (weekends, public holidays, make-up days) so deadlines are not guessed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from domain.shared.errors import DomainError

_DATA_FILE = "cn_public_holidays.json"
_ONE_DAY = timedelta(days=1)


class CalendarYearUnknown(DomainError):
    """A date falls in a year with no holiday notice on file: answering would be a guess."""

    def __init__(self, year: int, *, field: str | None = None) -> None:
        super().__init__(
            f"The working-day calendar has no data for {year}; record the State Council "
            f"notice for {year} under /api/v1/calendars",
            field=field,
            code="calendar_year_unknown",
        )
        self.year = year


@dataclass(frozen=True)
class YearNotice:
    """One year's State Council notice: its days off and its make-up working days."""

    year: int
    off: frozenset[date]
    work: frozenset[date]


def _notice_year(d: date, years: frozenset[int]) -> int:
    return d.year if d.year in years else d.year + 1


class WorkingDayCalendar:
    """Answers "is this a working day?" from the State Council's yearly holiday notices."""

    def __init__(self, years: Iterable[int], off: Iterable[date], work: Iterable[date]) -> None:
        self._years = frozenset(years)
        self._off = frozenset(off)
        self._work = frozenset(work)
        clash = self._off & self._work
        if clash:
            raise ValueError(f"dates both off and worked: {sorted(clash)}")
        weekday_work = sorted(d for d in self._work if d.weekday() < 5)
        if weekday_work:
            raise ValueError(f"make-up working days must be weekend days: {weekday_work}")
        self._notices: dict[int, YearNotice] = {}
        for year in self._years:
            # A listed day belongs to the notice of its own year, else to the next year's
            # (the 2023 notice lists 2022-12-31).
            mine = {d for d in self._off | self._work if _notice_year(d, self._years) == year}
            self._notices[year] = YearNotice(
                year, frozenset(mine & self._off), frozenset(mine & self._work)
            )

    @classmethod
    def from_notices(cls, notices: Iterable[YearNotice]) -> WorkingDayCalendar:
        """Build from one notice per year; a day listed by two notices follows its own year's."""
        by_year = {n.year: n for n in notices}
        status: dict[date, bool] = {}
        for own_year_first in (False, True):
            for n in by_year.values():
                for d in n.off | n.work:
                    if (d.year == n.year) == own_year_first:
                        status[d] = d in n.work
        calendar = cls(
            by_year, [d for d, w in status.items() if not w], [d for d, w in status.items() if w]
        )
        calendar._notices = dict(by_year)
        return calendar

    def with_notices(self, notices: Iterable[YearNotice]) -> WorkingDayCalendar:
        """This calendar with these years' notices in place of what it had (a recorded one wins)."""
        return WorkingDayCalendar.from_notices([*self._notices.values(), *notices])

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> WorkingDayCalendar:
        """Build from the JSON shape {"2024": {"off": [...], "work": [...]}, "source": ...}."""
        years: list[int] = []
        off: list[date] = []
        work: list[date] = []
        for key, notice in data.items():
            if key == "source":
                continue
            years.append(int(key))
            off.extend(date.fromisoformat(s) for s in notice["off"])
            work.extend(date.fromisoformat(s) for s in notice["work"])
        return cls(years, off, work)

    @classmethod
    def from_package_data(cls) -> WorkingDayCalendar:
        """Load the holiday notices shipped inside the domain package."""
        text = (files("domain.shared") / "data" / _DATA_FILE).read_text(encoding="utf-8")
        return cls.from_mapping(json.loads(text))

    @property
    def covered_years(self) -> tuple[int, ...]:
        """The years whose holiday notice is on file, ascending."""
        return tuple(sorted(self._years))

    def is_working_day(self, d: date) -> bool:
        """Mon-Fri that is not a holiday, or a make-up working day even on a weekend."""
        # Listed dates first: a notice may list a day of the previous year (2022-12-31).
        if d in self._off:
            return False
        if d in self._work:
            return True
        if d.year not in self._years:
            raise CalendarYearUnknown(d.year)
        return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after start (start itself does not count); n=0 gives start."""
        if n < 0:
            raise ValueError("n must be zero or more working days")
        d = start
        remaining = n
        while remaining > 0:
            d += _ONE_DAY
            if self.is_working_day(d):
                remaining -= 1
        return d

    def is_known(self, d: date) -> bool:
        """Whether a notice on file says what this day is (listed, or its year is covered)."""
        return d in self._off or d in self._work or d.year in self._years

    def due(self, start: date, n: int) -> tuple[date, bool]:
        """The n-th working day after start, and whether it is provisional.

        Never refuses: a day of a year with no notice counts Monday to Friday, and the answer
        is then provisional until that year's notice is recorded.
        """
        if n < 0:
            raise ValueError("n must be zero or more working days")
        d, remaining, provisional = start, n, False
        while remaining > 0:
            d += _ONE_DAY
            if self.is_known(d):
                worked = self.is_working_day(d)
            else:
                worked, provisional = d.weekday() < 5, True
            if worked:
                remaining -= 1
        return d, provisional

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days d satisfy start < d <= end."""
        if end < start:
            raise ValueError("end must not be before start")
        count = 0
        d = start + _ONE_DAY
        while d <= end:
            if self.is_working_day(d):
                count += 1
            d += _ONE_DAY
        return count


@cache
def default_calendar() -> WorkingDayCalendar:
    """The shipped calendar, read once per process."""
    return WorkingDayCalendar.from_package_data()
