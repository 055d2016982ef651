"""Benefit schedule and payouts: a dead payee, a gradual exit's end, a new standard (提标).

In-memory Ledger; the payable_cases view is faked from the aggregates themselves.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from builders import (
    APPROVER,
    PARAMETERS,
    PROCEDURE,
    WORKER,
    application,
    case_step,
    new_id_number,
    person_id_for,
    walk_to_active,
)
from eventsourcing.persistence import StoredEvent
from helpers import FakePayableCases, events, refused

from domain.assistance.assessment import household_assessed
from domain.assistance.benefit_schedule import PAYEE_DIED, BenefitSchedule
from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from domain.payroll.standards import effective_month, standard_month
from domain.shared.errors import DomainError, InvalidInput
from tests.helpers import ADMIN

ACTOR = WORKER.as_dict()
ACCOUNT = "622202000000000001"
NEW_ACCOUNT = "622202000000000999"
#: In tests/builders.py PARAMETERS the schedule opens at v1: 108,000 is v2, 111,000 (2024-07) v3.
V2_108000, V3_111000 = 2, 3
#: The 2024-07 raise, which these tests record themselves: before or after a case's decision.
RAISE = ("dibao.standard", 111000, "2024-07-01")


def raise_standard(ledger: Ledger) -> None:
    """Record the 2024-07 raise (提标) now: v3 of dibao.standard."""
    ledger.set_parameter(*RAISE, "2024年提标", ADMIN, "2024-06-20")


@pytest.fixture
def ledger() -> Ledger:
    led = Ledger()
    for name, value, start in PARAMETERS:
        if (name, value, start) != RAISE:
            led.set_parameter(name, value, start, "test standard", ADMIN, "2023-01-01")
    led.payables = FakePayableCases(led)
    return led


def member(id_number: str) -> dict[str, Any]:
    return {"name": "测试丙", "id_number": id_number, "relation": "self", "counted": True}


def active(ledger: Ledger, *id_numbers: str, programme: str = "DIBAO", income_fen: int = 0) -> UUID:
    """An active case (the first member is the payee); `income_fen` is the first one's."""
    numbers = id_numbers or (new_id_number(),)
    body = application(
        programme=programme, members=[member(n) for n in numbers], payee_account=ACCOUNT
    )
    case_id = ledger.submit_application(body, WORKER).id
    if income_fen:
        incomes = [{"person_id": person_id_for(numbers[0]), "declared_fen": income_fen,
                    "verified_fen": income_fen}]  # fmt: skip
        ledger.accept_application(case_id, WORKER, occurred_on="2024-03-01")
        ledger.complete_case_economic_check(
            case_id, WORKER, occurred_on="2024-03-04", incomes=incomes, property={},
            public_servant_match=False, data_source="核对平台",
        )  # fmt: skip
        for command, payload in PROCEDURE[2:]:
            case_step(ledger, case_id, command, payload, WORKER)
        ledger.confirm_eligibility(case_id, APPROVER, occurred_on="2024-03-14")
    else:
        walk_to_active(ledger, case_id)
    assert isinstance(ledger.payables, FakePayableCases)
    ledger.payables.case_ids.append(case_id)
    return case_id


# -- the schedule ---------------------------------------------------------------------------


def test_no_payout_to_a_dead_payee_until_a_new_payee_is_recorded() -> None:
    s = BenefitSchedule(counted=["P-a", "P-b"], payee="P-a")
    s.start("2024-04", 50000)
    s.record_death("P-a", "2024-05")
    assert s.payable("2024-05") == (50000, None)  # the death month is still due
    assert s.payable("2024-06") == (0, PAYEE_DIED)
    s.change_payee("P-b")
    assert s.payable("2024-06") == (50000, None)


def test_the_schedule_ends_after_the_gradual_exits_last_month() -> None:
    s = BenefitSchedule(counted=["P-a"])
    s.start("2024-04", 50000)
    s.end_gradual_exit("2024-06")
    assert s.payable("2024-06") == (50000, None)
    assert s.payable("2024-07") == (0, "after the gradual exit's last paid month 2024-06")


def test_a_death_learned_from_the_notification_stops_a_single_member_schedule() -> None:
    s = BenefitSchedule(counted=["P-a"], payee="P-a")
    s.start("2024-04", 50000)
    s.learn_deaths({"P-a": "2024-05", "P-elsewhere": "2024-01"})
    assert s.payable("2024-05") == (50000, None)
    assert s.payable("2024-06")[1] == "after the death month 2024-05 of the only counted member"


