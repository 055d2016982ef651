"""A03 duplicate payment, on SQLite and PostgreSQL: a month paid twice, to a case or a household."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from audit_support import (
    ACCOUNT,
    MIGRATED,
    found,
    legacy,
    legacy_confirm,
    rebuilt,
    terminate,
    two_cases,
)
from builders import APPROVER, WORKER, application, walk_to_active

from api.container import Container
from api.demo.district import settlement_file
from domain.ledger import Ledger
from domain.payroll.payout import Payout, payout_id


def active(ledger: Ledger) -> UUID:
    case = ledger.submit_application(application(payee_account=ACCOUNT), WORKER).id
    walk_to_active(ledger, case)  # confirmed on 2024-03-14: paid from April, 1,080 yuan
    return case


def paid(ledger: Ledger, month: str, fail: UUID | None = None, programme: str = "DIBAO") -> UUID:
    """The month's run scheduled, approved and settled by the bank (but `fail`'s payout)."""
    day = date.fromisoformat(f"{month}-20")
    run = ledger.start_payroll_run(programme, month, APPROVER, day).id
    ledger.approve_payroll_run(run, APPROVER, f"{month}-21")
    payouts = ledger.get_run(run).payouts
    failing = fail.hex if fail else None
    ledger.record_settlement(run, settlement_file(payouts, failing), APPROVER, f"{month}-25")
    return run


def test_a_payout_settled_again_without_a_failure_is_found_a_reissue_after_one_is_not(
    ledger: Ledger, container: Container
) -> None:
    twice, bounced = active(ledger), active(ledger)
    bounce = payout_id(bounced, "2024-04")
    run = paid(ledger, "2024-04", fail=bounce)
    ledger.reissue_payout(
        bounce, APPROVER, occurred_on="2024-04-26", reason="账户已注销, 改发新账户",
        payee_account="622202000000000999",
    )  # fmt: skip
    reissued = {bounce.hex: ledger.get_run(run).payouts[bounce.hex]}
    ledger.record_settlement(run, settlement_file(reissued, None), APPROVER, "2024-04-28")
    duplicate = payout_id(twice, "2024-04")
    legacy(ledger, duplicate, "PayoutReissued", occurred_on="2024-04-27", reason="旧系统重发",
           payee=None)  # fmt: skip
    again = legacy(ledger, duplicate, "PayoutSettled", occurred_on="2024-04-29",
                   bank_reference="BOC-OLD-0001")  # fmt: skip
    (match,) = found(container, "A03")
    assert match["case_id"] == str(twice) and again in match["evidence"]
    assert match["summary"] == (
        "the benefit of 2024-04 was settled 2 times for this case "
        "(1080.00 yuan paid beyond one payment)"
    )


def test_reversing_the_second_payment_resolves_it_and_a_rebuild_finds_the_same(
    ledger: Ledger, container: Container
) -> None:
    case = active(ledger)
    paid(ledger, "2024-04")
    duplicate = payout_id(case, "2024-04")
    legacy(ledger, duplicate, "PayoutReissued", occurred_on="2024-04-27", reason="旧系统重发",
           payee=None)  # fmt: skip
    legacy(ledger, duplicate, "PayoutSettled", occurred_on="2024-04-29", bank_reference="BOC-2")
    assert len(found(container, "A03")) == 1
    back = ledger.reverse_payout(
        duplicate, APPROVER, occurred_on="2024-05-06", reason="重复发放, 银行退回"
    ).position
    assert found(container, "A03") == []
    before = rebuilt(container, "A03")
    assert [(m["matched"], m["resolved_position"]) for m in before] == [(0, back)]
    assert rebuilt(container, "A03") == before


def test_an_imported_second_payout_for_one_case_and_month_is_found(
    ledger: Ledger, container: Container
) -> None:
    case = active(ledger)
    run = paid(ledger, "2024-04")
    imported = Payout._create(
        Payout.PayoutScheduled, id=uuid4(), case_id=case, month="2024-04", programme="DIBAO",
        street="新闸街道", amount_fen=108_000, payee={"person_id": "imported"},
        computed_from_position=0, run_id=run, actor=MIGRATED, occurred_on="2024-04-20",
    )  # fmt: skip
    ledger.save(imported)
    legacy(ledger, imported.id, "PayoutSettled", occurred_on="2024-04-25", bank_reference="OLD-9")
    (match,) = found(container, "A03")
    assert match["case_id"] == str(case) and "settled 2 times" in match["summary"]


def test_one_person_paid_for_a_month_by_a_dibao_and_a_tekun_case_is_found(
    ledger: Ledger, container: Container
) -> None:
    dibao, tekun = two_cases(ledger)
    legacy_confirm(ledger, tekun, on="2024-03-15")
    paid(ledger, "2024-04")
    paid(ledger, "2024-04", programme="TEKUN")
    (match,) = found(container, "A03")
    assert match["case_id"] == str(tekun)
    assert match["summary"] == (
        f"the benefit of 2024-04 was paid both to this case and to case {dibao}, which counts "
        "one of its members"
    )


def test_one_person_paid_by_two_cases_in_months_that_follow_each_other_is_not_found(
    ledger: Ledger, container: Container
) -> None:
    dibao, tekun = two_cases(ledger)
    terminate(ledger, dibao, "2024-06")
    ledger.confirm_eligibility(tekun, APPROVER, occurred_on="2024-05-08")  # from June
    paid(ledger, "2024-05")
    paid(ledger, "2024-06")
    paid(ledger, "2024-06", programme="TEKUN")
    assert found(container, "A03") == []
