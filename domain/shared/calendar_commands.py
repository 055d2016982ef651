"""The holiday-calendar commands of the Ledger: record a year's notice, read the calendar."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.shared.holiday_calendar import SCOPE, HolidayCalendar, calendar_id
from domain.shared.ledger_base import CommandResult, LedgerBase
from domain.shared.values import Actor, Json
from domain.shared.working_days import WorkingDayCalendar, default_calendar


class CalendarCommands(LedgerBase):
    def record_holiday_notice(
        self, notice: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        """Record (or correct) a year's State Council notice; no release is needed."""

        def act() -> Aggregate:
            calendar = self._holiday_calendar()
            if calendar is None:
                calendar = HolidayCalendar(SCOPE, actor.as_dict(), notice["occurred_on"])
            calendar.record_notice(
                year=notice["year"],
                off=notice["holidays"],
                work=notice["make_up_working_days"],
                reference=notice["reference"],
                title=notice["title"],
                published_on=notice["published_on"],
                actor=actor.as_dict(),
                occurred_on=notice["occurred_on"],
            )
            return calendar

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("record_holiday_notice", str(notice["year"]), notice),
        )  # fmt: skip

    def working_day_calendar(self) -> WorkingDayCalendar:
        """The shipped years plus the recorded notices (a recorded notice for a year wins)."""
        calendar = self._holiday_calendar()
        if calendar is None:
            return default_calendar()
        cached: tuple[int, WorkingDayCalendar] | None = getattr(self, "_calendar_cache", None)
        if cached is None or cached[0] != calendar.version:  # built once per recorded notice
            cached = (calendar.version, calendar.working_days(default_calendar()))
            self._calendar_cache = cached
        return cached[1]

    def _holiday_calendar(self) -> HolidayCalendar | None:
        try:
            found: Aggregate = self.repository.get(calendar_id())
        except AggregateNotFoundError:
            return None
        assert isinstance(found, HolidayCalendar)
        return found
