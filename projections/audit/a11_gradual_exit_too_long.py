"""A11 gradual exit too long: a gradual exit (渐退) over 6 months, or a case running past its end.

Three ways the history shows it: an exit recorded for more than 6 months (legacy data: the
write side refuses it); a payout for a month after the exit's last month; or the case still
not terminated on the first business day after the exit's last month. A termination cures
the last (resolved by it); a payout beyond the exit is cured only by its reversal.
"""

from __future__ import annotations

import json
from typing import Any

from domain.assistance.case import AssistanceCase
from domain.assistance.rules import MAX_GRADUAL_EXIT_MONTHS
from domain.payroll.payout import Payout
from domain.shared.clock import BusinessDay
from domain.shared.values import add_months
from projections.audit.rule import AuditRule
from projections.buffer import Owned
from projections.store import Row, Tx
from projections.view import handles

#: The rule's cases (read once a batch, written with the batch's other writes).
CASES = Owned("audit_a11_cases", "case_id")


class GradualExitTooLong(AuditRule):
    name = "audit_a11"
    tables = ("audit_a11_cases",)
    rule = "A11"
    severity = "medium"
    title = "gradual exit too long"
    title_zh = "渐退期超长"

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        CASES.insert(tx, {
            "case_id": str(e.originator_id), "street": e.street, "until_month": None,
            "ends_on": None, "active": 1, "fired": 0, "evidence": "[]",
        })  # fmt: skip

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """A batch's cases in one read (a payroll month's payouts each read theirs)."""
        CASES.prefetch(tx, (
            str(e.case_id) if isinstance(e, Payout.PayoutScheduled) else str(e.originator_id)
            for _, e in todo
            if isinstance(e, Payout.PayoutScheduled | AssistanceCase.GradualExitStarted)
        ))  # fmt: skip

    def _case(self, tx: Tx, case_id: str) -> Row | None:
        return CASES.get(tx, case_id)

    @handles(AssistanceCase.GradualExitStarted)
    def started(self, tx: Tx, e: Any, position: int) -> None:
        case = self._case(tx, str(e.originator_id))
        if case is None:
            return
        # The exit's last month as recorded; the first day after it is the deadline.
        ends_on = add_months(e.until_month, 1) + "-01"
        CASES.update(tx, case["case_id"], {
            "until_month": e.until_month, "ends_on": ends_on, "evidence": json.dumps([position]),
        })  # fmt: skip
        if e.months > MAX_GRADUAL_EXIT_MONTHS or e.until_month > add_months(
            e.from_month, MAX_GRADUAL_EXIT_MONTHS - 1
        ):
            self.found(
                tx, position, key=f"{case['case_id']}:length", street=case["street"],
                case_id=case["case_id"], evidence=[], occurred_on=e.occurred_on,
                summary=(
                    f"a gradual exit from {e.from_month} to {e.until_month} ({e.months} months) "
                    f"is longer than the {MAX_GRADUAL_EXIT_MONTHS} months allowed"
                ),
            )  # fmt: skip

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        case_id = str(e.originator_id)
        CASES.update(tx, case_id, {"active": 0})
        self.cured(tx, position, key=f"{case_id}:running")

    @handles(Payout.PayoutScheduled)
    def paid(self, tx: Tx, e: Any, position: int) -> None:
        case = self._case(tx, str(e.case_id))
        if case is None or case["until_month"] is None or e.month <= case["until_month"]:
            return
        self.found(
            tx, position, key=f"paid:{e.originator_id}", street=case["street"],
            case_id=case["case_id"], evidence=json.loads(case["evidence"]),
            occurred_on=e.occurred_on,
            summary=(
                f"a payout for {e.month} was scheduled after the gradual exit's last month "
                f"{case['until_month']}"
            ),
        )  # fmt: skip

    @handles(Payout.PayoutReversed)
    def reversed(self, tx: Tx, e: Any, position: int) -> None:
        self.cured(tx, position, key=f"paid:{e.originator_id}")

    @handles(BusinessDay.Began)
    def day(self, tx: Tx, e: Any, position: int) -> None:
        """Every case past its exit's end and not terminated fires (one day catches up)."""
        overdue = tx.query(
            "SELECT * FROM audit_a11_cases WHERE active = 1 AND fired = 0 AND ends_on <= %s"
            " ORDER BY ends_on, case_id",
            [e.date],
        )
        for case in overdue:
            CASES.update(tx, case["case_id"], {"fired": 1})
            self.found(
                tx, position, key=f"{case['case_id']}:running", street=case["street"],
                case_id=case["case_id"], evidence=json.loads(case["evidence"]), occurred_on=e.date,
                summary=(
                    f"the case is still not terminated on {e.date}, after its gradual exit "
                    f"ended with {case['until_month']}"
                ),
            )  # fmt: skip
