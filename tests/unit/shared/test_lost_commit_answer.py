"""A commit whose answer was lost: the library's retry meets our own rows, and says so."""

from __future__ import annotations

from typing import Any

import pytest
from builders import PARAMETERS, WORKER, application

from domain.ledger import Ledger
from domain.shared.errors import VersionConflict
from tests.helpers import ADMIN


@pytest.fixture
def ledger() -> Ledger:
    ledger = Ledger()
    for name, value, start in PARAMETERS:
        ledger.set_parameter(name, value, start, "test standard", ADMIN, "2023-01-01")
    return ledger


def commit_then_retry(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first insert commits, its answer is lost, and the same insert runs again."""
    recorder: Any = ledger.recorder
    original = recorder.insert_events

    def twice(stored: Any, **kwargs: Any) -> Any:
        original(stored, **kwargs)
        monkeypatch.setattr(recorder, "insert_events", original)  # once only
        return original(stored, **kwargs)  # the retry: IntegrityError on our own rows

    monkeypatch.setattr(recorder, "insert_events", twice)


def test_a_command_whose_commit_answer_was_lost_is_answered_as_recorded(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit_then_retry(ledger, monkeypatch)

    answer = ledger.submit_application(application(), WORKER)

    case = ledger.get_case(answer.id)
    assert (case.status, case.version, answer.version) == ("submitted", 1, 1)
    assert len(list(ledger.events.get(answer.id))) == 1  # recorded once


def test_a_step_whose_commit_answer_was_lost_is_answered_as_recorded(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    commit_then_retry(ledger, monkeypatch)

    answer = ledger.accept_application(case_id, WORKER, occurred_on="2024-03-01")

    assert answer.version == ledger.get_case(case_id).version == 2


def test_a_real_conflict_is_still_a_version_conflict(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    stale = ledger.get_case(case_id)
    ledger.accept_application(case_id, WORKER, occurred_on="2024-03-01")
    original = ledger.repository.get

    def old_read(key: Any, *args: Any, **kwargs: Any) -> Any:
        """An old read of the case only (the calendar and the rest read as they are)."""
        return stale if key == case_id else original(key, *args, **kwargs)

    monkeypatch.setattr(ledger.repository, "get", old_read)

    with pytest.raises(VersionConflict):
        ledger.accept_application(case_id, WORKER, occurred_on="2024-03-02")
    monkeypatch.setattr(ledger.repository, "get", original)
    assert ledger.get_case(case_id).version == 2
