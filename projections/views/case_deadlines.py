"""The deadlines of a case as the case_summary view sees them: the overdue rule, and the
working-day calendar the view recomputes provisional due dates with."""

from __future__ import annotations

import json
from datetime import date

from domain.shared.holiday_calendar import notice_from_event
from domain.shared.working_days import WorkingDayCalendar, default_calendar
from projections.store import Row, Tx


def view_calendar(tx: Tx) -> WorkingDayCalendar:
    """The shipped calendar plus the notices this view has seen (a recorded one wins)."""
    rows = tx.query("SELECT year, off, work FROM case_summary_calendar ORDER BY year")
    notices = [
        notice_from_event(r["year"], json.loads(r["off"]), json.loads(r["work"])) for r in rows
    ]
    return default_calendar().with_notices(notices)


#: Late is allowed but visible [law]. One rule per deadline, written once and rendered both as
#: SQL (the `overdue` filter) and in Python (the flags on a row): a deadline is missed when its
#: step was done after the due date, or is not done yet, the case is open for it and the date
#: has passed. name -> (due column, the column that marks the step done, statuses it is open in).
DEADLINES: dict[str, tuple[str, str | None, tuple[str, ...] | None]] = {
    "investigation": ("investigation_due", "investigation_started_on", None),
    "decision": ("decision_due", "decided_on", None),
    "case": ("case_due", "decided_on", ("submitted", "accepted")),
    "review": ("next_review_due", None, ("active", "suspended")),
}


def _missed_sql(due: str, done: str | None, open_in: tuple[str, ...] | None) -> str:
    waiting = [f"{due} < %(today)s"]
    if open_in:
        waiting.insert(0, "status IN (" + ", ".join(f"'{s}'" for s in open_in) + ")")
    if done is None:
        return f"({due} IS NOT NULL AND {' AND '.join(waiting)})"
    pending = " AND ".join([f"{done} IS NULL", *waiting])
    return f"({due} IS NOT NULL AND (({pending}) OR {done} > {due}))"


def _missed(row: Row, t: str, due: str, done: str | None, open_in: tuple[str, ...] | None) -> bool:
    due_on = row.get(due)
    if not due_on:
        return False
    done_on = row.get(done) if done else None
    if done_on:
        return bool(done_on > due_on)
    return (open_in is None or row["status"] in open_in) and due_on < t


OVERDUE_SQL = "(" + " OR ".join(_missed_sql(*spec) for spec in DEADLINES.values()) + ")"


def overdue_flags(row: Row, today: date) -> dict[str, bool]:
    """Late is allowed but visible [law]: which deadline is missed, as of today."""
    t = today.isoformat()
    return {name: _missed(row, t, *spec) for name, spec in DEADLINES.items()}


__all__ = ["DEADLINES", "OVERDUE_SQL", "overdue_flags", "view_calendar"]
