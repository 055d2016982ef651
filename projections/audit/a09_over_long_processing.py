"""A09 over-long processing: a case undecided past 30 working days from submission (45 if extended).

The deadline is the acceptance's (or extension's) `case_due` when recorded, else counted from
the submission on the working-day calendar as the ledger records it. It fires on the first
business day after the deadline passes undecided, or at a late decision when no day came
between; a late decision does not cure it (the applicant waited: that stays on record).
"""

from __future__ import annotations

import json
from typing import Any

from domain.assistance.case import AssistanceCase
from domain.assistance.deadlines import due_dates
from domain.assistance.rules import CASE_DAYS, EXTENDED_CASE_DAYS
from domain.shared.clock import BusinessDay
from domain.shared.holiday_calendar import HolidayCalendar
from projections.audit.rule import AuditRule
from projections.audit.rule_calendar import keep_notice, rule_calendar
from projections.buffer import Owned
from projections.store import Row, Tx
from projections.view import handles

#: The rule's cases (read once a batch, written with the batch's other writes).
CASES = Owned("audit_a09_cases", "case_id")
CALENDAR = "audit_a09_calendar"
#: The events that read a case's row.
READS = (
    AssistanceCase.ApplicationAccepted, AssistanceCase.ProcessingExtended,
    AssistanceCase.EligibilityConfirmed, AssistanceCase.EligibilityDenied,
)  # fmt: skip


class OverLongProcessing(AuditRule):
    name = "audit_a09"
    tables = ("audit_a09_cases", CALENDAR)
    rule = "A09"
    severity = "medium"
    title = "over-long processing"
    title_zh = "办理超期"

    def _due(self, tx: Tx, submitted_on: str, extended: bool) -> tuple[str, bool]:
        dates, provisional = due_dates(
            rule_calendar(tx, CALENDAR),
            {"submitted_on": submitted_on},
            extended,
            names=("case_due",),
        )
        return dates["case_due"], bool(provisional)

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        due, provisional = self._due(tx, e.occurred_on, False)
        CASES.insert(tx, {
            "case_id": str(e.originator_id), "street": e.street, "submitted_on": e.occurred_on,
            "case_due": due, "provisional": int(provisional), "extended": 0, "decided": 0,
            "fired": 0, "evidence": json.dumps([position]),
        })  # fmt: skip

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """A batch's cases in one read, not one an event."""
        CASES.prefetch(tx, (str(e.originator_id) for _, e in todo if isinstance(e, READS)))

    def _case(self, tx: Tx, e: Any) -> Row | None:
        return CASES.get(tx, str(e.originator_id))

    def _set_due(self, tx: Tx, e: Any, position: int, extended: bool) -> None:
        case = self._case(tx, e)
        if case is None:
            return
        evidence = [*json.loads(case["evidence"]), position]
        CASES.update(tx, case["case_id"], {
            "case_due": e.case_due,
            "provisional": int("case_due" in tuple(getattr(e, "provisional", ()))),
            "extended": int(extended or bool(case["extended"])), "evidence": json.dumps(evidence),
        })  # fmt: skip

    @handles(AssistanceCase.ApplicationAccepted)
    def accepted(self, tx: Tx, e: Any, position: int) -> None:
        self._set_due(tx, e, position, False)

    @handles(AssistanceCase.ProcessingExtended)
    def extended(self, tx: Tx, e: Any, position: int) -> None:
        self._set_due(tx, e, position, True)

    @handles(AssistanceCase.EligibilityConfirmed, AssistanceCase.EligibilityDenied)
    def decided(self, tx: Tx, e: Any, position: int) -> None:
        case = self._case(tx, e)
        if case is None or case["decided"]:
            return
        CASES.update(tx, case["case_id"], {"decided": 1})
        if e.occurred_on > case["case_due"]:
            self._raise(tx, position, case, f"decided late, on {e.occurred_on}", e.occurred_on)
        elif case["fired"]:  # decided in time, entered after a day had found it undecided
            self.cured(tx, position, key=case["case_id"])

    @handles(HolidayCalendar.NoticeRecorded)
    def notice(self, tx: Tx, e: Any, position: int) -> None:
        """A year's notice recorded: recount the provisional deadlines of undecided cases."""
        keep_notice(tx, CALENDAR, e)
        pending = tx.query(
            "SELECT case_id, submitted_on, extended FROM audit_a09_cases"
            " WHERE provisional = 1 AND decided = 0 AND fired = 0"
        )
        for case in pending:
            due, provisional = self._due(tx, case["submitted_on"], bool(case["extended"]))
            CASES.update(tx, case["case_id"], {"case_due": due, "provisional": int(provisional)})

    @handles(BusinessDay.Began)
    def day(self, tx: Tx, e: Any, position: int) -> None:
        """Every deadline that passed before this day, undecided, fires (one day catches up);
        a provisional one (its year has no holiday notice yet) waits for the notice, as A08's."""
        overdue = tx.query(
            "SELECT * FROM audit_a09_cases WHERE decided = 0 AND fired = 0 AND case_due < %s"
            " AND provisional = 0 ORDER BY case_due, case_id",
            [e.date],
        )
        for case in overdue:
            self._raise(tx, position, case, f"still undecided on {e.date}", e.date)

    def _raise(self, tx: Tx, position: int, case: Row, state: str, on: str) -> None:
        days = EXTENDED_CASE_DAYS if case["extended"] else CASE_DAYS
        extension = "with" if case["extended"] else "without"
        CASES.update(tx, case["case_id"], {"fired": 1})
        self.found(
            tx, position, key=case["case_id"], street=case["street"], case_id=case["case_id"],
            evidence=json.loads(case["evidence"]), occurred_on=on,
            summary=(
                f"the application submitted on {case['submitted_on']} was {state}: over "
                f"{days} working days ({extension} a recorded extension; due {case['case_due']})"
            ),
        )  # fmt: skip
