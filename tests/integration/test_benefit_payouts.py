"""Payroll runs on real SQLite and PostgreSQL: deaths, payees, gradual exits, new standards."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from builders import APPROVER, WORKER, application, new_id_number, person_id_for, walk_to_active

from api.container import Container
from domain.assistance.benefit_schedule import PAYEE_DIED
from domain.ledger import Ledger
from domain.payroll.payout import payout_id
from tests.helpers import ADMIN

NEW_ACCOUNT = "622202000000000777"


def member(id_number: str) -> dict[str, Any]:
    return {"name": "测试丁", "id_number": id_number, "relation": "self", "counted": True}


def active(ledger: Ledger, *id_numbers: str) -> UUID:
    body = application(members=[member(n) for n in id_numbers], payee_account="622202000000000001")
    case_id = ledger.submit_application(body, WORKER).id
    walk_to_active(ledger, case_id)
    return case_id


def verified_death(ledger: Ledger, id_number: str, died: str = "2024-05-10") -> None:
    report = {"name": "测试丁", "id_number": id_number, "date_of_death": died,
              "source": "hospital", "occurred_on": "2024-05-11"}  # fmt: skip
    key = ledger.report_death(report, WORKER).id
    ledger.verify_death(key, APPROVER, occurred_on="2024-05-12", evidence="证明")


def run(ledger: Ledger, month: str, today: date = date(2024, 7, 20)) -> Any:
    return ledger.start_payroll_run("DIBAO", month, APPROVER, today)


def test_no_payout_after_the_death_month_even_when_the_case_never_recorded_the_death(
    ledger: Ledger, container: Container
) -> None:
    person = new_id_number()
    case_id = active(ledger, person)
    container.runner.processes.clear()  # the death cascade never reaches this case
    verified_death(ledger, person, died="2024-05-10")
    may, june = run(ledger, "2024-05"), run(ledger, "2024-06")
    assert ledger.get_case(case_id).benefit.deaths == {}  # the case does not know
    assert (may.scheduled, june.scheduled) == (1, 0)
    assert june.skipped == {"after the death month 2024-05 of the only counted member": 1}


def test_payouts_to_a_dead_payee_are_held_until_a_new_payee_account_is_recorded(
    ledger: Ledger, container: Container
) -> None:
    parent, child = new_id_number(), new_id_number()
    case_id = active(ledger, parent, child)
    verified_death(ledger, parent, died="2024-05-10")
    container.runner.run_once()  # the cascade records the death on the case
    june = run(ledger, "2024-06")
    assert (june.scheduled, june.skipped) == (0, {PAYEE_DIED: 1})

    payee = {"occurred_on": "2024-06-20", "person_id": person_id_for(child),
             "payee_account": NEW_ACCOUNT}  # fmt: skip
    ledger.change_payee(case_id, WORKER, **payee)
    again = run(ledger, "2024-06")
    assert again.scheduled == 1
    scheduled = next(iter(ledger.events.get(payout_id(case_id, "2024-06"))))
    assert scheduled.payee["personal"]["bank_account"] == NEW_ACCOUNT  # type: ignore[attr-defined]


def test_payouts_end_after_the_gradual_exits_last_month(ledger: Ledger) -> None:
    case_id = active(ledger, new_id_number())
    exit_ = {"occurred_on": "2024-04-20", "from_month": "2024-05", "months": 2,
             "reason": "income above the standard"}  # fmt: skip
    ledger.start_gradual_exit(case_id, APPROVER, **exit_)
    june, july = run(ledger, "2024-06"), run(ledger, "2024-07")
    assert (june.scheduled, july.scheduled) == (1, 0)
    assert july.skipped == {"after the gradual exit's last paid month 2024-06": 1}


def test_a_raised_standard_is_paid_from_its_effective_month(
    ledger: Ledger, container: Container
) -> None:
    cases = [active(ledger, new_id_number()) for _ in range(3)]  # 108,000 a month each
    ledger.set_parameter("dibao.standard", 120_000, "2024-07-01", "2024年提标", ADMIN,
                         "2024-06-25")  # fmt: skip
    container.runner.run_once()  # the views, then the standard-change process
    july = run(ledger, "2024-07")
    assert (july.scheduled, july.total_fen) == (3, 3 * 120_000)
    june = run(ledger, "2024-06")
    assert june.total_fen == 3 * 108_000
    # Let the processes after the views settle: the builder pays every case into one account,
    # which A14 (shared payee account) finds and the audit process records as a finding.
    container.runner.run_once()
    version = ledger.get_case(cases[0]).version
    position = ledger.latest_position()
    ledger.apply_standard_change("dibao.standard", 4)  # again, by hand: nothing changes
    container.runner.run_once()
    assert ledger.get_case(cases[0]).version == version
    assert ledger.latest_position() == position


def test_a_standard_set_in_advance_is_paid_by_a_case_confirmed_after_it(
    ledger: Ledger, container: Container
) -> None:
    # 111,000 from 2024-07 was recorded in 2023; the case is assessed (108,000) and confirmed
    # in March 2024, first paid in April.
    case_id = active(ledger, new_id_number())
    container.runner.run_once()
    assert (run(ledger, "2024-06").total_fen, run(ledger, "2024-07").total_fen) == (
        108_000, 111_000,
    )  # fmt: skip
    adjusted = [e for e in ledger.events.get(case_id) if type(e).__name__ == "BenefitAdjusted"]
    assert [e.parameters for e in adjusted] == [  # type: ignore[attr-defined]
        {"dibao.standard": "dibao.standard@v3"}
    ]
    position = ledger.latest_position()
    ledger.apply_standards_to_case(case_id)  # again, by hand: nothing changes
    container.runner.run_once()
    assert ledger.latest_position() == position


def test_a_raise_recorded_after_the_confirmation_is_paid_from_its_month(
    ledger: Ledger, container: Container
) -> None:
    case_id = active(ledger, new_id_number())
    container.runner.run_once()
    ledger.set_parameter("dibao.standard", 115_000, "2024-09-01", "2024年第二次提标", ADMIN,
                         "2024-08-20")  # fmt: skip
    container.runner.run_once()
    august = run(ledger, "2024-08", today=date(2024, 8, 25))
    september = run(ledger, "2024-09", today=date(2024, 8, 25))
    assert (august.total_fen, september.total_fen) == (111_000, 115_000)
    position, version = ledger.latest_position(), ledger.get_case(case_id).version
    container.runner.run_once()
    ledger.apply_standards_to_case(case_id)
    ledger.apply_standard_change("dibao.standard", 4)
    assert (ledger.latest_position(), ledger.get_case(case_id).version) == (position, version)
