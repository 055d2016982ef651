"""身后一件事 on real SQLite and PostgreSQL: one verified death settles every case it touches."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from builders import APPROVER, WORKER, application, new_id_number, walk_to_active
from eventsourcing.persistence import OperationalError

from api.container import Container
from api.graphql.cases import projection_states
from domain.ledger import Ledger
from domain.shared.errors import DomainError, InvalidInput
from projections import tracking
from projections.reactions.death_cascade import DeathCascade
from projections.views import case_summary, death_notifications


def member(id_number: str, counted: bool = True) -> dict[str, Any]:
    return {"name": "测试乙", "id_number": id_number, "relation": "self", "counted": counted}


def active(ledger: Ledger, programme: str, *id_numbers: str) -> UUID:
    body = application(
        programme=programme, members=[member(i) for i in id_numbers],
        payee_account="622202000000000001",
    )  # fmt: skip
    case_id = ledger.submit_application(body, WORKER).id
    walk_to_active(ledger, case_id)
    return case_id


def report(ledger: Ledger, id_number: str, died: str = "2024-05-10", on: str = "") -> UUID:
    reported_on = on or (date.fromisoformat(died) + timedelta(days=1)).isoformat()
    payload = {"name": "测试乙", "id_number": id_number, "date_of_death": died,
               "source": "hospital", "occurred_on": reported_on}  # fmt: skip
    return ledger.report_death(payload, WORKER).id


def verify(ledger: Ledger, key: UUID, on: str = "2024-07-03") -> None:
    ledger.verify_death(key, APPROVER, occurred_on=on, evidence="医学死亡证明 No. 1")


def events_named(ledger: Ledger, name: str) -> int:
    notes = ledger.recorder.select_notifications(start=1, limit=100_000)
    return sum(1 for n in notes if n.topic.endswith(name))


def test_a_verified_death_ends_tekun_and_puts_a_household_under_review(
    ledger: Ledger, container: Container
) -> None:
    alone, parent, child = new_id_number(), new_id_number(), new_id_number()
    tekun = active(ledger, "TEKUN", alone)
    household = active(ledger, "DIBAO", parent, child)

    verify(ledger, report(ledger, alone))
    verify(ledger, report(ledger, parent))
    container.runner.run_once()  # views, then the process, then views again

    ended = ledger.get_case(tekun)
    assert (ended.status, ended.benefit.terminated_from) == ("terminated", "2024-06")
    reviewed = ledger.get_case(household)
    assert reviewed.status == "active"
    assert reviewed.review_due_by == "2024-08-10"
    summary = case_summary.get(container.db, str(household))
    assert summary is not None and summary["next_review_due"] == "2024-08-10"
    rows = death_notifications.search(container.db, "verified", None)
    touched = death_notifications.consequences(container.db, [r["notification_id"] for r in rows])
    assert sorted(c["case_id"] for cs in touched.values() for c in cs) == sorted(
        [str(tekun), str(household)]
    )


def test_no_payout_for_a_single_member_case_after_the_death_month(
    ledger: Ledger, container: Container
) -> None:
    person = new_id_number()
    case_id = active(ledger, "DIBAO", person)
    verify(ledger, report(ledger, person, died="2024-05-10"))
    container.runner.run_once()
    may = ledger.start_payroll_run("DIBAO", "2024-05", APPROVER, date(2024, 6, 20))
    june = ledger.start_payroll_run("DIBAO", "2024-06", APPROVER, date(2024, 6, 20))
    assert (may.scheduled, june.scheduled) == (1, 0)
    assert any("death" in reason for reason in june.skipped)
    assert ledger.get_case(case_id).status == "active"  # a household review decides the rest


def test_a_crash_between_verification_and_consequences_is_repaired_on_restart(
    ledger: Ledger, container: Container
) -> None:
    quiet = ledger
    person = new_id_number()
    case_id = active(quiet, "TEKUN", person)
    container.runner.stop()  # from here on, the test decides when the process runs
    verify(quiet, report(quiet, person))
    # The process has not run yet (as if it died right after the verification was saved).
    container.runner.run_once(processes=False)
    assert quiet.get_case(case_id).status == "active"
    container.runner.run_once()
    assert quiet.get_case(case_id).status == "terminated"
    # Running the process again from scratch changes nothing: exactly-once effect.
    with container.db.transaction() as tx:
        tracking.forget(tx, "death_cascade")
    container.runner.run_once()
    assert events_named(quiet, "MemberDeathRecorded") == 1


class Killed(BaseException):
    """Stands for kill -9 in the middle of the process."""


def test_a_crash_half_way_through_the_cases_resumes_without_doubling(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = ledger
    person = new_id_number()
    first = active(quiet, "DIBAO", person, new_id_number())
    second = active(quiet, "HARDSHIP", person, new_id_number())  # not exclusive with DIBAO
    container.runner.stop()  # from here on, the test decides when the process runs
    verify(quiet, report(quiet, person))
    container.runner.run_once(processes=False)  # the views know both cases

    original = quiet.save
    saves = 0

    def dying(*objs: Any, **kw: Any) -> Any:
        nonlocal saves
        saves += 1
        if saves == 2:  # the first case is saved, the process dies on the second
            raise Killed
        return original(*objs, **kw)

    monkeypatch.setattr(quiet, "save", dying)
    with pytest.raises(Killed):
        DeathCascade(quiet, container.db).run_once()
    monkeypatch.setattr(quiet, "save", original)
    assert events_named(quiet, "MemberDeathRecorded") == 1

    DeathCascade(quiet, container.db).run_once()  # the restarted process
    assert events_named(quiet, "MemberDeathRecorded") == 2
    assert all(quiet.get_case(c).benefit.deaths for c in (first, second))


def test_a_retracted_report_touches_nothing_and_the_person_can_be_reported_again(
    ledger: Ledger, container: Container
) -> None:
    person = new_id_number()
    case_id = active(ledger, "TEKUN", person)
    key = report(ledger, person)
    ledger.retract_death_report(key, APPROVER, occurred_on="2024-05-12", reason="wrong person")
    container.runner.run_once()
    assert ledger.get_case(case_id).status == "active"
    with pytest.raises(DomainError):  # a retracted report cannot be verified
        verify(ledger, key)
    assert report(ledger, person, died="2024-07-01") == key  # reported again, same person
    verify(ledger, key)
    container.runner.run_once()
    assert ledger.get_case(case_id).benefit.terminated_from == "2024-08"


def test_one_verified_death_per_person(ledger: Ledger) -> None:
    person = new_id_number()
    key = report(ledger, person)
    verify(ledger, key)
    before = ledger.get_death(key).version
    with pytest.raises(DomainError) as refused:
        report(ledger, person)
    assert refused.value.code == "death_verified"
    with pytest.raises(DomainError):
        verify(ledger, key)
    assert ledger.get_death(key).version == before


def test_a_death_after_the_day_it_is_reported_is_refused(ledger: Ledger) -> None:
    with pytest.raises(InvalidInput) as refused:
        report(ledger, new_id_number(), died="2024-05-12", on="2024-05-11")
    assert refused.value.field == "date_of_death"


def test_a_failing_consequence_stops_the_process_there_and_shows_in_projection_status(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = new_id_number()
    case_id = active(ledger, "TEKUN", person)
    container.runner.stop()  # from here on, the test decides when the process runs
    before = tracking.position(container.db, "death_cascade")
    verify(ledger, report(ledger, person))
    calls = 0

    def broken(key: UUID, up_to: int) -> list[UUID]:
        nonlocal calls
        calls += 1
        raise RuntimeError("a bug in the consequences")

    monkeypatch.setattr(ledger, "apply_death_consequences", broken)
    container.runner.run_once()
    container.runner.run_once()  # stopped: not tried again, silently or otherwise

    assert calls == 1
    state = next(s for s in projection_states(container) if s.name == "death_cascade")
    assert state.error is not None
    assert "death_cascade cannot handle DeathVerified" in state.error
    assert "RuntimeError" in state.error
    row = tracking.rows(container.db)["death_cascade"]
    assert row.position < (row.error_position or 0)  # stopped before the death, not past it
    assert tracking.position(container.db, "death_cascade") >= before
    assert ledger.get_case(case_id).status == "active"


def test_a_process_retries_a_lost_store_with_pauses_and_then_succeeds(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = new_id_number()
    case_id = active(ledger, "TEKUN", person)
    container.runner.stop()
    original = ledger.apply_death_consequences
    calls = 0
    seen_retrying: list[str | None] = []

    def flaky(key: UUID, up_to: int) -> list[UUID]:
        nonlocal calls
        calls += 1
        seen_retrying.append(container.runner.retrying.get("death_cascade"))
        if calls <= 2:
            raise OperationalError("terminating connection due to administrator command")
        return original(key, up_to)

    monkeypatch.setattr(ledger, "apply_death_consequences", flaky)
    verify(ledger, report(ledger, person))
    container.runner.start()
    deadline = time.monotonic() + 20
    while ledger.get_case(case_id).status != "terminated":
        assert time.monotonic() < deadline, "the process did not resume"
        time.sleep(0.05)
    container.runner.stop()

    assert calls == 3
    assert seen_retrying[1] is not None and "OperationalError" in seen_retrying[1]
    state = next(s for s in projection_states(container) if s.name == "death_cascade")
    assert (state.error, state.retrying) == (None, None)
