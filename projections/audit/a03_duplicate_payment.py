"""A03 duplicate payment: one case's month paid twice, or one household's month by two cases.

Payout ids derive from (case, month), so a second scheduling is the same payout; a month is
still paid twice when a settled payout is settled again without a failure between (a reissue
not after a failure), when an old system's import holds two payouts for one case and month,
or when a person is counted in two DIBAO/TEKUN cases both paid for the month. A settlement
followed by a failure (the bank bounced it) is not a payment; a reversal of the extra payment,
or its recovery in full, resolves the finding.
"""

from __future__ import annotations

import json
from typing import Any

from domain.assistance.case import AssistanceCase
from domain.assistance.enrolment import is_exclusive
from domain.payroll.payout import Payout
from projections.audit.rule import AuditRule
from projections.store import Row, Tx
from projections.view import handles


def paid_fen(rows: list[Row]) -> int:
    """What stands paid for the month: every settlement not failed, reversed or recovered."""
    return sum(r["paid_times"] * r["amount_fen"] - r["recovered_fen"] for r in rows)


def excess_fen(rows: list[Row]) -> int:
    """What was paid beyond one payment of the month."""
    once = max((r["amount_fen"] for r in rows if r["paid_times"] > 0), default=0)
    return paid_fen(rows) - once


class DuplicatePayment(AuditRule):
    name = "audit_a03"
    tables = ("audit_a03_payouts", "audit_a03_members")
    rule = "A03"
    severity = "high"
    title = "duplicate payment"
    title_zh = "重复发放"

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        if is_exclusive(e.programme):
            tx.executemany(
                "INSERT INTO audit_a03_members (case_id, person_id) VALUES (%s, %s)"
                " ON CONFLICT (case_id, person_id) DO NOTHING",
                [(str(e.originator_id), m["person_id"]) for m in e.members if m["counted"]],
            )

    @handles(Payout.PayoutScheduled)
    def scheduled(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "INSERT INTO audit_a03_payouts (payout_id, case_id, month, street, amount_fen,"
            " paid_times, recovered_fen, evidence, last_on)"
            " VALUES (%s, %s, %s, %s, %s, 0, 0, '[]', %s)",
            [str(e.originator_id), str(e.case_id), e.month, e.street, e.amount_fen,
             e.occurred_on],
        )  # fmt: skip

    def _payout_changed(self, tx: Tx, e: Any, position: int, paid: int, recovered: int) -> None:
        rows = tx.query(
            "SELECT * FROM audit_a03_payouts WHERE payout_id = %s", [str(e.originator_id)]
        )
        if not rows:
            return
        row = rows[0]
        evidence = sorted({*json.loads(row["evidence"]), position})
        tx.execute(
            "UPDATE audit_a03_payouts SET paid_times = %s, recovered_fen = %s, evidence = %s,"
            " last_on = %s WHERE payout_id = %s",
            [max(0, row["paid_times"] + paid), row["recovered_fen"] + recovered,
             json.dumps(evidence), e.occurred_on, row["payout_id"]],
        )  # fmt: skip
        self._judge(tx, row["case_id"], row["month"], position, e.occurred_on)

    @handles(Payout.PayoutSettled)
    def settled(self, tx: Tx, e: Any, position: int) -> None:
        self._payout_changed(tx, e, position, +1, 0)

    @handles(Payout.PayoutFailed)
    def failed(self, tx: Tx, e: Any, position: int) -> None:
        self._payout_changed(tx, e, position, -1, 0)

    @handles(Payout.PayoutReversed)
    def reversed(self, tx: Tx, e: Any, position: int) -> None:
        self._payout_changed(tx, e, position, -1, 0)

    @handles(Payout.OverpaymentRecovered)
    def recovered(self, tx: Tx, e: Any, position: int) -> None:
        self._payout_changed(tx, e, position, 0, e.amount_fen)

    def _month(self, tx: Tx, case_id: str, month: str) -> list[Row]:
        # Sorted here, not by ORDER BY payout_id: with that, PostgreSQL may walk the whole
        # primary key in order and filter (seen on the province rebuild: 5 ms a payout,
        # growing with the table) instead of taking the few rows from (case_id, month).
        rows = tx.query(
            "SELECT * FROM audit_a03_payouts WHERE case_id = %s AND month = %s",
            [case_id, month],
        )
        return sorted(rows, key=lambda r: str(r["payout_id"]))

    @staticmethod
    def _evidence(rows: list[Row]) -> list[int]:
        return sorted({p for r in rows for p in json.loads(r["evidence"])})

    def _judge(self, tx: Tx, case_id: str, month: str, position: int, on: str) -> None:
        mine = self._month(tx, case_id, month)
        street = mine[0]["street"] if mine else None
        key = f"{case_id}:{month}"
        times = sum(r["paid_times"] for r in mine)
        if times >= 2 and excess_fen(mine) > 0:
            self.found(
                tx, position, key=key, street=street, case_id=case_id,
                evidence=self._evidence(mine), occurred_on=on,
                summary=f"the benefit of {month} was settled {times} times for this case "
                f"({excess_fen(mine) / 100:.2f} yuan paid beyond one payment)",
            )  # fmt: skip
        else:
            self.cured(tx, position, key=key)
        self._judge_household(tx, case_id, month, mine, position, on)

    def _judge_household(
        self, tx: Tx, case_id: str, month: str, mine: list[Row], position: int, on: str
    ) -> None:
        """Another exclusive case counting one of this case's members, paid for the month too."""
        others = tx.query(
            "SELECT DISTINCT q.case_id FROM audit_a03_members p JOIN audit_a03_members q"
            " ON q.person_id = p.person_id AND q.case_id <> p.case_id WHERE p.case_id = %s"
            " ORDER BY q.case_id",
            [case_id],
        )
        for other in others:
            theirs = self._month(tx, other["case_id"], month)
            key = f"household:{':'.join(sorted((case_id, other['case_id'])))}:{month}"
            if paid_fen(mine) > 0 and paid_fen(theirs) > 0:
                if not self.is_found(tx, key):
                    self.found(
                        tx, position, key=key, street=mine[0]["street"], case_id=case_id,
                        evidence=self._evidence(mine + theirs), occurred_on=on,
                        summary=f"the benefit of {month} was paid both to this case and to "
                        f"case {other['case_id']}, which counts one of its members",
                    )  # fmt: skip
            else:
                self.cured(tx, position, key=key)
