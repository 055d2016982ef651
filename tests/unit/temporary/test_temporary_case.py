"""TemporaryAssistanceCase rules of DOMAIN.md 3.2 (临时救助), through the in-memory Ledger.

Every refusal also checks that nothing was recorded: the case version and the ledger's last
position stay where they were.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from builders import person_id_for
from helpers import ADMIN, events, last_event, names, refused

from domain.ledger import CommandResult, Ledger
from domain.shared.errors import Forbidden, InvalidInput, NotFound, StaleVersion
from domain.shared.identity import make_id_number
from domain.shared.ledger_base import IdempotencyRecord
from domain.shared.values import Actor

CASEWORKER = Actor("worker-nandajie", "caseworker", "南大街街道")
APPROVER = Actor("approver-district", "approver", "钟楼区民政局")
SUPERVISOR = Actor("supervisor-1", "supervisor", "钟楼区民政局")
INVESTIGATORS = ["inv-nandajie-1", "inv-nandajie-2"]

# The standard changes on 2023-07-01 (tests/helpers.py PARAMETERS), so the cap does too.
CAP_JUNE_2023 = 6 * 105_000
CAP = 6 * 108_000  # from July 2023
STREET_LIMIT = 300_000

REQUESTED = "2024-03-04"
PAID = "2024-03-04"
PAPERWORK_DUE = "2024-03-14"  # 10 calendar days after the advance aid
CHECKED, VISITED, DECIDED, CLOSED = "2024-03-05", "2024-03-06", "2024-03-08", "2024-03-11"

APPLICANT_ID = make_id_number("320404", date(1936, 4, 9), 701)
SPOUSE_ID = make_id_number("320404", date(1938, 8, 21), 702)
APPLICANT = person_id_for(APPLICANT_ID)
#: Personal data that no refusal may repeat.
PERSONAL = (APPLICANT_ID, SPOUSE_ID, "张三", "李四")


# -- helpers ----------------------------------------------------------------------------------


def help_request(assistance_type: str = "EMERGENCY", **overrides: Any) -> dict[str, Any]:
    """An elderly couple whose home burned (EMERGENCY) or whose medical bills pile up."""
    return {
        "type": assistance_type,
        "street": "南大街街道",
        "community": "西瀛里社区",
        "occurred_on": REQUESTED,
        "incident": "火灾致住房受损" if assistance_type == "EMERGENCY" else "重病医疗自负费用高",
        "members": [
            {"name": "张三", "id_number": APPLICANT_ID, "relation": "self"},
            {"name": "李四", "id_number": SPOUSE_ID, "relation": "spouse"},
        ],
        **overrides,
    }


def do(
    ledger: Ledger,
    case_id: UUID,
    command: str,
    actor: Actor = CASEWORKER,
    *,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
    **payload: Any,
) -> CommandResult:
    run = {
        "grant_advance_aid": Ledger.grant_advance_aid,
        "complete_paperwork": Ledger.complete_paperwork,
        "complete_economic_check": Ledger.complete_temporary_economic_check,
        "conduct_home_visit": Ledger.record_temporary_home_visit,
        "approve_grant": Ledger.approve_temporary_grant,
        "deny": Ledger.deny_temporary_aid,
        "close": Ledger.close_temporary_case,
    }[command]
    return run(
        ledger, case_id, actor, **payload,
        expected_version=expected_version, idempotency_key=idempotency_key,
    )  # fmt: skip


def advance(
    ledger: Ledger, case_id: UUID, amount_fen: int = 200_000, actor: Actor = CASEWORKER,
    on: str = PAID, **extra: Any,
) -> CommandResult:  # fmt: skip
    return do(ledger, case_id, "grant_advance_aid", actor, occurred_on=on, amount_fen=amount_fen,
              **extra)  # fmt: skip


def paperwork(ledger: Ledger, case_id: UUID, on: str = "2024-03-10") -> CommandResult:
    return do(ledger, case_id, "complete_paperwork", occurred_on=on,
              documents=["临时救助申请书", "火灾证明"])  # fmt: skip


def check(ledger: Ledger, case_id: UUID, on: str = CHECKED) -> None:
    do(ledger, case_id, "complete_economic_check", occurred_on=on,
       incomes=[{"person_id": APPLICANT, "declared_fen": 80_000, "verified_fen": 80_000}],
       property={"vehicles": 0, "companies": 0, "real_estate_units": 1, "deposits_fen": 0},
       public_servant_match=False, data_source="江苏省居民家庭经济状况核对平台")  # fmt: skip


def visit(
    ledger: Ledger, case_id: UUID, on: str = VISITED, investigators: list[str] = INVESTIGATORS
) -> None:
    do(ledger, case_id, "conduct_home_visit", occurred_on=on, investigators=investigators,
       findings="医疗支出属实")  # fmt: skip


def grant(
    ledger: Ledger, case_id: UUID, amount_fen: int = 200_000, actor: Actor = CASEWORKER,
    on: str = DECIDED, **extra: Any,
) -> CommandResult:  # fmt: skip
    return do(ledger, case_id, "approve_grant", actor, occurred_on=on, amount_fen=amount_fen,
              **extra)  # fmt: skip


def close(ledger: Ledger, case_id: UUID, on: str = CLOSED) -> CommandResult:
    return do(ledger, case_id, "close", occurred_on=on, reason="救助已办结")


def conference(held_on: str = DECIDED) -> dict[str, str]:
    return {"decision_ref": "钟民临〔2024〕3号", "held_on": held_on}


# -- fixtures, named after the state they build -------------------------------------------------


@pytest.fixture
def emergency(ledger: Ledger) -> UUID:
    return ledger.request_help(help_request("EMERGENCY"), CASEWORKER).id


@pytest.fixture
def advanced(ledger: Ledger, emergency: UUID) -> UUID:
    advance(ledger, emergency)
    return emergency


@pytest.fixture
def documented(ledger: Ledger, advanced: UUID) -> UUID:
    paperwork(ledger, advanced)
    return advanced


@pytest.fixture
def expenditure(ledger: Ledger) -> UUID:
    return ledger.request_help(help_request("EXPENDITURE"), CASEWORKER).id


@pytest.fixture
def investigated(ledger: Ledger, expenditure: UUID) -> UUID:
    """Economic check completed and a home visit by two investigators."""
    check(ledger, expenditure)
    visit(ledger, expenditure)
    return expenditure


@pytest.fixture
def granted(ledger: Ledger, investigated: UUID) -> UUID:
    grant(ledger, investigated)
    return investigated


@pytest.fixture
def denied(ledger: Ledger, expenditure: UUID) -> UUID:
    do(ledger, expenditure, "deny", APPROVER, occurred_on=DECIDED, reasons=["收入高于标准"])
    return expenditure


@pytest.fixture
def closed(ledger: Ledger, granted: UUID) -> UUID:
    close(ledger, granted)
    return granted


# -- EMERGENCY: advance aid first, paperwork after (先行救助) ----------------------------------


def test_an_emergency_is_paid_at_once_documented_after_and_closed(ledger: Ledger) -> None:
    # A fire: the street pays 2,000 yuan the day the household asks.
    case_id = ledger.request_help(help_request("EMERGENCY"), CASEWORKER).id
    advance(ledger, case_id, 200_000)
    # The paperwork follows within the ten days, then the case is closed.
    paperwork(ledger, case_id, "2024-03-10")
    close(ledger, case_id)

    assert ledger.get_temporary_case(case_id).status == "closed"
    assert names(ledger, case_id) == [
        "HelpRequested", "AdvanceAidGranted", "PaperworkCompleted", "CaseClosed",
    ]  # fmt: skip


def test_advance_aid_records_level_cap_parameters_and_paperwork_due(
    ledger: Ledger, advanced: UUID
) -> None:
    paid = last_event(ledger, advanced, "AdvanceAidGranted")

    assert paid.amount_fen == 200_000
    assert paid.approver_level == "street"
    assert paid.cap_fen == CAP
    assert paid.street_limit_fen == STREET_LIMIT
    assert paid.paperwork_due == PAPERWORK_DUE
    assert paid.case_conference is None
    assert paid.parameters == {
        "dibao.standard": "dibao.standard@v3",
        "temporary.cap_multiple": "temporary.cap_multiple@v2",
        "temporary.paperwork_days": "temporary.paperwork_days@v2",
        "temporary.street_limit_fen": "temporary.street_limit_fen@v2",
    }
    assert paid.actor == CASEWORKER.as_dict()


def test_paperwork_on_the_due_date_is_on_time(ledger: Ledger, advanced: UUID) -> None:
    paperwork(ledger, advanced, PAPERWORK_DUE)

    done = last_event(ledger, advanced, "PaperworkCompleted")
    assert done.late is False
    assert done.paperwork_due == PAPERWORK_DUE


def test_late_paperwork_is_accepted_and_recorded_as_late(ledger: Ledger, advanced: UUID) -> None:
    paperwork(ledger, advanced, "2024-03-15")

    assert last_event(ledger, advanced, "PaperworkCompleted").late is True
    assert ledger.get_temporary_case(advanced).status == "documented"


def test_paperwork_comes_only_after_advance_aid(ledger: Ledger, emergency: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=emergency, not_in_message=PERSONAL) as caught:
        paperwork(ledger, emergency)

    assert "only after advance aid" in caught.value.message


def test_paperwork_names_at_least_one_document(ledger: Ledger, advanced: UUID) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=advanced, not_in_message=PERSONAL
    ) as caught:
        do(ledger, advanced, "complete_paperwork", occurred_on="2024-03-10", documents=[" "])

    assert caught.value.field == "documents"


def test_paperwork_cannot_be_dated_before_the_advance_aid(ledger: Ledger) -> None:
    case_id = ledger.request_help(help_request("EMERGENCY"), CASEWORKER).id
    advance(ledger, case_id, on="2024-03-06")

    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=case_id, not_in_message=PERSONAL
    ) as caught:
        paperwork(ledger, case_id, "2024-03-05")

    assert caught.value.field == "occurred_on"


def test_advance_aid_is_paid_once(ledger: Ledger, advanced: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=advanced, not_in_message=PERSONAL):
        advance(ledger, advanced)


def test_advance_aid_is_only_for_emergencies(ledger: Ledger, investigated: UUID) -> None:
    with refused(
        ledger, "wrong_type", aggregate_id=investigated, not_in_message=PERSONAL
    ) as caught:
        advance(ledger, investigated)

    assert "EXPENDITURE" in caught.value.message


def test_an_emergency_cannot_close_before_its_paperwork(ledger: Ledger, advanced: UUID) -> None:
    with refused(ledger, "paperwork_missing", aggregate_id=advanced, not_in_message=PERSONAL):
        close(ledger, advanced)


def test_an_emergency_gets_no_grant_and_no_checks(ledger: Ledger, emergency: UUID) -> None:
    with refused(ledger, "wrong_type", aggregate_id=emergency, not_in_message=PERSONAL):
        grant(ledger, emergency)
    with refused(ledger, "wrong_type", aggregate_id=emergency, not_in_message=PERSONAL):
        check(ledger, emergency)
    with refused(ledger, "wrong_type", aggregate_id=emergency, not_in_message=PERSONAL):
        visit(ledger, emergency)


def test_a_paid_emergency_cannot_be_denied(ledger: Ledger, advanced: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=advanced, not_in_message=PERSONAL):
        do(ledger, advanced, "deny", APPROVER, occurred_on=DECIDED, reasons=["不符合条件"])


# -- EXPENDITURE: the checks of 3.1, then a grant or a denial ---------------------------------


def test_an_expenditure_case_is_checked_visited_granted_and_closed(ledger: Ledger) -> None:
    case_id = ledger.request_help(help_request("EXPENDITURE"), CASEWORKER).id
    check(ledger, case_id)
    visit(ledger, case_id)
    result = grant(ledger, case_id, 250_000)
    close(ledger, case_id)

    assert result.version == 4
    assert names(ledger, case_id) == [
        "HelpRequested", "EconomicCheckCompleted", "HomeVisitConducted", "GrantApproved",
        "CaseClosed",
    ]  # fmt: skip
    granted_event = last_event(ledger, case_id, "GrantApproved")
    assert granted_event.amount_fen == 250_000
    assert granted_event.approver_level == "street"
    assert granted_event.cap_fen == CAP
    assert granted_event.street_limit_fen == STREET_LIMIT
    assert granted_event.parameters["dibao.standard"] == "dibao.standard@v3"
    assert "temporary.paperwork_days" not in granted_event.parameters


def test_a_grant_needs_the_economic_check(ledger: Ledger, expenditure: UUID) -> None:
    visit(ledger, expenditure)

    with refused(
        ledger, "procedure_incomplete", aggregate_id=expenditure, not_in_message=PERSONAL
    ) as caught:
        grant(ledger, expenditure)

    assert "the economic check is not completed" in caught.value.message
    assert "home visit" not in caught.value.message


def test_a_grant_needs_a_home_visit(ledger: Ledger, expenditure: UUID) -> None:
    check(ledger, expenditure)

    with refused(
        ledger, "procedure_incomplete", aggregate_id=expenditure, not_in_message=PERSONAL
    ) as caught:
        grant(ledger, expenditure)

    assert "no home visit" in caught.value.message


@pytest.mark.parametrize(
    "investigators",
    [["inv-1"], ["inv-1", "inv-1"], ["inv-1", " inv-1 "], ["inv-1", "inv-1 "], ["inv-1", " "],
     ["inv-1", "inv-2", ""], ["inv-1", "x" * 100_000], ["inv-1", "inv\u00002"], []],
)  # fmt: skip
def test_a_home_visit_needs_two_different_investigators(
    ledger: Ledger, expenditure: UUID, investigators: list[str]
) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=expenditure, not_in_message=PERSONAL
    ) as caught:
        visit(ledger, expenditure, investigators=investigators)

    assert caught.value.field == "investigators"


def test_the_check_may_only_name_members_of_the_household(
    ledger: Ledger, expenditure: UUID
) -> None:
    stranger = person_id_for(make_id_number("320404", date(1980, 1, 1), 903))

    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=expenditure, not_in_message=PERSONAL
    ) as caught:
        do(ledger, expenditure, "complete_economic_check", occurred_on=CHECKED,
           incomes=[{"person_id": stranger, "declared_fen": 0, "verified_fen": 0}],
           property={}, public_servant_match=False, data_source="核对平台")  # fmt: skip

    assert caught.value.field == "incomes"


def test_a_grant_cannot_predate_the_checks(ledger: Ledger, investigated: UUID) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=investigated, not_in_message=PERSONAL
    ) as caught:
        grant(ledger, investigated, on=CHECKED)  # the visit was the day after

    assert caught.value.field == "occurred_on"


def test_the_approver_may_not_have_visited_the_household(
    ledger: Ledger, investigated: UUID
) -> None:
    visitor = Actor(INVESTIGATORS[0], "approver", "钟楼区民政局")

    with refused(
        ledger, "approver_investigated", aggregate_id=investigated, not_in_message=PERSONAL
    ):
        grant(ledger, investigated, actor=visitor)


@pytest.mark.parametrize("approver", ["approver-1", " approver-1", "approver-1 "])
def test_the_approver_may_not_have_visited_under_a_padded_user_id(
    ledger: Ledger, expenditure: UUID, approver: str
) -> None:
    check(ledger, expenditure)
    visit(ledger, expenditure, investigators=["approver-1 ", "inv-b"])

    with refused(
        ledger, "approver_investigated", aggregate_id=expenditure, not_in_message=PERSONAL
    ):
        grant(ledger, expenditure, actor=Actor(approver, "approver", "钟楼区民政局"))


def test_a_denial_needs_a_reason(ledger: Ledger, expenditure: UUID) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=expenditure, not_in_message=PERSONAL
    ) as caught:
        do(ledger, expenditure, "deny", APPROVER, occurred_on=DECIDED, reasons=["  "])

    assert caught.value.field == "reasons"


def test_a_denied_case_is_closed_and_cannot_be_granted(ledger: Ledger, denied: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=denied, not_in_message=PERSONAL):
        grant(ledger, denied)

    close(ledger, denied)
    assert names(ledger, denied)[-2:] == ["GrantDenied", "CaseClosed"]


def test_a_granted_case_cannot_be_granted_or_denied_again(ledger: Ledger, granted: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=granted, not_in_message=PERSONAL):
        grant(ledger, granted)
    with refused(ledger, "wrong_status", aggregate_id=granted, not_in_message=PERSONAL):
        do(ledger, granted, "deny", APPROVER, occurred_on=DECIDED, reasons=["不符合条件"])


# -- amounts: cap, street limit, case conference -----------------------------------------------


def test_the_cap_is_the_multiple_of_the_standard_in_force_on_the_decision_date(
    ledger: Ledger,
) -> None:
    # In June 2023 the standard is 1,050 yuan: the cap is 6,300 yuan.
    june = ledger.request_help(help_request("EXPENDITURE", occurred_on="2023-06-01"), CASEWORKER)
    check(ledger, june.id, "2023-06-02")
    visit(ledger, june.id, "2023-06-02")
    with refused(ledger, "over_cap", aggregate_id=june.id, not_in_message=PERSONAL):
        grant(ledger, june.id, CAP_JUNE_2023 + 100, APPROVER, on="2023-06-30")

    # From July the standard is 1,080 yuan: the cap is 6,480 yuan and the same sum fits.
    grant(ledger, june.id, CAP_JUNE_2023 + 100, APPROVER, on="2023-07-03")
    assert last_event(ledger, june.id, "GrantApproved").cap_fen == CAP


def test_an_amount_above_the_cap_is_refused_without_a_case_conference(
    ledger: Ledger, investigated: UUID
) -> None:
    with refused(ledger, "over_cap", aggregate_id=investigated, not_in_message=PERSONAL) as caught:
        grant(ledger, investigated, CAP + 1, APPROVER)

    assert "一事一议" in caught.value.message
    assert "6,480.00 yuan" in caught.value.message
    assert caught.value.field == "amount_fen"


def test_the_cap_itself_needs_no_case_conference(ledger: Ledger, investigated: UUID) -> None:
    grant(ledger, investigated, CAP, APPROVER)

    assert last_event(ledger, investigated, "GrantApproved").case_conference is None


def test_an_amount_above_the_cap_is_granted_with_a_case_conference(
    ledger: Ledger, investigated: UUID
) -> None:
    grant(ledger, investigated, 800_000, APPROVER, case_conference=conference())

    approved = last_event(ledger, investigated, "GrantApproved")
    assert approved.amount_fen == 800_000
    assert approved.approver_level == "district"
    assert approved.case_conference == conference()


def test_a_street_caseworker_cannot_decide_above_the_cap_even_with_a_conference(
    ledger: Ledger, investigated: UUID
) -> None:
    with refused(
        ledger, "district_approval_required", aggregate_id=investigated, not_in_message=PERSONAL
    ):
        grant(ledger, investigated, 800_000, CASEWORKER, case_conference=conference())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision_ref": " "}, "case_conference.decision_ref"),
        ({"held_on": "2024-03-09"}, "case_conference.held_on"),  # after the decision
        ({"held_on": "2024-03-01"}, "case_conference.held_on"),  # before the request
        ({"held_on": "yesterday"}, "case_conference.held_on"),
    ],
)
def test_a_case_conference_needs_a_reference_and_a_date_within_the_case(
    ledger: Ledger, investigated: UUID, change: dict[str, str], field: str
) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=investigated, not_in_message=PERSONAL
    ) as caught:
        grant(ledger, investigated, 800_000, APPROVER, case_conference={**conference(), **change})

    assert caught.value.field == field


def test_a_caseworker_decides_up_to_the_street_limit(ledger: Ledger, investigated: UUID) -> None:
    grant(ledger, investigated, STREET_LIMIT, CASEWORKER)

    assert last_event(ledger, investigated, "GrantApproved").approver_level == "street"


def test_above_the_street_limit_a_caseworker_is_refused(ledger: Ledger, investigated: UUID) -> None:
    with refused(
        ledger, "district_approval_required", aggregate_id=investigated, not_in_message=PERSONAL
    ) as caught:
        grant(ledger, investigated, STREET_LIMIT + 1, CASEWORKER)

    assert "the district must approve it" in caught.value.message


@pytest.mark.parametrize("actor", [APPROVER])
def test_above_the_street_limit_the_district_approves(
    ledger: Ledger, investigated: UUID, actor: Actor
) -> None:
    grant(ledger, investigated, STREET_LIMIT + 1, actor)

    assert last_event(ledger, investigated, "GrantApproved").approver_level == "district"


def test_advance_aid_above_the_street_limit_needs_the_district(
    ledger: Ledger, emergency: UUID
) -> None:
    with refused(
        ledger, "district_approval_required", aggregate_id=emergency, not_in_message=PERSONAL
    ):
        advance(ledger, emergency, 350_000, CASEWORKER)

    advance(ledger, emergency, 350_000, APPROVER)
    assert last_event(ledger, emergency, "AdvanceAidGranted").approver_level == "district"


def test_advance_aid_above_the_cap_needs_a_case_conference(ledger: Ledger, emergency: UUID) -> None:
    with refused(ledger, "over_cap", aggregate_id=emergency, not_in_message=PERSONAL):
        advance(ledger, emergency, CAP + 100, APPROVER)

    advance(ledger, emergency, CAP + 100, APPROVER, case_conference=conference(PAID))
    assert last_event(ledger, emergency, "AdvanceAidGranted").case_conference is not None


def test_roles_that_do_not_decide_are_refused(ledger: Ledger, investigated: UUID) -> None:
    with refused(ledger, "role_not_allowed", aggregate_id=investigated, not_in_message=PERSONAL):
        grant(ledger, investigated, 1_000, SUPERVISOR)


@pytest.mark.parametrize("amount", [0, -100, 150.5, True, "100"])
def test_amounts_are_positive_whole_fen(ledger: Ledger, investigated: UUID, amount: Any) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=investigated, not_in_message=PERSONAL
    ) as caught:
        grant(ledger, investigated, amount)

    assert caught.value.field == "amount_fen"


def test_without_the_temporary_parameters_no_amount_is_decided() -> None:
    ledger = Ledger()
    ledger.set_parameter("dibao.standard", 108_000, "2023-01-01", "demo", ADMIN, "2023-01-03")
    case_id = ledger.request_help(help_request("EMERGENCY"), CASEWORKER).id

    with refused(
        ledger, "parameter_missing", aggregate_id=case_id, not_in_message=PERSONAL
    ) as caught:
        advance(ledger, case_id)

    assert caught.value.field == "temporary.cap_multiple"


# -- closing, and nothing after it -------------------------------------------------------------


def test_a_request_without_a_decision_cannot_be_closed(ledger: Ledger, investigated: UUID) -> None:
    with refused(ledger, "wrong_status", aggregate_id=investigated, not_in_message=PERSONAL):
        close(ledger, investigated)


def test_closing_needs_a_reason(ledger: Ledger, granted: UUID) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=granted, not_in_message=PERSONAL
    ) as caught:
        do(ledger, granted, "close", occurred_on=CLOSED, reason=" ")

    assert caught.value.field == "reason"


def test_a_documented_emergency_closes(ledger: Ledger, documented: UUID) -> None:
    close(ledger, documented)

    assert ledger.get_temporary_case(documented).status == "closed"


@pytest.mark.parametrize(
    ("command", "payload"),
    [
        ("close", {"reason": "again"}),
        ("approve_grant", {"amount_fen": 1_000}),
        ("deny", {"reasons": ["不符合条件"]}),
        ("conduct_home_visit", {"investigators": ["a", "b"], "findings": "x"}),
        ("complete_economic_check", {"incomes": [], "property": {},
                                     "public_servant_match": False, "data_source": "x"}),
    ],
)  # fmt: skip
def test_nothing_is_recorded_after_the_case_is_closed(
    ledger: Ledger, closed: UUID, command: str, payload: dict[str, Any]
) -> None:
    with refused(ledger, "wrong_status", aggregate_id=closed, not_in_message=PERSONAL):
        actor = APPROVER if command in ("approve_grant", "deny") else CASEWORKER
        do(ledger, closed, command, actor, occurred_on="2024-03-12", **payload)


def test_a_closed_emergency_takes_no_more_paperwork(ledger: Ledger, documented: UUID) -> None:
    close(ledger, documented)

    with refused(ledger, "wrong_status", aggregate_id=documented, not_in_message=PERSONAL):
        paperwork(ledger, documented, "2024-03-12")


# -- the request --------------------------------------------------------------------------------


def test_a_request_records_the_household_with_personal_data_apart(
    ledger: Ledger, emergency: UUID
) -> None:
    requested = events(ledger, emergency)[0]

    assert requested.assistance_type == "EMERGENCY"
    assert requested.district == "320404"
    assert requested.incident == "火灾致住房受损"
    assert requested.members[0] == {
        "person_id": APPLICANT,
        "relation": "self",
        "personal": {"name": "张三", "id_number": APPLICANT_ID},
    }
    assert requested.actor == CASEWORKER.as_dict()
    assert requested.occurred_on == REQUESTED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "LOTTERY"}, "type"),
        ({"occurred_on": "04/03/2024"}, "occurred_on"),
        ({"incident": " "}, "incident"),
        ({"members": []}, "members"),
        ({"members": [{"name": "张三", "id_number": APPLICANT_ID[:-1] + "0", "relation": "self"}]},
         "members.0.id_number"),
        ({"members": [{"name": "张三", "id_number": APPLICANT_ID, "relation": "self"},
                      {"name": "张三", "id_number": APPLICANT_ID.lower(), "relation": "self"}]},
         "members.1.id_number"),
        ({"members": [{"name": " ", "id_number": APPLICANT_ID, "relation": "self"}]},
         "members.0.name"),
    ],
)  # fmt: skip
def test_a_bad_request_is_refused_naming_the_field(
    ledger: Ledger, overrides: dict[str, Any], field: str
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, not_in_message=PERSONAL) as caught:
        ledger.request_help(help_request(**overrides), CASEWORKER)

    assert caught.value.field == field


def test_a_request_without_a_street_is_outside_every_caseworkers_area(ledger: Ledger) -> None:
    with refused(ledger, "street_scope", Forbidden, not_in_message=PERSONAL):
        ledger.request_help(help_request(street=""), CASEWORKER)


def test_steps_cannot_be_dated_before_the_request(ledger: Ledger, emergency: UUID) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, aggregate_id=emergency, not_in_message=PERSONAL
    ) as caught:
        advance(ledger, emergency, on="2024-03-03")

    assert caught.value.field == "occurred_on"


# -- the command plumbing ------------------------------------------------------------------------


def test_no_temporary_step_is_run_by_name() -> None:
    """Each step is its own typed Ledger method: no command name reaches the aggregate."""
    for dispatcher in ("change_temporary_case", "run_named"):
        assert not hasattr(Ledger, dispatcher)
    assert callable(Ledger.grant_advance_aid) and callable(Ledger.close_temporary_case)


def test_a_stale_version_is_refused(ledger: Ledger, advanced: UUID) -> None:
    with refused(
        ledger, "stale_version", StaleVersion, aggregate_id=advanced, not_in_message=PERSONAL
    ):
        do(ledger, advanced, "complete_paperwork", expected_version=1,
           occurred_on="2024-03-10", documents=["申请书"])  # fmt: skip

    assert do(ledger, advanced, "complete_paperwork", expected_version=2,
              occurred_on="2024-03-10", documents=["申请书"]).version == 3  # fmt: skip


def test_a_retry_with_the_same_idempotency_key_records_nothing_new(
    ledger: Ledger, emergency: UUID
) -> None:
    first = advance(ledger, emergency, idempotency_key="pay-1")
    position = ledger.latest_position()

    again = advance(ledger, emergency, idempotency_key="pay-1")

    assert (again.id, again.version) == (first.id, first.version)
    assert ledger.latest_position() == position
    with pytest.raises(InvalidInput) as caught:
        advance(ledger, emergency, 100_000, idempotency_key="pay-1")
    assert caught.value.code == "idempotency_key_reused"


def test_a_request_retried_with_its_key_opens_one_case(ledger: Ledger) -> None:
    first = ledger.request_help(help_request(), CASEWORKER, idempotency_key="req-1")
    again = ledger.request_help(help_request(), CASEWORKER, idempotency_key="req-1")

    assert again.id == first.id


def test_an_unknown_case_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFound):
        ledger.get_temporary_case(uuid4())
    with pytest.raises(NotFound):
        advance(ledger, uuid4())


def test_an_assistance_case_is_not_a_temporary_case(ledger: Ledger) -> None:
    other = make_id_number("320404", date(1975, 1, 1), 901)
    case_id = ledger.submit_application(
        {"programme": "DIBAO", "street": "南大街街道", "community": "西瀛里社区",
         "channel": "counter", "kin_of_staff": False, "occurred_on": REQUESTED,
         "members": [{"name": "王五", "id_number": other, "relation": "self",
                      "counted": True}]}, CASEWORKER,
    ).id  # fmt: skip

    with pytest.raises(NotFound):
        ledger.get_temporary_case(case_id)


def test_a_typed_step_keeps_the_fingerprint_of_the_step_run_by_name(
    ledger: Ledger, emergency: UUID
) -> None:
    """An Idempotency-Key used before the typed methods still matches its retry."""
    advance(ledger, emergency, idempotency_key="pay-1")

    record = ledger.repository.get(IdempotencyRecord.create_id(CASEWORKER.user, "pay-1"))
    payload = {"occurred_on": PAID, "amount_fen": 200_000, "case_conference": None}
    assert record.fingerprint == ledger.fingerprint(
        "temporary assistance case:grant_advance_aid", str(emergency), payload
    )