def test_a_schedule_stored_before_payees_and_exits_still_loads() -> None:
    old = {"first_month": "2024-04", "amounts": [["2024-04", 50000]], "counted": ["P-a"]}
    s = BenefitSchedule.from_json(old)
    assert (s.payee, s.exit_until) == (None, None)
    assert BenefitSchedule.from_json(s.to_json()) == s


# -- a new payee -----------------------------------------------------------------------------


def test_a_new_payee_is_a_counted_living_member_with_a_valid_account(ledger: Ledger) -> None:
    parent, child = new_id_number(), new_id_number()
    case_id = active(ledger, parent, child)
    case = ledger.get_case(case_id)
    with pytest.raises(InvalidInput) as stranger:
        case.change_payee(ACTOR, "2024-06-01", "P-not-counted", NEW_ACCOUNT)
    assert stranger.value.field == "person_id"
    with pytest.raises(InvalidInput) as short:
        case.change_payee(ACTOR, "2024-06-01", person_id_for(child), "1234")
    assert short.value.field == "payee_account"
    case.record_member_death(ACTOR, "2024-06-03", person_id_for(parent), "2024-05-10", "n1")
    with pytest.raises(DomainError) as dead:
        case.change_payee(ACTOR, "2024-06-04", person_id_for(parent), NEW_ACCOUNT)
    assert dead.value.code == "payee_deceased"


def test_payouts_held_for_a_dead_payee_resume_to_the_new_payee(ledger: Ledger) -> None:
    parent, child = new_id_number(), new_id_number()
    case = ledger.get_case(active(ledger, parent, child))
    case.record_member_death(ACTOR, "2024-06-03", person_id_for(parent), "2024-05-10", "n1")
    assert case.benefit.payable("2024-06") == (0, PAYEE_DIED)
    case.change_payee(ACTOR, "2024-06-04", person_id_for(child), NEW_ACCOUNT)
    assert case.payee == {
        "person_id": person_id_for(child), "personal": {"bank_account": NEW_ACCOUNT}
    }  # fmt: skip
    assert case.benefit.payable("2024-06")[1] is None


def test_the_ledger_refuses_a_payee_whose_death_is_verified_but_not_yet_on_the_case(
    ledger: Ledger,
) -> None:
    parent, child = new_id_number(), new_id_number()
    case_id = active(ledger, parent, child)
    death = ledger.report_death(
        {"name": "测试丙", "id_number": child, "date_of_death": "2024-05-10",
         "source": "hospital", "occurred_on": "2024-05-11"}, WORKER,
    ).id  # fmt: skip
    ledger.verify_death(death, APPROVER, occurred_on="2024-05-12", evidence="证明")
    payload = {"occurred_on": "2024-05-13", "person_id": person_id_for(child),
               "payee_account": NEW_ACCOUNT}  # fmt: skip
    with refused(ledger, "payee_deceased", aggregate_id=case_id, field="person_id"):
        ledger.change_payee(case_id, WORKER, **payload)


def test_a_gradual_exit_ends_the_case_schedule(ledger: Ledger) -> None:
    case = ledger.get_case(active(ledger))
    case.start_gradual_exit(ACTOR, "2024-04-20", "2024-05", 2, "income above the standard")
    assert case.benefit.payable("2024-06")[1] is None
    assert "2024-06" in (case.benefit.payable("2024-07")[1] or "")


# -- a new standard (提标) --------------------------------------------------------------------


def test_a_change_from_the_first_counts_from_that_month_otherwise_from_the_next() -> None:
    assert effective_month("2024-07-01") == "2024-07"
    assert effective_month("2024-07-15") == "2024-08"
    assert effective_month("2024-12-31") == "2025-01"


def test_a_raised_standard_is_paid_from_its_effective_month(ledger: Ledger) -> None:
    case_id = active(ledger)  # assessed in March 2024 under 108,000 (no income: gap 108,000)
    raise_standard(ledger)
    result = ledger.apply_standard_change("dibao.standard", V3_111000, occurred_on="2024-06-25")
    assert (result.effective_month, result.cases, result.adjusted) == ("2024-07", 1, 1)
    case = ledger.get_case(case_id)
    assert case.benefit.payable("2024-06") == (108000, None)
    assert case.benefit.payable("2024-07") == (111000, None)
    adjusted = events(ledger, case_id, "BenefitAdjusted")[-1]
    assert adjusted.parameters == {"dibao.standard": "dibao.standard@v3"}


