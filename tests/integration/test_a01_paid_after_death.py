"""A01 on real SQLite and PostgreSQL: months paid after a death, and the review it forces."""

from __future__ import annotations

from uuid import UUID

from audit_histories import active_case, died, findings, legacy_payout, paid, payout_key
from builders import APPROVER, WORKER, new_id_number

from api.container import Container
from domain.ledger import Ledger


def test_a_death_reported_late_makes_the_months_paid_after_it_findings(
    ledger: Ledger, container: Container
) -> None:
    person = new_id_number()
    case_id = active_case(ledger, person)
    paid(ledger, "2024-05", "2024-06", "2024-07")  # nobody knew yet
    died(ledger, person, "2024-05-10", verified_on="2024-07-22")
    found = findings(container, "A01")
    assert [f["match_key"] for f in found] == sorted(
        [payout_key(case_id, "2024-06"), payout_key(case_id, "2024-07")]
    )
    assert all(f["status"] == "raised" and f["street"] == "新闸街道" for f in found)
    assert "after the death of the only counted member in 2024-05" in found[0]["summary"]
    assert "测试戊" not in found[0]["summary"]


def test_the_same_payouts_before_the_death_month_are_no_finding(
    ledger: Ledger, container: Container
) -> None:
    person = new_id_number()
    active_case(ledger, person)
    paid(ledger, "2024-05", "2024-06", "2024-07")
    died(ledger, person, "2024-07-10", verified_on="2024-07-22")
    assert findings(container, "A01") == []


def test_a_household_with_a_living_member_is_no_finding_unless_the_payee_died(
    ledger: Ledger, container: Container
) -> None:
    payee, child = new_id_number(), new_id_number()
    case_id = active_case(ledger, payee, child)
    paid(ledger, "2024-05", "2024-06")
    died(ledger, child, "2024-06-20", verified_on="2024-07-22")
    assert findings(container, "A01") == []  # the child died; the living payee was paid
    died(ledger, payee, "2024-05-03", verified_on="2024-07-23")
    found = findings(container, "A01")
    assert [f["match_key"] for f in found] == [payout_key(case_id, "2024-06")]
    assert "death of the payee" in found[0]["summary"]


def test_recovering_the_overpayment_resolves_the_finding_by_that_event(
    ledger: Ledger, container: Container
) -> None:
    person = new_id_number()
    case_id = active_case(ledger, person)
    paid(ledger, "2024-05", "2024-06")
    died(ledger, person, "2024-05-10", verified_on="2024-07-22")
    assert [f["status"] for f in findings(container, "A01")] == ["raised"]
    june = ledger.get_payout(UUID(payout_key(case_id, "2024-06")))
    cure = ledger.recover_overpayment(
        june.id, APPROVER, occurred_on="2024-08-01", amount_fen=june.amount_fen,
        reason="追回死亡后发放",
    )  # fmt: skip
    (finding,) = findings(container, "A01")
    assert finding["status"] == "resolved"
    assert finding["resolved_position"] == cure.position


def test_no_review_within_three_months_of_a_death_is_found_when_the_day_after_begins(
    ledger: Ledger, container: Container
) -> None:
    parent, child = new_id_number(), new_id_number()
    case_id = active_case(ledger, parent, child)
    died(ledger, child, "2024-05-10", verified_on="2024-05-12")
    container.runner.run_once()  # the death process records it on the case: review by 08-10
    ledger.record_day("2024-08-10")
    assert findings(container, "A01") == []  # due that day, not yet missed
    ledger.record_day("2024-08-11")
    (found,) = findings(container, "A01")
    assert found["match_key"].startswith(f"review:{case_id}:")
    assert "no household review by 2024-08-10" in found["summary"]
    ledger.record_day("2024-08-12")
    assert len(findings(container, "A01")) == 1  # one finding, not one a day
    ledger.complete_review(case_id, WORKER, occurred_on="2024-08-20", findings="复核完成")
    assert [f["status"] for f in findings(container, "A01")] == ["resolved"]


def test_a_review_in_time_leaves_no_finding_even_after_a_long_pause(
    ledger: Ledger, container: Container
) -> None:
    parent, child = new_id_number(), new_id_number()
    case_id = active_case(ledger, parent, child)
    died(ledger, child, "2024-05-10", verified_on="2024-05-12")
    container.runner.run_once()
    ledger.complete_review(case_id, WORKER, occurred_on="2024-07-01", findings="复核完成")
    ledger.record_day("2024-12-01")  # the first day recorded in months: catches up
    assert findings(container, "A01") == []


def test_a_legacy_payout_scheduled_after_a_death_on_file_is_found(
    ledger: Ledger, container: Container
) -> None:
    person = new_id_number()
    case_id = active_case(ledger, person)
    died(ledger, person, "2024-05-10", verified_on="2024-05-12")
    container.runner.run_once()
    legacy = legacy_payout(ledger, case_id, "2024-07")  # the write side refuses it now
    (found,) = findings(container, "A01")
    assert found["match_key"] == str(legacy)
