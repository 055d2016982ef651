"""payroll_runs: where each monthly run stands, with its totals against the bank's."""

from __future__ import annotations

import json
from typing import Any

from domain.payroll.run import PayrollRun
from projections.store import Database, Row, Tx
from projections.view import Projection, handles


class PayrollRuns(Projection):
    name = "payroll_runs"
    tables = ("payroll_runs",)

    @handles(PayrollRun.PayrollRunStarted)
    def started(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "INSERT INTO payroll_runs (run_id, programme, month, status, started_by, started_on,"
            " version, position) VALUES (%s, %s, %s, 'started', %s, %s, %s, %s)",
            (
                str(e.originator_id), e.programme, e.month, e.actor["user"], e.occurred_on,
                e.originator_version, position,
            ),
        )  # fmt: skip

    def _set(self, tx: Tx, e: Any, position: int, sets: str, params: list[Any]) -> None:
        tx.execute(
            f"UPDATE payroll_runs SET {sets}, version = %s, position = %s WHERE run_id = %s",
            [*params, e.originator_version, position, str(e.originator_id)],
        )

    @handles(PayrollRun.PayoutsAdded)
    def added(self, tx: Tx, e: Any, position: int) -> None:
        self._set(
            tx, e, position, "payouts = payouts + %s, total_fen = total_fen + %s",
            [len(e.payouts), sum(e.payouts.values())],
        )  # fmt: skip

    @handles(PayrollRun.PayrollRunScheduled)
    def scheduled(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, position, "status = 'scheduled', skipped = %s", [json.dumps(e.skipped)])

    @handles(PayrollRun.PayrollRunApproved)
    def approved(self, tx: Tx, e: Any, position: int) -> None:
        self._set(
            tx, e, position, "status = 'approved', approved_by = %s, approved_on = %s",
            [e.actor["user"], e.occurred_on],
        )  # fmt: skip

    @handles(PayrollRun.SettlementRecorded)
    def settled(self, tx: Tx, e: Any, position: int) -> None:
        self._set(
            tx, e, position,
            "settled = settled + %s, settled_fen = settled_fen + %s,"
            " failed = failed + %s, failed_fen = failed_fen + %s",
            [len(e.settled), e.settled_fen, len(e.failed), e.failed_fen],
        )  # fmt: skip

    @handles(PayrollRun.PayoutReopened)
    def reopened(self, tx: Tx, e: Any, position: int) -> None:
        self._set(
            tx, e, position, "failed = failed - 1, failed_fen = failed_fen - %s", [e.amount_fen]
        )

    @handles(PayrollRun.PayrollRunReconciled)
    def reconciled(self, tx: Tx, e: Any, position: int) -> None:
        self._set(tx, e, position, "status = 'reconciled', reconciled_on = %s", [e.occurred_on])


def get(db: Database, run_id: str) -> Row | None:
    rows = db.query("SELECT * FROM payroll_runs WHERE run_id = %s", (run_id,))
    return rows[0] if rows else None


def for_month(db: Database, programme: str, month: str) -> Row | None:
    rows = db.query(
        "SELECT * FROM payroll_runs WHERE programme = %s AND month = %s", (programme, month)
    )
    return rows[0] if rows else None
