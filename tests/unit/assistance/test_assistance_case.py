"""AssistanceCase rules of DOMAIN.md 3.1, told through the Ledger application (in-memory store).

Every refusal also checks that nothing was recorded: the case version and the ledger's last
position stay where they were.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from builders import PROCEDURE, case_step, person_id_for, walk_to_active
from helpers import ADMIN, events, last_event, refused

from domain.ledger import CommandResult, Ledger
from domain.shared.errors import InvalidInput, StaleVersion
from domain.shared.identity import make_id_number
from domain.shared.values import Actor

CASEWORKER = Actor("worker-nandajie", "caseworker", "南大街街道")
APPROVER = Actor("approver-district", "approver", "钟楼区民政局")
STREET_INVESTIGATORS = ["inv-nandajie-1", "inv-nandajie-2"]
DISTRICT_INVESTIGATORS = ["inv-district-1", "inv-district-2"]

# The usual timeline of one application in March 2024 (no holidays in between).
SUBMITTED = "2024-03-04"  # Monday
ACCEPTED = "2024-03-05"
CHECKED = "2024-03-06"
VISITED = "2024-03-07"
ASSESSED = "2024-03-08"
NOTICE_FROM, NOTICE_TO = "2024-03-11", "2024-03-17"  # 7 days, both included
CLOSED = "2024-03-18"
DECIDED = "2024-03-19"

MOTHER_ID = make_id_number("320404", date(1980, 5, 17), 11)
SON_ID = make_id_number("320404", date(2012, 9, 1), 12)
GRANDFATHER_ID = make_id_number("320404", date(1948, 2, 3), 13)
MOTHER, SON, GRANDFATHER = (person_id_for(n) for n in (MOTHER_ID, SON_ID, GRANDFATHER_ID))

STANDARD_MARCH_2024 = 108_000
# The mother earns 60,000 fen a month, the son nothing: 30,000 per head, a gap of 78,000.
MONTHLY_TOTAL = 2 * (STANDARD_MARCH_2024 - 30_000)


# -- helpers ----------------------------------------------------------------------------------


def member(id_number: str, relation: str, **extra: Any) -> dict[str, Any]:
    return {"name": "张三", "id_number": id_number, "relation": relation, "counted": True, **extra}


def application(**overrides: Any) -> dict[str, Any]:
    """A DIBAO application of a mother (able to work) and her son."""
    return {
        "programme": "DIBAO",
        "street": "南大街街道",
        "community": "西瀛里社区",
        "channel": "counter",
        "kin_of_staff": False,
        "occurred_on": SUBMITTED,
        "members": [
            member(MOTHER_ID, "self", able_to_work=True),
            member(SON_ID, "child"),
        ],
        **overrides,
    }


def do(
    ledger: Ledger,
    case_id: UUID,
    command: str,
    actor: Actor | None = None,
    *,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
    **payload: Any,
) -> CommandResult:
    return case_step(
        ledger, case_id, command, payload, actor,
        expected_version=expected_version, idempotency_key=idempotency_key,
    )  # fmt: skip


def check(ledger: Ledger, case_id: UUID, on: str = CHECKED, **property: Any) -> None:
    do(ledger, case_id, "complete_economic_check", occurred_on=on,
       incomes=[{"person_id": MOTHER, "declared_fen": 60_000, "verified_fen": 60_000},
                {"person_id": SON, "declared_fen": 0, "verified_fen": 0}],
       property={"vehicles": 0, "companies": 0, "real_estate_units": 1, "deposits_fen": 0,
                 **property},
       public_servant_match=False, data_source="江苏省居民家庭经济状况核对平台")  # fmt: skip


def visit(
    ledger: Ledger,
    case_id: UUID,
    on: str = VISITED,
    investigators: list[str] = STREET_INVESTIGATORS,
    district_level: bool = False,
) -> None:
    do(ledger, case_id, "conduct_home_visit", occurred_on=on, investigators=investigators,
       district_level=district_level, findings="居住条件与申报一致")  # fmt: skip


def assess(ledger: Ledger, case_id: UUID, on: str = ASSESSED, **extra: Any) -> None:
    do(ledger, case_id, "record_assessment", occurred_on=on, **extra)


def post_notice(
    ledger: Ledger, case_id: UUID, posted_from: str = NOTICE_FROM, posted_to: str = NOTICE_TO
) -> None:
    do(ledger, case_id, "post_public_notice", occurred_on=posted_from,
       posted_from=posted_from, posted_to=posted_to)  # fmt: skip


def close_notice(
    ledger: Ledger, case_id: UUID, on: str = CLOSED, objections: list[str] | None = None
) -> None:
    do(ledger, case_id, "close_public_notice", occurred_on=on, objections=objections or [])


def confirm(
    ledger: Ledger, case_id: UUID, on: str = DECIDED, actor: Actor = APPROVER
) -> CommandResult:
    return do(ledger, case_id, "confirm", actor, occurred_on=on)


# -- fixtures, named after the state they build -------------------------------------------------


@pytest.fixture
def submitted_case(ledger: Ledger) -> UUID:
    return ledger.submit_application(application(), CASEWORKER).id


@pytest.fixture
def accepted_case(ledger: Ledger, submitted_case: UUID) -> UUID:
    do(ledger, submitted_case, "accept", occurred_on=ACCEPTED)
    return submitted_case


@pytest.fixture
def investigated_case(ledger: Ledger, accepted_case: UUID) -> UUID:
    """Economic check completed and a valid street-level home visit."""
    check(ledger, accepted_case)
    visit(ledger, accepted_case)
    return accepted_case


@pytest.fixture
def assessed_case(ledger: Ledger, investigated_case: UUID) -> UUID:
    assess(ledger, investigated_case)
    return investigated_case


@pytest.fixture
def noticed_case(ledger: Ledger, assessed_case: UUID) -> UUID:
    """The public notice is posted and still open."""
    post_notice(ledger, assessed_case)
    return assessed_case


@pytest.fixture
def notice_closed_case(ledger: Ledger, noticed_case: UUID) -> UUID:
    close_notice(ledger, noticed_case)
    return noticed_case


@pytest.fixture
def active_case(ledger: Ledger, notice_closed_case: UUID) -> UUID:
    confirm(ledger, notice_closed_case)
    return notice_closed_case


@pytest.fixture
def suspended_case(ledger: Ledger, active_case: UUID) -> UUID:
    do(ledger, active_case, "suspend", occurred_on="2024-06-05", from_month="2024-06",
       reason="外出务工, 暂停核查")  # fmt: skip
    return active_case


# -- the whole procedure ----------------------------------------------------------------------


def test_a_household_is_included_after_the_full_procedure(ledger: Ledger) -> None:
    # The mother applies at the street office for herself and her son.
    case_id = ledger.submit_application(application(), CASEWORKER).id
    # The street accepts, checks the economy and visits with two investigators.
    do(ledger, case_id, "accept", occurred_on=ACCEPTED)
    check(ledger, case_id)
    visit(ledger, case_id)
    # The household is assessed against the standard in force in March 2024.
    assess(ledger, case_id)
    # The preliminary opinion is posted for seven days and closes without objections.
    post_notice(ledger, case_id)
    close_notice(ledger, case_id)
    # The district approves the day after.
    confirm(ledger, case_id)

    case = ledger.get_case(case_id)
    assert case.status == "active"
    assert case.benefit.payable("2024-04") == (MONTHLY_TOTAL, None)
    # The July 2024 standard (111,000) is already on file: the decision applies it from July.
    assert case.benefit.payable("2024-07") == (2 * (111_000 - 30_000), None)
    assert [type(e).__name__ for e in events(ledger, case_id)] == [
        "ApplicationSubmitted", "ApplicationAccepted", "EconomicCheckCompleted",
        "HomeVisitConducted", "HouseholdAssessed", "PublicNoticePosted", "PublicNoticeClosed",
        "EligibilityConfirmed", "BenefitAdjusted",
    ]  # fmt: skip


def test_confirmation_records_approver_amount_first_paid_month_and_parameters(
    ledger: Ledger, active_case: UUID
) -> None:
    confirmed = last_event(ledger, active_case, "EligibilityConfirmed")

    assert confirmed.approver == APPROVER.user
    assert confirmed.monthly_amount_fen == MONTHLY_TOTAL
    assert confirmed.first_paid_month == "2024-04"  # the month after the decision
    assert confirmed.parameters["dibao.standard"] == "dibao.standard@v3"


def test_first_paid_month_after_a_december_decision_is_january(ledger: Ledger) -> None:
    case_id = ledger.submit_application(application(occurred_on="2024-12-02"), CASEWORKER).id
    do(ledger, case_id, "accept", occurred_on="2024-12-03")
    check(ledger, case_id, on="2024-12-04")
    visit(ledger, case_id, on="2024-12-05")
    assess(ledger, case_id, on="2024-12-06")
    post_notice(ledger, case_id, "2024-12-09", "2024-12-15")
    close_notice(ledger, case_id, on="2024-12-16")
    # Decided on New Year's Eve: paid from January.
    confirm(ledger, case_id, on="2024-12-31")

    assert last_event(ledger, case_id, "EligibilityConfirmed").first_paid_month == "2025-01"


# -- confirmation needs the procedure [law] ----------------------------------------------------


def test_confirmation_of_a_merely_accepted_case_lists_every_missing_step(
    ledger: Ledger, accepted_case: UUID
) -> None:
    with refused(ledger, "procedure_incomplete", aggregate_id=accepted_case) as caught:
        confirm(ledger, accepted_case)

    message = caught.value.message
    assert "the economic check is not completed" in message
    assert "no home visit" in message
    assert "the household is not assessed" in message
    assert "the public notice is not closed" in message


def test_confirmation_requires_acceptance(ledger: Ledger, submitted_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=submitted_case):
        confirm(ledger, submitted_case)


def test_confirmation_requires_a_closed_public_notice(ledger: Ledger, noticed_case: UUID) -> None:
    with refused(ledger, "procedure_incomplete", aggregate_id=noticed_case) as caught:
        confirm(ledger, noticed_case, on="2024-03-20")

    assert "the public notice is not closed" in caught.value.message


def test_confirmation_requires_a_posted_public_notice(ledger: Ledger, assessed_case: UUID) -> None:
    with refused(ledger, "procedure_incomplete", aggregate_id=assessed_case) as caught:
        confirm(ledger, assessed_case)

    assert "the public notice is not closed" in caught.value.message


def test_confirmation_dated_before_the_notice_closed_is_refused(
    ledger: Ledger, notice_closed_case: UUID
) -> None:
    # The notice closed on 2024-03-18; a decision back-dated to the 15th is refused.
    with refused(ledger, "procedure_incomplete", aggregate_id=notice_closed_case) as caught:
        confirm(ledger, notice_closed_case, on="2024-03-15")

    assert "the decision predates the close of the public notice" in caught.value.message


def test_confirmation_on_the_day_the_notice_closed_is_allowed(
    ledger: Ledger, notice_closed_case: UUID
) -> None:
    confirm(ledger, notice_closed_case, on=CLOSED)

    assert ledger.get_case(notice_closed_case).status == "active"


def test_a_confirmed_case_cannot_be_confirmed_again(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=active_case):
        confirm(ledger, active_case, on="2024-03-20")


def test_the_approver_may_not_have_investigated_the_case(
    ledger: Ledger, notice_closed_case: UUID
) -> None:
    investigator = Actor(STREET_INVESTIGATORS[0], "approver", "钟楼区民政局")

    with refused(ledger, "approver_investigated", aggregate_id=notice_closed_case):
        confirm(ledger, notice_closed_case, actor=investigator)


def test_an_ineligible_household_cannot_be_confirmed(ledger: Ledger, accepted_case: UUID) -> None:
    # The check finds a car; the procedure runs to its end.
    check(ledger, accepted_case, vehicles=1)
    visit(ledger, accepted_case)
    assess(ledger, accepted_case)
    post_notice(ledger, accepted_case)
    close_notice(ledger, accepted_case)

    with refused(ledger, "ineligible", aggregate_id=accepted_case) as caught:
        confirm(ledger, accepted_case)

    assert "owns a vehicle" in caught.value.message
    assert "deny instead" in caught.value.message


@pytest.mark.parametrize(
    ("property", "public_servant"),
    [
        ({"companies": 1}, False),
        ({"real_estate_units": 2}, False),
        ({"deposits_fen": 2 * 24 * STANDARD_MARCH_2024 + 1}, False),
        ({}, True),
    ],
)
def test_excluded_assets_are_recorded_as_ineligible_with_no_amount(
    ledger: Ledger, accepted_case: UUID, property: dict[str, int], public_servant: bool
) -> None:
    do(ledger, accepted_case, "complete_economic_check", occurred_on=CHECKED,
       incomes=[{"person_id": MOTHER, "declared_fen": 0, "verified_fen": 0}],
       property={"vehicles": 0, "real_estate_units": 1, **property},
       public_servant_match=public_servant, data_source="核对平台")  # fmt: skip
    visit(ledger, accepted_case)

    assess(ledger, accepted_case)

    assessed = last_event(ledger, accepted_case, "HouseholdAssessed")
    assert assessed.eligible is False
    assert assessed.total_fen == 0
    assert assessed.ineligibility_reasons


# -- the home visit [law] ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "investigators",
    [["inv-1"], ["inv-1", "inv-1"], ["inv-1", " inv-1 "], ["inv-1", "inv-1 "], ["inv-1", " "],
     ["inv-1", "inv-2", ""], ["inv-1", "x" * 100_000], ["inv-1", "inv\u00002"], []],
)  # fmt: skip
def test_a_home_visit_needs_two_different_investigators(
    ledger: Ledger, accepted_case: UUID, investigators: list[str]
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=accepted_case) as caught:
        visit(ledger, accepted_case, investigators=investigators)

    assert caught.value.field == "investigators"


def test_investigators_are_recorded_trimmed(ledger: Ledger, accepted_case: UUID) -> None:
    visit(ledger, accepted_case, investigators=[" inv-b", "inv-a "])

    assert last_event(ledger, accepted_case, "HomeVisitConducted").investigators == [
        "inv-a",
        "inv-b",
    ]


@pytest.mark.parametrize("approver", ["approver-1", " approver-1", "approver-1 "])
def test_the_approver_may_not_have_investigated_under_a_padded_user_id(
    ledger: Ledger, accepted_case: UUID, approver: str
) -> None:
    check(ledger, accepted_case)
    visit(ledger, accepted_case, investigators=["approver-1 ", "inv-b"])
    assess(ledger, accepted_case)
    post_notice(ledger, accepted_case)
    close_notice(ledger, accepted_case)

    with refused(ledger, "approver_investigated", aggregate_id=accepted_case):
        confirm(ledger, accepted_case, actor=Actor(approver, "approver", "钟楼区民政局"))


def test_assessment_requires_the_economic_check(ledger: Ledger, accepted_case: UUID) -> None:
    visit(ledger, accepted_case)

    with refused(ledger, "check_missing", aggregate_id=accepted_case):
        assess(ledger, accepted_case)


def test_assessment_requires_a_home_visit(ledger: Ledger, accepted_case: UUID) -> None:
    check(ledger, accepted_case)

    with refused(ledger, "visit_missing", aggregate_id=accepted_case):
        assess(ledger, accepted_case)


def test_kin_of_staff_needs_a_district_level_visit(ledger: Ledger) -> None:
    # A member is the cousin of a community cadre.
    case_id = ledger.submit_application(application(kin_of_staff=True), CASEWORKER).id
    do(ledger, case_id, "accept", occurred_on=ACCEPTED)
    check(ledger, case_id)
    visit(ledger, case_id)  # the street visits: not enough

    with refused(ledger, "visit_missing", aggregate_id=case_id) as caught:
        assess(ledger, case_id)
    assert "the district must visit itself" in caught.value.message

    # The district visits; now the procedure goes on to the end.
    visit(ledger, case_id, on="2024-03-08", investigators=DISTRICT_INVESTIGATORS,
          district_level=True)  # fmt: skip
    assess(ledger, case_id, on="2024-03-08")
    post_notice(ledger, case_id)
    close_notice(ledger, case_id)
    confirm(ledger, case_id)
    assert ledger.get_case(case_id).status == "active"


def test_objections_at_the_public_notice_require_a_new_district_visit(
    ledger: Ledger, noticed_case: UUID
) -> None:
    # A neighbour objects that the family runs a stall.
    close_notice(ledger, noticed_case, objections=["邻居反映家庭经营摊位"])

    with refused(ledger, "procedure_incomplete", aggregate_id=noticed_case) as caught:
        confirm(ledger, noticed_case)
    assert "the district must investigate again" in caught.value.message

    # A district visit before the close does not count; one on or after it does.
    visit(ledger, noticed_case, on=CLOSED, investigators=DISTRICT_INVESTIGATORS,
          district_level=True)  # fmt: skip
    confirm(ledger, noticed_case)
    assert ledger.get_case(noticed_case).status == "active"


def test_a_street_visit_after_objections_is_not_enough(ledger: Ledger, noticed_case: UUID) -> None:
    close_notice(ledger, noticed_case, objections=["邻居反映家庭经营摊位"])
    visit(ledger, noticed_case, on=CLOSED, investigators=["inv-nandajie-3", "inv-nandajie-4"])

    with refused(ledger, "procedure_incomplete", aggregate_id=noticed_case):
        confirm(ledger, noticed_case)


def test_objections_cannot_be_bypassed_by_reassessing_and_posting_again(
    ledger: Ledger, noticed_case: UUID
) -> None:
    # The notice draws objections; nobody from the district visits.
    close_notice(ledger, noticed_case, objections=["邻居反映家庭经营摊位"])
    # The street tries to re-assess (to post a fresh notice): refused until the district visits.
    with refused(ledger, "visit_missing", aggregate_id=noticed_case):
        assess(ledger, noticed_case, on=CLOSED)
    with refused(ledger, "procedure_incomplete", aggregate_id=noticed_case):
        confirm(ledger, noticed_case, on="2024-03-27")


# -- the public notice [law] ------------------------------------------------------------------


def test_a_public_notice_shorter_than_seven_days_is_refused(
    ledger: Ledger, assessed_case: UUID
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=assessed_case) as caught:
        post_notice(ledger, assessed_case, "2024-03-11", "2024-03-16")

    assert caught.value.field == "posted_to"


def test_a_public_notice_needs_an_assessment(ledger: Ledger, investigated_case: UUID) -> None:
    with refused(ledger, "assessment_missing", aggregate_id=investigated_case):
        post_notice(ledger, investigated_case)


def test_a_public_notice_cannot_start_before_the_assessment(
    ledger: Ledger, assessed_case: UUID
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=assessed_case) as caught:
        post_notice(ledger, assessed_case, "2024-03-07", "2024-03-13")

    assert caught.value.field == "posted_from"


def test_only_one_public_notice_is_open_at_a_time(ledger: Ledger, noticed_case: UUID) -> None:
    with refused(ledger, "notice_open", aggregate_id=noticed_case):
        post_notice(ledger, noticed_case, "2024-03-12", "2024-03-18")


def test_a_public_notice_cannot_close_before_its_last_day(
    ledger: Ledger, noticed_case: UUID
) -> None:
    with refused(ledger, "notice_too_short", aggregate_id=noticed_case):
        close_notice(ledger, noticed_case, on="2024-03-16")


def test_a_notice_that_is_not_open_cannot_be_closed(
    ledger: Ledger, notice_closed_case: UUID
) -> None:
    with refused(ledger, "notice_not_open", aggregate_id=notice_closed_case):
        close_notice(ledger, notice_closed_case, on="2024-03-19")


def test_a_new_assessment_needs_a_new_public_notice(
    ledger: Ledger, notice_closed_case: UUID
) -> None:
    # The household's figures are revised after the notice closed.
    assess(ledger, notice_closed_case, on=CLOSED)

    with refused(ledger, "procedure_incomplete", aggregate_id=notice_closed_case) as caught:
        confirm(ledger, notice_closed_case)
    assert "the public notice is not closed" in caught.value.message


# -- the economic check and dates ---------------------------------------------------------------


def test_the_check_may_only_name_counted_members(ledger: Ledger, accepted_case: UUID) -> None:
    stranger = person_id_for(make_id_number("320404", date(1975, 1, 1), 99))

    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=accepted_case) as caught:
        do(ledger, accepted_case, "complete_economic_check", occurred_on=CHECKED,
           incomes=[{"person_id": stranger, "declared_fen": 0, "verified_fen": 0}],
           property={}, public_servant_match=False, data_source="核对平台")  # fmt: skip

    assert caught.value.field == "incomes"


def test_acceptance_cannot_be_dated_before_the_submission(
    ledger: Ledger, submitted_case: UUID
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=submitted_case):
        do(ledger, submitted_case, "accept", occurred_on="2024-03-01")


def test_a_home_visit_cannot_be_dated_before_the_acceptance(
    ledger: Ledger, accepted_case: UUID
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=accepted_case):
        visit(ledger, accepted_case, on="2024-03-04")


def test_an_application_cannot_be_accepted_twice(ledger: Ledger, accepted_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=accepted_case):
        do(ledger, accepted_case, "accept", occurred_on="2024-03-06")


def test_a_date_that_is_not_iso_is_refused(ledger: Ledger, submitted_case: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=submitted_case):
        do(ledger, submitted_case, "accept", occurred_on="05/03/2024")


# -- the standard in force and the amount ---------------------------------------------------------


def test_assessment_records_the_gap_amount_and_the_standard_in_force(
    ledger: Ledger, assessed_case: UUID
) -> None:
    assessed = last_event(ledger, assessed_case, "HouseholdAssessed")

    assert assessed.method == "gap"
    assert assessed.income_per_head_fen == 30_000
    assert assessed.standard_fen == STANDARD_MARCH_2024
    assert assessed.total_fen == MONTHLY_TOTAL
    assert assessed.parameters == {
        "dibao.standard": "dibao.standard@v3",
        "assets.deposit_months": "assets.deposit_months@v2",
        "assets.max_real_estate_units": "assets.max_real_estate_units@v2",
    }


def test_assessment_adds_supplements_for_counted_members(
    ledger: Ledger, investigated_case: UUID
) -> None:
    assess(ledger, investigated_case, supplements=[{"person_id": SON, "kind": "minor"}])

    assessed = last_event(ledger, investigated_case, "HouseholdAssessed")
    assert assessed.total_fen == MONTHLY_TOTAL + 10_000
    assert assessed.parameters["supplement.minor"] == "supplement.minor@v2"


def test_a_supplement_for_someone_not_counted_is_refused(
    ledger: Ledger, investigated_case: UUID
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=investigated_case) as caught:
        assess(ledger, investigated_case, supplements=[{"person_id": "P-x", "kind": "minor"}])

    assert caught.value.field == "supplements.0"


def test_assessment_uses_the_standard_in_force_on_the_assessment_date(
    ledger: Ledger, accepted_case: UUID
) -> None:
    check(ledger, accepted_case)
    visit(ledger, accepted_case)

    # Assessed on the day the 2024 standard starts.
    assess(ledger, accepted_case, on="2024-07-01")

    assessed = last_event(ledger, accepted_case, "HouseholdAssessed")
    assert assessed.standard_fen == 111_000
    assert assessed.parameters["dibao.standard"] == "dibao.standard@v4"
    assert assessed.total_fen == 2 * (111_000 - 30_000)


def test_a_later_standard_does_not_change_an_earlier_assessment(
    ledger: Ledger, assessed_case: UUID
) -> None:
    # In June 2025 the bureau sets a new standard from July 2025.
    ledger.set_parameter("dibao.standard", 114_000, "2025-07-01", "2025年标准", ADMIN,
                         "2025-06-20")  # fmt: skip
    # The March 2024 assessment, re-done for the same date, gives the same figures.
    assess(ledger, assessed_case, on=ASSESSED)

    first, second = events(ledger, assessed_case, "HouseholdAssessed")
    assert second.standard_fen == first.standard_fen == STANDARD_MARCH_2024
    assert second.parameters == first.parameters
    assert second.total_fen == first.total_fen


def test_the_confirmed_amount_is_the_assessed_amount_with_its_parameters(
    ledger: Ledger, active_case: UUID
) -> None:
    assessed = last_event(ledger, active_case, "HouseholdAssessed")
    confirmed = last_event(ledger, active_case, "EligibilityConfirmed")

    assert confirmed.monthly_amount_fen == assessed.total_fen
    assert confirmed.parameters == assessed.parameters


def test_assessment_without_the_standard_set_is_refused() -> None:
    # A fresh ledger of another district where nobody set parameters yet.
    bare = Ledger(district="320402")
    case_id = bare.submit_application(application(), CASEWORKER).id
    do(bare, case_id, "accept", occurred_on=ACCEPTED)
    check(bare, case_id)
    visit(bare, case_id)

    with refused(bare, "parameter_missing", aggregate_id=case_id):
        assess(bare, case_id)


def test_tekun_counts_one_person_and_pays_the_tekun_gap(ledger: Ledger) -> None:
    tekun = application(
        programme="TEKUN",
        members=[member(GRANDFATHER_ID, "self"),
                 member(SON_ID, "grandchild", counted=False, excluded_reason="另有户籍")],
    )  # fmt: skip
    case_id = ledger.submit_application(tekun, CASEWORKER).id
    do(ledger, case_id, "accept", occurred_on=ACCEPTED)
    do(ledger, case_id, "complete_economic_check", occurred_on=CHECKED,
       incomes=[{"person_id": GRANDFATHER, "declared_fen": 20_000, "verified_fen": 20_000}],
       property={}, public_servant_match=False, data_source="核对平台")  # fmt: skip
    visit(ledger, case_id)

    assess(ledger, case_id)

    assessed = last_event(ledger, case_id, "HouseholdAssessed")
    assert assessed.standard_fen == 140_400
    assert assessed.total_fen == 140_400 - 20_000
    assert ledger.get_case(case_id).counted == [GRANDFATHER]


def test_dibao_edge_household_up_to_one_and_a_half_times_the_standard_is_eligible(
    ledger: Ledger,
) -> None:
    case_id = ledger.submit_application(application(programme="DIBAO_EDGE"), CASEWORKER).id
    do(ledger, case_id, "accept", occurred_on=ACCEPTED)
    # 150,000 fen per head: above 108,000, below 162,000.
    do(ledger, case_id, "complete_economic_check", occurred_on=CHECKED,
       incomes=[{"person_id": MOTHER, "declared_fen": 300_000, "verified_fen": 300_000}],
       property={}, public_servant_match=False, data_source="核对平台")  # fmt: skip
    visit(ledger, case_id)

    assess(ledger, case_id)

    assessed = last_event(ledger, case_id, "HouseholdAssessed")
    assert assessed.threshold_fen == 162_000
    assert assessed.eligible is True


# -- the household at submission ------------------------------------------------------------------


def test_submission_records_the_members_with_personal_data_apart(ledger: Ledger) -> None:
    case_id = ledger.submit_application(application(), CASEWORKER).id

    submitted = last_event(ledger, case_id, "ApplicationSubmitted")
    mother = submitted.members[0]
    assert mother["person_id"] == MOTHER
    assert mother["personal"] == {"name": "张三", "id_number": MOTHER_ID}
    assert MOTHER_ID not in {v for k, v in mother.items() if k != "personal"}
    assert submitted.kin_of_staff is False
    assert submitted.channel == "counter"


def test_an_id_number_with_a_wrong_check_digit_is_refused(ledger: Ledger) -> None:
    wrong = MOTHER_ID[:17] + ("0" if MOTHER_ID[17] != "0" else "1")

    with refused(ledger, "invalid_input", InvalidInput) as caught:
        ledger.submit_application(application(members=[member(wrong, "self")]), CASEWORKER)

    assert caught.value.field == "members.0.id_number"
    assert "check digit" in caught.value.message


def test_the_same_person_cannot_be_listed_twice(ledger: Ledger) -> None:
    twice = [member(MOTHER_ID, "self"), member(MOTHER_ID.lower(), "spouse")]

    with refused(ledger, "invalid_input", InvalidInput) as caught:
        ledger.submit_application(application(members=twice), CASEWORKER)

    assert caught.value.field == "members.1.id_number"


def test_an_excluded_member_needs_a_reason(ledger: Ledger) -> None:
    members = [member(MOTHER_ID, "self"), member(SON_ID, "child", counted=False)]

    with refused(ledger, "invalid_input", InvalidInput) as caught:
        ledger.submit_application(application(members=members), CASEWORKER)

    assert caught.value.field == "members.1.excluded_reason"


def test_at_least_one_member_must_be_counted(ledger: Ledger) -> None:
    members = [member(MOTHER_ID, "self", counted=False, excluded_reason="服刑")]

    with refused(ledger, "invalid_input", InvalidInput) as caught:
        ledger.submit_application(application(members=members), CASEWORKER)

    assert caught.value.field == "members"


def test_tekun_counts_exactly_one_person(ledger: Ledger) -> None:
    two = [member(GRANDFATHER_ID, "self"), member(MOTHER_ID, "child")]

    with refused(ledger, "invalid_input", InvalidInput) as caught:
        ledger.submit_application(application(programme="TEKUN", members=two), CASEWORKER)

    assert "count exactly one" in caught.value.message


@pytest.mark.parametrize(("field", "value"), [("programme", "WELFARE"), ("channel", "phone")])
def test_an_unknown_programme_or_channel_is_refused(ledger: Ledger, field: str, value: str) -> None:
    with refused(ledger, "invalid_input", InvalidInput) as caught:
        ledger.submit_application(application(**{field: value}), CASEWORKER)

    assert caught.value.field == field


# -- one active DIBAO or TEKUN case per person -----------------------------------------------------


def enrolled(ledger: Ledger, programme: str, *members: dict[str, Any]) -> UUID:
    """Another case, confirmed, that counts `members` (the in-memory ledger keeps the rule)."""
    case_id = ledger.submit_application(
        application(programme=programme, members=list(members), occurred_on="2024-03-01"),
        CASEWORKER,
    ).id
    walk_to_active(ledger, case_id)
    return case_id


def test_a_person_counted_in_an_active_dibao_case_cannot_apply_again(ledger: Ledger) -> None:
    other_case = enrolled(ledger, "DIBAO", member(SON_ID, "self"))

    with refused(ledger, "double_enrolment") as caught:
        ledger.submit_application(application(), CASEWORKER)

    assert str(other_case) not in caught.value.message  # no other case is named
    assert SON_ID not in caught.value.message and SON not in caught.value.message


def test_a_person_in_an_active_dibao_case_cannot_get_tekun(ledger: Ledger) -> None:
    enrolled(ledger, "DIBAO", member(GRANDFATHER_ID, "self"))
    tekun = application(programme="TEKUN", members=[member(GRANDFATHER_ID, "self")])

    with refused(ledger, "double_enrolment"):
        ledger.submit_application(tekun, CASEWORKER)


def test_a_person_in_an_active_tekun_case_cannot_be_counted_in_dibao(ledger: Ledger) -> None:
    enrolled(ledger, "TEKUN", member(MOTHER_ID, "self"))

    with refused(ledger, "double_enrolment"):
        ledger.submit_application(application(), CASEWORKER)


def test_an_excluded_member_may_be_counted_elsewhere(ledger: Ledger) -> None:
    # The son lives with his father, who receives DIBAO for him.
    enrolled(ledger, "DIBAO", member(SON_ID, "child"))
    members = [member(MOTHER_ID, "self"),
               member(SON_ID, "child", counted=False, excluded_reason="随父计入低保")]  # fmt: skip

    case_id = ledger.submit_application(application(members=members), CASEWORKER).id

    assert ledger.get_case(case_id).counted == [MOTHER]


def test_enrolment_in_a_non_exclusive_programme_does_not_block(ledger: Ledger) -> None:
    edge = application(programme="DIBAO_EDGE", members=[member(MOTHER_ID, "self")],
                       occurred_on="2024-03-01")  # fmt: skip
    case_id = ledger.submit_application(edge, CASEWORKER).id
    income = {"person_id": MOTHER, "declared_fen": 120_000, "verified_fen": 120_000}
    for command, payload in PROCEDURE:
        if command == "complete_economic_check":
            payload = {**payload, "incomes": [income]}
        do(ledger, case_id, command, **payload)
    confirm(ledger, case_id, on="2024-03-14")
    assert ledger.get_case(case_id).status == "active"

    ledger.submit_application(application(), CASEWORKER)

    assert ledger.latest_position() > 0


def test_confirmation_refused_while_another_case_holds_a_member(
    ledger: Ledger, notice_closed_case: UUID
) -> None:
    # While the case ran, the son was included in his father's DIBAO case.
    other_case = enrolled(ledger, "DIBAO", member(SON_ID, "child"))

    with refused(ledger, "double_enrolment", aggregate_id=notice_closed_case) as caught:
        confirm(ledger, notice_closed_case)

    assert str(other_case) not in caught.value.message  # no other case is named


def test_a_pending_case_holds_no_place(ledger: Ledger, notice_closed_case: UUID) -> None:
    # Submitted but not confirmed: the son may still be confirmed elsewhere first.
    other_case = enrolled(ledger, "DIBAO", member(SON_ID, "child"))

    assert ledger.get_case(other_case).status == "active"
    assert ledger.enrolment_of(SON).holder == str(other_case)


# -- deadlines from the holiday calendar [law] -----------------------------------------------------


def test_acceptance_records_the_due_dates_in_working_days(ledger: Ledger) -> None:
    # Submitted Monday 2024-04-29, accepted the next day; Labour Day is off 05-01..05-05,
    # and Saturday 05-11 is a make-up working day.
    case_id = ledger.submit_application(application(occurred_on="2024-04-29"), CASEWORKER).id
    do(ledger, case_id, "accept", occurred_on="2024-04-30")

    accepted = last_event(ledger, case_id, "ApplicationAccepted")
    assert accepted.investigation_due == "2024-05-08"  # 3 working days after acceptance
    assert accepted.decision_due == "2024-05-15"  # 10 working days after submission
    assert accepted.case_due == "2024-06-13"  # 30, skipping the Dragon Boat Festival 06-10


def test_processing_can_be_extended_once_to_45_working_days(
    ledger: Ledger, accepted_case: UUID
) -> None:
    do(ledger, accepted_case, "extend_processing", occurred_on="2024-04-01",
       reason="需补充外省核对结果")  # fmt: skip

    extended = last_event(ledger, accepted_case, "ProcessingExtended")
    assert extended.case_due == "2024-05-09"  # 45 working days after 2024-03-04
    with refused(ledger, "extended", aggregate_id=accepted_case):
        do(ledger, accepted_case, "extend_processing", occurred_on="2024-04-02", reason="再延")


def test_an_extension_needs_a_reason(ledger: Ledger, accepted_case: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=accepted_case):
        do(ledger, accepted_case, "extend_processing", occurred_on="2024-04-01", reason=" ")


def test_a_decided_case_cannot_be_extended(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=active_case):
        do(ledger, active_case, "extend_processing", occurred_on="2024-04-01", reason="延期")


# -- denial -----------------------------------------------------------------------------------


def test_denial_records_the_notice_due_three_working_days_later(ledger: Ledger) -> None:
    case_id = ledger.submit_application(application(occurred_on="2024-09-23"), CASEWORKER).id

    # Denied on the eve of National Day: 10-01..10-07 are off.
    do(ledger, case_id, "deny", APPROVER, occurred_on="2024-09-30", reasons=["收入高于标准"])

    denied = last_event(ledger, case_id, "EligibilityDenied")
    assert denied.notice_due == "2024-10-10"
    assert denied.reasons == ["收入高于标准"]
    assert ledger.get_case(case_id).status == "denied"


@pytest.mark.parametrize("reasons", [[], [""], ["  "]])
def test_a_denial_needs_a_reason(ledger: Ledger, accepted_case: UUID, reasons: list[str]) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=accepted_case):
        do(ledger, accepted_case, "deny", APPROVER, occurred_on="2024-03-20", reasons=reasons)


def test_an_active_case_cannot_be_denied(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=active_case):
        do(ledger, active_case, "deny", APPROVER, occurred_on="2024-03-20", reasons=["迟到"])


def test_a_denied_case_cannot_be_accepted(ledger: Ledger, submitted_case: UUID) -> None:
    do(ledger, submitted_case, "deny", APPROVER, occurred_on="2024-03-05", reasons=["材料不全"])

    with refused(ledger, "wrong_status", aggregate_id=submitted_case):
        do(ledger, submitted_case, "accept", occurred_on="2024-03-06")


# -- reviews [law] ----------------------------------------------------------------------------


def test_a_stable_household_is_reviewed_yearly(ledger: Ledger, active_case: UUID) -> None:
    confirmed = last_event(ledger, active_case, "EligibilityConfirmed")

    assert confirmed.next_review_due == "2025-03-01"


def test_irregular_income_with_a_member_able_to_work_is_reviewed_every_six_months(
    ledger: Ledger, investigated_case: UUID
) -> None:
    assess(ledger, investigated_case, irregular_income=True)
    post_notice(ledger, investigated_case)
    close_notice(ledger, investigated_case)

    confirm(ledger, investigated_case)

    assert last_event(ledger, investigated_case, "EligibilityConfirmed").next_review_due == (
        "2024-09-01"
    )


def test_irregular_income_without_a_member_able_to_work_is_reviewed_yearly(
    ledger: Ledger,
) -> None:
    members = [member(MOTHER_ID, "self", able_to_work=False), member(SON_ID, "child")]
    case_id = ledger.submit_application(application(members=members), CASEWORKER).id
    do(ledger, case_id, "accept", occurred_on=ACCEPTED)
    check(ledger, case_id)
    visit(ledger, case_id)
    assess(ledger, case_id, irregular_income=True)
    post_notice(ledger, case_id)
    close_notice(ledger, case_id)

    confirm(ledger, case_id)

    assert last_event(ledger, case_id, "EligibilityConfirmed").next_review_due == "2025-03-01"


def test_a_review_sets_the_next_review_due(ledger: Ledger, active_case: UUID) -> None:
    do(ledger, active_case, "complete_review", occurred_on="2024-09-10",
       findings="收入不稳定", irregular_income=True)  # fmt: skip
    assert last_event(ledger, active_case, "PeriodicReviewCompleted").next_review_due == (
        "2025-03-01"
    )

    do(ledger, active_case, "complete_review", occurred_on="2025-02-20",
       findings="已稳定就业", irregular_income=False)  # fmt: skip
    assert last_event(ledger, active_case, "PeriodicReviewCompleted").next_review_due == (
        "2026-02-01"
    )


def test_a_tekun_case_is_reviewed_yearly_even_with_irregular_income(ledger: Ledger) -> None:
    tekun = application(programme="TEKUN",
                        members=[member(GRANDFATHER_ID, "self", able_to_work=True)])  # fmt: skip
    case_id = ledger.submit_application(tekun, CASEWORKER).id
    do(ledger, case_id, "accept", occurred_on=ACCEPTED)
    do(ledger, case_id, "complete_economic_check", occurred_on=CHECKED,
       incomes=[{"person_id": GRANDFATHER, "declared_fen": 0, "verified_fen": 0}],
       property={}, public_servant_match=False, data_source="核对平台")  # fmt: skip
    visit(ledger, case_id)
    assess(ledger, case_id, irregular_income=True)
    post_notice(ledger, case_id)
    close_notice(ledger, case_id)

    confirm(ledger, case_id)

    assert last_event(ledger, case_id, "EligibilityConfirmed").next_review_due == "2025-03-01"


def test_a_case_under_application_cannot_be_reviewed(ledger: Ledger, accepted_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=accepted_case):
        do(ledger, accepted_case, "complete_review", occurred_on="2024-03-20", findings="-")


# -- while active: changes, adjustments, suspension ----------------------------------------------


def test_an_adjustment_records_the_new_amount(ledger: Ledger, active_case: UUID) -> None:
    do(ledger, active_case, "adjust", occurred_on="2024-07-10", monthly_amount_fen=120_000,
       effective_month="2024-08", reason="母亲就业收入增加")  # fmt: skip

    adjusted = last_event(ledger, active_case, "BenefitAdjusted")
    assert adjusted.monthly_amount_fen == 120_000
    assert adjusted.effective_month == "2024-08"
    assert ledger.get_case(active_case).monthly_amount_fen == 120_000


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reduction_needs_a_reason(ledger: Ledger, active_case: UUID, reason: str) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case) as caught:
        do(ledger, active_case, "adjust", occurred_on="2024-07-10", monthly_amount_fen=100_000,
           effective_month="2024-08", reason=reason)  # fmt: skip

    assert caught.value.field == "reason"


def test_an_adjustment_to_the_same_amount_is_refused(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "no_change", aggregate_id=active_case):
        do(ledger, active_case, "adjust", occurred_on="2024-07-10",
           monthly_amount_fen=ledger.get_case(active_case).benefit.amount_in_force("2024-08"),
           effective_month="2024-08", reason="复核")  # fmt: skip


def test_a_change_report_needs_a_description(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case):
        do(ledger, active_case, "report_change", occurred_on="2024-05-02", description=" ",
           evidence="")  # fmt: skip

    do(ledger, active_case, "report_change", occurred_on="2024-05-02",
       description="儿子住院", evidence="出院小结")  # fmt: skip
    assert last_event(ledger, active_case, "ChangeReported").description == "儿子住院"


def test_a_suspended_benefit_resumes_only_after_the_suspended_month(
    ledger: Ledger, suspended_case: UUID
) -> None:
    assert ledger.get_case(suspended_case).status == "suspended"

    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=suspended_case) as caught:
        do(ledger, suspended_case, "resume", occurred_on="2024-06-20", from_month="2024-06",
           reason="已返回")  # fmt: skip
    assert caught.value.field == "from_month"

    do(ledger, suspended_case, "resume", occurred_on="2024-07-03", from_month="2024-07",
       reason="已返回, 核查完毕")  # fmt: skip
    assert ledger.get_case(suspended_case).status == "active"


def test_suspension_and_resumption_need_a_reason(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case):
        do(ledger, active_case, "suspend", occurred_on="2024-06-05", from_month="2024-06",
           reason="")  # fmt: skip
    do(ledger, active_case, "suspend", occurred_on="2024-06-05", from_month="2024-06",
       reason="外出务工")  # fmt: skip

    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case):
        do(ledger, active_case, "resume", occurred_on="2024-07-03", from_month="2024-07",
           reason=" ")  # fmt: skip


def test_a_suspended_benefit_cannot_be_suspended_again(
    ledger: Ledger, suspended_case: UUID
) -> None:
    with refused(ledger, "wrong_status", aggregate_id=suspended_case):
        do(ledger, suspended_case, "suspend", occurred_on="2024-06-06", from_month="2024-06",
           reason="再次暂停")  # fmt: skip


def test_an_application_cannot_be_suspended(ledger: Ledger, accepted_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=accepted_case):
        do(ledger, accepted_case, "suspend", occurred_on="2024-03-06", from_month="2024-03",
           reason="暂停")  # fmt: skip


def test_an_active_benefit_cannot_be_resumed(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=active_case):
        do(ledger, active_case, "resume", occurred_on="2024-06-05", from_month="2024-06",
           reason="恢复")  # fmt: skip


# -- gradual exit [law] -----------------------------------------------------------------------


def test_gradual_exit_of_six_months_ends_five_months_after_it_starts(
    ledger: Ledger, active_case: UUID
) -> None:
    do(ledger, active_case, "start_gradual_exit", occurred_on="2024-08-05", from_month="2024-09",
       months=6, reason="母亲就业, 收入超过标准")  # fmt: skip

    started = last_event(ledger, active_case, "GradualExitStarted")
    assert started.until_month == "2025-02"


@pytest.mark.parametrize("months", [0, 7, 12])
def test_gradual_exit_lasts_one_to_six_months(
    ledger: Ledger, active_case: UUID, months: int
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case) as caught:
        do(ledger, active_case, "start_gradual_exit", occurred_on="2024-08-05",
           from_month="2024-09", months=months, reason="就业")  # fmt: skip

    assert caught.value.field == "months"


def test_gradual_exit_needs_a_reason(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case):
        do(ledger, active_case, "start_gradual_exit", occurred_on="2024-08-05",
           from_month="2024-09", months=3, reason="")  # fmt: skip


def test_a_gradual_exit_cannot_be_started_twice(ledger: Ledger, active_case: UUID) -> None:
    do(ledger, active_case, "start_gradual_exit", occurred_on="2024-08-05", from_month="2024-09",
       months=3, reason="就业")  # fmt: skip

    # A second exit would stretch the benefit beyond six months.
    with refused(ledger, "gradual_exit_running", aggregate_id=active_case):
        do(ledger, active_case, "start_gradual_exit", occurred_on="2024-11-05",
           from_month="2024-12", months=6, reason="再次渐退")  # fmt: skip


def test_a_suspended_benefit_cannot_start_a_gradual_exit(
    ledger: Ledger, suspended_case: UUID
) -> None:
    with refused(ledger, "wrong_status", aggregate_id=suspended_case):
        do(ledger, suspended_case, "start_gradual_exit", occurred_on="2024-08-05",
           from_month="2024-09", months=3, reason="就业")  # fmt: skip


# -- early warnings -----------------------------------------------------------------------------


def test_an_early_warning_is_raised_and_resolved(ledger: Ledger, active_case: UUID) -> None:
    do(ledger, active_case, "raise_warning", occurred_on="2024-05-10", kind="hospitalisation",
       detail="儿子住院 3 周")  # fmt: skip
    warning_id = last_event(ledger, active_case, "EarlyWarningRaised").warning_id
    assert ledger.get_case(active_case).open_warnings == {warning_id}

    do(ledger, active_case, "resolve_warning", occurred_on="2024-05-20", warning_id=warning_id,
       resolution="已给予临时救助")  # fmt: skip

    assert ledger.get_case(active_case).open_warnings == set()
    with refused(ledger, "warning_unknown", aggregate_id=active_case):
        do(ledger, active_case, "resolve_warning", occurred_on="2024-05-21",
           warning_id=warning_id, resolution="再次处理")  # fmt: skip


def test_resolving_a_warning_needs_a_resolution(ledger: Ledger, active_case: UUID) -> None:
    do(ledger, active_case, "raise_warning", occurred_on="2024-05-10", kind="death_signal",
       detail="火化信息比对")  # fmt: skip
    warning_id = last_event(ledger, active_case, "EarlyWarningRaised").warning_id

    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case):
        do(ledger, active_case, "resolve_warning", occurred_on="2024-05-20",
           warning_id=warning_id, resolution="")  # fmt: skip


def test_a_warning_needs_a_kind(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case):
        do(ledger, active_case, "raise_warning", occurred_on="2024-05-10", kind="", detail="-")


def test_a_case_under_application_gets_no_warning(ledger: Ledger, accepted_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=accepted_case):
        do(ledger, accepted_case, "raise_warning", occurred_on="2024-03-10",
           kind="large_medical_bill", detail="-")  # fmt: skip


# -- termination (deregistration) -----------------------------------------------------------


def test_termination_records_reason_and_effective_month(ledger: Ledger, active_case: UUID) -> None:
    do(ledger, active_case, "terminate", occurred_on="2024-10-08", reason_code="moved_away",
       reason="迁往外省", effective_month="2024-11")  # fmt: skip

    terminated = last_event(ledger, active_case, "BenefitTerminated")
    assert (terminated.reason_code, terminated.effective_month) == ("moved_away", "2024-11")
    assert ledger.get_case(active_case).status == "terminated"


def test_termination_needs_a_known_reason_code(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case) as caught:
        do(ledger, active_case, "terminate", occurred_on="2024-10-08", reason_code="bored",
           reason="不再需要", effective_month="2024-11")  # fmt: skip

    assert caught.value.field == "reason_code"


def test_termination_needs_a_reason(ledger: Ledger, active_case: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, aggregate_id=active_case):
        do(ledger, active_case, "terminate", occurred_on="2024-10-08", reason_code="voluntary",
           reason="  ", effective_month="2024-11")  # fmt: skip


@pytest.mark.parametrize(
    "reason_code",
    ["death", "income_above_standard", "property", "moved_away", "non_cooperation", "fraud",
     "voluntary", "gradual_exit_ended"],
)  # fmt: skip
def test_every_termination_reason_of_the_rules_is_accepted(
    ledger: Ledger, active_case: UUID, reason_code: str
) -> None:
    do(ledger, active_case, "terminate", occurred_on="2024-10-08", reason_code=reason_code,
       reason="经复核", effective_month="2024-11")  # fmt: skip

    assert ledger.get_case(active_case).status == "terminated"


def test_a_suspended_benefit_can_be_terminated(ledger: Ledger, suspended_case: UUID) -> None:
    do(ledger, suspended_case, "terminate", occurred_on="2024-07-08",
       reason_code="non_cooperation", reason="拒不配合核查", effective_month="2024-06")  # fmt: skip

    assert ledger.get_case(suspended_case).status == "terminated"


def test_a_terminated_benefit_cannot_change(ledger: Ledger, active_case: UUID) -> None:
    do(ledger, active_case, "terminate", occurred_on="2024-10-08", reason_code="voluntary",
       reason="本人申请退出", effective_month="2024-11")  # fmt: skip

    with refused(ledger, "wrong_status", aggregate_id=active_case):
        do(ledger, active_case, "adjust", occurred_on="2024-10-09", monthly_amount_fen=1,
           effective_month="2024-11", reason="调整")  # fmt: skip
    with refused(ledger, "wrong_status", aggregate_id=active_case):
        do(ledger, active_case, "terminate", occurred_on="2024-10-09", reason_code="voluntary",
           reason="再次终止", effective_month="2024-11")  # fmt: skip


def test_an_application_cannot_be_terminated(ledger: Ledger, accepted_case: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=accepted_case):
        do(ledger, accepted_case, "terminate", occurred_on="2024-03-08",
           reason_code="voluntary", reason="撤回", effective_month="2024-04")  # fmt: skip


# -- If-Match and Idempotency-Key ------------------------------------------------------------------


def test_a_stale_expected_version_is_refused(ledger: Ledger, accepted_case: UUID) -> None:
    # The caseworker loaded the case before it was accepted (version 1).
    with refused(ledger, "stale_version", StaleVersion, aggregate_id=accepted_case) as caught:
        do(ledger, accepted_case, "extend_processing", expected_version=1,
           occurred_on="2024-04-01", reason="补充材料")  # fmt: skip

    assert caught.value.status == 412
    assert caught.value.field == "If-Match"


def test_the_current_expected_version_is_accepted(ledger: Ledger, accepted_case: UUID) -> None:
    result = do(ledger, accepted_case, "extend_processing", expected_version=2,
                occurred_on="2024-04-01", reason="补充材料")  # fmt: skip

    assert result.version == 3


def test_a_retried_command_returns_the_same_result_and_records_nothing(
    ledger: Ledger, submitted_case: UUID
) -> None:
    first = do(ledger, submitted_case, "accept", idempotency_key="k-accept-1",
               occurred_on=ACCEPTED)  # fmt: skip
    position = ledger.latest_position()
    # The response was lost; the client sends the same request again.
    again = do(ledger, submitted_case, "accept", idempotency_key="k-accept-1",
               occurred_on=ACCEPTED)  # fmt: skip

    assert (again.id, again.version) == (first.id, first.version)
    assert ledger.latest_position() == position
    assert len(events(ledger, submitted_case, "ApplicationAccepted")) == 1


def test_a_retried_submission_creates_one_case(ledger: Ledger) -> None:
    first = ledger.submit_application(application(), CASEWORKER, idempotency_key="k-submit-1")
    position = ledger.latest_position()

    again = ledger.submit_application(application(), CASEWORKER, idempotency_key="k-submit-1")

    assert (again.id, again.version) == (first.id, first.version)
    assert ledger.latest_position() == position


def test_an_idempotency_key_reused_for_another_request_is_refused(
    ledger: Ledger, submitted_case: UUID
) -> None:
    do(ledger, submitted_case, "accept", idempotency_key="k-1", occurred_on=ACCEPTED)

    with refused(ledger, "idempotency_key_reused", InvalidInput, aggregate_id=submitted_case):
        do(ledger, submitted_case, "report_change", idempotency_key="k-1",
           occurred_on="2024-04-01", description="补充材料")  # fmt: skip


def test_an_idempotency_key_reused_with_another_payload_is_refused(
    ledger: Ledger, submitted_case: UUID
) -> None:
    do(ledger, submitted_case, "accept", idempotency_key="k-1", occurred_on=ACCEPTED)

    with refused(ledger, "idempotency_key_reused", InvalidInput, aggregate_id=submitted_case):
        do(ledger, submitted_case, "accept", idempotency_key="k-1", occurred_on="2024-03-06")


def test_idempotency_keys_belong_to_their_caller(ledger: Ledger, accepted_case: UUID) -> None:
    # Two caseworkers happen to pick the same key for different commands.
    other = Actor("worker-nandajie-2", "caseworker", "南大街街道")
    check(ledger, accepted_case)
    visit_result = ledger.record_case_home_visit(
        accepted_case, other, occurred_on=VISITED, investigators=STREET_INVESTIGATORS,
        district_level=False, findings="一致", idempotency_key="k-1",
    )  # fmt: skip
    mine = do(ledger, accepted_case, "extend_processing", idempotency_key="k-1",
              occurred_on="2024-04-01", reason="补充材料")  # fmt: skip

    assert mine.version == visit_result.version + 1


def test_a_refused_command_with_a_key_can_be_retried_after_the_cause_is_fixed(
    ledger: Ledger, accepted_case: UUID
) -> None:
    check(ledger, accepted_case)
    # Refused: no home visit yet. Nothing is remembered under the key.
    with refused(ledger, "visit_missing", aggregate_id=accepted_case):
        do(ledger, accepted_case, "record_assessment", idempotency_key="k-assess",
           occurred_on=ASSESSED)  # fmt: skip
    visit(ledger, accepted_case)

    do(ledger, accepted_case, "record_assessment", idempotency_key="k-assess",
       occurred_on=ASSESSED)  # fmt: skip

    assert len(events(ledger, accepted_case, "HouseholdAssessed")) == 1


# -- what every event carries, and replay -------------------------------------------------------


def test_every_event_records_the_actor_and_the_business_date(
    ledger: Ledger, active_case: UUID
) -> None:
    recorded = {type(e).__name__: e for e in events(ledger, active_case)}

    for name, event in recorded.items():
        assert event.actor["user"] and event.actor["role"], name
        assert date.fromisoformat(event.occurred_on), name
    assert recorded["ApplicationSubmitted"].actor == CASEWORKER.as_dict()
    assert recorded["ApplicationSubmitted"].occurred_on == SUBMITTED
    assert recorded["EligibilityConfirmed"].actor == APPROVER.as_dict()
    assert recorded["EligibilityConfirmed"].occurred_on == DECIDED
    assert recorded["PublicNoticeClosed"].occurred_on == CLOSED


def test_a_back_dated_entry_keeps_its_business_date(ledger: Ledger, submitted_case: UUID) -> None:
    # Accepted at the counter on the 5th, keyed in a week later.
    do(ledger, submitted_case, "accept", occurred_on=ACCEPTED)

    accepted = last_event(ledger, submitted_case, "ApplicationAccepted")
    assert accepted.occurred_on == ACCEPTED
    assert accepted.timestamp.date() != date(2024, 3, 5)


def test_case_as_of_an_earlier_version_replays_what_was_known_then(
    ledger: Ledger, active_case: UUID
) -> None:
    then = ledger.case_as_of(active_case, version=2)
    before_notice = ledger.case_as_of(active_case, version=5)
    now = ledger.case_as_of(active_case)

    assert then.status == "accepted"
    assert then.check is None
    assert before_notice.assessment is not None
    assert before_notice.notice is None
    assert now.status == "active"
    assert now.benefit.payable("2024-04") == (MONTHLY_TOTAL, None)
