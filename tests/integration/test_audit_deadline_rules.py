"""Audit rules with deadlines (A09, A10, A11, A13's paperwork) fire as business days pass."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from builders import APPROVER, PROCEDURE, WORKER, application, case_step, walk_to_active

from api.container import Container
from domain.ledger import Ledger
from domain.shared.identity import make_id_number
from projections.audit.rule import matches
from tests.helpers import ADMIN

TEMPORARY = [
    ("temporary.cap_multiple", 6),
    ("temporary.street_limit_fen", 300_000),
    ("temporary.paperwork_days", 10),
]


def found(container: Container, rule: str) -> list[dict[str, Any]]:
    """The rule's matches standing now, once the views have caught up."""
    container.runner.run_once()
    return matches(container.db, rule, matched=True)


def days(ledger: Ledger, *dates: str) -> None:
    for d in dates:
        ledger.record_day(d)


def submitted(ledger: Ledger, on: str) -> UUID:
    case_id = ledger.submit_application(application(occurred_on=on), WORKER).id
    ledger.accept_application(case_id, WORKER, occurred_on=on)
    return case_id


def rebuilt_matches(container: Container, rule: str) -> list[dict[str, Any]]:
    container.runner.reset([f"audit_{rule.lower()}"])
    container.runner.run_once()
    return matches(container.db, rule)


# -- A09 ------------------------------------------------------------------------------------
# Submitted Friday 2024-09-20: 30 working days run over the National Day week (Oct 1-7 off)
# and its make-up Sunday Sep 29 and Saturday Oct 12, to 2024-11-06 (Mon-Fri alone: Nov 1).


def test_a09_fires_the_day_after_30_working_days_across_holidays_pass_undecided(
    ledger: Ledger, container: Container
) -> None:
    late = submitted(ledger, "2024-09-20")
    on_time = submitted(ledger, "2024-09-20")
    ledger.deny_eligibility(on_time, APPROVER, occurred_on="2024-11-06", reasons=["收入超标"])
    days(ledger, "2024-11-01", "2024-11-06")
    assert found(container, "A09") == []

    days(ledger, "2024-11-07")
    [match] = found(container, "A09")
    assert match["case_id"] == str(late) and match["raised_on"] == "2024-11-07"
    assert (
        "due 2024-11-06" in match["summary"] and "without a recorded extension" in match["summary"]
    )

    ledger.deny_eligibility(late, APPROVER, occurred_on="2024-11-08", reasons=["收入超标"])
    assert [m["case_id"] for m in found(container, "A09")] == [str(late)]  # late stays late
    before = matches(container.db, "A09")
    assert rebuilt_matches(container, "A09") == before


def test_a09_an_extension_moves_the_deadline_to_45_working_days(
    ledger: Ledger, container: Container
) -> None:
    case_id = submitted(ledger, "2024-09-20")
    ledger.extend_processing(case_id, APPROVER, occurred_on="2024-10-25", reason="需补充调查")
    days(ledger, "2024-11-07", "2024-11-27")
    assert found(container, "A09") == []
    days(ledger, "2024-11-28")
    [match] = found(container, "A09")
    assert "over 45 working days (with a recorded extension; due 2024-11-27)" in match["summary"]


def test_a09_one_day_after_a_pause_catches_up_and_a_late_decision_alone_is_found(
    ledger: Ledger, container: Container
) -> None:
    first = submitted(ledger, "2024-09-20")
    second = submitted(ledger, "2024-10-08")
    decided_late = submitted(ledger, "2024-09-20")
    ledger.deny_eligibility(decided_late, APPROVER, occurred_on="2024-11-08", reasons=["迟"])
    assert [m["case_id"] for m in found(container, "A09")] == [str(decided_late)]
    days(ledger, "2025-01-10")  # the clock was down for weeks: one day raises both
    assert {m["case_id"] for m in found(container, "A09")} == {str(first), str(second),
                                                               str(decided_late)}  # fmt: skip


#: MADE UP for the tests (not the State Council's notice): 2027-01-01 to 01-03 off.
TEST_2027 = {
    "year": 2027, "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "make_up_working_days": ["2027-02-06"], "reference": "TEST-ONLY-2027",
    "title": "Made-up 2027 notice for the tests", "published_on": "2026-11-25",
    "occurred_on": "2026-11-26",
}  # fmt: skip


def test_a09_a_provisional_deadline_is_recounted_when_the_years_notice_is_recorded(
    ledger: Ledger, container: Container
) -> None:
    counted_mon_fri = submitted(ledger, "2026-11-20")  # due 2027-01-01, provisional
    ledger.record_holiday_notice(TEST_2027, ADMIN)  # now due Monday 2027-01-04
    days(ledger, "2027-01-04")
    assert found(container, "A09") == []
    days(ledger, "2027-01-05")
    [match] = found(container, "A09")
    assert match["case_id"] == str(counted_mon_fri) and "due 2027-01-04" in match["summary"]


# -- A10 ------------------------------------------------------------------------------------


def test_a10_a_case_not_reviewed_by_its_due_date_is_found_and_a_late_review_cures_it(
    ledger: Ledger, container: Container
) -> None:
    missed = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, missed)  # confirmed 2024-03-14: reviewed yearly, due 2025-03-01
    reviewed = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, reviewed)
    ledger.complete_review(reviewed, WORKER, occurred_on="2025-02-20", findings="情况无变化")
    days(ledger, "2025-03-01")
    assert found(container, "A10") == []

    days(ledger, "2025-03-02")
    [match] = found(container, "A10")
    assert match["case_id"] == str(missed) and "by 2025-03-01" in match["summary"]

    review = ledger.complete_review(missed, WORKER, occurred_on="2025-03-10", findings="补做复核")
    assert found(container, "A10") == []
    [cured] = matches(container.db, "A10", matched=False)
    assert cured["resolved_position"] == review.position
    before = matches(container.db, "A10")
    assert rebuilt_matches(container, "A10") == before


