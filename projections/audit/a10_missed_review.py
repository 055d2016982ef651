"""A10 missed review: an active case with no periodic review by its next review due date.

The interval (yearly; every 6 months for irregular income with members able to work) is the
domain's, recorded as `next_review_due` on the confirmation and on each review. It fires on
the first business day after the due date, or at a late review when no day came between. A
later review cures it (resolved by that review, still on record); each missed period is its
own finding. A terminated case needs no more reviews.
"""

from __future__ import annotations

import json
from typing import Any

from domain.assistance.case import AssistanceCase
from domain.shared.clock import BusinessDay
from projections.audit.rule import AuditRule
from projections.buffer import Owned
from projections.store import Row, Tx
from projections.view import handles

#: The rule's cases (read once a batch, written with the batch's other writes).
CASES = Owned("audit_a10_cases", "case_id")
READS = (AssistanceCase.EligibilityConfirmed, AssistanceCase.PeriodicReviewCompleted)


class MissedReview(AuditRule):
    name = "audit_a10"
    tables = ("audit_a10_cases",)
    rule = "A10"
    severity = "medium"
    title = "missed review"
    title_zh = "未按期复核"

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        CASES.insert(tx, {
            "case_id": str(e.originator_id), "street": e.street, "active": 0,
            "review_due": None, "fired": 0, "evidence": "[]",
        })  # fmt: skip

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """A batch's cases in one read, not one an event."""
        CASES.prefetch(tx, (str(e.originator_id) for _, e in todo if isinstance(e, READS)))

    def _case(self, tx: Tx, e: Any) -> Row | None:
        return CASES.get(tx, str(e.originator_id))

    def _next(self, tx: Tx, case_id: str, due: str, position: int) -> None:
        CASES.update(tx, case_id, {
            "active": 1, "review_due": due, "fired": 0, "evidence": json.dumps([position]),
        })  # fmt: skip

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        if self._case(tx, e) is not None:
            self._next(tx, str(e.originator_id), e.next_review_due, position)

    @handles(AssistanceCase.PeriodicReviewCompleted)
    def reviewed(self, tx: Tx, e: Any, position: int) -> None:
        case = self._case(tx, e)
        if case is None:
            return
        if case["active"] and case["review_due"] is not None:
            if not case["fired"] and e.occurred_on > case["review_due"]:
                self._raise(tx, position, case, f"was reviewed late, on {e.occurred_on}",
                            e.occurred_on)  # fmt: skip
            if case["fired"] or e.occurred_on > case["review_due"]:
                self.cured(tx, position, key=_key(case))
        self._next(tx, case["case_id"], e.next_review_due, position)

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        CASES.update(tx, str(e.originator_id), {"active": 0})

    @handles(BusinessDay.Began)
    def day(self, tx: Tx, e: Any, position: int) -> None:
        """Every review due before this day and not done fires (one day catches up)."""
        overdue = tx.query(
            "SELECT * FROM audit_a10_cases WHERE active = 1 AND fired = 0 AND review_due < %s"
            " ORDER BY review_due, case_id",
            [e.date],
        )
        for case in overdue:
            self._raise(tx, position, case, f"had no review by {e.date}", e.date)

    def _raise(self, tx: Tx, position: int, case: Row, state: str, on: str) -> None:
        CASES.update(tx, case["case_id"], {"fired": 1})
        self.found(
            tx, position, key=_key(case), street=case["street"], case_id=case["case_id"],
            evidence=json.loads(case["evidence"]), occurred_on=on,
            summary=f"the case, due for its periodic review by {case['review_due']}, {state}",
        )  # fmt: skip


def _key(case: Row) -> str:
    """One finding per case and missed due date."""
    return f"{case['case_id']}:{case['review_due']}"
