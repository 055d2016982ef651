"""A02 on real SQLite and PostgreSQL: months paid at or after a termination, or suspended."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from audit_histories import active_case, findings, legacy_payout, paid, payout_key
from builders import APPROVER

from api.container import Container
from api.demo.district import settlement_file
from domain.ledger import Ledger


def terminate(ledger: Ledger, case_id: UUID, month: str) -> None:
    ledger.terminate_benefit(
        case_id, APPROVER, occurred_on="2024-07-22", reason_code="income_above_standard",
        reason="收入超过标准 (decided late)", effective_month=month,
    )  # fmt: skip


def test_a_termination_decided_late_makes_the_months_paid_from_it_findings(
    ledger: Ledger, container: Container
) -> None:
    case_id = active_case(ledger)
    paid(ledger, "2024-05", "2024-06", "2024-07")
    terminate(ledger, case_id, "2024-06")
    found = findings(container, "A02")
    assert [f["match_key"] for f in found] == sorted(
        [payout_key(case_id, "2024-06"), payout_key(case_id, "2024-07")]
    )
    assert "at or after the termination effective 2024-06" in found[0]["summary"]


def test_a_termination_after_the_months_paid_is_no_finding(
    ledger: Ledger, container: Container
) -> None:
    case_id = active_case(ledger)
    paid(ledger, "2024-05", "2024-06", "2024-07")
    terminate(ledger, case_id, "2024-08")
    assert findings(container, "A02") == []


def test_a_month_paid_while_suspended_is_found_and_a_reversal_resolves_it(
    ledger: Ledger, container: Container
) -> None:
    case_id = active_case(ledger)
    paid(ledger, "2024-05", "2024-06")
    ledger.suspend_benefit(case_id, APPROVER, occurred_on="2024-07-22", from_month="2024-06",
                           reason="外出务工, 收入待核")  # fmt: skip
    (found,) = findings(container, "A02")
    assert found["match_key"] == payout_key(case_id, "2024-06")
    assert "suspended (from 2024-06)" in found["summary"]
    ledger.reverse_payout(UUID(payout_key(case_id, "2024-06")), APPROVER,
                          occurred_on="2024-07-25", reason="暂停期间发放, 退回")  # fmt: skip
    assert [f["status"] for f in findings(container, "A02")] == ["resolved"]


def test_months_after_the_resumption_are_no_finding(ledger: Ledger, container: Container) -> None:
    case_id = active_case(ledger)
    ledger.suspend_benefit(case_id, APPROVER, occurred_on="2024-04-22", from_month="2024-05",
                           reason="外出务工, 收入待核")  # fmt: skip
    ledger.resume_benefit(case_id, APPROVER, occurred_on="2024-05-22", from_month="2024-06",
                          reason="收入核实")  # fmt: skip
    paid(ledger, "2024-06", "2024-07")
    assert findings(container, "A02") == []


def test_a_legacy_payout_scheduled_after_a_termination_on_file_is_found(
    ledger: Ledger, container: Container
) -> None:
    case_id = active_case(ledger)
    terminate(ledger, case_id, "2024-06")
    legacy = legacy_payout(ledger, case_id, "2024-07")  # the write side refuses it now
    (found,) = findings(container, "A02")
    assert found["match_key"] == str(legacy)
    assert "termination effective 2024-06" in found["summary"]


def test_a_bounced_payout_is_resolved_and_raised_again_when_it_is_reissued(
    ledger: Ledger, container: Container
) -> None:
    case_id = active_case(ledger)
    run = ledger.start_payroll_run("DIBAO", "2024-06", APPROVER, date(2024, 7, 20))
    ledger.approve_payroll_run(run.id, APPROVER, "2024-06-21")
    terminate(ledger, case_id, "2024-06")
    (found,) = findings(container, "A02")
    key = payout_key(case_id, "2024-06")
    pending = ledger.get_run(run.id).payouts
    ledger.record_settlement(run.id, settlement_file(pending, key.replace("-", "")), APPROVER,
                             "2024-06-25")  # fmt: skip
    assert [f["status"] for f in findings(container, "A02")] == ["resolved"]  # nothing was paid
    ledger.reissue_payout(UUID(key), APPROVER, occurred_on="2024-06-26", reason="改发新账户",
                          payee_account="622202000000000999")  # fmt: skip
    (again,) = findings(container, "A02")
    assert (again["finding_id"], again["status"]) == (found["finding_id"], "raised")
    assert again["raised_position"] > found["raised_position"]
    assert finding_versions(ledger, UUID(found["finding_id"])) == 3  # raised, resolved, reraised


def finding_versions(ledger: Ledger, key: UUID) -> int:
    return ledger.get_finding(key).version