def test_a10_irregular_income_with_a_member_able_to_work_is_reviewed_every_six_months(
    ledger: Ledger, container: Container
) -> None:
    member = {"name": "测试乙", "id_number": make_id_number("320404", _born(1980), 77),
              "relation": "self", "counted": True, "able_to_work": True}  # fmt: skip
    case_id = ledger.submit_application(application(members=[member]), WORKER).id
    for command, payload in _procedure(irregular=True):
        case_step(ledger, case_id, command, payload)
    ledger.confirm_eligibility(case_id, APPROVER, occurred_on="2024-03-14")  # due 2024-09-01
    days(ledger, "2024-09-01")
    assert found(container, "A10") == []
    days(ledger, "2024-09-02")
    assert [m["case_id"] for m in found(container, "A10")] == [str(case_id)]


def test_a10_a_terminated_case_is_not_due_for_review(ledger: Ledger, container: Container) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)
    ledger.terminate_benefit(case_id, APPROVER, occurred_on="2024-12-10", reason_code="voluntary",
                             reason="本人申请退出", effective_month="2025-01")  # fmt: skip
    days(ledger, "2025-06-01")
    assert found(container, "A10") == []


# -- A11 ------------------------------------------------------------------------------------


def _exit(ledger: Ledger) -> UUID:
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)
    ledger.start_gradual_exit(case_id, APPROVER, occurred_on="2024-04-20", from_month="2024-05",
                              months=2, reason="就业收入超过标准")  # fmt: skip
    return case_id


def _terminate(ledger: Ledger, case_id: UUID, on: str) -> Any:
    return ledger.terminate_benefit(
        case_id, APPROVER, occurred_on=on, reason_code="income_above_standard",
        reason="渐退期满", effective_month="2024-07",
    )  # fmt: skip


def test_a11_a_case_still_active_after_its_gradual_exit_ended_is_found_until_terminated(
    ledger: Ledger, container: Container
) -> None:
    running, ended = _exit(ledger), _exit(ledger)
    _terminate(ledger, ended, "2024-06-25")
    days(ledger, "2024-06-30")
    assert found(container, "A11") == []
    days(ledger, "2024-07-01")
    [match] = found(container, "A11")
    assert match["case_id"] == str(running) and "ended with 2024-06" in match["summary"]

    termination = _terminate(ledger, running, "2024-07-05")
    assert found(container, "A11") == []
    assert matches(container.db, "A11")[0]["resolved_position"] == termination.position
    before = matches(container.db, "A11")
    assert rebuilt_matches(container, "A11") == before


def test_a11_a_gradual_exit_longer_than_six_months_in_legacy_data_is_found(
    ledger: Ledger, container: Container
) -> None:
    case_id = ledger.submit_application(application(), WORKER).id
    walk_to_active(ledger, case_id)
    legacy = ledger.get_case(case_id)  # the write side refuses 8 months: saved directly
    legacy.trigger_event(legacy.GradualExitStarted, actor=APPROVER.as_dict(),
                         occurred_on="2024-04-20", from_month="2024-05", months=8,
                         until_month="2024-12", reason="旧系统迁移数据")  # fmt: skip
    ledger.save(legacy)
    [match] = found(container, "A11")
    assert "(8 months) is longer than the 6 months allowed" in match["summary"]


# -- A13's paperwork -------------------------------------------------------------------------


def _advance(ledger: Ledger, on: str, n: int) -> UUID:
    for name, value in TEMPORARY:
        ledger.set_parameter(name, value, "2023-01-01", "test value", ADMIN, "2023-01-01")
    members = [{"name": "测试丙", "id_number": make_id_number("320404", _born(1950), 300 + n),
                "relation": "self"}]  # fmt: skip
    case_id = ledger.request_help(
        {"type": "EMERGENCY", "street": "新闸街道", "community": "新闸社区", "occurred_on": on,
         "incident": "突发重病住院", "members": members}, WORKER,
    ).id  # fmt: skip
    ledger.grant_advance_aid(case_id, WORKER, occurred_on=on, amount_fen=100_000)
    return case_id


def test_a13_advance_aid_without_paperwork_within_n_days_is_found_and_the_paperwork_cures_it(
    ledger: Ledger, container: Container
) -> None:
    missing = _advance(ledger, "2024-05-06", 1)  # due 2024-05-16 (10 calendar days)
    done = _advance(ledger, "2024-05-06", 2)
    ledger.complete_paperwork(done, WORKER, occurred_on="2024-05-15", documents=["申请书"])
    days(ledger, "2024-05-16")
    assert found(container, "A13") == []
    days(ledger, "2024-05-17")
    [match] = found(container, "A13")
    assert match["case_id"] == str(missing) and "due by 2024-05-16" in match["summary"]

    late = ledger.complete_paperwork(
        missing, WORKER, occurred_on="2024-05-20", documents=["申请书"]
    )
    assert found(container, "A13") == []
    assert matches(container.db, "A13")[0]["resolved_position"] == late.position
    before = matches(container.db, "A13")
    assert rebuilt_matches(container, "A13") == before


def _born(year: int) -> date:
    return date(year, 6, 1)


def _procedure(irregular: bool) -> list[tuple[str, dict[str, Any]]]:
    """The builders' procedure, assessing the income as irregular (or not)."""
    return [
        (c, {**p, "irregular_income": irregular} if c == "record_assessment" else p)
        for c, p in PROCEDURE
    ]
