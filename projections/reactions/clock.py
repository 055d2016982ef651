"""The business-day clock: records today's date (Asia/Shanghai) as a BusinessDay, once a day.

How deadline rules use the days (the contract for every rule with a deadline): a rule keeps
its pending deadlines in its own tables and, on each `BusinessDay.Began(date)`, evaluates
every pending deadline due *before* that date (not only those due the day before), raises a
finding for each one missed, and marks it so the next day does not raise it again. So one
tick after a long pause (a weekend without `ledger serve`, a restored backup) catches up on
every day missed, and a rebuild from the log finds the same findings, since the days are
events in the log like everything else. A later event that does the work (a late review)
cures the finding. Working-day deadlines compute their due date with the holiday calendar
when the deadline starts; the tick only compares dates.

The check each cycle is cheap: it compares today's date with the last one it recorded and
calls `record_day` only when the date changed (recording a day twice records nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.ledger import Ledger
from projections import tracking
from projections.store import Database

CHINA = ZoneInfo("Asia/Shanghai")


def shanghai_today() -> date:
    return datetime.now(CHINA).date()


class BusinessDayClock:
    """A runner process: records each new business day as it begins."""

    name = "business_day_clock"

    def __init__(
        self, ledger: Ledger, db: Database, today: Callable[[], date] = shanghai_today
    ) -> None:
        self.ledger = ledger
        self.db = db
        self.today = today
        self._recorded: date | None = None
        self._seen = -1

    def run_once(self) -> int:
        """1 when it recorded a new day (the views then run again), else 0."""
        day, acted = self.today(), 0
        if day != self._recorded:
            before = self.ledger.latest_position()
            acted = int(self.ledger.record_day(day.isoformat()).position > before)
            self._recorded = day
        head = self.ledger.latest_position()
        if head != self._seen:  # it has seen the log up to here: projectionStatus shows no lag
            with self.db.transaction() as tx:
                tracking.advance(tx, self.name, head, acted)
            self._seen = head
        return acted
