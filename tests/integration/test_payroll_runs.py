"""Payroll runs on real SQLite and PostgreSQL: concurrency, crashes, views."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from builders import APPROVER, WORKER, application, walk_to_active

import domain.payroll.commands as payroll
from api.container import Container
from domain.ledger import Ledger
from domain.payroll.payout import payout_id
from projections.views import payouts, payroll_runs

MONTH = "2024-05"
TODAY = date(2024, 5, 20)


def active_cases(ledger: Ledger, n: int) -> list[UUID]:
    ids = []
    for i in range(n):
        case_id = ledger.submit_application(
            application(payee_account=f"62220200000{i:07d}"), WORKER
        ).id
        walk_to_active(ledger, case_id)
        ids.append(case_id)
    return ids


def scheduled_events(ledger: Ledger) -> list[Any]:
    notes = ledger.recorder.select_notifications(start=1, limit=100_000)
    return [n for n in notes if n.topic.endswith("Payout.PayoutScheduled")]


def test_two_runs_started_at_once_make_exactly_one_payout_per_case(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = active_cases(ledger, 7)
    monkeypatch.setattr(payroll, "BATCH", 2)  # many small batches, so the runs interleave
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(scheduled_events(ledger)) == 7
    assert sum(r.scheduled for r in results) == 7
    assert {r.id for r in results} == {results[0].id}
    assert set(ledger.get_run(results[0].id).payouts) == {payout_id(c, MONTH).hex for c in cases}


class Killed(BaseException):
    """Stands for kill -9 in the middle of a run."""


def test_a_run_killed_half_way_completes_without_a_duplicate_payout(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    active_cases(ledger, 7)
    container.runner.run_once()  # the standard-change process has saved its adjustments
    monkeypatch.setattr(payroll, "BATCH", 2)
    original = ledger.save
    saves = 0

    def dying_save(*objs: Any, **kw: Any) -> Any:
        nonlocal saves
        saves += 1
        if saves == 4:  # the run's start, two batches, then death
            raise Killed
        return original(*objs, **kw)

    monkeypatch.setattr(ledger, "save", dying_save)
    with pytest.raises(Killed):
        ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    assert len(scheduled_events(ledger)) == 4  # two whole batches survived, nothing half
    monkeypatch.setattr(ledger, "save", original)

    result = ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    assert (result.scheduled, result.existing, result.payouts) == (3, 4, 7)
    assert len(scheduled_events(ledger)) == 7


def test_the_views_follow_a_run_to_reconciliation(ledger: Ledger, container: Container) -> None:
    cases = active_cases(ledger, 3)
    run = ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    ledger.approve_payroll_run(run.id, APPROVER, "2024-05-21")
    lines = ["payout_id,status,amount_fen,bank_reference,reason"] + [
        f"{payout_id(c, MONTH)},settled,108000,BANK{i},"
        for i, c in enumerate(cases)
    ]  # fmt: skip
    ledger.record_settlement(run.id, "\n".join(lines), APPROVER, "2024-05-25")
    container.runner.run_once()

    row = payroll_runs.get(container.db, str(run.id))
    assert row is not None
    assert (row["status"], row["payouts"], row["settled"], row["settled_fen"]) == (
        "reconciled", 3, 3, 324000,
    )  # fmt: skip
    paid = payouts.get(container.db, str(payout_id(cases[0], MONTH)))
    assert paid is not None
    assert (paid["status"], paid["bank_reference"], paid["amount_fen"]) == (
        "settled",
        "BANK0",
        108000,
    )
    assert paid["computed_from_position"] > 0
    totals = payouts.totals(container.db, ["programme", "month"], {})
    assert [(t["programme"], t["month"], t["payouts"], t["amount_fen"]) for t in totals] == [
        ("DIBAO", MONTH, 3, 324000)
    ]