def test_applying_a_standard_twice_changes_nothing(ledger: Ledger) -> None:
    case_id = active(ledger)
    raise_standard(ledger)
    ledger.apply_standard_change("dibao.standard", V3_111000)
    position = ledger.latest_position()
    again = ledger.apply_standard_change("dibao.standard", V3_111000)
    assert (again.adjusted, again.flagged) == (0, 0)
    assert ledger.latest_position() == position
    assert len(events(ledger, case_id, "BenefitAdjusted")) == 1


def test_a_case_assessed_at_that_version_is_skipped(ledger: Ledger) -> None:
    case = ledger.get_case(active(ledger))
    assert case.apply_standard(ACTOR, "2024-07-02", "dibao.standard", V2_108000, 108000,
                               "2023-07") is None  # fmt: skip


def test_a_tekun_case_follows_the_tekun_standard_only(ledger: Ledger) -> None:
    case_id = active(ledger, programme="TEKUN")  # 144,300 a month, no income
    raise_standard(ledger)
    assert ledger.apply_standard_change("dibao.standard", V3_111000).cases == 0
    raised = ledger.set_parameter("tekun.standard", 150_000, "2024-08-01", "2024年标准", ADMIN,
                                  "2024-07-20")  # fmt: skip
    result = ledger.apply_standard_change("tekun.standard", raised.version)
    assert (result.cases, result.adjusted) == (1, 1)
    case = ledger.get_case(case_id)
    assert case.benefit.payable("2024-07") == (144_300, None)
    assert case.benefit.payable("2024-08") == (150_000, None)


def test_a_standard_set_in_advance_is_applied_to_a_case_confirmed_after_it(
    ledger: Ledger,
) -> None:
    raise_standard(ledger)  # 111,000 from 2024-07 is recorded before the case is confirmed
    case_id = active(ledger)  # the confirmation applies it from July, in the same save
    case = ledger.get_case(case_id)
    assert [type(e).__name__ for e in events(ledger, case_id)][-2:] == [
        "EligibilityConfirmed", "BenefitAdjusted",
    ]  # fmt: skip
    done = ledger.apply_standards_to_case(case_id, occurred_on="2024-03-14")
    assert (done.adjusted, done.flagged) == ((), ())  # nothing left to do
    assert case.benefit.payable("2024-06") == (108000, None)
    assert case.benefit.payable("2024-07") == (111000, None)
    adjusted = events(ledger, case_id, "BenefitAdjusted")[-1]
    assert (adjusted.parameters, adjusted.effective_month) == (
        {"dibao.standard": "dibao.standard@v3"}, "2024-07",
    )  # fmt: skip


def test_bringing_a_case_up_to_its_standards_twice_changes_nothing(ledger: Ledger) -> None:
    case_id = active(ledger)
    raise_standard(ledger)
    ledger.apply_standards_to_case(case_id)
    position = ledger.latest_position()
    assert ledger.apply_standards_to_case(case_id).adjusted == ()
    assert ledger.apply_standard_change("dibao.standard", V3_111000).adjusted == 0
    assert ledger.latest_position() == position


def test_a_backdated_fix_of_an_old_standard_never_overrides_the_one_in_force(
    ledger: Ledger,
) -> None:
    raise_standard(ledger)  # the July raise is on file before the decision
    case_id = active(ledger)  # first paid 2024-04, under 108,000 (from 2023-07)
    fix = ledger.set_parameter("dibao.standard", 100_000, "2023-01-01", "2023年上半年更正",
                               ADMIN, "2024-05-02")  # fmt: skip
    assert ledger.apply_standard_change("dibao.standard", fix.version).cases == 0
    ledger.apply_standards_to_case(case_id)
    case = ledger.get_case(case_id)
    assert case.benefit.payable("2024-04") == (108000, None)
    assert case.benefit.payable("2024-07") == (111000, None)


def test_a_fix_of_the_coming_standard_is_the_one_paid_from_its_month(ledger: Ledger) -> None:
    case_id = active(ledger)
    ledger.apply_standards_to_case(case_id)
    fix = ledger.set_parameter("dibao.standard", 112_000, "2024-07-01", "2024年标准更正",
                               ADMIN, "2024-06-02")  # fmt: skip
    ledger.apply_standard_change("dibao.standard", fix.version)
    ledger.apply_standards_to_case(case_id)
    assert ledger.get_case(case_id).benefit.payable("2024-07") == (112000, None)


