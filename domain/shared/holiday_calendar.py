"""The national holiday calendar as ledger data: each year's State Council notice is an event.

One aggregate for the whole national calendar (a derived id): the Ledger reads one stream to
know every recorded year, and a correction of a year is just a later event in that stream.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import InvalidInput
from domain.shared.guards import refuse
from domain.shared.values import Json
from domain.shared.working_days import WorkingDayCalendar, YearNotice

FIRST_YEAR, LAST_YEAR = 2000, 2100
SCOPE = "CN"  # the State Council's national calendar


def calendar_id(scope: str = SCOPE) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:holiday-calendar:{scope}")


def _dates(values: list[str], field: str, year: int) -> list[date]:
    """Parse and check one list of a notice: every day in the year or the December before."""
    found: list[date] = []
    for i, value in enumerate(values):
        try:
            d = date.fromisoformat(value)
        except (TypeError, ValueError):
            raise InvalidInput("not an ISO date (YYYY-MM-DD)", field=f"{field}.{i}") from None
        if not (d.year == year or (d.year == year - 1 and d.month == 12)):
            raise InvalidInput(
                f"{d.isoformat()} is not in {year} (only the last days of December {year - 1} "
                "may be listed too)",
                field=f"{field}.{i}",
            )
        found.append(d)
    return found


def notice_from_event(year: int, off: list[str], work: list[str]) -> YearNotice:
    return YearNotice(
        year,
        frozenset(date.fromisoformat(d) for d in off),
        frozenset(date.fromisoformat(d) for d in work),
    )


class HolidayCalendar(Aggregate):
    """Keeps the latest recorded notice of each year; a later one for a year supersedes."""

    @staticmethod
    def create_id(scope: str, **_: Any) -> UUID:
        return calendar_id(scope)

    class Opened(Aggregate.Created):
        scope: str
        actor: Json
        occurred_on: str

    class NoticeRecorded(Aggregate.Event):
        """A year's notice; `supersedes` is the version of the notice it corrects, if any."""

        year: int
        off: list[str]
        work: list[str]
        reference: str
        title: str
        published_on: str
        supersedes: int | None
        actor: Json
        occurred_on: str

    @event(Opened)
    def __init__(self, scope: str, actor: Json, occurred_on: str) -> None:
        self.scope = scope
        self.notices: dict[int, Json] = {}  # year -> {"off", "work", "version"}

    def record_notice(
        self, year: int, off: list[str], work: list[str], reference: str, title: str,
        published_on: str, actor: Json, occurred_on: str,
    ) -> None:  # fmt: skip
        if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidInput(f"year must be between {FIRST_YEAR} and {LAST_YEAR}", field="year")
        days_off = _dates(off, "holidays", year)
        days_worked = _dates(work, "make_up_working_days", year)
        if not days_off:
            raise InvalidInput("a notice lists at least one holiday", field="holidays")
        for i, d in enumerate(days_worked):
            if d.weekday() < 5:
                raise InvalidInput(
                    f"{d.isoformat()} is a weekday: make-up working days are weekend days",
                    field=f"make_up_working_days.{i}",
                )
            if d in days_off:
                raise InvalidInput(
                    f"{d.isoformat()} is listed both as a holiday and as a make-up working day",
                    field=f"make_up_working_days.{i}",
                )
        for field, text in (("reference", reference), ("title", title)):
            if not text.strip():
                raise InvalidInput(f"the notice's {field} is required", field=field)
        try:
            date.fromisoformat(published_on)
        except (TypeError, ValueError):
            raise InvalidInput("not an ISO date (YYYY-MM-DD)", field="published_on") from None
        off_s = sorted({d.isoformat() for d in days_off})
        work_s = sorted({d.isoformat() for d in days_worked})
        earlier = self.notices.get(year)
        if earlier and (earlier["off"], earlier["work"]) == (off_s, work_s):
            raise refuse(f"this notice for {year} is already recorded", "notice_unchanged")
        self._record(
            year=year, off=off_s, work=work_s, reference=reference.strip(), title=title.strip(),
            published_on=published_on, supersedes=earlier["version"] if earlier else None,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    @event(NoticeRecorded)
    def _record(
        self, year: int, off: list[str], work: list[str], reference: str, title: str,
        published_on: str, supersedes: int | None, actor: Json, occurred_on: str,
    ) -> None:  # fmt: skip
        # The version is the one this event will carry once applied.
        self.notices[year] = {"off": off, "work": work, "version": self.version + 1}

    def year_notices(self) -> list[YearNotice]:
        return [notice_from_event(y, n["off"], n["work"]) for y, n in self.notices.items()]

    def working_days(self, shipped: WorkingDayCalendar) -> WorkingDayCalendar:
        """The shipped years plus the recorded notices; a recorded notice for a year wins."""
        return shipped.with_notices(self.year_notices())
