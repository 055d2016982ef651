"""The base of the rules about money paid (A01, A02): each keeps its own copy of the payouts.

A payout is live while it is scheduled or settled and not fully recovered: the money has
gone or is going. A reversal, a failure or a full recovery makes it not live, so the rule's
finding on it is cured by that event; a reissue makes it live again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from domain.payroll.payout import CHANGES, Payout
from projections.audit.rule import AuditRule
from projections.buffer import Lookup, Rows
from projections.store import Row, Tx
from projections.view import handles


class PayoutRule(AuditRule):
    """A subclass names `payouts` (its table) and says when a live payout is a defect."""

    payouts: ClassVar[str]

    def defect(self, tx: Tx, payout: Row) -> tuple[str, list[int]] | None:
        """The summary and evidence positions when this live payout is a defect, else None."""
        raise NotImplementedError

    def evaluate(self, tx: Tx, payout: Row, position: int, occurred_on: str | None) -> None:
        """Raise or cure the finding on one payout, as the history now stands."""
        key = payout["payout_id"]
        found = self.defect(tx, payout) if self.live(payout) else None
        if found is not None:
            summary, evidence = found
            self.found(
                tx, position, key=key, street=payout["street"], case_id=payout["case_id"],
                evidence=[payout["position"], *evidence], summary=summary,
                occurred_on=occurred_on,
            )  # fmt: skip
        else:
            self.cured(tx, position, key=key)

    def evaluate_case(self, tx: Tx, case_id: str, position: int, occurred_on: str) -> None:
        """Look again at every payout of a case (a later event may make an old one a defect)."""
        for payout in tx.query(f"SELECT * FROM {self.payouts} WHERE case_id = %s", [case_id]):
            self.evaluate(tx, payout, position, occurred_on)

    @staticmethod
    def live(payout: Row) -> bool:
        return payout["status"] in ("scheduled", "settled") and (
            payout["recovered_fen"] < payout["amount_fen"]
        )

    def _rows(self) -> Lookup:
        """The rule's payout rows by id (only the rule writes them; each write puts its row)."""
        return Lookup(self.payouts, "payout_id")

    def _writes(self, tx: Tx) -> Rows:
        """The batch's writes of the rule's payout rows, sent together (buffer.Rows)."""
        return Rows.of(tx, self.payouts, "payout_id")

    def changed_payouts(self, tx: Tx, todo: list[tuple[int, Any]]) -> dict[str, Row]:
        """The rows of the payouts a batch's events change, read at once."""
        changed = {str(e.originator_id) for _, e in todo if isinstance(e, CHANGES)}
        return self._rows().get_many(tx, changed)

    def payout_cases(self, tx: Tx, todo: list[tuple[int, Any]]) -> set[str]:
        """The cases a batch's payout events are of (their payout rows read at once)."""
        rows = self.changed_payouts(tx, todo).values()
        return scheduled_cases(todo) | {str(r["case_id"]) for r in rows}

    def _payout(self, tx: Tx, e: Any) -> Row:
        row = self._rows().get(tx, str(e.originator_id))
        if row is None:
            raise LookupError(f"payout {e.originator_id} was never scheduled")
        return row

    def _changed(self, tx: Tx, e: Any, position: int, **changes: Any) -> None:
        row = {**self._payout(tx, e), **changes}
        self._writes(tx).update(tx, row["payout_id"], changes)
        self._rows().put(tx, row["payout_id"], row)
        self.evaluate(tx, row, position, e.occurred_on)

    @handles(Payout.PayoutScheduled)
    def scheduled(self, tx: Tx, e: Any, position: int) -> None:
        row: Row = {
            "payout_id": str(e.originator_id), "case_id": str(e.case_id), "month": e.month,
            "programme": e.programme, "street": e.street,
            "payee": (e.payee or {}).get("person_id"), "amount_fen": e.amount_fen,
            "recovered_fen": 0, "status": "scheduled", "position": position,
        }  # fmt: skip
        # The row as stored is known: it is sent with the batch's others, and remembered.
        self._writes(tx).insert(tx, row)
        self._rows().put(tx, row["payout_id"], row)
        self.evaluate(tx, row, position, e.occurred_on)

    @handles(Payout.PayoutSettled)
    def settled(self, tx: Tx, e: Any, position: int) -> None:
        self._changed(tx, e, position, status="settled")

    @handles(Payout.PayoutFailed)
    def failed(self, tx: Tx, e: Any, position: int) -> None:
        self._changed(tx, e, position, status="failed")

    @handles(Payout.PayoutReissued)
    def reissued(self, tx: Tx, e: Any, position: int) -> None:
        self._changed(tx, e, position, status="scheduled")

    @handles(Payout.PayoutReversed)
    def reversed(self, tx: Tx, e: Any, position: int) -> None:
        self._changed(tx, e, position, status="reversed")

    @handles(Payout.OverpaymentRecovered)
    def recovered(self, tx: Tx, e: Any, position: int) -> None:
        before = self._payout(tx, e)["recovered_fen"]
        self._changed(tx, e, position, recovered_fen=before + e.amount_fen)


def scheduled_cases(todo: list[tuple[int, Any]]) -> set[str]:
    """The cases of a batch's scheduled payouts (what a payout rule's prefetch reads)."""
    return {str(e.case_id) for _, e in todo if isinstance(e, Payout.PayoutScheduled)}
