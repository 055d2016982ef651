"""case_counts: how many cases, people and monthly amounts per programme, street, community
and status, and how many cases were confirmed in a year and were in payment at its end?

Counters kept by the projection (issue 12), so `caseload` and the case figures of
`supervisionKpis` read a few rows, however many cases the log holds. `case_counts_cases`
keeps what each case contributes now; an event moves that share from one counter row to
another. Nothing here depends on today: a confirmation counts by the year of its decision,
and a case is in payment at a year's end when it was decided by then and not terminated
within the year (the same conditions `supervision_kpis.scanned` puts to case_summary).
"""

from __future__ import annotations

from typing import Any

from domain.assistance.case import AssistanceCase
from projections.buffer import Counters, Rows
from projections.store import Database, Row, Tx
from projections.view import Projection, handles

GROUPS = ("programme", "street", "community", "status")
STATE = (
    "programme", "street", "community", "status", "people", "monthly_fen", "decided_on",
    "first_paid_month", "terminated_month",
)  # fmt: skip


def _cases(tx: Tx) -> Rows:
    """case_counts_cases (what each case contributes now), written through a batch's Rows."""
    return Rows.of(tx, "case_counts_cases", "case_id")


#: The counter rows, each change added up within a batch and sent as one upsert a row.
CASELOAD = Counters("case_counts", GROUPS, ("cases", "people", "monthly_fen"))
CONFIRMED = Counters(
    "case_counts_confirmed", ("programme", "street", "decided_year", "terminated_year"),
    ("cases",),
)  # fmt: skip


def _caseload(case: Row, sign: int) -> tuple[Any, ...]:
    monthly = int(case["monthly_fen"] or 0) if case["status"] == "active" else 0
    return (case["programme"], case["street"], case["community"], case["status"], sign,
            sign * int(case["people"]), sign * monthly)  # fmt: skip


def _confirmed(case: Row, sign: int) -> tuple[Any, ...] | None:
    """The case's confirmation counter row, when it was confirmed into payment."""
    if case["first_paid_month"] is None or case["decided_on"] is None:
        return None
    ended = case["terminated_month"]
    return (case["programme"], case["street"], int(case["decided_on"][:4]),
            int(ended[:4]) if ended else 0, sign)  # fmt: skip


class CaseCounts(Projection):
    name = "case_counts"
    tables = ("case_counts_cases", "case_counts", "case_counts_confirmed")

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        case: Row = {
            "programme": e.programme, "street": e.street, "community": e.community,
            "status": "submitted", "people": sum(1 for m in e.members if m["counted"]),
            "monthly_fen": 0, "decided_on": None, "first_paid_month": None,
            "terminated_month": None,
        }  # fmt: skip
        _cases(tx).insert(tx, {"case_id": str(e.originator_id), **case})
        tx.memo[("case_counts_cases", str(e.originator_id))] = case
        CASELOAD.add(tx, _caseload(case, 1))

    @handles(AssistanceCase.ApplicationAccepted)
    def accepted(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, status="accepted")

    @handles(AssistanceCase.HouseholdAssessed)
    def assessed(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, monthly_fen=e.total_fen)

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        self._change(
            tx, e, status="active", decided_on=e.occurred_on, monthly_fen=e.monthly_amount_fen,
            first_paid_month=e.first_paid_month,
        )  # fmt: skip

    @handles(AssistanceCase.EligibilityDenied)
    def denied(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, status="denied", decided_on=e.occurred_on)

    @handles(AssistanceCase.BenefitAdjusted)
    def adjusted(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, monthly_fen=e.monthly_amount_fen)

    @handles(AssistanceCase.BenefitSuspended)
    def suspended(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, status="suspended")

    @handles(AssistanceCase.BenefitResumed)
    def resumed(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, status="active")

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, status="terminated", terminated_month=e.effective_month)

    @staticmethod
    def _change(tx: Tx, e: Any, **changes: Any) -> None:
        """Move the case's share from the counter rows it was in to those it is in now."""
        case_id = str(e.originator_id)
        was = tx.memo.get(("case_counts_cases", case_id))  # only this view writes the row
        if was is None:
            rows = tx.query(
                f"SELECT {', '.join(STATE)} FROM case_counts_cases WHERE case_id = %s", (case_id,)
            )
            if not rows:
                raise LookupError(f"case {case_id} was never submitted")
            was = rows[0]
        now = {**was, **{k: (int(v or 0) if k == "monthly_fen" else v)
                         for k, v in changes.items()}}  # fmt: skip
        if _caseload(was, 1) != _caseload(now, 1):
            CASELOAD.add(tx, _caseload(was, -1))
            CASELOAD.add(tx, _caseload(now, 1))
        before, after = _confirmed(was, -1), _confirmed(now, 1)
        if before != (None if after is None else (*after[:-1], -1)):
            for row in (before, after):
                if row is not None:
                    CONFIRMED.add(tx, row)
        _cases(tx).update(tx, case_id, {k: now[k] for k in changes})
        tx.memo[("case_counts_cases", case_id)] = now


# -- queries ------------------------------------------------------------------------------


def caseload(db: Database, group_by: list[str], street: str | None = None) -> list[Row]:
    """Counts grouped as asked, as `case_summary.caseload` computes them from every case."""
    columns = [g for g in group_by if g in GROUPS] or ["programme"]
    cols = ", ".join(columns)
    where = "WHERE street = %s " if street is not None else ""
    return db.query(
        f"SELECT {cols}, SUM(cases) AS cases, SUM(people) AS people,"
        f" SUM(monthly_fen) AS monthly_fen FROM case_counts {where}GROUP BY {cols}"
        f" HAVING SUM(cases) > 0 ORDER BY {cols}",
        (street,) if street is not None else (),
    )


def confirmed(db: Database, year: int, street: str | None = None) -> dict[str, int]:
    """Cases confirmed into payment in the year, by programme."""
    area, near = ("", ()) if street is None else (" AND street = %s", (street,))
    rows = db.query(
        "SELECT programme, SUM(cases) AS n FROM case_counts_confirmed WHERE decided_year = %s"
        f"{area} GROUP BY programme",
        (year, *near),
    )
    return {r["programme"]: int(r["n"]) for r in rows}


def in_payment_at_year_end(db: Database, year: int, street: str | None = None) -> int:
    """Cases decided by the year's end and not terminated within it (or before)."""
    area, near = ("", ()) if street is None else (" AND street = %s", (street,))
    found = db.scalar(
        "SELECT SUM(cases) FROM case_counts_confirmed WHERE decided_year <= %s"
        f" AND (terminated_year = 0 OR terminated_year > %s){area}",
        (year, year, *near),
    )
    return int(found or 0)
