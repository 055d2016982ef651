"""SocialOrganization rules of DOMAIN.md 3.5 (社会组织), through the in-memory Ledger.

Every refusal also checks that nothing was recorded: the organisation's version and the
ledger's last position stay where they were.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from helpers import events, last_event, refused

from domain.ledger import CommandResult, Ledger
from domain.organizations.organization import anniversary, grade_valid_until
from domain.shared.errors import InvalidInput, NotFound, StaleVersion
from domain.shared.values import Actor

REGISTRAR = Actor("org-registrar", "approver", "钟楼区民政局")
NAME = "钟楼区围棋协会"
REGISTERED = "2021-03-15"
TWO_YEARS = "2023-03-15"  # the first day it may be graded


# -- helpers ----------------------------------------------------------------------------------


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "name": NAME,
        "type": "SOCIAL_GROUP",
        "street": "南大街街道",
        "occurred_on": REGISTERED,
        **overrides,
    }


def do(
    ledger: Ledger,
    organization_id: UUID,
    command: str,
    *,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
    **payload: Any,
) -> CommandResult:
    run = {
        "conclude_inspection": Ledger.conclude_organization_inspection,
        "confirm_grade": Ledger.confirm_organization_grade,
        "revoke_grade": Ledger.revoke_organization_grade,
        "start_liquidation": Ledger.start_liquidation,
        "deregister": Ledger.deregister_organization,
        "revoke_registration": Ledger.revoke_registration,
    }[command]
    return run(
        ledger, organization_id, REGISTRAR, **payload,
        expected_version=expected_version, idempotency_key=idempotency_key,
    )  # fmt: skip


def inspect(ledger: Ledger, org: UUID, year: int, result: str = "pass", on: str = "") -> None:
    do(ledger, org, "conclude_inspection", occurred_on=on or f"{year + 1}-03-10", year=year,
       result=result)  # fmt: skip


def grade(ledger: Ledger, org: UUID, on: str = "2023-06-01", grade: str = "3A") -> CommandResult:
    return do(ledger, org, "confirm_grade", occurred_on=on, grade=grade,
              decision_ref="钟民社评〔2023〕5号")  # fmt: skip


# -- fixtures, named after the state they build -------------------------------------------------


@pytest.fixture
def registered(ledger: Ledger) -> UUID:
    return ledger.register_organization(registration(), REGISTRAR).id


@pytest.fixture
def inspected(ledger: Ledger, registered: UUID) -> UUID:
    """Passed its inspections for 2021 and 2022."""
    inspect(ledger, registered, 2021)
    inspect(ledger, registered, 2022)
    return registered


@pytest.fixture
def graded(ledger: Ledger, inspected: UUID) -> UUID:
    grade(ledger, inspected)
    return inspected


@pytest.fixture
def liquidating(ledger: Ledger, inspected: UUID) -> UUID:
    do(ledger, inspected, "start_liquidation", occurred_on="2023-07-01", reason="会员大会决议解散")
    return inspected


@pytest.fixture
def deregistered(ledger: Ledger, liquidating: UUID) -> UUID:
    do(ledger, liquidating, "deregister", occurred_on="2023-09-01", reason="清算完毕")
    return liquidating


@pytest.fixture
def long_registered(ledger: Ledger) -> UUID:
    """Registered in 2018: inspections from 2018 on are due."""
    return ledger.register_organization(registration(occurred_on="2018-05-02"), REGISTRAR).id


def names(ledger: Ledger, org: UUID) -> list[str]:
    return [type(e).__name__ for e in events(ledger, org)]


# -- registration and inspections -------------------------------------------------------------


def test_an_organisation_is_registered_inspected_graded_liquidated_and_deregistered(
    ledger: Ledger,
) -> None:
    org = ledger.register_organization(registration(), REGISTRAR).id
    inspect(ledger, org, 2021)
    inspect(ledger, org, 2022)
    grade(ledger, org)
    do(ledger, org, "start_liquidation", occurred_on="2024-02-01", reason="理事会决议终止")
    do(ledger, org, "deregister", occurred_on="2024-05-06", reason="清算完毕")

    assert ledger.get_organization(org).status == "deregistered"
    assert names(ledger, org) == [
        "OrganizationRegistered", "AnnualInspectionConcluded", "AnnualInspectionConcluded",
        "GradeConfirmed", "LiquidationStarted", "OrganizationDeregistered",
    ]  # fmt: skip


def test_the_registration_records_name_type_street_and_date(
    ledger: Ledger, registered: UUID
) -> None:
    done = last_event(ledger, registered, "OrganizationRegistered")

    assert (done.name, done.organization_type, done.street) == (NAME, "SOCIAL_GROUP", "南大街街道")
    assert done.occurred_on == REGISTERED
    assert done.district == "320404"
    assert done.actor == REGISTRAR.as_dict()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"type": "CLUB"}, "type"), ({"name": " "}, "name"), ({"street": ""}, "street"),
     ({"occurred_on": "2021-02-30"}, "occurred_on")],
)  # fmt: skip
def test_a_bad_registration_is_refused_naming_the_field(
    ledger: Ledger, change: dict[str, Any], field: str
) -> None:
    with refused(ledger, "invalid_input", InvalidInput) as caught:
        ledger.register_organization(registration(**change), REGISTRAR)

    assert caught.value.field == field


def test_one_inspection_per_year(ledger: Ledger, inspected: UUID) -> None:
    with refused(ledger, "inspection_recorded", aggregate_id=inspected) as caught:
        inspect(ledger, inspected, 2022, "fail", on="2023-05-01")

    assert "2022" in caught.value.message


@pytest.mark.parametrize("year", [2020, 2024, 2030])
def test_an_inspection_covers_a_past_year_since_the_registration(
    ledger: Ledger, registered: UUID, year: int
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=registered) as caught:
        inspect(ledger, registered, year, on="2024-03-01")

    assert caught.value.field == "year"


def test_an_inspection_result_is_pass_basic_pass_or_fail(ledger: Ledger, registered: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=registered) as caught:
        inspect(ledger, registered, 2021, "excellent")

    assert caught.value.field == "result"


def test_steps_cannot_be_dated_before_the_last_step(ledger: Ledger, inspected: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=inspected) as caught:
        grade(ledger, inspected, on="2023-03-09")  # the 2022 inspection was on 2023-03-10

    assert caught.value.field == "occurred_on"


# -- grading: two full years and a passed inspection for the previous year ---------------------


def test_a_grade_is_valid_five_years_and_records_the_inspection_it_relied_on(
    ledger: Ledger, graded: UUID
) -> None:
    done = last_event(ledger, graded, "GradeConfirmed")

    assert done.grade == "3A"
    assert done.valid_until == "2028-05-31"  # five years from 2023-06-01, that day counted
    assert done.last_inspection == {"year": 2022, "result": "pass"}
    assert done.decision_ref == "钟民社评〔2023〕5号"


def test_grading_needs_two_full_years_registered(ledger: Ledger, inspected: UUID) -> None:
    with refused(ledger, "registered_too_recently", aggregate_id=inspected) as caught:
        grade(ledger, inspected, on="2023-03-14")

    assert TWO_YEARS in caught.value.message


def test_grading_on_the_second_anniversary_is_allowed(ledger: Ledger, inspected: UUID) -> None:
    grade(ledger, inspected, on=TWO_YEARS)

    assert ledger.get_organization(inspected).grade == "3A"


def test_grading_needs_the_previous_years_inspection(ledger: Ledger, registered: UUID) -> None:
    inspect(ledger, registered, 2021)

    with refused(ledger, "inspection_missing", aggregate_id=registered) as caught:
        grade(ledger, registered)

    assert "2022" in caught.value.message


def test_grading_is_refused_after_a_failed_inspection(ledger: Ledger, registered: UUID) -> None:
    inspect(ledger, registered, 2021)
    inspect(ledger, registered, 2022, "fail")

    with refused(ledger, "inspection_failed", aggregate_id=registered):
        grade(ledger, registered)


def test_a_basic_pass_counts_as_passed(ledger: Ledger, registered: UUID) -> None:
    inspect(ledger, registered, 2021)
    inspect(ledger, registered, 2022, "basic_pass")

    grade(ledger, registered)

    done = last_event(ledger, registered, "GradeConfirmed")
    assert done.last_inspection == {"year": 2022, "result": "basic_pass"}


def test_two_basic_passes_in_a_row_are_not_a_passed_inspection(
    ledger: Ledger, registered: UUID
) -> None:
    inspect(ledger, registered, 2021, "basic_pass")
    inspect(ledger, registered, 2022, "basic_pass")

    with refused(ledger, "inspection_failed", aggregate_id=registered) as caught:
        grade(ledger, registered)

    assert "two basic passes in a row" in caught.value.message


@pytest.mark.parametrize("bad", ["6A", "0A", "A", "3a", ""])
def test_a_grade_is_1a_to_5a(ledger: Ledger, inspected: UUID, bad: str) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=inspected) as caught:
        grade(ledger, inspected, grade=bad)

    assert caught.value.field == "grade"


def test_a_grade_needs_the_decision_reference(ledger: Ledger, inspected: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=inspected) as caught:
        do(ledger, inspected, "confirm_grade", occurred_on="2023-06-01", grade="3A",
           decision_ref=" ")  # fmt: skip

    assert caught.value.field == "decision_ref"


def test_a_later_grade_replaces_the_earlier_one(ledger: Ledger, graded: UUID) -> None:
    inspect(ledger, graded, 2023)
    grade(ledger, graded, on="2024-09-02", grade="4A")

    organization = ledger.get_organization(graded)
    assert (organization.grade, organization.grade_valid_until) == ("4A", "2029-09-01")


def test_the_validity_of_a_grade_decided_on_29_february() -> None:
    assert grade_valid_until(date(2024, 2, 29)) == date(2029, 2, 28)
    assert anniversary(date(2020, 2, 29), 2) == date(2022, 3, 1)


def test_an_organisation_in_liquidation_is_not_graded(ledger: Ledger, liquidating: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=liquidating):
        grade(ledger, liquidating, on="2023-08-01")


# -- revoking a grade ---------------------------------------------------------------------------


def test_a_grade_in_force_is_revoked_with_a_reason(ledger: Ledger, graded: UUID) -> None:
    do(ledger, graded, "revoke_grade", occurred_on="2024-01-10", reason="受到行政处罚")

    done = last_event(ledger, graded, "GradeRevoked")
    assert (done.grade, done.reason) == ("3A", "受到行政处罚")
    assert ledger.get_organization(graded).grade is None


def test_revoking_needs_a_grade_in_force(ledger: Ledger, inspected: UUID) -> None:
    with refused(ledger, "no_grade", aggregate_id=inspected):
        do(ledger, inspected, "revoke_grade", occurred_on="2024-01-10", reason="x")


def test_an_expired_grade_cannot_be_revoked(ledger: Ledger, graded: UUID) -> None:
    with refused(ledger, "no_grade", aggregate_id=graded):
        do(ledger, graded, "revoke_grade", occurred_on="2028-06-01", reason="x")


def test_revoking_a_grade_needs_a_reason(ledger: Ledger, graded: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=graded) as caught:
        do(ledger, graded, "revoke_grade", occurred_on="2024-01-10", reason="")

    assert caught.value.field == "reason"


# -- liquidation and deregistration -------------------------------------------------------------


def test_deregistration_comes_only_after_liquidation(ledger: Ledger, inspected: UUID) -> None:
    with refused(ledger, "liquidation_required", aggregate_id=inspected):
        do(ledger, inspected, "deregister", occurred_on="2023-09-01", reason="清算完毕")


def test_a_liquidation_starts_once_and_needs_a_reason(ledger: Ledger, liquidating: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=liquidating):
        do(ledger, liquidating, "start_liquidation", occurred_on="2023-08-01", reason="again")
    other = ledger.register_organization(registration(), REGISTRAR).id
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=other):
        do(ledger, other, "start_liquidation", occurred_on="2023-08-01", reason=" ")


def test_an_organisation_in_liquidation_is_still_inspected(
    ledger: Ledger, liquidating: UUID
) -> None:
    inspect(ledger, liquidating, 2023, on="2024-03-01")

    assert ledger.get_organization(liquidating).inspections[2023] == "pass"


@pytest.mark.parametrize(
    ("command", "payload"),
    [
        ("conclude_inspection", {"year": 2023, "result": "pass"}),
        ("confirm_grade", {"grade": "3A", "decision_ref": "x"}),
        ("revoke_grade", {"reason": "x"}),
        ("start_liquidation", {"reason": "x"}),
        ("deregister", {"reason": "x"}),
        ("revoke_registration", {"reason": "x"}),
    ],
)
def test_nothing_is_recorded_after_deregistration(
    ledger: Ledger, deregistered: UUID, command: str, payload: dict[str, Any]
) -> None:
    with refused(ledger, "wrong_status", aggregate_id=deregistered) as caught:
        do(ledger, deregistered, command, occurred_on="2024-06-01", **payload)

    assert "deregistered" in caught.value.message


def test_the_shared_guards_speak_of_the_organisation(ledger: Ledger, liquidating: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=liquidating) as caught:
        grade(ledger, liquidating, on="2023-08-01")

    assert caught.value.message == (
        "cannot confirm a grade: the organisation is liquidating (needs registered)"
    )


def test_after_deregistration_the_guard_says_nothing_more_is_recorded(
    ledger: Ledger, deregistered: UUID
) -> None:
    with refused(ledger, "wrong_status", aggregate_id=deregistered) as caught:
        do(ledger, deregistered, "start_liquidation", occurred_on="2024-06-01", reason="x")

    assert caught.value.message == (
        "cannot start a liquidation: the organisation is deregistered; nothing is recorded "
        "after that"
    )


def test_the_date_guard_names_the_last_step_date(ledger: Ledger, inspected: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=inspected) as caught:
        grade(ledger, inspected, on="2023-03-09")

    assert caught.value.message == "the grade cannot be dated before 2023-03-10"


# -- revocation: two consecutive years of missed or failed inspections -------------------------


def test_two_missed_years_justify_a_revocation(ledger: Ledger, long_registered: UUID) -> None:
    for year in (2018, 2019, 2020):
        inspect(ledger, long_registered, year)

    do(ledger, long_registered, "revoke_registration", occurred_on="2023-09-01",
       reason="连续两年未参加年度检查")  # fmt: skip

    done = last_event(ledger, long_registered, "RegistrationRevoked")
    assert done.years == [
        {"year": 2021, "inspection": "missed"},
        {"year": 2022, "inspection": "missed"},
    ]
    assert ledger.get_organization(long_registered).status == "revoked"


def test_a_failed_and_a_missed_year_justify_a_revocation(
    ledger: Ledger, long_registered: UUID
) -> None:
    for year, result in [(2018, "pass"), (2019, "pass"), (2020, "pass"), (2021, "fail")]:
        inspect(ledger, long_registered, year, result)

    do(ledger, long_registered, "revoke_registration", occurred_on="2023-09-01", reason="x")

    assert last_event(ledger, long_registered, "RegistrationRevoked").years == [
        {"year": 2021, "inspection": "fail"},
        {"year": 2022, "inspection": "missed"},
    ]


def test_years_apart_do_not_justify_a_revocation(ledger: Ledger, long_registered: UUID) -> None:
    for year, result in [(2018, "pass"), (2019, "fail"), (2020, "pass"), (2022, "basic_pass")]:
        inspect(ledger, long_registered, year, result)

    with refused(ledger, "revocation_not_justified", aggregate_id=long_registered) as caught:
        do(ledger, long_registered, "revoke_registration", occurred_on="2023-09-01", reason="x")

    assert "2018-2022" in caught.value.message


def test_the_year_of_the_revocation_does_not_count(ledger: Ledger, registered: UUID) -> None:
    # Registered in 2021: 2021 inspected, 2022 missed; 2023 is not over on 2023-12-01.
    inspect(ledger, registered, 2021)

    with refused(ledger, "revocation_not_justified", aggregate_id=registered):
        do(ledger, registered, "revoke_registration", occurred_on="2023-12-01", reason="x")

    do(ledger, registered, "revoke_registration", occurred_on="2024-01-05", reason="x")
    assert last_event(ledger, registered, "RegistrationRevoked").years == [
        {"year": 2022, "inspection": "missed"},
        {"year": 2023, "inspection": "missed"},
    ]


def test_a_new_organisation_cannot_be_revoked(ledger: Ledger) -> None:
    org = ledger.register_organization(registration(occurred_on="2023-02-01"), REGISTRAR).id

    with refused(ledger, "revocation_not_justified", aggregate_id=org) as caught:
        do(ledger, org, "revoke_registration", occurred_on="2024-02-01", reason="x")

    assert "fewer than two years" in caught.value.message


def test_nothing_is_recorded_after_a_revocation(ledger: Ledger, long_registered: UUID) -> None:
    do(ledger, long_registered, "revoke_registration", occurred_on="2023-09-01", reason="x")

    with refused(ledger, "wrong_status", aggregate_id=long_registered) as caught:
        inspect(ledger, long_registered, 2022, on="2023-10-01")

    assert "revoked" in caught.value.message


# -- the Ledger's plumbing ------------------------------------------------------------------------


def test_commands_are_typed_ledger_methods_not_names(ledger: Ledger) -> None:
    # No command runs by name, so neither an unknown nor an event-applying `_` method can be.
    assert not hasattr(ledger, "change_organization")
    assert callable(Ledger.confirm_organization_grade)


def test_a_stale_version_is_refused(ledger: Ledger, inspected: UUID) -> None:
    with refused(ledger, "stale_version", StaleVersion, aggregate_id=inspected) as caught:
        do(ledger, inspected, "confirm_grade", expected_version=1, occurred_on="2023-06-01",
           grade="3A", decision_ref="x")  # fmt: skip

    assert caught.value.field == "If-Match"


def test_a_retry_with_the_same_idempotency_key_records_nothing_new(
    ledger: Ledger, inspected: UUID
) -> None:
    payload = {"occurred_on": "2023-06-01", "grade": "3A", "decision_ref": "x"}
    first = do(ledger, inspected, "confirm_grade", idempotency_key="g-1", **payload)
    again = do(ledger, inspected, "confirm_grade", idempotency_key="g-1", **payload)

    assert (again.id, again.version) == (first.id, first.version)
    assert ledger.get_organization(inspected).version == first.version


def test_an_unknown_organisation_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFound):
        ledger.get_organization(UUID(int=7))


def test_a_village_conversion_is_not_an_organisation(ledger: Ledger) -> None:
    conversion = ledger.initiate_village_conversion(
        {"village": "庆丰村", "street": "新闸街道", "tasks": ["清产核资"],
         "occurred_on": "2024-03-01"}, REGISTRAR,
    ).id  # fmt: skip

    with pytest.raises(NotFound):
        ledger.get_organization(conversion)
