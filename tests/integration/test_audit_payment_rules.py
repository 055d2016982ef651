"""Audit rules on money (A12 wrong amount, A13's caps, A14 shared payee account)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from builders import APPROVER, WORKER, application, walk_to_active

from api.container import Container
from domain.ledger import Ledger
from domain.payroll.payout import Payout, payout_id
from domain.shared.identity import make_id_number
from projections.audit.rule import matches
from tests.helpers import ADMIN

ACCOUNT = "622202000000000001"
TEMPORARY = [
    ("temporary.cap_multiple", 6),  # 6 x 1,080.00 = 6,480.00 yuan in 2024
    ("temporary.street_limit_fen", 300_000),
    ("temporary.paperwork_days", 10),
]
_sequence = iter(range(500, 10**6))


def found(container: Container, rule: str) -> list[dict[str, Any]]:
    container.runner.run_once()
    return matches(container.db, rule, matched=True)


def rebuilt_matches(container: Container, rule: str) -> list[dict[str, Any]]:
    container.runner.reset([f"audit_{rule.lower()}"])
    container.runner.run_once()
    return matches(container.db, rule)


def person(year: int = 1960) -> dict[str, Any]:
    number = make_id_number("320404", date(year, 3, 1), next(_sequence) % 1000)
    return {"name": "测试戊", "id_number": number, "relation": "self", "counted": True}


def active(ledger: Ledger, account: str = ACCOUNT) -> UUID:
    """A DIBAO case with no income: 1,080.00 yuan a month from 2024-04, 1,110.00 from 2024-07."""
    body = application(members=[person()], payee_account=account)
    case_id = ledger.submit_application(body, WORKER).id
    walk_to_active(ledger, case_id)
    return case_id


def run(ledger: Ledger, month: str, today: date) -> None:
    ledger.start_payroll_run("DIBAO", month, APPROVER, today)


# -- A12 ------------------------------------------------------------------------------------


def test_a12_payroll_payouts_follow_the_standard_in_force_each_month(
    ledger: Ledger, container: Container
) -> None:
    active(ledger)
    for month, today in (("2024-06", date(2024, 6, 20)), ("2024-07", date(2024, 7, 20))):
        run(ledger, month, today)
    assert found(container, "A12") == []


def test_a12_a_legacy_payout_above_the_recomputed_amount_is_found_and_a_recovery_cures_it(
    ledger: Ledger, container: Container
) -> None:
    case_id = active(ledger)
    container.runner.run_once()
    # Legacy data: a payout written by the old system, saved with the library directly.
    legacy = Payout(case_id, "2024-05", "DIBAO", "新闸街道", 120_000,
                    {"person_id": "P-legacy", "personal": {"bank_account": ACCOUNT}}, 0,
                    uuid4(), ADMIN.as_dict(), "2024-05-20")  # fmt: skip
    legacy.settle("LEGACY0001", ADMIN.as_dict(), "2024-05-25")
    ledger.save(legacy)
    [match] = found(container, "A12")
    assert match["case_id"] == str(case_id)
    assert match["summary"] == (
        "the payout for 2024-05 is 1,200.00 yuan; the gap method under dibao.standard@v2 "
        "gives 1,080.00 yuan"
    )
    before = matches(container.db, "A12")
    assert rebuilt_matches(container, "A12") == before

    recovery = ledger.recover_overpayment(
        legacy.id, APPROVER, occurred_on="2024-06-10", amount_fen=12_000, reason="多发追回"
    )
    assert found(container, "A12") == []
    assert matches(container.db, "A12")[0]["resolved_position"] == recovery.position


def test_a12_a_standard_raise_recorded_after_its_month_was_paid_finds_that_months_payout(
    ledger: Ledger, container: Container
) -> None:
    case_id = active(ledger)
    run(ledger, "2024-08", date(2024, 8, 20))
    assert found(container, "A12") == []
    ledger.set_parameter("dibao.standard", 115_000, "2024-08-01", "补发提标", ADMIN, "2024-09-05")
    container.runner.run_once()  # the standard-change process raises the case from 2024-08
    run(ledger, "2024-09", date(2024, 9, 20))
    [match] = found(container, "A12")
    assert match["match_key"] == str(payout_id(case_id, "2024-08"))
    assert (
        "is 1,110.00 yuan; the gap method under dibao.standard@v4 gives 1,150.00"
        in (match["summary"])
    )


# -- A13's caps ------------------------------------------------------------------------------


def temporary(ledger: Ledger) -> None:
    for name, value in TEMPORARY:
        ledger.set_parameter(name, value, "2023-01-01", "test value", ADMIN, "2023-01-01")


def requested(ledger: Ledger, members: list[dict[str, Any]], on: str) -> UUID:
    return ledger.request_help(
        {"type": "EMERGENCY", "street": "新闸街道", "community": "新闸社区", "occurred_on": on,
         "incident": "突发重病住院", "members": members}, WORKER,
    ).id  # fmt: skip


def household() -> list[dict[str, Any]]:
    return [{k: v for k, v in person(1950).items() if k != "counted"}]


def test_a13_a_legacy_grant_over_the_cap_without_a_case_conference_is_found(
    ledger: Ledger, container: Container
) -> None:
    temporary(ledger)
    conference = {"decision_ref": "一事一议〔2024〕3号", "held_on": "2024-05-06"}
    decided = requested(ledger, household(), "2024-05-06")
    ledger.grant_advance_aid(decided, APPROVER, occurred_on="2024-05-06", amount_fen=700_000,
                             case_conference=conference)  # fmt: skip
    assert found(container, "A13") == []

    legacy_id = requested(ledger, household(), "2024-05-06")
    legacy = ledger.get_temporary_case(legacy_id)  # the write side refuses it: saved directly
    legacy.trigger_event(legacy.AdvanceAidGranted, actor=APPROVER.as_dict(),
                         occurred_on="2024-05-06", amount_fen=700_000, approver_level="district",
                         cap_fen=648_000, street_limit_fen=300_000, parameters={},
                         case_conference=None, paperwork_due="2024-05-16")  # fmt: skip
    ledger.save(legacy)
    [match] = found(container, "A13")
    assert match["case_id"] == str(legacy_id)
    assert "7,000.00 yuan is over the cap of 6,480.00 yuan" in match["summary"]


def test_a13_several_grants_to_one_household_within_the_window_over_the_cap_are_found(
    ledger: Ledger, container: Container
) -> None:
    temporary(ledger)
    family, other = household(), household()
    for members, on in ((family, "2024-03-01"), (family, "2024-05-20"), (other, "2024-05-20")):
        case_id = requested(ledger, members, on)
        ledger.grant_advance_aid(case_id, APPROVER, occurred_on=on, amount_fen=400_000)
    [match] = found(container, "A13")  # 80 days apart: 8,000.00 yuan within 90 days
    assert match["summary"] == (
        "2 temporary grants to one household within 90 days total 8,000.00 yuan, "
        "over the cap of 6,480.00 yuan"
    )
    assert len(match["evidence"]) == 2
    before = matches(container.db, "A13")
    assert rebuilt_matches(container, "A13") == before


def test_a13_the_window_is_a_dated_parameter(ledger: Ledger, container: Container) -> None:
    temporary(ledger)
    family = household()
    for on in ("2024-01-10", "2024-04-19"):  # 100 days apart
        case_id = requested(ledger, family, on)
        ledger.grant_advance_aid(case_id, APPROVER, occurred_on=on, amount_fen=400_000)
    assert found(container, "A13") == []
    ledger.set_parameter("temporary.repeat_window_days", 120, "2024-06-01", "加强监管", ADMIN,
                         "2024-05-30")  # fmt: skip
    case_id = requested(ledger, family, "2024-08-20")  # 123 days after the last: outside
    ledger.grant_advance_aid(case_id, APPROVER, occurred_on="2024-08-20", amount_fen=400_000)
    case_id = requested(ledger, family, "2024-10-01")  # 42 days: inside either way
    ledger.grant_advance_aid(case_id, APPROVER, occurred_on="2024-10-01", amount_fen=400_000)
    [match] = found(container, "A13")
    assert match["case_id"] == str(case_id) and "within 120 days" in match["summary"]


# -- A14 ------------------------------------------------------------------------------------


def test_a14_one_account_paid_for_two_households_is_found_without_storing_the_account(
    ledger: Ledger, container: Container
) -> None:
    first, second = active(ledger), active(ledger)
    third = active(ledger, account="622202000000000999")
    run(ledger, "2024-04", date(2024, 4, 20))
    [match] = found(container, "A14")
    assert match["case_id"] in (str(first), str(second))
    assert match["summary"] == "one bank account received payouts for 2 households (2 cases)"
    assert str(third) != match["case_id"] and len(match["evidence"]) == 2
    for table in ("audit_a14_accounts", "audit_a14_cases", "audit_a14_payouts", "audit_matches"):
        rows = container.db.query(f"SELECT * FROM {table}")
        assert ACCOUNT not in repr(rows) and "000000000999" not in repr(rows)
    before = matches(container.db, "A14")
    assert rebuilt_matches(container, "A14") == before


def test_a14_households_with_their_own_accounts_are_not_found(
    ledger: Ledger, container: Container
) -> None:
    active(ledger, account="622202000000000101")
    active(ledger, account="622202000000000102")
    run(ledger, "2024-04", date(2024, 4, 20))
    assert found(container, "A14") == []
