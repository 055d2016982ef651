"""A08 process defect: a notice too short, a decision before the notice closed, a late start.

Three defects, each its own finding per case:
- a public notice shorter than 7 days (resolved when a notice of 7 days or more is posted);
- a confirmation before the public notice closed (or while it was still up);
- an investigation (the economic check or a home visit, whichever came first) started more
  than 3 working days after acceptance. Working days are the business calendar's: the shipped
  holiday notices and those recorded in the ledger, make-up working weekends included. The
  deadline fires as days pass (`BusinessDay.Began` after the due date, nothing started yet),
  and when a late start is recorded; a start recorded later but dated on time resolves it.
  A due date in a year with no holiday notice is provisional and judged once the notice is
  recorded.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.assistance.case import AssistanceCase
from domain.assistance.rules import INVESTIGATION_DAYS, NOTICE_DAYS
from domain.shared.clock import BusinessDay
from domain.shared.holiday_calendar import HolidayCalendar
from projections.audit.case_facts import Facts, case_of
from projections.audit.rule import AuditRule
from projections.audit.rule_calendar import keep_notice, rule_calendar
from projections.buffer import Rows
from projections.store import Row, Tx
from projections.view import handles

CALENDAR = "audit_a08_calendar"


def as_date(value: Any) -> date | None:
    """An ISO date, or None for a value old data may hold that is not one."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


