"""The deadlines of a case as the case_summary view sees them: the overdue rule, and the
working-day calendar the view recomputes provisional due dates with."""

from __future__ import annotations

import json
from datetime import date

from domain.shared.holiday_calendar import notice_from_event
from domain.shared.values import check_choices
from domain.shared.working_days import WorkingDayCalendar, default_calendar
from projections.store import Database, Row, Tx


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


def _open_sql(due: str, done: str | None, open_in: tuple[str, ...] | None) -> str:
    """Overdue now: the step is not done, the case is open for it and the date has passed."""
    waiting = [f"{due} < %(today)s"]
    if open_in:
        waiting.insert(0, "status IN (" + ", ".join(f"'{s}'" for s in open_in) + ")")
    if done is None:
        return f"({due} IS NOT NULL AND {' AND '.join(waiting)})"
    return f"({due} IS NOT NULL AND {' AND '.join([f'{done} IS NULL', *waiting])})"


def _late_sql(due: str, done: str | None, open_in: tuple[str, ...] | None) -> str:
    """Completed late: the step was done after its due date (never, for a step with no mark)."""
    return f"({due} IS NOT NULL AND {done} > {due})" if done else "(1=0)"


def _missed_sql(due: str, done: str | None, open_in: tuple[str, ...] | None) -> str:
    spec = (due, done, open_in)
    return f"({_open_sql(*spec)} OR {_late_sql(*spec)})"


def _missed(row: Row, t: str, due: str, done: str | None, open_in: tuple[str, ...] | None) -> bool:
    due_on = row.get(due)
    if not due_on:
        return False
    done_on = row.get(done) if done else None
    if done_on:
        return bool(done_on > due_on)
    return (open_in is None or row["status"] in open_in) and due_on < t


OVERDUE_SQL = "(" + " OR ".join(_missed_sql(*spec) for spec in DEADLINES.values()) + ")"


#: The two parts of a missed deadline: overdue now (open) and completed late.
PARTS = {"open": _open_sql, "late": _late_sql}


def missed_sql(deadline: str, part: str | None = None) -> str:
    """The SQL condition of one missed deadline (`%(today)s` for today), as `Case.overdue`;
    with `part`, only the cases overdue now ("open") or only those completed late ("late")."""
    check_choices([deadline], DEADLINES, "overdueDeadline")
    if part is None:
        return _missed_sql(*DEADLINES[deadline])
    return PARTS[part](*DEADLINES[deadline])


def any_part_sql(now: bool) -> str:
    """Overdue now on some deadline (`now`), or completed late on some deadline."""
    part = PARTS["open" if now else "late"]
    return "(" + " OR ".join(part(*spec) for spec in DEADLINES.values()) + ")"


def overdue_summary(db: Database, today: date, filters: dict[str, str | None]) -> list[Row]:
    """Cases with each deadline missed, by programme and street when given: one pass over
    case_summary (a scan, cheap at a district's thousands of cases; the street index helps a
    street's). A case late on two deadlines counts under both. Each deadline in two parts that
    never overlap (a step is either not done or done): overdue now, and completed late."""
    where, params = ["1=1"], list[str]()
    for column in ("programme", "street"):
        if filters.get(column):
            where.append(f"{column} = %s")
            params.append(str(filters[column]))
    sums = ", ".join(
        f"SUM(CASE WHEN {missed_sql(name, part)} THEN 1 ELSE 0 END) AS {part}_{name}"
        for name in DEADLINES
        for part in PARTS
    )
    sql = f"SELECT {sums} FROM case_summary WHERE {' AND '.join(where)}"
    count = sql.count("%(today)s")
    row = db.query(sql.replace("%(today)s", "%s"), [today.isoformat()] * count + params)[0]
    result = []
    for name in DEADLINES:
        still, late = int(row[f"open_{name}"] or 0), int(row[f"late_{name}"] or 0)
        result.append(
            {"deadline": name, "open": still, "completed_late": late, "cases": still + late}
        )
    return result


def overdue_flags(row: Row, today: date) -> dict[str, bool]:
    """Late is allowed but visible [law]: which deadline is missed, as of today."""
    t = today.isoformat()
    return {name: _missed(row, t, *spec) for name, spec in DEADLINES.items()}


__all__ = [
    "DEADLINES", "OVERDUE_SQL", "PARTS", "any_part_sql", "missed_sql", "overdue_flags",
    "overdue_summary", "view_calendar",
]  # fmt: skip
