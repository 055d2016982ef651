"""A12 wrong amount: a payout differs from the amount recomputed for its month.

The recomputation is the domain's own (`recomputed_amounts`, the gap method on the case's
assessment) with the standard in force for that month, as the dated parameters record it
(the latest start on or before the 1st of the month; a change counts for a case from its
first paid month). A manual adjustment (a named person's decision, no standard) is the
amount from its month until a later standard starts counting. A month whose recomputation
gives nothing is left to the domain's own review flag. Reversal, failure, or recovering
the difference cures it; a later standard or adjustment re-judges the month.
"""

from __future__ import annotations

import json
from typing import Any

from domain.assistance.assessment import recomputed_amounts
from domain.assistance.case import AssistanceCase
from domain.assistance.standards import CASE_STANDARDS, effective_month
from domain.payroll.payout import Payout
from domain.shared.parameters import ParameterSchedule
from domain.temporary.limits import yuan
from projections.audit.payout_rule import scheduled_cases
from projections.audit.rule import AuditRule
from projections.buffer import Owned, Rows
from projections.store import Row, Tx
from projections.view import handles

#: The rule's case rows (only this rule writes them; each write keeps its row current, an
#: adjustment's forgets it), and the standards in force by (name, day), remembered for a
#: transaction (forgotten when one is set).
CASES = Owned("audit_a12_cases", "case_id")
STANDARDS = "audit_a12_standards"


def _payouts(tx: Tx) -> Rows:
    """The rule's payout rows: a batch's writes of them sent together (buffer.Rows)."""
    return Rows.of(tx, "audit_a12_payouts", "payout_id")


def _standard(tx: Tx, name: str, day: str) -> Row | None:
    """The latest start on or before the day; for one start, the last fix."""
    known: dict[tuple[str, str], Row | None] = tx.memo.setdefault(STANDARDS, {})
    if (name, day) not in known:
        rows = tx.query(
            "SELECT version, effective_from, value FROM audit_a12_standards"
            " WHERE name = %s AND effective_from <= %s"
            " ORDER BY effective_from DESC, version DESC LIMIT 1",
            [name, day],
        )
        known[(name, day)] = rows[0] if rows else None
    return known[(name, day)]


