"""The write side and the views together, on real SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from uuid import UUID

import pytest
from builders import APPROVER, WORKER, application, walk_to_active

from api.container import Container
from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from domain.shared.command_guard import running
from domain.shared.errors import DomainError, VersionConflict
from projections.views import case_summary, case_timeline, person_enrolment


def test_a_case_runs_from_application_to_termination(ledger: Ledger, container: Container) -> None:
    # Submit, walk the procedure, confirm, then terminate.
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)
    result = ledger.terminate_benefit(
        case_id, APPROVER, occurred_on="2024-09-02", reason_code="income_above_standard",
        reason="member employed", effective_month="2024-10",
    )  # fmt: skip
    # 9 steps, and the July 2024 standard on file applied at the decision (BenefitAdjusted).
    assert result.version == 10

    # The views catch up and tell the same story.
    container.runner.run_once()
    row = case_summary.get(container.db, str(case_id))
    assert row is not None
    assert row["status"] == "terminated"
    assert row["monthly_amount_fen"] == 111000  # the amount in force from July 2024
    assert row["first_paid_month"] == "2024-04"
    assert row["terminated_month"] == "2024-10"
    assert row["position"] == result.position
    lines = case_timeline.for_case(container.db, str(case_id))
    assert [line["version"] for line in lines] == list(range(1, 11))
    assert lines[7]["actor_user"] == APPROVER.user
    assert lines[0]["backdated"] == 1  # dated 2024, recorded today
    assert "terminated" in lines[-1]["summary"]


def test_double_enrolment_is_refused_on_the_write_side(ledger: Ledger) -> None:
    # The rule reads the person's Enrolment aggregate, never a view: no waiting, no 503.
    first = application()
    case_id = ledger.submit_application(first, WORKER).id
    walk_to_active(ledger, case_id)
    # The same person applies again for TEKUN: refused while the DIBAO case is active.
    again = application(programme="TEKUN", members=first["members"])
    before = ledger.latest_position()
    with pytest.raises(DomainError) as refused:
        ledger.submit_application(again, WORKER)
    assert refused.value.code == "double_enrolment"
    assert first["members"][0]["id_number"] not in refused.value.message
    assert ledger.latest_position() == before


def test_confirmation_rechecks_enrolment_after_a_race(ledger: Ledger, container: Container) -> None:
    # Two applications for one person pass submission while neither is active...
    container.runner.start()
    body = application()
    one = ledger.submit_application(body, WORKER).id
    two = ledger.submit_application({**body, "community": "新闸社区"}, WORKER).id
    walk_to_active(ledger, one)
    # ...so the second confirmation, checked against the person's Enrolment, is refused.
    with pytest.raises(DomainError, match="already counted in another active DIBAO or TEKUN case"):
        walk_to_active(ledger, two)
    assert ledger.get_case(two).status == "accepted"
    container.runner.run_once()
    rows = person_enrolment.cases_of(container.db, ledger.get_case(one).counted[0])
    assert [(r["case_id"], r["status"]) for r in rows if r["status"] == "active"] == [
        (str(one), "active")
    ]


def test_eight_concurrent_writers_get_one_success_per_version(
    ledger: Ledger, container: Container
) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)
    container.runner.run_once()  # the July standard, set in advance, is applied to it first
    for round_ in range(3):
        version = ledger.get_case(case_id).version
        barrier = threading.Barrier(8)
        outcomes: list[str] = []

        def write(
            n: int, barrier: threading.Barrier = barrier, outcomes: list[str] = outcomes
        ) -> None:
            def act() -> AssistanceCase:
                case = ledger.get_case(case_id)
                ledger.authorize(WORKER, case.street)  # as report_change checks its rule
                barrier.wait()  # everyone holds the same version before anyone saves
                case.report_change(WORKER.as_dict(), "2024-05-06", f"change {n}", "")
                return case

            try:
                with running("report_change"):
                    ledger.execute(act, actor=WORKER)
                outcomes.append("ok")
            except VersionConflict:
                outcomes.append("conflict")

        threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["conflict"] * 7 + ["ok"], f"round {round_}"
        events = ledger.case_events(case_id)
        assert [e.originator_version for e in events] == list(range(1, version + 2))


def test_history_as_of_a_version_and_a_time(ledger: Ledger) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)
    events = ledger.case_events(case_id)
    assert ledger.case_as_of(case_id, version=2).status == "accepted"
    at_notice = ledger.case_as_of(case_id, at=events[5].timestamp)
    assert at_notice.version == 6
    assert at_notice.notice is not None and at_notice.notice_closed is None
    assert isinstance(case_id, UUID)
