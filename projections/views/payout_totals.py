"""payout_totals: how many payouts, and how much, per programme, street, month and status?

Counters kept by the projection (issue 12), so `payoutTotals` and the settled payouts of
`supervisionKpis` read a few rows, however many payouts the log holds: one counter row per
(programme, street, month, status), the same without the street in `payout_month_totals`
(what the district's figures read), and each payout's key, amount, status and recovered amount
in `payout_totals_payouts`, so an event moves the payout's share from one row to another.
A filter on a case or a run has no counter: `totals` then sums the payouts view itself.
"""

from __future__ import annotations

from typing import Any

from domain.payroll.payout import CHANGES, Payout
from projections.buffer import Counters, Lookup, Rows
from projections.store import Database, Row, Tx
from projections.view import Projection, handles

GROUPS = ("programme", "street", "month", "status")
#: The filters the counters answer (a case or a run needs the payouts themselves).
FILTERS = ("month", "programme", "street", "status", "year")

SUMS = ("payouts", "amount_fen", "recovered_fen")
#: The counter rows, a batch's changes added up and sent as one upsert a row.
TOTALS = Counters("payout_totals", GROUPS, SUMS)
#: The same without the street: what the district's figures read (migration 0025).
MONTHS = Counters("payout_month_totals", ("programme", "month", "status"), SUMS)
#: Each payout's share (only this view writes it; each write puts its row).
SHARES = Lookup(
    "payout_totals_payouts", "payout_id",
    "payout_id, programme, street, month, status, amount_fen, recovered_fen",
)  # fmt: skip


class PayoutTotals(Projection):
    name = "payout_totals"
    tables = ("payout_totals_payouts", "payout_totals", "payout_month_totals")

    @handles(Payout.PayoutScheduled)
    def scheduled(self, tx: Tx, e: Any, position: int) -> None:
        share = {
            "payout_id": str(e.originator_id), "programme": e.programme, "street": e.street,
            "month": e.month, "status": "scheduled", "amount_fen": e.amount_fen,
            "recovered_fen": 0,
        }  # fmt: skip
        Rows.of(tx, "payout_totals_payouts", "payout_id").insert(tx, share)  # with the batch's
        SHARES.put(tx, share["payout_id"], share)
        TOTALS.add(tx, (e.programme, e.street, e.month, "scheduled", 1, e.amount_fen, 0))
        MONTHS.add(tx, (e.programme, e.month, "scheduled", 1, e.amount_fen, 0))

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """The shares of the payouts a batch changes, in one read."""
        SHARES.prefetch(tx, (str(e.originator_id) for _, e in todo if isinstance(e, CHANGES)))

    @handles(Payout.PayoutSettled)
    def settled(self, tx: Tx, e: Any, position: int) -> None:
        self._move(tx, e, status="settled")

    @handles(Payout.PayoutFailed)
    def failed(self, tx: Tx, e: Any, position: int) -> None:
        self._move(tx, e, status="failed")

    @handles(Payout.PayoutReissued)
    def reissued(self, tx: Tx, e: Any, position: int) -> None:
        self._move(tx, e, status="scheduled")

    @handles(Payout.PayoutReversed)
    def reversed(self, tx: Tx, e: Any, position: int) -> None:
        self._move(tx, e, status="reversed")

    @handles(Payout.OverpaymentRecovered)
    def recovered(self, tx: Tx, e: Any, position: int) -> None:
        self._move(tx, e, recovered=e.amount_fen)

    @staticmethod
    def _move(tx: Tx, e: Any, status: str | None = None, recovered: int = 0) -> None:
        """Take the payout's share out of its counter row and add it, changed, to its new one."""
        payout_id = str(e.originator_id)
        was = SHARES.get(tx, payout_id)
        if was is None:
            raise LookupError(f"payout {payout_id} was never scheduled")
        key = (was["programme"], was["street"], was["month"])
        now = status or was["status"]
        amount, done = int(was["amount_fen"]), int(was["recovered_fen"])
        TOTALS.add(tx, (*key, was["status"], -1, -amount, -done))
        TOTALS.add(tx, (*key, now, 1, amount, done + recovered))
        month = (was["programme"], was["month"])
        MONTHS.add(tx, (*month, was["status"], -1, -amount, -done))
        MONTHS.add(tx, (*month, now, 1, amount, done + recovered))
        Rows.of(tx, "payout_totals_payouts", "payout_id").update(
            tx, payout_id, {"status": now, "recovered_fen": done + recovered}
        )
        SHARES.put(tx, payout_id, {**was, "status": now, "recovered_fen": done + recovered})


# -- queries ------------------------------------------------------------------------------


def answers(filters: dict[str, Any]) -> bool:
    """True when the counters answer these filters (no case, no run)."""
    return not any(v for k, v in filters.items() if k not in FILTERS)


def totals(db: Database, group_by: list[str], filters: dict[str, Any]) -> list[Row]:
    """Count and amounts per group, as `payouts.totals` sums them from the payouts."""
    columns = [g for g in group_by if g in GROUPS] or ["programme"]
    cols = ", ".join(columns)
    where, params = ["1=1"], list[Any]()
    for column in ("month", "programme", "street", "status"):
        if filters.get(column):
            where.append(f"{column} = %s")
            params.append(filters[column])
    if filters.get("year"):
        where.append("month >= %s AND month <= %s")
        params += [f"{filters['year']}-01", f"{filters['year']}-12"]
    table = _table(by_street="street" in columns or bool(filters.get("street")))
    return db.query(
        f"SELECT {cols}, SUM(payouts) AS payouts, SUM(amount_fen) AS amount_fen,"
        " SUM(CASE WHEN status = 'settled' THEN amount_fen ELSE 0 END) AS settled_fen,"
        " SUM(recovered_fen) AS recovered_fen"
        f" FROM {table} WHERE {' AND '.join(where)} GROUP BY {cols}"
        f" HAVING SUM(payouts) > 0 ORDER BY {cols}",
        params,
    )


def settled(db: Database, year: int, street: str | None = None) -> Row:
    """Payouts of the year's months settled, and their amount (the KPIs' figure)."""
    area, near = ("", ()) if street is None else (" AND street = %s", (street,))
    return db.query(
        f"SELECT SUM(payouts) AS payouts, SUM(amount_fen) AS amount FROM {_table(bool(near))}"
        f" WHERE status = 'settled' AND month >= %s AND month <= %s{area}",
        (f"{year}-01", f"{year}-12", *near),
    )[0]


def _table(by_street: bool) -> str:
    """The counters by street when a street is asked for, else the ones without it."""
    return "payout_totals" if by_street else "payout_month_totals"
