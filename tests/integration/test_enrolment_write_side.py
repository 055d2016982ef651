"""One person, one DIBAO or TEKUN place, on real SQLite and PostgreSQL (issue 7)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from builders import APPROVER, PROCEDURE, WORKER, application, case_step, new_id_number

from domain.ledger import Ledger
from domain.payroll.payout import payout_id
from domain.shared.errors import DomainError, VersionConflict

PAIRS = 20


def ready(ledger: Ledger, id_number: str, **overrides: Any) -> UUID:
    """A one-person case with the whole procedure done, waiting for the decision."""
    member = {"name": "测试丁", "id_number": id_number, "relation": "self", "counted": True}
    case_id = ledger.submit_application(application(members=[member], **overrides), WORKER).id
    for command, payload in PROCEDURE:
        case_step(ledger, case_id, command, payload, WORKER)
    return case_id


def confirm(ledger: Ledger, case_id: UUID, on: str = "2024-03-14") -> None:
    ledger.confirm_eligibility(case_id, APPROVER, occurred_on=on)


def test_concurrent_confirmations_for_one_person_never_both_succeed(ledger: Ledger) -> None:
    pairs = [(new_id_number(), "DIBAO" if n % 2 else "TEKUN") for n in range(PAIRS)]
    cases = [(ready(ledger, person), ready(ledger, person, programme=other))
             for person, other in pairs]  # fmt: skip
    barrier = threading.Barrier(2, timeout=30)
    original = ledger.enrol_on_confirmation

    def decided_then_wait(*args: Any, **kwargs: Any) -> Any:
        changed = original(*args, **kwargs)
        barrier.wait()  # both hold the same Enrolment version before either saves
        return changed

    ledger.enrol_on_confirmation = decided_then_wait  # type: ignore[method-assign]
    for pair in cases:
        outcomes: dict[UUID, str] = {}

        def run(case_id: UUID, outcomes: dict[UUID, str] = outcomes) -> None:
            try:
                confirm(ledger, case_id)
                outcomes[case_id] = "ok"
            except VersionConflict:
                outcomes[case_id] = "conflict"

        versions = {c: ledger.get_case(c).version for c in pair}
        threads = [threading.Thread(target=run, args=(c,)) for c in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert sorted(outcomes.values()) == ["conflict", "ok"]
        winner = next(c for c, o in outcomes.items() if o == "ok")
        loser = next(c for c, o in outcomes.items() if o == "conflict")
        assert ledger.get_case(loser).version == versions[loser]  # nothing recorded
        assert ledger.get_case(loser).status == "accepted"
        assert ledger.get_case(winner).status == "active"
        assert ledger.enrolment_of(ledger.get_case(winner).counted[0]).holder == str(winner)
        barrier.reset()
    ledger.enrol_on_confirmation = original  # type: ignore[method-assign]

    # A retry of a loser is refused outright, naming the case that won.
    with pytest.raises(DomainError) as refused:
        confirm(ledger, next(c for c in cases[0] if ledger.get_case(c).status == "accepted"))
    assert refused.value.code == "double_enrolment"


def test_months_after_a_future_dated_termination_go_to_the_next_case_only(
    ledger: Ledger,
) -> None:
    person = new_id_number()
    first = ready(ledger, person, payee_account="622202000000000011")
    second = ready(ledger, person, payee_account="622202000000000011")
    confirm(ledger, first)  # paid from 2024-04
    ledger.terminate_benefit(
        first, APPROVER, occurred_on="2024-05-06", reason_code="income_above_standard",
        reason="member employed", effective_month="2024-08",
    )  # fmt: skip
    confirm(ledger, second, on="2024-05-20")  # not paid from 2024-06: those months are A's

    today = date(2024, 8, 5)
    july = ledger.start_payroll_run("DIBAO", "2024-07", APPROVER, today)
    august = ledger.start_payroll_run("DIBAO", "2024-08", APPROVER, today)

    assert set(ledger.get_run(july.id).payouts) == {payout_id(first, "2024-07").hex}
    assert set(ledger.get_run(august.id).payouts) == {payout_id(second, "2024-08").hex}


def test_confirmation_refused_after_verified_death(ledger: Ledger) -> None:
    person = new_id_number()
    case_id = ready(ledger, person)
    report = {"name": "测试丁", "id_number": person, "date_of_death": "2024-03-10",
              "source": "hospital", "occurred_on": "2024-03-10"}  # fmt: skip
    key = ledger.report_death(report, WORKER).id
    ledger.verify_death(key, APPROVER, occurred_on="2024-03-10", evidence="证明")
    before = ledger.latest_position()

    with pytest.raises(DomainError) as refused:
        confirm(ledger, case_id, on="2024-03-14")

    assert refused.value.code == "member_deceased"
    assert "2024-03-10" not in refused.value.message and person not in refused.value.message
    assert ledger.latest_position() == before
    assert ledger.get_case(case_id).status == "accepted"
