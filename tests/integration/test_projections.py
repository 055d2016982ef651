"""The read-side engine: exactly once across crashes, failures reported, rebuilds identical."""

from __future__ import annotations

import time
from typing import Any

import pytest
from builders import WORKER, application, walk_to_active

from api.container import Container
from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from projections import tracking
from projections.registry import all_projections
from projections.runner import ProjectionRunner
from projections.store import Database, Tx
from projections.views.case_summary import CaseSummary

TABLES = {
    "case_summary": "case_id",
    "case_timeline": "position",
    "person_enrolment": "case_id, person_id",
}


def dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    return {t: db.query(f"SELECT * FROM {t} ORDER BY {key}") for t, key in TABLES.items()}


def some_history(ledger: Ledger, cases: int = 6) -> None:
    for _ in range(cases):
        walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)


class Killed(BaseException):
    """Stands for kill -9: not an Exception, so nothing in the runner catches it."""


class CrashingSummary(CaseSummary):
    """Dies in the middle of its third batch."""

    calls = 0

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        CrashingSummary.calls += 1
        if CrashingSummary.calls == 25:
            raise Killed
        super().apply(tx, event, position)


def test_projection_killed_mid_batch_resumes_to_the_same_views_as_a_rebuild(
    ledger: Ledger, container: Container
) -> None:
    some_history(ledger)
    container.runner.stop()
    db = container.db
    container.runner.reset()

    # A runner whose case_summary dies mid-batch: that batch's rows and position roll back.
    CrashingSummary.calls = 0
    crashing = [CrashingSummary(), *all_projections()[1:]]
    runner = ProjectionRunner(ledger, db, crashing, batch_size=10)
    with pytest.raises(Killed):
        runner.run_once()
    position = tracking.position(db, "case_summary")
    head = ledger.latest_position()
    assert 0 < position < head and position % 10 == 0  # whole batches only: the last rolled back

    # A fresh runner (the restarted process) finishes the job.
    ProjectionRunner(ledger, db, all_projections(), batch_size=10).run_once()
    resumed = dump(db)

    # A clean rebuild from zero gives identical views.
    rebuilt_runner = ProjectionRunner(ledger, db, all_projections(), batch_size=500)
    rebuilt_runner.reset()
    rebuilt_runner.run_once()
    assert dump(db) == resumed
    assert len(resumed["case_summary"]) == 6


class Broken(CaseSummary):
    name = "case_summary"

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        if isinstance(event, AssistanceCase.EligibilityConfirmed):
            raise ValueError("cannot read this event")
        super().apply(tx, event, position)


def test_a_projection_that_cannot_handle_an_event_stops_and_reports_it(
    ledger: Ledger, container: Container
) -> None:
    some_history(ledger, cases=1)
    container.runner.stop()
    container.runner.reset()
    runner = ProjectionRunner(ledger, container.db, [Broken(), *all_projections()[1:]])
    runner.run_once()
    row = tracking.rows(container.db)["case_summary"]
    assert row.error is not None and "EligibilityConfirmed" in row.error
    assert (row.error_position or 0) > row.position  # stopped before the event, not past it
    names = [p.name for p in all_projections()[1:]]  # the other views, not the processes
    others = tracking.positions(container.db, names)
    assert all(p == ledger.latest_position() for p in others.values())
    status = container.db.scalar("SELECT status FROM case_summary LIMIT 1")
    assert status == "accepted"  # the last state before the event it could not handle


def test_catch_up_commits_in_batches_and_ignores_position_holes(
    ledger: Ledger, container: Container
) -> None:
    some_history(ledger, cases=3)
    container.runner.stop()
    container.runner.reset()
    runner = ProjectionRunner(ledger, container.db, all_projections(), batch_size=4)
    read = runner.run_once()
    assert read == len(ledger.recorder.select_notifications(start=1, limit=10_000))
    tracked = tracking.positions(container.db, [p.name for p in all_projections()])
    assert set(tracked.values()) == {ledger.latest_position()}


def test_an_event_the_runner_cannot_decode_is_shown_as_retrying_not_hidden(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    some_history(ledger, cases=1)
    container.runner.stop()
    container.runner.reset()
    runner = ProjectionRunner(ledger, container.db, all_projections(), poll_interval=0.01)

    def undecodable(data: Any) -> Any:
        raise ValueError("cannot decrypt: wrong cipher key")

    # Under every decode, one event's or a batch's.
    monkeypatch.setattr(ledger.mapper.transcoder, "decode", undecodable)
    runner.start()
    deadline = time.monotonic() + 10
    while not runner.retrying:
        assert time.monotonic() < deadline, "the runner's trouble was never shown"
        time.sleep(0.01)
    assert set(runner.retrying) == {p.name for p in all_projections()}
    assert all("cannot decrypt" in why for why in runner.retrying.values())
    assert runner.failed == {}  # nothing is marked broken: fixing the key is enough

    monkeypatch.undo()
    assert tracking.wait_for_position(
        container.db, [p.name for p in all_projections()], ledger.latest_position(), 20
    )
    runner.stop()
