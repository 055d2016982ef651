"""payouts: what was paid to which case for which month, and where each payout stands."""

from __future__ import annotations

from typing import Any

from domain.payroll.payout import Payout
from domain.shared.personal_data import fallback_owner
from projections.buffer import Rows
from projections.keyset import Keyset
from projections.store import Database, Row, Tx
from projections.view import Projection, handles


class Payouts(Projection):
    name = "payouts"
    tables = ("payouts",)
    row_table = "payouts"
    row_key = "payout_id"
    row_stamped = False

    def _account(self, e: Any) -> Any:
        """The payee's account, sealed with the payee's key (a payout's own, for old reissues)."""
        owner = e.payee.get("person_id") or fallback_owner(e.originator_id)
        return self.sealed(owner, (e.payee.get("personal") or {}).get("bank_account"))

    @handles(Payout.PayoutScheduled)
    def scheduled(self, tx: Tx, e: Any, position: int) -> None:
        account = self._account(e)
        Rows.of(tx, "payouts", "payout_id").insert(tx, {  # sent with the batch's others
            "payout_id": str(e.originator_id), "case_id": str(e.case_id),
            "run_id": str(e.run_id), "month": e.month, "programme": e.programme,
            "street": e.street, "amount_fen": e.amount_fen, "status": "scheduled",
            "payee_account": account, "computed_from_position": e.computed_from_position,
            "scheduled_on": e.occurred_on, "version": e.originator_version,
            "position": position,
        })  # fmt: skip

    @handles(Payout.PayoutSettled)
    def settled(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="settled", bank_reference=e.bank_reference,
            settled_on=e.occurred_on,
        )  # fmt: skip

    @handles(Payout.PayoutFailed)
    def failed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="failed", failure_reason=e.reason)

    @handles(Payout.PayoutReissued)
    def reissued(self, tx: Tx, e: Any, position: int) -> None:
        changes: dict[str, Any] = {"status": "scheduled", "failure_reason": None}
        if e.payee:
            changes["payee_account"] = self._account(e)
        self._update(tx, e, position, **changes)

    @handles(Payout.PayoutReversed)
    def reversed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="reversed")

    @handles(Payout.OverpaymentRecovered)
    def recovered(self, tx: Tx, e: Any, position: int) -> None:
        done = tx.scalar(
            "SELECT recovered_fen FROM payouts WHERE payout_id = %s", (str(e.originator_id),)
        )
        self._update(tx, e, position, recovered_fen=int(done or 0) + e.amount_fen)


FILTERS = ("case_id", "run_id", "month", "programme", "street", "status")
GROUPS = ("programme", "street", "month", "status")


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    where, params = ["1=1"], []
    for column in FILTERS:
        if filters.get(column):
            where.append(f"{column} = %s")
            params.append(filters[column])
    if filters.get("year"):  # the months of a year, on the (month, programme) index
        where.append("month >= %s AND month <= %s")
        params += [f"{filters['year']}-01", f"{filters['year']}-12"]
    return " AND ".join(where), params


def get(db: Database, payout_id: str) -> Row | None:
    rows = db.query("SELECT * FROM payouts WHERE payout_id = %s", (payout_id,))
    return rows[0] if rows else None


def matching(db: Database, filters: dict[str, Any]) -> Keyset:
    """Payouts matching the filter, to page on the payout id and count when asked."""
    condition, params = _where(filters)
    return Keyset(db, "payouts", "payout_id", condition, tuple(params))


def totals(db: Database, group_by: list[str], filters: dict[str, Any]) -> list[Row]:
    """Count and amount of payouts (reversed ones excluded from the amount paid)."""
    columns = [g for g in group_by if g in GROUPS] or ["programme"]
    cols = ", ".join(columns)
    condition, params = _where(filters)
    return db.query(
        f"SELECT {cols}, COUNT(*) AS payouts, SUM(amount_fen) AS amount_fen,"
        " SUM(CASE WHEN status = 'settled' THEN amount_fen ELSE 0 END) AS settled_fen,"
        " SUM(recovered_fen) AS recovered_fen"
        f" FROM payouts WHERE {condition} GROUP BY {cols} ORDER BY {cols}",
        params,
    )