class ProcessDefect(AuditRule):
    name = "audit_a08"
    tables = ("audit_a08_cases", CALENDAR, "audit_a08_clock")
    rule = "A08"
    severity = "medium"
    title = "process defect"
    title_zh = "程序瑕疵"

    # -- the rows -------------------------------------------------------------------------

    @staticmethod
    def _row(tx: Tx, case_id: str) -> Row | None:
        """The case's row, a copy of its own (read once a transaction, then remembered)."""
        stored = tx.memo.get(("audit_a08_cases", case_id))
        if stored is None:
            rows = tx.query("SELECT * FROM audit_a08_cases WHERE case_id = %s", [case_id])
            if not rows:
                return None
            stored = tx.memo[("audit_a08_cases", case_id)] = rows[0]
        return {**stored, "facts": json.loads(stored["facts"])}

    @staticmethod
    def _save(tx: Tx, row: Row) -> None:
        """Only this rule writes the table, so the remembered row stays what is stored."""
        facts = json.dumps(row["facts"], sort_keys=True)
        changes = {c: row[c] for c in ("accepted_on", "investigation_due", "due_provisional")}
        changes.update(waiting=row["waiting"], facts=facts)
        Rows.of(tx, "audit_a08_cases", "case_id").update(tx, row["case_id"], changes)
        tx.memo[("audit_a08_cases", row["case_id"])] = {**row, "facts": facts}

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        facts = {"notice": None, "started_on": None, "late": None, "closed": False}
        row = {
            "case_id": case_of(e), "street": e.street, "accepted_on": None,
            "investigation_due": None, "due_provisional": 0, "waiting": 0,
            "facts": json.dumps(facts, sort_keys=True),
        }  # fmt: skip
        Rows.of(tx, "audit_a08_cases", "case_id").insert(tx, row)
        tx.memo[("audit_a08_cases", row["case_id"])] = row

    # -- the notice ---------------------------------------------------------------------------

    @handles(AssistanceCase.PublicNoticePosted)
    def notice_posted(self, tx: Tx, e: Any, position: int) -> None:
        row = self._row(tx, case_of(e))
        start, end = as_date(e.posted_from), as_date(e.posted_to)
        if row is None or start is None or end is None:
            return
        row["facts"]["notice"] = {"to": e.posted_to, "closed_on": None, "position": position}
        self._save(tx, row)
        key, days = f"{row['case_id']}:short-notice", (end - start).days + 1
        if days < NOTICE_DAYS:
            self.found(
                tx, position, key=key, street=row["street"], case_id=row["case_id"],
                evidence=[], occurred_on=e.occurred_on,
                summary=f"the public notice ran {days} day(s), from {e.posted_from} to "
                f"{e.posted_to}: the law requires at least {NOTICE_DAYS}",
            )  # fmt: skip
        else:
            self.cured(tx, position, key=key)

    @handles(AssistanceCase.HouseholdAssessed)
    def assessed(self, tx: Tx, e: Any, position: int) -> None:
        """A new assessment needs a new notice (as on the write side)."""
        row = self._row(tx, case_of(e))
        if row is not None and "confirmed" not in row["facts"]:
            row["facts"]["notice"] = None
            self._save(tx, row)

    @handles(AssistanceCase.PublicNoticeClosed)
    def notice_closed(self, tx: Tx, e: Any, position: int) -> None:
        row = self._row(tx, case_of(e))
        if row is None or row["facts"]["notice"] is None:
            return
        notice = row["facts"]["notice"]
        notice.update(closed_on=e.occurred_on, closed_position=position)
        self._save(tx, row)
        self._judge_decision(tx, row, position, e.occurred_on)

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        row = self._row(tx, case_of(e))
        if row is None:
            return
        row["facts"]["confirmed"] = {"on": e.occurred_on, "position": position}
        row["facts"]["closed"] = True
        self._judge_investigation(tx, row, position, e.occurred_on)
        self._judge_decision(tx, row, position, e.occurred_on)

    def _judge_decision(self, tx: Tx, row: Row, position: int, on: str) -> None:
        facts: Facts = row["facts"]
        notice, decision = facts["notice"], facts.get("confirmed")
        if notice is None or decision is None:
            return
        decided = decision["on"]
        if notice["closed_on"] is not None:
            if decided >= notice["closed_on"]:
                return
            summary = f"confirmed on {decided}, before the public notice closed on "
            summary += notice["closed_on"]
        elif decided <= notice["to"]:
            summary = f"confirmed on {decided}, while the public notice was up until {notice['to']}"
        else:
            return  # a notice never closed: the missing step is A07's
        key = f"{row['case_id']}:decided-before-notice-closed"
        if not self.is_found(tx, key):
            self.found(
                tx, position, key=key, street=row["street"], case_id=row["case_id"],
                evidence=[notice["position"], decision["position"]], summary=summary,
                occurred_on=on,
            )  # fmt: skip

    # -- the investigation deadline -------------------------------------------------------------

    @handles(AssistanceCase.ApplicationAccepted)
    def accepted(self, tx: Tx, e: Any, position: int) -> None:
        row = self._row(tx, case_of(e))
        accepted = as_date(e.occurred_on)
        if row is None or accepted is None:
            return
        due, provisional = rule_calendar(tx, CALENDAR).due(accepted, INVESTIGATION_DAYS)
        row.update(
            accepted_on=e.occurred_on, investigation_due=due.isoformat(),
            due_provisional=int(provisional),
        )  # fmt: skip
        row["facts"]["accepted"] = position
        self._judge_investigation(tx, row, position, e.occurred_on)

    def _started(self, tx: Tx, e: Any, position: int) -> None:
        row = self._row(tx, case_of(e))
        if row is None or as_date(e.occurred_on) is None:
            return
        facts = row["facts"]
        if facts["started_on"] is None or e.occurred_on < facts["started_on"]:
            facts.update(started_on=e.occurred_on, started_position=position)
        self._judge_investigation(tx, row, position, e.occurred_on)

    @handles(AssistanceCase.EconomicCheckCompleted)
    def checked(self, tx: Tx, e: Any, position: int) -> None:
        self._started(tx, e, position)

    @handles(AssistanceCase.HomeVisitConducted)
    def visited(self, tx: Tx, e: Any, position: int) -> None:
        self._started(tx, e, position)

    @handles(AssistanceCase.EligibilityDenied)
    def denied(self, tx: Tx, e: Any, position: int) -> None:
        self._closed(tx, e, position)

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        self._closed(tx, e, position)

    def _closed(self, tx: Tx, e: Any, position: int) -> None:
        """A decided case waits for no investigation any more (a late start stays late)."""
        row = self._row(tx, case_of(e))
        if row is not None:
            row["facts"]["closed"] = True
            self._judge_investigation(tx, row, position, e.occurred_on)

    @handles(BusinessDay.Began)
    def day_began(self, tx: Tx, e: Any, position: int) -> None:
        """Every investigation due before this day and not started is late from today."""
        last = tx.scalar("SELECT last_day FROM audit_a08_clock WHERE id = 1")
        if last is not None and last >= e.date:
            return
        tx.execute(
            "INSERT INTO audit_a08_clock (id, last_day, position) VALUES (1, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET last_day = excluded.last_day,"
            " position = excluded.position",
            [e.date, position],
        )
        due = tx.query(
            "SELECT case_id FROM audit_a08_cases WHERE waiting = 1 AND due_provisional = 0"
            " AND investigation_due < %s ORDER BY case_id",
            [e.date],
        )
        for found in due:
            row = self._row(tx, found["case_id"])
            assert row is not None
            self._judge_investigation(tx, row, position, e.date, on_day=True)

    @handles(HolidayCalendar.NoticeRecorded)
    def notice_recorded(self, tx: Tx, e: Any, position: int) -> None:
        """Keep the notice, then recompute the due dates whose working days it may change."""
        keep_notice(tx, CALENDAR, e)
        calendar = rule_calendar(tx, CALENDAR)
        rows = tx.query(
            "SELECT case_id FROM audit_a08_cases WHERE accepted_on >= %s AND accepted_on <= %s"
            " ORDER BY case_id",
            [f"{e.year - 1}-12-01", f"{e.year}-12-31"],
        )
        for found in rows:
            row = self._row(tx, found["case_id"])
            assert row is not None
            accepted = as_date(row["accepted_on"])
            assert accepted is not None
            due, provisional = calendar.due(accepted, INVESTIGATION_DAYS)
            row.update(investigation_due=due.isoformat(), due_provisional=int(provisional))
            self._judge_investigation(tx, row, position, e.occurred_on)

    def _judge_investigation(
        self, tx: Tx, row: Row, position: int, on: str, on_day: bool = False
    ) -> None:
        """Late or not, from the case's start, or (on a day event) the day; save the row.

        A start that has not come is judged by the days alone: a back-dated acceptance is
        not late merely because today is known already and its (back-dated) start is the
        next thing recorded.
        """
        facts: Facts = row["facts"]
        started, due, accepted = facts["started_on"], row["investigation_due"], row["accepted_on"]
        late: str | None = None
        if accepted is not None and not row["due_provisional"]:
            if started is not None:
                late = "started" if started > due else None
            elif facts["closed"]:
                late = facts["late"]  # decided with no investigation: late stays late
            elif on_day:
                last = tx.scalar("SELECT last_day FROM audit_a08_clock WHERE id = 1")
                late = "not-started" if last is not None and last > due else None
            else:
                late = facts["late"]
        waiting = accepted is not None and started is None and not facts["closed"] and not late
        row["waiting"] = int(waiting)
        key = f"{row['case_id']}:late-investigation"
        rule = f"{INVESTIGATION_DAYS} working days after the acceptance on {accepted}"
        if late is not None and late != facts["late"]:
            summary = (
                f"the investigation started on {started}, after its due date {due} ({rule})"
                if late == "started"
                else f"no investigation was started by its due date {due} ({rule})"
            )
            evidence = [p for p in (facts.get("accepted"), facts.get("started_position")) if p]
            self.found(
                tx, position, key=key, street=row["street"], case_id=row["case_id"],
                evidence=evidence, summary=summary, occurred_on=on,
            )  # fmt: skip
        elif late is None and facts["late"] is not None:
            self.cured(tx, position, key=key)
        facts["late"] = late
        self._save(tx, row)
