"""A02 paid after termination or in a suspended month: a live payout for a month at or after
the termination's effective month, or in a month the benefit was suspended.

A termination or suspension may take effect from a month already paid (it is decided late):
those payouts become findings when it is recorded, and are cured by reversal or recovery.
"""

from __future__ import annotations

import json
from typing import Any

from domain.assistance.case import AssistanceCase
from projections.audit.payout_rule import PayoutRule
from projections.buffer import Lookup, Rows
from projections.store import Row, Tx
from projections.view import handles

#: The rule's case rows (only this rule writes them; each write forgets its row).
CASES = Lookup("audit_a02_cases", "case_id")


class PaidAfterTermination(PayoutRule):
    name = "audit_a02"
    rule = "A02"
    severity = "high"
    title = "paid after termination or in a suspended month"
    title_zh = "终止后或暂停期间仍发放"
    payouts = "audit_a02_payouts"
    tables = ("audit_a02_payouts", "audit_a02_cases")

    def defect(self, tx: Tx, payout: Row) -> tuple[str, list[int]] | None:
        case = self._case(tx, payout["case_id"])
        if case is None:
            return None
        month, what = payout["month"], f"{payout['programme']} payout for {payout['month']}"
        ended = case["terminated_from"]
        if ended is not None and month >= ended:
            return f"{what} at or after the termination effective {ended}", [
                case["terminated_position"]
            ]
        for start, until, at in json.loads(case["suspensions"]):
            if start <= month and (until is None or month < until):
                return f"{what} in a month the benefit was suspended (from {start})", [at]
        return None

    @staticmethod
    def _case(tx: Tx, case_id: str) -> Row | None:
        return CASES.get(tx, case_id)

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """A payroll batch's cases in one read, not one a payout."""
        CASES.prefetch(tx, self.payout_cases(tx, todo))

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        Rows.of(tx, "audit_a02_cases", "case_id").insert(  # with the batch's others
            tx, {"case_id": str(e.originator_id), "suspensions": "[]"}
        )
        CASES.forget(tx, str(e.originator_id))

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        case_id = str(e.originator_id)
        tx.execute(
            "UPDATE audit_a02_cases SET terminated_from = %s, terminated_position = %s"
            " WHERE case_id = %s",
            [e.effective_month, position, case_id],
        )
        CASES.forget(tx, case_id)
        self.evaluate_case(tx, case_id, position, e.occurred_on)

    @handles(AssistanceCase.BenefitSuspended)
    def suspended(self, tx: Tx, e: Any, position: int) -> None:
        self._suspensions(tx, e, position, lambda s: [*s, [e.from_month, None, position]])

    @handles(AssistanceCase.BenefitResumed)
    def resumed(self, tx: Tx, e: Any, position: int) -> None:
        def close(spans: list[list[Any]]) -> list[list[Any]]:
            return [[a, e.from_month if b is None else b, p] for a, b, p in spans]

        self._suspensions(tx, e, position, close)

    def _suspensions(self, tx: Tx, e: Any, position: int, change: Any) -> None:
        case_id = str(e.originator_id)
        case = self._case(tx, case_id)
        if case is None:
            return
        spans = change(json.loads(case["suspensions"]))
        tx.execute("UPDATE audit_a02_cases SET suspensions = %s WHERE case_id = %s",
                   [json.dumps(spans), case_id])  # fmt: skip
        CASES.forget(tx, case_id)
        self.evaluate_case(tx, case_id, position, e.occurred_on)
