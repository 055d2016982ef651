"""Payouts and payroll runs (DOMAIN.md 3.3), on the in-memory store with a fake view."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from builders import APPROVER, WORKER, application, walk_to_active
from helpers import FakePayableCases

from domain.assistance.benefit_schedule import BenefitSchedule
from domain.ledger import Ledger
from domain.payroll.payout import payout_id
from domain.shared.errors import DomainError, InvalidInput
from domain.shared.ledger_base import IdempotencyRecord

MONTH = "2024-05"
TODAY = date(2024, 5, 20)
HEADER = "payout_id,status,amount_fen,bank_reference,reason"


@pytest.fixture
def ledger(ledger: Ledger) -> Ledger:
    """The shared test district (tests/unit/conftest.py), its payable cases the fake view."""
    ledger.payables = FakePayableCases(ledger)
    return ledger


def fake(ledger: Ledger) -> FakePayableCases:
    assert isinstance(ledger.payables, FakePayableCases)
    return ledger.payables


def active_case(ledger: Ledger, account: str | None = "622202000000000001") -> UUID:
    case_id = ledger.submit_application(application(payee_account=account), WORKER).id
    walk_to_active(ledger, case_id)  # confirmed 2024-03-14: first paid month 2024-04
    fake(ledger).case_ids.append(case_id)
    return case_id


@pytest.fixture
def three_active(ledger: Ledger) -> list[UUID]:
    return [active_case(ledger) for _ in range(3)]


def settlement(ledger: Ledger, run: UUID, **outcomes: str) -> str:
    """A bank file settling every payout, except those given (key prefix -> 'failed')."""
    lines = [HEADER]
    for key, (amount, _) in ledger.get_run(run).payouts.items():
        if outcomes.get(key):
            lines.append(f"{UUID(key)},failed,{amount},,account closed")
        else:
            lines.append(f"{UUID(key)},settled,{amount},REF{key[:6]},")
    return "\n".join(lines)


# -- the benefit schedule -------------------------------------------------------------------


def test_schedule_pays_from_the_first_month_until_termination() -> None:
    s = BenefitSchedule()
    s.start("2024-04", 80000)
    s.adjust("2024-07", 60000)
    s.terminate("2024-10")
    assert s.payable("2024-03") == (0, "before the first paid month 2024-04")
    assert s.payable("2024-04") == (80000, None)
    assert s.payable("2024-07") == (60000, None)
    assert s.payable("2024-09") == (60000, None)
    assert s.payable("2024-10")[0] == 0
    assert "termination" in (s.payable("2024-11")[1] or "")


def test_schedule_skips_suspended_months_until_resumed() -> None:
    s = BenefitSchedule()
    s.start("2024-01", 50000)
    s.suspend("2024-03")
    s.resume("2024-06")
    assert [s.payable(f"2024-0{m}")[0] for m in range(1, 8)] == [
        50000, 50000, 0, 0, 0, 50000, 50000,
    ]  # fmt: skip


def test_no_payout_after_the_death_month_of_the_only_counted_member() -> None:
    alone = BenefitSchedule(counted=["P1"])
    alone.start("2024-01", 50000)
    alone.record_death("P1", "2024-04")
    assert alone.payable("2024-04") == (50000, None)  # the death month itself is paid
    assert alone.payable("2024-05") == (
        0,
        "after the death month 2024-04 of the only counted member",
    )
    household = BenefitSchedule(counted=["P1", "P2"])
    household.start("2024-01", 100000)
    household.record_death("P1", "2024-04")
    assert household.payable("2024-05") == (100000, None)  # a review follows instead (issue 4)


def test_a_later_adjustment_for_the_same_month_wins() -> None:
    s = BenefitSchedule()
    s.start("2024-01", 50000)
    s.adjust("2024-05", 40000)
    s.adjust("2024-05", 45000)
    assert s.payable("2024-05") == (45000, None)
    assert BenefitSchedule.from_json(s.to_json()) == s


# -- scheduling ------------------------------------------------------------------------------


def test_a_run_schedules_one_payout_per_active_case(
    ledger: Ledger, three_active: list[UUID]
) -> None:
    result = ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    assert (result.scheduled, result.existing, result.payouts) == (3, 0, 3)
    assert result.total_fen == 3 * 108000
    payout = ledger.get_payout(payout_id(three_active[0], MONTH))
    assert (payout.amount_fen, payout.status, payout.run_id) == (108000, "scheduled", result.id)


def test_scheduling_twice_is_the_same_payouts_never_two(
    ledger: Ledger, three_active: list[UUID]
) -> None:
    first = ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    again = ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    assert again.id == first.id
    assert (again.scheduled, again.existing, again.payouts) == (0, 3, 3)
    scheduled = [
        n for n in ledger.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith("Payout.PayoutScheduled")
    ]  # fmt: skip
    assert len(scheduled) == 3


def test_no_payout_after_termination_in_a_suspended_month_or_without_an_account(
    ledger: Ledger, three_active: list[UUID]
) -> None:
    terminated, suspended, paid = three_active
    ledger.terminate_benefit(
        terminated, APPROVER, occurred_on="2024-04-20", reason_code="moved_away", reason="moved",
        effective_month="2024-05",
    )  # fmt: skip
    ledger.suspend_benefit(
        suspended, APPROVER, occurred_on="2024-04-20", from_month="2024-05", reason="not reachable"
    )
    active_case(ledger, account=None)
    result = ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    assert result.scheduled == 1
    assert ledger.get_payout(payout_id(paid, MONTH)).amount_fen == 108000
    assert sum(result.skipped.values()) == 3
    assert any("termination" in reason for reason in result.skipped)
    assert any("suspended" in reason for reason in result.skipped)
    assert any("payee" in reason for reason in result.skipped)


def test_no_payout_before_the_first_paid_month(ledger: Ledger, three_active: list[UUID]) -> None:
    result = ledger.start_payroll_run("DIBAO", "2024-03", APPROVER, TODAY)
    assert result.scheduled == 0
    assert list(result.skipped.values()) == [3]


def test_the_amount_is_the_one_in_force_for_the_month(
    ledger: Ledger, three_active: list[UUID]
) -> None:
    ledger.adjust_benefit(
        three_active[0], APPROVER, occurred_on="2024-04-10", monthly_amount_fen=50000,
        effective_month="2024-06", reason="income rose",
    )  # fmt: skip
    may = ledger.start_payroll_run("DIBAO", "2024-05", APPROVER, TODAY)
    june = ledger.start_payroll_run("DIBAO", "2024-06", APPROVER, TODAY)
    assert ledger.get_payout(payout_id(three_active[0], "2024-05")).amount_fen == 108000
    assert ledger.get_payout(payout_id(three_active[0], "2024-06")).amount_fen == 50000
    assert (may.total_fen, june.total_fen) == (3 * 108000, 2 * 108000 + 50000)


@pytest.mark.parametrize(
    ("programme", "month", "field"),
    [("LOTTERY", MONTH, "programme"), ("DIBAO", "2024-5", "month"), ("DIBAO", "2024-07", "month")],
)
def test_bad_run_requests_are_refused(
    ledger: Ledger, programme: str, month: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        ledger.start_payroll_run(programme, month, APPROVER, TODAY)
    assert refused.value.field == field


def test_an_approved_run_is_not_scheduled_again(ledger: Ledger, three_active: list[UUID]) -> None:
    run = ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    ledger.approve_payroll_run(run.id, APPROVER, "2024-05-21")
    active_case(ledger)
    with pytest.raises(DomainError) as refused:
        ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    assert refused.value.code == "run_approved"
    assert ledger.get_run(run.id).version == run.version + 1


# -- settlement ------------------------------------------------------------------------------


@pytest.fixture
def approved_run(ledger: Ledger, three_active: list[UUID]) -> UUID:
    run = ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    ledger.approve_payroll_run(run.id, APPROVER, "2024-05-21")
    return run.id


def test_settlement_before_approval_is_refused(ledger: Ledger, three_active: list[UUID]) -> None:
    run = ledger.start_payroll_run("DIBAO", MONTH, APPROVER, TODAY)
    with pytest.raises(DomainError, match="approved"):
        ledger.record_settlement(run.id, settlement(ledger, run.id), APPROVER, "2024-05-25")


def test_a_clean_settlement_file_settles_and_reconciles_the_run(
    ledger: Ledger, approved_run: UUID
) -> None:
    ledger.record_settlement(approved_run, settlement(ledger, approved_run), APPROVER, "2024-05-25")
    run = ledger.get_run(approved_run)
    assert run.status == "reconciled"
    assert {o for _, o in run.payouts.values()} == {"settled"}
    assert {ledger.get_payout(UUID(k)).status for k in run.payouts} == {"settled"}


@pytest.mark.parametrize(
    ("replace", "by"), [(",settled,", ",settled\r,"), ("REF", "RE\u0000F"), ("REF", '"R\rEF"')]
)
def test_a_settlement_line_with_a_carriage_return_or_control_character_is_refused(
    ledger: Ledger, approved_run: UUID, replace: str, by: str
) -> None:
    position = ledger.latest_position()
    lines = settlement(ledger, approved_run).split("\n")
    lines[2] = lines[2].replace(replace, by, 1)

    with pytest.raises(InvalidInput) as caught:
        ledger.record_settlement(approved_run, "\n".join(lines), APPROVER, "2024-05-25")

    assert (caught.value.code, caught.value.field) == ("settlement_rejected", "file")
    assert caught.value.details and caught.value.details[0]["line"] == 3
    assert ledger.latest_position() == position


def test_a_settlement_file_with_any_bad_line_is_refused_whole(
    ledger: Ledger, approved_run: UUID, three_active: list[UUID]
) -> None:
    good = settlement(ledger, approved_run).splitlines()
    other_run_payout = payout_id(three_active[0], "2024-06")
    first = good[1].split(",")
    lines = [
        *good,
        good[1],  # line 5: the same payout twice
        f"{other_run_payout},settled,108000,REF,",  # line 6: not in this run
        f"{first[0]},settled,1,REF,",  # line 7: twice again, and a wrong amount
        "not-a-uuid,settled,1,REF,",  # line 8
    ]
    lines[2] = lines[2].replace(",settled,", ",paid,")  # line 3: unknown status
    before = ledger.get_run(approved_run).version
    with pytest.raises(InvalidInput) as refused:
        ledger.record_settlement(approved_run, "\n".join(lines), APPROVER, "2024-05-25")
    assert refused.value.code == "settlement_rejected"
    assert [d["line"] for d in refused.value.details or []] == [3, 5, 6, 7, 8]
    assert ledger.get_run(approved_run).version == before
    statuses = {ledger.get_payout(payout_id(c, MONTH)).status for c in three_active}
    assert statuses == {"scheduled"}


def test_an_amount_that_disagrees_with_the_payout_is_named(
    ledger: Ledger, approved_run: UUID
) -> None:
    lines = settlement(ledger, approved_run).splitlines()
    ident, status, amount, ref, reason = lines[1].split(",")
    lines[1] = ",".join([ident, status, str(int(amount) + 1), ref, reason])
    with pytest.raises(InvalidInput) as refused:
        ledger.record_settlement(approved_run, "\n".join(lines), APPROVER, "2024-05-25")
    assert refused.value.details == [
        {"line": 2, "reason": f"amount_fen {int(amount) + 1} disagrees with the payout ({amount})"}
    ]


def test_a_failed_payout_is_reissued_and_settled_by_a_later_file(
    ledger: Ledger, approved_run: UUID
) -> None:
    key = next(iter(ledger.get_run(approved_run).payouts))
    ledger.record_settlement(
        approved_run, settlement(ledger, approved_run, **{key: "failed"}), APPROVER, "2024-05-25"
    )
    assert ledger.get_run(approved_run).status == "approved"  # not reconciled: one failed
    with pytest.raises(DomainError):  # only failed payouts can be reissued
        ledger.reissue_payout(
            UUID(next(k for k in ledger.get_run(approved_run).payouts if k != key)), APPROVER,
            occurred_on="2024-05-26", reason="x",
        )  # fmt: skip
    ledger.reissue_payout(
        UUID(key), APPROVER, occurred_on="2024-05-26", reason="new account",
        payee_account="622202000000000999",
    )  # fmt: skip
    assert ledger.get_payout(UUID(key)).status == "scheduled"
    amount = ledger.get_run(approved_run).payouts[key][0]
    ledger.record_settlement(
        approved_run, f"{HEADER}\n{UUID(key)},settled,{amount},REF2,", APPROVER, "2024-05-28"
    )
    assert ledger.get_run(approved_run).status == "reconciled"


def test_the_same_file_is_not_recorded_twice(ledger: Ledger, approved_run: UUID) -> None:
    key = next(iter(ledger.get_run(approved_run).payouts))
    text = settlement(ledger, approved_run, **{key: "failed"})
    ledger.record_settlement(approved_run, text, APPROVER, "2024-05-25")
    with pytest.raises(InvalidInput):  # every line is now already settled or failed
        ledger.record_settlement(approved_run, text, APPROVER, "2024-05-26")


def test_reversal_and_recovery_are_new_events_with_limits(
    ledger: Ledger, approved_run: UUID
) -> None:
    key = UUID(next(iter(ledger.get_run(approved_run).payouts)))
    with pytest.raises(DomainError):  # not settled yet
        ledger.reverse_payout(key, APPROVER, occurred_on="2024-05-26", reason="x")
    ledger.record_settlement(approved_run, settlement(ledger, approved_run), APPROVER, "2024-05-25")
    ledger.reverse_payout(key, APPROVER, occurred_on="2024-05-26", reason="wrong")
    with pytest.raises(InvalidInput) as too_much:
        ledger.recover_overpayment(
            key, APPROVER, occurred_on="2024-05-27", amount_fen=108001, reason="x"
        )
    assert too_much.value.field == "amount_fen"
    ledger.recover_overpayment(key, APPROVER, occurred_on="2024-05-27", amount_fen=8000,
                               reason="part")  # fmt: skip
    payout = ledger.get_payout(key)
    assert (payout.status, payout.recovered_fen) == ("reversed", 8000)


def test_a_typed_correction_keeps_the_fingerprint_of_the_command_run_by_name(
    ledger: Ledger, approved_run: UUID
) -> None:
    """An Idempotency-Key used before the typed methods still matches its retry."""
    key = UUID(next(iter(ledger.get_run(approved_run).payouts)))
    ledger.record_settlement(approved_run, settlement(ledger, approved_run), APPROVER, "2024-05-25")
    ledger.reverse_payout(
        key, APPROVER, occurred_on="2024-05-26", reason="wrong", idempotency_key="r-1"
    )

    record = ledger.repository.get(IdempotencyRecord.create_id(APPROVER.user, "r-1"))
    payload = {"occurred_on": "2024-05-26", "reason": "wrong"}
    assert record.fingerprint == ledger.fingerprint("reverse", str(key), payload)