class WrongAmount(AuditRule):
    name = "audit_a12"
    tables = ("audit_a12_cases", "audit_a12_parameters", "audit_a12_standards", "audit_a12_payouts")
    rule = "A12"
    severity = "high"
    title = "wrong amount"
    title_zh = "发放金额错误"

    # -- the standards' dated values ------------------------------------------------------

    @handles(ParameterSchedule.ParameterScheduleOpened)
    def opened(self, tx: Tx, e: Any, position: int) -> None:
        if e.name in CASE_STANDARDS.values():
            tx.execute(
                "INSERT INTO audit_a12_parameters (schedule_id, name) VALUES (%s, %s)",
                [str(e.originator_id), e.name],
            )

    @handles(ParameterSchedule.ParameterSet)
    def parameter_set(self, tx: Tx, e: Any, position: int) -> None:
        name = tx.scalar(
            "SELECT name FROM audit_a12_parameters WHERE schedule_id = %s", [str(e.originator_id)]
        )
        if name is None:
            return
        tx.execute(
            "INSERT INTO audit_a12_standards (name, version, effective_from, value)"
            " VALUES (%s, %s, %s, %s)",
            [name, e.originator_version, e.effective_from, e.value],
        )
        tx.memo.pop(STANDARDS, None)
        programmes = [p for p, n in CASE_STANDARDS.items() if n == name]
        marks = ", ".join(["%s"] * len(programmes))
        payouts = tx.query(
            "SELECT p.* FROM audit_a12_payouts p JOIN audit_a12_cases c ON c.case_id = p.case_id"
            f" WHERE c.programme IN ({marks}) AND p.month >= %s AND p.paid = 1"
            " ORDER BY p.position",
            [*programmes, effective_month(e.effective_from)],
        )
        for payout in payouts:
            self._judge(tx, payout, position, e.occurred_on)

    # -- what a case's amount is computed from --------------------------------------------

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        CASES.insert(tx, {
            "case_id": str(e.originator_id), "programme": e.programme, "street": e.street,
            "assessment": None, "first_month": None, "adjustments": "[]",
        })  # fmt: skip

    @handles(AssistanceCase.HouseholdAssessed)
    def assessed(self, tx: Tx, e: Any, position: int) -> None:
        assessment = {"income_per_head_fen": e.income_per_head_fen, "amounts": e.amounts,
                      "standard_fen": e.standard_fen}  # fmt: skip
        CASES.update(tx, str(e.originator_id), {"assessment": json.dumps(assessment)})

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        CASES.update(tx, str(e.originator_id), {"first_month": e.first_paid_month})

    @handles(AssistanceCase.BenefitAdjusted)
    def adjusted(self, tx: Tx, e: Any, position: int) -> None:
        if any(n.endswith(".standard") for n in getattr(e, "parameters", None) or {}):
            return  # the domain's recompute under a standard: the standard itself is the basis
        case_id = str(e.originator_id)
        raw = tx.scalar("SELECT adjustments FROM audit_a12_cases WHERE case_id = %s", [case_id])
        if raw is None:
            return
        adjustments = [*json.loads(raw), [e.effective_month, position, e.monthly_amount_fen]]
        tx.execute(
            "UPDATE audit_a12_cases SET adjustments = %s WHERE case_id = %s",
            [json.dumps(adjustments), case_id],
        )
        CASES.forget(tx, str(e.originator_id))
        for payout in tx.query(
            "SELECT * FROM audit_a12_payouts WHERE case_id = %s AND month >= %s AND paid = 1"
            " ORDER BY position",
            [case_id, e.effective_month],
        ):
            self._judge(tx, payout, position, e.occurred_on)

    # -- the payouts ----------------------------------------------------------------------

    @handles(Payout.PayoutScheduled)
    def scheduled(self, tx: Tx, e: Any, position: int) -> None:
        row: Row = {
            "payout_id": str(e.originator_id), "case_id": str(e.case_id), "month": e.month,
            "amount_fen": e.amount_fen, "recovered_fen": 0, "paid": 1, "position": position,
        }  # fmt: skip
        _payouts(tx).insert(tx, row)  # the row as stored is known: sent with the batch's
        self._judge(tx, row, position, e.occurred_on)

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """A payroll batch's cases in one read, not one a payout."""
        CASES.prefetch(tx, scheduled_cases(todo))

    @handles(Payout.PayoutFailed, Payout.PayoutReversed)
    def not_paid(self, tx: Tx, e: Any, position: int) -> None:
        _payouts(tx).update(tx, str(e.originator_id), {"paid": 0})
        self.cured(tx, position, key=str(e.originator_id))

    @handles(Payout.PayoutReissued)
    def reissued(self, tx: Tx, e: Any, position: int) -> None:
        _payouts(tx).update(tx, str(e.originator_id), {"paid": 1})
        self._judge(tx, self._payout(tx, e), position, e.occurred_on)

    @handles(Payout.OverpaymentRecovered)
    def recovered(self, tx: Tx, e: Any, position: int) -> None:
        payout = self._payout(tx, e)
        if payout is None:
            return  # never scheduled: nothing to change
        payout["recovered_fen"] = int(payout["recovered_fen"]) + e.amount_fen
        _payouts(tx).update(tx, payout["payout_id"], {"recovered_fen": payout["recovered_fen"]})
        if payout["paid"]:
            self._judge(tx, payout, position, e.occurred_on)

    def _payout(self, tx: Tx, e: Any) -> Row | None:
        rows = tx.query(
            "SELECT * FROM audit_a12_payouts WHERE payout_id = %s", [str(e.originator_id)]
        )
        return rows[0] if rows else None

    # -- the judgement --------------------------------------------------------------------

    def _judge(self, tx: Tx, payout: Row | None, position: int, on: str) -> None:
        if payout is None:
            return
        found = CASES.get(tx, payout["case_id"])
        rows = [found] if found is not None else []
        expected = self._expected(tx, rows[0], payout["month"]) if rows else None
        paid = int(payout["amount_fen"]) - int(payout["recovered_fen"])
        key = payout["payout_id"]
        if expected is None or expected[0] == paid:
            self.cured(tx, position, key=key)
            return
        case = rows[0]
        self.found(
            tx, position, key=key, street=case["street"], case_id=case["case_id"],
            evidence=[int(payout["position"])], occurred_on=on,
            summary=(
                f"the payout for {payout['month']} is {yuan(paid)}; {expected[1]} gives "
                f"{yuan(expected[0])}"
            ),
        )  # fmt: skip

    def _expected(self, tx: Tx, case: Row, month: str) -> tuple[int, str] | None:
        """The amount due for the month and what it rests on, or None if nothing to judge by."""
        if case["assessment"] is None:
            return None
        assessment = json.loads(case["assessment"])
        manual = max(
            (a for a in json.loads(case["adjustments"]) if a[0] <= month),
            key=lambda a: (a[0], a[1]), default=None,
        )  # fmt: skip
        name = CASE_STANDARDS.get(case["programme"])
        standard = None
        if name is not None:
            # The latest start on or before the month's first day; for one start, the last fix.
            standard = _standard(tx, name, f"{month}-01")
        if standard is None:
            if manual is not None:
                return int(manual[2]), f"the adjustment from {manual[0]}"
            value = int(assessment["standard_fen"])
            basis = "the assessment"
        else:
            counts_from = max(
                effective_month(standard["effective_from"]), case["first_month"] or ""
            )
            if manual is not None and manual[0] >= counts_from:
                return int(manual[2]), f"the adjustment from {manual[0]}"
            value, basis = int(standard["value"]), f"{name}@v{standard['version']}"
        amounts = recomputed_amounts(case["programme"], assessment, value)
        total = sum(int(a["base_fen"]) + int(a["supplements_fen"]) for a in amounts)
        return (total, f"the gap method under {basis}") if total > 0 else None
