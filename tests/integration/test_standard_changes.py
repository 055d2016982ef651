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
from domain.ledger import CommandResult, Ledger
from projections import tracking
from tests.helpers import ADMIN


def active(ledger: Ledger) -> UUID:
    body = application(payee_account="622202000000000001")
    case_id = ledger.submit_application(body, WORKER).id
    walk_to_active(ledger, case_id)
    return case_id


def raise_standard(ledger: Ledger) -> CommandResult:
    """A raise recorded after the case's decision: 115,000 from 2024-09 (the process's work)."""
    return ledger.set_parameter("dibao.standard", 115_000, "2024-09-01", "2024年9月提标", ADMIN,
                                "2024-08-20")  # fmt: skip


def test_a_failing_standard_change_stops_the_process_there_and_shows_in_projection_status(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    container.runner.stop()  # from here on, the test decides when the process runs
    calls = 0

    original = ledger.apply_standard_change
    raised: CommandResult | None = None

    def broken(name: str, version: int, **options: Any) -> Any:
        nonlocal calls
        if raised is None or version != raised.version:
            return original(name, version, **options)  # the district's earlier standards
        calls += 1
        raise RuntimeError("a bug in the recomputation")

    case_id = active(ledger)
    monkeypatch.setattr(ledger, "apply_standard_change", broken)
    raised = raise_standard(ledger)
    container.runner.run_once()
    container.runner.run_once()  # stopped: not tried again, silently or otherwise

    assert calls == 1
    state = next(s for s in projection_states(container) if s.name == "standard_changes")
    assert state.error is not None
    assert "standard_changes cannot handle ParameterSet" in state.error
    assert "RuntimeError" in state.error
    row = tracking.rows(container.db)["standard_changes"]
    assert row.position < (row.error_position or 0)  # stopped before the standard change
    assert row.error_position == raised.position  # the ParameterSet, named
    assert ledger.get_case(case_id).status == "active"


def test_the_standard_change_process_retries_a_lost_store_and_then_applies_it(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    container.runner.stop()
    original = ledger.apply_standard_change
    calls = 0

    def flaky(name: str, version: int, **options: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise OperationalError("terminating connection due to administrator command")
        return original(name, version, **options)

    case_id = active(ledger)
    container.runner.run_once()  # the confirmation: nothing for the process to do
    monkeypatch.setattr(ledger, "apply_standard_change", flaky)
    raise_standard(ledger)
    container.runner.start()
    deadline = time.monotonic() + 20
    while ledger.get_case(case_id).benefit.payable("2024-09") != (115_000, None):
        assert time.monotonic() < deadline, "the process did not resume"
        time.sleep(0.05)
    container.runner.stop()

    assert calls == 3
    state = next(s for s in projection_states(container) if s.name == "standard_changes")
    assert (state.error, state.retrying) == (None, None)
