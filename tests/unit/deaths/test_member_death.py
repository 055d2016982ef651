"""A verified death on an assistance case (DOMAIN.md 3.7), without I/O."""

from __future__ import annotations

from uuid import UUID

import pytest
from builders import APPROVER, WORKER, application, new_id_number, walk_to_active

from domain.assistance.case import AssistanceCase
from domain.deaths.notification import DeathNotification
from domain.ledger import Ledger
from domain.shared.errors import DomainError, InvalidInput
from domain.shared.ledger_base import IdempotencyRecord

ACTOR = WORKER.as_dict()


def active_case(ledger: Ledger, programme: str = "DIBAO") -> AssistanceCase:
    case_id: UUID = ledger.submit_application(application(programme=programme), WORKER).id
    walk_to_active(ledger, case_id)
    return ledger.get_case(case_id)


def test_a_tekun_case_ends_the_month_after_the_death(ledger: Ledger) -> None:
    case = active_case(ledger, "TEKUN")
    case.record_member_death(ACTOR, "2024-05-13", case.counted[0], "2024-05-31", "n1")
    assert (case.status, case.benefit.terminated_from) == ("terminated", "2024-06")
    assert case.review_due_by == "2024-08-31"


def test_a_household_case_is_reviewed_within_three_months(ledger: Ledger) -> None:
    case = active_case(ledger)
    case.record_member_death(ACTOR, "2024-11-30", case.counted[0], "2024-11-30", "n1")
    assert case.status == "active"
    assert case.review_due_by == "2025-02-28"  # three months on, clamped to February's end
    assert case.benefit.payable("2024-12")[0] == 0  # the only counted member


def test_a_death_is_recorded_once_and_only_for_a_counted_member(ledger: Ledger) -> None:
    case = active_case(ledger)
    with pytest.raises(InvalidInput):
        case.record_member_death(ACTOR, "2024-05-13", "P-somebody-else", "2024-05-10", "n1")
    case.record_member_death(ACTOR, "2024-05-13", case.counted[0], "2024-05-10", "n1")
    with pytest.raises(DomainError) as again:
        case.record_member_death(ACTOR, "2024-05-13", case.counted[0], "2024-05-10", "n1")
    assert again.value.code == "death_recorded"


def test_a_report_names_a_known_source() -> None:
    with pytest.raises(InvalidInput) as refused:
        DeathNotification.check_report("2024-05-10", "rumour", "2024-05-11")
    assert refused.value.field == "source"


def test_a_typed_verification_keeps_the_fingerprint_of_the_command_run_by_name(
    ledger: Ledger,
) -> None:
    """An Idempotency-Key used before the typed methods still matches its retry."""
    report = {"name": "测试甲", "id_number": new_id_number(), "date_of_death": "2024-05-10",
              "source": "hospital", "occurred_on": "2024-05-11"}  # fmt: skip
    key = ledger.report_death(report, WORKER).id
    first = ledger.verify_death(
        key, APPROVER, occurred_on="2024-05-12", evidence="证明", idempotency_key="d-1"
    )
    again = ledger.verify_death(
        key, APPROVER, occurred_on="2024-05-12", evidence="证明", idempotency_key="d-1"
    )

    assert (again.id, again.version) == (first.id, first.version)
    record = ledger.repository.get(IdempotencyRecord.create_id(APPROVER.user, "d-1"))
    payload = {"occurred_on": "2024-05-12", "evidence": "证明"}
    assert record.fingerprint == ledger.fingerprint("verify", str(key), payload)