def test_a_standard_counts_for_a_case_from_its_month_or_the_first_paid_month() -> None:
    values = [("2023-07-01", 108000, 2), ("2024-07-01", 111000, 3), ("2024-07-01", 112000, 4),
              ("2023-01-01", 100000, 5), ("2024-09-15", 115000, 6)]  # fmt: skip
    assert standard_month(values, 2, "2024-04") == "2024-04"
    assert standard_month(values, 3, "2024-04") is None  # fixed by v4
    assert standard_month(values, 4, "2024-04") == "2024-07"
    assert standard_month(values, 5, "2024-04") is None  # an old start, superseded
    assert standard_month(values, 6, "2024-04") == "2024-10"
    assert standard_month(values, 6, "2024-12") == "2024-12"
    assert standard_month(values, 7, "2024-04") is None


def test_a_recomputed_amount_of_zero_is_flagged_for_review_not_stopped(ledger: Ledger) -> None:
    person = new_id_number()
    case = ledger.get_case(active(ledger, person, income_fen=100_000))  # a gap of 8,000
    lowered = 95_000  # a standard under the household's income per head: no gap left
    outcome = case.apply_standard(ACTOR, "2024-07-02", "dibao.standard", 9, lowered, "2024-07")
    assert outcome == "flagged"
    assert case.benefit.payable("2024-07") == (8000, None)  # kept until someone reviews it
    raised = case.collect_events()[-1]
    assert (type(raised).__name__, raised.kind) == ("EarlyWarningRaised", "standard_review")
    assert raised.parameters == {"dibao.standard": "dibao.standard@v9"}
    again = case.apply_standard(ACTOR, "2024-07-02", "dibao.standard", 9, lowered, "2024-07")
    assert again is None


def test_old_benefit_events_without_parameters_still_replay(ledger: Ledger) -> None:
    case_id = active(ledger)
    case = ledger.get_case(case_id)
    case.adjust(ACTOR, "2024-05-02", 90000, "2024-06", "income rose")
    case.raise_warning(ACTOR, "2024-05-03", "hospitalisation", "in hospital")
    ledger.save(case)
    replayed: Any = None
    stripped = 0
    for stored in ledger.recorder.select_events(case_id):
        state = ledger.mapper.transcoder.decode(stored.state)
        if stored.topic.endswith(("BenefitAdjusted", "EarlyWarningRaised")):
            state.pop("parameters")  # as stored before the field existed
            stripped += 1
        old = StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                          ledger.mapper.transcoder.encode(state))  # fmt: skip
        replayed = ledger.mapper.to_domain_event(old).mutate(replayed)
    assert stripped == 2
    assert isinstance(replayed, AssistanceCase)
    assert replayed.benefit.payable("2024-06") == (90000, None)
    assert replayed.benefit.standards == {"dibao.standard": V2_108000}
    assert len(replayed.open_warnings) == 1


# -- the assessment belongs to the case (D9) ----------------------------------------------------


def test_the_case_records_what_the_domain_function_computes(ledger: Ledger) -> None:
    case_id = active(ledger)
    case = ledger.get_case(case_id)
    assessed = events(ledger, case_id, "HouseholdAssessed")[-1]
    names = ["dibao.standard", "assets.deposit_months", "assets.max_real_estate_units"]
    params = ledger.parameters_in_force(names, date(2024, 3, 6))
    assert case.check is not None
    fields = household_assessed("DIBAO", case.counted, case.check, params, [])
    assert {k: getattr(assessed, k) for k in fields} == fields


def test_many_cases_are_brought_up_to_their_standards_in_one_save_per_batch(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [active(ledger) for _ in range(3)]
    raise_standard(ledger)
    saves: list[int] = []
    original = ledger.save
    monkeypatch.setattr(
        ledger, "save", lambda *objs, **kw: saves.append(len(objs)) or original(*objs, **kw)
    )

    done = ledger.apply_standards_to_cases({c: "2024-03-14" for c in cases})

    assert [d.adjusted for d in done] == [(V3_111000,)] * 3
    assert saves == [3]  # one transaction for the three cases
    for case_id in cases:
        assert ledger.get_case(case_id).benefit.payable("2024-07") == (111000, None)
    assert [d.adjusted for d in ledger.apply_standards_to_cases(dict.fromkeys(cases))] == [()] * 3
