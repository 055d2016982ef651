"""The audit process and the clock on real SQLite and PostgreSQL: idempotent, restartable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audit_histories import active_case, died, findings, paid
from builders import APPROVER, new_id_number

from api.container import Container, build
from api.settings import Settings
from domain.ledger import Ledger
from domain.shared.clock import BusinessDay, day_id
from projections import tracking
from projections.reactions.audit_findings import FindingsProcess
from projections.reactions.clock import BusinessDayClock, shanghai_today


def finding_events(ledger: Ledger) -> int:
    notes = ledger.recorder.select_notifications(start=1, limit=100_000)
    return sum(1 for n in notes if ":AuditFinding." in n.topic)


def test_a_rebuild_of_every_view_finds_the_same_findings_and_records_nothing_new(
    ledger: Ledger, container: Container
) -> None:
    person = new_id_number()
    active_case(ledger, person)
    paid(ledger, "2024-05", "2024-06", "2024-07")
    died(ledger, person, "2024-05-10", verified_on="2024-07-22")
    before = findings(container, "A01")
    assert len(before) == 2 and finding_events(ledger) == 2

    container.runner.stop()
    container.runner.reset()
    container.runner.run_once()
    assert findings(container, "A01") == before
    assert finding_events(ledger) == 2


def test_the_process_run_again_from_scratch_records_nothing_new(
    ledger: Ledger, container: Container
) -> None:
    case_id = active_case(ledger)
    paid(ledger, "2024-05")
    ledger.terminate_benefit(
        case_id, APPROVER, occurred_on="2024-07-22",
        reason_code="moved_away", reason="迁出本区", effective_month="2024-05",
    )  # fmt: skip
    assert len(findings(container, "A02")) == 1
    with container.db.transaction() as tx:  # as if it crashed before recording its position
        tx.execute("DELETE FROM projection_tracking WHERE name = %s", [FindingsProcess.name])
        tx.execute("DELETE FROM audit_findings")
    FindingsProcess(ledger, container.db).run_once()
    assert finding_events(ledger) == 1


def test_the_clock_records_each_day_once_and_a_day_reached_after_a_pause_catches_up(
    ledger: Ledger, container: Container
) -> None:
    parent, child = new_id_number(), new_id_number()
    active_case(ledger, parent, child)
    died(ledger, child, "2024-05-10", verified_on="2024-05-12")
    container.runner.run_once()
    today = [date(2024, 6, 1)]
    container.runner.processes.insert(0, BusinessDayClock(ledger, container.db, lambda: today[0]))
    assert findings(container, "A01") == []  # 2024-06-01: the review is not due yet
    head = ledger.latest_position()
    container.runner.run_once()  # the same day again: nothing recorded
    assert ledger.latest_position() == head
    today[0] = date(2024, 11, 30)  # months later, the first day the clock sees again
    (found,) = findings(container, "A01")
    assert (found["raised_on"], found["status"]) == ("2024-11-30", "raised")


def test_with_the_clock_on_a_cycle_records_today_in_shanghai_once(
    database_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "dev-signing-key"  # not the checkout's var/ (PostgreSQL's default)
    container = build(
        Settings(database_url=database_url, load_demo_when_empty=False, signing_key_file=key)
    )
    try:
        container.runner.run_once()
        container.runner.run_once()
        today = shanghai_today().isoformat()
        day = container.ledger.load(day_id(today), BusinessDay, "business day")
        assert (day.date, day.version) == (today, 1)
        head = container.ledger.latest_position()
        assert tracking.position(container.db, BusinessDayClock.name) == head
    finally:
        container.close()
