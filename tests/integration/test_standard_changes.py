"""The standard-change process on real SQLite and PostgreSQL: how it stops and how it retries."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

import pytest
from builders import WORKER, application, walk_to_active
from eventsourcing.persistence import OperationalError

from api.container import Container
from api.graphql.cases import projection_states
from domain.ledger import Ledger
from projections import tracking


def active(ledger: Ledger) -> UUID:
    body = application(payee_account="622202000000000001")
    case_id = ledger.submit_application(body, WORKER).id
    walk_to_active(ledger, case_id)
    return case_id


def test_a_failing_standard_change_stops_the_process_there_and_shows_in_projection_status(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    container.runner.stop()  # from here on, the test decides when the process runs
    calls = 0

    def broken(case_id: UUID, **_: Any) -> Any:
        nonlocal calls
        calls += 1
        raise RuntimeError("a bug in the recomputation")

    monkeypatch.setattr(ledger, "apply_standards_to_case", broken)
    case_id = active(ledger)
    container.runner.run_once()
    container.runner.run_once()  # stopped: not tried again, silently or otherwise

    assert calls == 1
    state = next(s for s in projection_states(container) if s.name == "standard_changes")
    assert state.error is not None
    assert "standard_changes cannot handle EligibilityConfirmed" in state.error
    assert "RuntimeError" in state.error
    row = tracking.rows(container.db)["standard_changes"]
    assert row.position < (row.error_position or 0)  # stopped before the confirmation
    assert ledger.get_case(case_id).benefit.payable("2024-07") == (108_000, None)


def test_the_standard_change_process_retries_a_lost_store_and_then_applies_it(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    container.runner.stop()
    original = ledger.apply_standards_to_case
    calls = 0

    def flaky(case_id: UUID, **options: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise OperationalError("terminating connection due to administrator command")
        return original(case_id, **options)

    monkeypatch.setattr(ledger, "apply_standards_to_case", flaky)
    case_id = active(ledger)
    container.runner.start()
    deadline = time.monotonic() + 20
    while ledger.get_case(case_id).benefit.payable("2024-07") != (111_000, None):
        assert time.monotonic() < deadline, "the process did not resume"
        time.sleep(0.05)
    container.runner.stop()

    assert calls == 3
    state = next(s for s in projection_states(container) if s.name == "standard_changes")
    assert (state.error, state.retrying) == (None, None)
