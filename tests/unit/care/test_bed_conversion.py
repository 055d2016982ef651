"""CareInstitution and BedConversion rules (DOMAIN.md 3.4, 四床融合), via the in-memory Ledger.

Every refusal also checks that nothing was recorded: the ledger's last position stays put.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from helpers import ADMIN, events, names, refused

from domain.ledger import CommandResult, Ledger
from domain.shared.errors import InvalidInput, NotFound, StaleVersion
from domain.shared.ledger_base import IdempotencyRecord
from domain.shared.values import Actor

WORKER = Actor("worker-xinzha", "caseworker", "新闸街道")
APPROVER = Actor("approver-district", "approver", "钟楼区民政局")
INSPECTORS = ["inspector-1", "inspector-2"]
NAME = "新闸颐养院"
BEDS = {"nursing": 100, "elderly_care": 40, "home_care": 20}


# -- helpers ----------------------------------------------------------------------------------


def filing(**overrides: Any) -> dict[str, Any]:
    return {
        "name": NAME,
        "street": "新闸街道",
        "beds": dict(BEDS),
        "medical_capability": True,
        "occurred_on": "2024-01-08",
        **overrides,
    }


def change(
    ledger: Ledger, iid: UUID, command: str, *, expected_version: int | None = None,
    **payload: Any,
) -> CommandResult:  # fmt: skip
    run = {
        "award_grade": Ledger.award_institution_grade,
        "report_staff": Ledger.report_institution_staff,
        "certify_fire_safety": Ledger.certify_fire_safety,
        "record_medical_capability": Ledger.record_medical_capability,
    }[command]
    return run(ledger, iid, ADMIN, **payload, expected_version=expected_version)


def apply(
    ledger: Ledger, iid: UUID, number: int = 30, from_type: str = "elderly_care",
    to_type: str = "nursing", on: str = "2024-03-01",
) -> CommandResult:  # fmt: skip
    return ledger.apply_bed_conversion(
        {"institution_id": str(iid), "from_type": from_type, "to_type": to_type,
         "number": number, "occurred_on": on, "reason": "四床融合"},
        WORKER,
    )  # fmt: skip


def step(
    ledger: Ledger, cid: UUID, command: str, actor: Actor = APPROVER, *,
    expected_version: int | None = None, idempotency_key: str | None = None, **payload: Any,
) -> CommandResult:  # fmt: skip
    run = {
        "inspect": Ledger.inspect_bed_conversion,
        "approve": Ledger.approve_bed_conversion,
        "reject": Ledger.reject_bed_conversion,
        "complete": Ledger.complete_bed_conversion,
        "pay_subsidy": Ledger.pay_conversion_subsidy,
    }[command]
    return run(
        ledger, cid, actor, **payload, expected_version=expected_version,
        idempotency_key=idempotency_key,
    )  # fmt: skip


def inspect(ledger: Ledger, cid: UUID, passed: bool = True, on: str = "2024-03-08") -> None:
    step(ledger, cid, "inspect", occurred_on=on, passed=passed, inspectors=INSPECTORS,
         findings="场地与设施符合要求" if passed else "消防设施不达标")  # fmt: skip


def approve(ledger: Ledger, cid: UUID, actor: Actor = APPROVER, on: str = "2024-03-15") -> None:
    step(ledger, cid, "approve", actor, occurred_on=on, decision_ref="钟民养转〔2024〕1号")


def complete(ledger: Ledger, cid: UUID, on: str = "2024-06-03") -> CommandResult:
    return step(ledger, cid, "complete", occurred_on=on, evidence="验收报告 2024-17")


def subsidy(ledger: Ledger, cid: UUID, beds: int, on: str = "2024-07-01") -> CommandResult:
    return step(ledger, cid, "pay_subsidy", APPROVER, occurred_on=on, amount_per_bed_fen=100_000,
                beds=beds, reference="钟财拨〔2024〕9号")  # fmt: skip


# -- fixtures, named after the state they build -------------------------------------------------


@pytest.fixture
def institution(ledger: Ledger) -> UUID:
    """100 nursing, 40 elderly-care and 20 home-care beds; medical capability recorded."""
    return ledger.file_institution(filing(), ADMIN).id


@pytest.fixture
def without_medical(ledger: Ledger) -> UUID:
    return ledger.file_institution(filing(medical_capability=False), ADMIN).id


@pytest.fixture
def applied(ledger: Ledger, institution: UUID) -> UUID:
    """30 of the 40 elderly-care beds to become nursing beds."""
    return apply(ledger, institution).id


@pytest.fixture
def inspected(ledger: Ledger, applied: UUID) -> UUID:
    inspect(ledger, applied)
    return applied


@pytest.fixture
def approved(ledger: Ledger, inspected: UUID) -> UUID:
    approve(ledger, inspected)
    return inspected


@pytest.fixture
def completed(ledger: Ledger, approved: UUID) -> UUID:
    complete(ledger, approved)
    return approved


# -- the institution ----------------------------------------------------------------------------


def test_filing_records_beds_by_type_and_medical_capability(ledger: Ledger) -> None:
    result = ledger.file_institution(filing(), ADMIN)
    filed = events(ledger, result.id)[0]
    assert type(filed).__name__ == "InstitutionFiled"
    assert filed.beds == {"elderly_care": 40, "home_care": 20, "nursing": 100}
    assert filed.medical_capability is True
    assert (filed.name, filed.street, filed.district) == (NAME, "新闸街道", "320404")
    assert filed.actor == ADMIN.as_dict() and filed.occurred_on == "2024-01-08"


def test_bed_types_are_data_any_identifier_will_do(ledger: Ledger) -> None:
    result = ledger.file_institution(filing(beds={"dementia_care": 12, "nursing": 3}), ADMIN)
    assert ledger.get_institution(result.id).beds == {"dementia_care": 12, "nursing": 3}


@pytest.mark.parametrize(
    ("beds", "field"),
    [
        ({}, "beds"),
        ({"": 3}, "beds"),
        ({"Nursing": 3}, "beds"),
        ({"护理": 3}, "beds"),
        ({"2nd_floor": 3}, "beds"),
        ({"home care": 3}, "beds"),
        ({"nursing": -1}, "beds.nursing"),
        ({"nursing": 2.5}, "beds.nursing"),
        ({"nursing": True}, "beds.nursing"),
        ({"nursing": 0}, "beds"),
        (None, "beds"),
    ],
)
def test_bed_types_must_be_identifiers_and_counts_whole(
    ledger: Ledger, beds: Any, field: str
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, field=field, not_in_message=[NAME]):
        ledger.file_institution(filing(beds=beds), ADMIN)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"street": ""}, "street"),
        ({"medical_capability": "yes"}, "medical_capability"),
        ({"occurred_on": "2024-02-30"}, "occurred_on"),
    ],
)
def test_a_filing_needs_its_facts(ledger: Ledger, overrides: dict[str, Any], field: str) -> None:
    with refused(ledger, "invalid_input", InvalidInput, field=field, not_in_message=[NAME]):
        ledger.file_institution(filing(**overrides), ADMIN)


@pytest.mark.parametrize("level", [0, 6, -1, True, "3", 2.0])
def test_a_grade_is_a_level_from_1_to_5(ledger: Ledger, institution: UUID, level: Any) -> None:
    with refused(ledger, "invalid_input", InvalidInput, field="level", not_in_message=[NAME]):
        change(ledger, institution, "award_grade", occurred_on="2024-05-06", level=level,
               valid_until="2027-05-05", evidence="常民〔2024〕3号")  # fmt: skip


def test_a_grade_is_recorded_with_its_validity(ledger: Ledger, institution: UUID) -> None:
    change(ledger, institution, "award_grade", occurred_on="2024-05-06", level=5,
           valid_until="2027-05-05", evidence="常民〔2024〕3号")  # fmt: skip
    graded = events(ledger, institution)[-1]
    assert type(graded).__name__ == "GradeAwarded"
    assert (graded.level, graded.valid_until, graded.evidence) == (
        5,
        "2027-05-05",
        "常民〔2024〕3号",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"valid_until": "2024-05-06"}, "valid_until"),  # not after the award
        ({"valid_until": "someday"}, "valid_until"),
        ({"evidence": " "}, "evidence"),
        ({"occurred_on": "2024-01-07"}, "occurred_on"),  # before the filing
    ],
)
def test_a_grade_needs_a_later_validity_evidence_and_a_date_after_filing(
    ledger: Ledger, institution: UUID, payload: dict[str, Any], field: str
) -> None:
    body = {"occurred_on": "2024-05-06", "level": 3, "valid_until": "2027-05-05",
            "evidence": "常民〔2024〕3号", **payload}  # fmt: skip
    with refused(ledger, "invalid_input", InvalidInput, field=field, not_in_message=[NAME]):
        change(ledger, institution, "award_grade", **body)


def test_certified_caregivers_cannot_outnumber_caregivers(
    ledger: Ledger, institution: UUID
) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, field="certified_caregivers", not_in_message=[NAME]
    ):
        change(ledger, institution, "report_staff", occurred_on="2024-06-30", caregivers=20,
               certified_caregivers=21)  # fmt: skip
    with refused(ledger, "invalid_input", InvalidInput, field="caregivers", not_in_message=[NAME]):
        change(ledger, institution, "report_staff", occurred_on="2024-06-30", caregivers=-1,
               certified_caregivers=0)  # fmt: skip
    change(ledger, institution, "report_staff", occurred_on="2024-06-30", caregivers=20,
           certified_caregivers=20)  # fmt: skip
    assert names(ledger, institution)[-1] == "StaffReported"


def test_fire_safety_needs_a_reference_and_a_later_validity(
    ledger: Ledger, institution: UUID
) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, field="certificate_ref", not_in_message=[NAME]
    ):
        change(ledger, institution, "certify_fire_safety", occurred_on="2024-02-01",
               certificate_ref="", valid_until="2026-01-31")  # fmt: skip
    with refused(ledger, "invalid_input", InvalidInput, field="valid_until", not_in_message=[NAME]):
        change(ledger, institution, "certify_fire_safety", occurred_on="2024-02-01",
               certificate_ref="常消安〔2024〕8号", valid_until="2024-01-31")  # fmt: skip
    change(ledger, institution, "certify_fire_safety", occurred_on="2024-02-01",
           certificate_ref="常消安〔2024〕8号", valid_until="2026-01-31")  # fmt: skip
    assert names(ledger, institution)[-1] == "FireSafetyCertified"


# -- the conversion: from application to subsidy ------------------------------------------------


def test_a_conversion_from_application_to_subsidy(ledger: Ledger, institution: UUID) -> None:
    cid = apply(ledger, institution, number=30).id
    inspect(ledger, cid)
    approve(ledger, cid)
    held = ledger.get_institution(institution)
    assert held.reserved == {"elderly_care": 30} and held.available("elderly_care") == 10
    assert held.beds["elderly_care"] == 40  # reserved, not converted yet

    done = complete(ledger, cid)
    after = ledger.get_institution(institution)
    assert after.beds == {"elderly_care": 10, "home_care": 20, "nursing": 130}
    assert after.reserved == {"elderly_care": 0}
    # Completion and reclassification were saved together, the conversion answered about.
    assert done.id == cid and done.version == 4
    last_two = ledger.recorder.select_notifications(start=done.position, limit=2)
    assert [n.topic.rsplit(".", 1)[-1] for n in last_two] == [
        "ConversionCompleted", "BedsReclassified"
    ]  # fmt: skip
    reclassified = events(ledger, institution)[-1]
    assert (reclassified.from_type, reclassified.to_type, reclassified.number) == (
        "elderly_care", "nursing", 30
    )  # fmt: skip
    assert reclassified.conversion_id == cid

    subsidy(ledger, cid, 30)
    paid = events(ledger, cid)[-1]
    assert (paid.amount_per_bed_fen, paid.beds, paid.total_fen) == (100_000, 30, 3_000_000)
    assert names(ledger, cid) == [
        "ConversionApplied", "SiteInspected", "ConversionApproved", "ConversionCompleted",
        "SubsidyPaid",
    ]  # fmt: skip


def test_cannot_convert_more_beds_than_the_institution_has(
    ledger: Ledger, institution: UUID
) -> None:
    with refused(ledger, "not_enough_beds", field="number", not_in_message=[NAME]) as caught:
        apply(ledger, institution, number=41)
    assert "has 40" in caught.value.message
    with refused(ledger, "not_enough_beds", field="number", not_in_message=[NAME]):
        apply(ledger, institution, number=1, from_type="hospice", to_type="medical")
    apply(ledger, institution, number=40)


def test_approved_conversions_hold_their_beds_until_completed_or_rejected(
    ledger: Ledger, institution: UUID
) -> None:
    first, second = apply(ledger, institution, 30).id, apply(ledger, institution, 30).id
    for cid in (first, second):
        inspect(ledger, cid)
    approve(ledger, first)

    with refused(ledger, "not_enough_beds", field="number", not_in_message=[NAME]) as caught:
        approve(ledger, second)
    assert "30 of them reserved" in caught.value.message and "at most 10" in caught.value.message
    with refused(ledger, "not_enough_beds", not_in_message=[NAME]):
        apply(ledger, institution, 11)

    step(ledger, first, "reject", APPROVER, occurred_on="2024-04-01", reasons=["机构撤回计划"])
    assert names(ledger, institution)[-1] == "BedsReleased"
    assert ledger.get_institution(institution).available("elderly_care") == 40
    approve(ledger, second, on="2024-04-02")
    complete(ledger, second)
    assert ledger.get_institution(institution).available("elderly_care") == 10
    with refused(ledger, "not_enough_beds", not_in_message=[NAME]):
        apply(ledger, institution, 11, on="2024-07-01")


def test_a_rejection_before_approval_leaves_the_institution_alone(
    ledger: Ledger, institution: UUID, inspected: UUID
) -> None:
    version = ledger.get_institution(institution).version
    step(ledger, inspected, "reject", APPROVER, occurred_on="2024-03-20", reasons=["不符合规划"])
    assert ledger.get_institution(institution).version == version
    assert ledger.get_bed_conversion(inspected).status == "rejected"


@pytest.mark.parametrize("target", ["nursing", "medical"])
def test_nursing_and_medical_beds_need_recorded_medical_capability(
    ledger: Ledger, without_medical: UUID, target: str
) -> None:
    source = "elderly_care" if target == "medical" else "home_care"
    with refused(ledger, "medical_capability_required", field="to_type", not_in_message=[NAME]):
        apply(ledger, without_medical, 10, from_type=source, to_type=target)
    apply(ledger, without_medical, 10, from_type="elderly_care", to_type="hospice")

    change(ledger, without_medical, "record_medical_capability", occurred_on="2024-02-01",
           capable=True, evidence="与社区卫生服务中心签约")  # fmt: skip
    apply(ledger, without_medical, 10, from_type=source, to_type=target)


def test_completion_is_refused_when_medical_capability_was_withdrawn(
    ledger: Ledger, institution: UUID, approved: UUID
) -> None:
    change(ledger, institution, "record_medical_capability", occurred_on="2024-04-01",
           capable=False, evidence="签约医院协议终止")  # fmt: skip
    with refused(ledger, "medical_capability_required", not_in_message=[NAME]):
        complete(ledger, approved)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from_type": "nursing", "to_type": "nursing"}, "to_type"),
        ({"to_type": "nursign"}, "to_type"),  # a typo is neither the institution's nor standard
        ({"to_type": "Medical"}, "to_type"),
        ({"from_type": ""}, "from_type"),
        ({"number": 0}, "number"),
        ({"number": "5"}, "number"),
        ({"institution_id": str(uuid4())}, "institution_id"),
        ({"institution_id": "not-an-id"}, "institution_id"),
        ({"occurred_on": "2024-01-07"}, "occurred_on"),  # before the filing
    ],
)
def test_an_application_names_real_types_a_positive_number_and_a_filed_institution(
    ledger: Ledger, institution: UUID, body: dict[str, Any], field: str
) -> None:
    payload = {"institution_id": str(institution), "from_type": "elderly_care",
               "to_type": "medical", "number": 5, "occurred_on": "2024-03-01", **body}  # fmt: skip
    with refused(ledger, "invalid_input", InvalidInput, field=field, not_in_message=[NAME]):
        ledger.apply_bed_conversion(payload, WORKER)


def test_a_type_the_institution_already_has_may_be_a_target(ledger: Ledger) -> None:
    iid = ledger.file_institution(filing(beds={"nursing": 10, "respite": 2}), ADMIN).id
    position = ledger.latest_position()

    cid = apply(ledger, iid, 4, from_type="nursing", to_type="respite").id

    conversion = ledger.get_bed_conversion(cid)
    assert (conversion.institution_id, conversion.from_type, conversion.to_type) == (
        iid, "nursing", "respite",
    )  # fmt: skip
    assert (conversion.number, conversion.status) == (4, "applied")
    assert ledger.latest_position() > position  # recorded, not refused


@pytest.mark.parametrize(
    ("inspectors", "field"),
    [(["inspector-1"], "inspectors"), (["inspector-1", " inspector-1 "], "inspectors"),
     (["inspector-1", " "], "inspectors"), ([], "inspectors"),
     (["inspector-1", "inspector-1 "], "inspectors"),
     (["inspector-1", "x" * 100_000], "inspectors"),
     (["inspector-1", "inspector-2", ""], "inspectors"), (["inspector-1", 2], "inspectors")],
)  # fmt: skip
def test_a_site_inspection_needs_two_different_inspectors(
    ledger: Ledger, applied: UUID, inspectors: list[str], field: str
) -> None:
    with refused(ledger, "invalid_input", InvalidInput, field=field, not_in_message=[NAME]):
        step(ledger, applied, "inspect", occurred_on="2024-03-08", passed=True,
             inspectors=inspectors, findings="ok")  # fmt: skip
    with refused(ledger, "invalid_input", InvalidInput, field="findings", not_in_message=[NAME]):
        step(ledger, applied, "inspect", occurred_on="2024-03-08", passed=True,
             inspectors=INSPECTORS, findings=" ")  # fmt: skip


def test_approval_needs_a_passed_inspection(ledger: Ledger, applied: UUID) -> None:
    with refused(ledger, "inspection_required", not_in_message=[NAME]):
        approve(ledger, applied)
    inspect(ledger, applied, passed=False)
    with refused(ledger, "inspection_failed", not_in_message=[NAME]):
        approve(ledger, applied)
    inspect(ledger, applied, passed=True, on="2024-03-12")
    approve(ledger, applied)
    assert ledger.get_bed_conversion(applied).status == "approved"


@pytest.mark.parametrize("command", ["approve", "reject"])
def test_only_the_district_decides(ledger: Ledger, inspected: UUID, command: str) -> None:
    payload = {"decision_ref": "x"} if command == "approve" else {"reasons": ["x"]}
    with refused(ledger, "role_not_allowed", not_in_message=[NAME]):
        step(ledger, inspected, command, WORKER, occurred_on="2024-03-15", **payload)


@pytest.mark.parametrize("approver", ["approver-1", " approver-1", "approver-1 "])
def test_an_inspector_may_not_approve_under_a_padded_user_id(
    ledger: Ledger, applied: UUID, approver: str
) -> None:
    step(ledger, applied, "inspect", occurred_on="2024-03-08", passed=True,
         inspectors=["approver-1 ", "inspector-2"], findings="ok")  # fmt: skip

    with refused(ledger, "approver_inspected", not_in_message=[NAME]):
        approve(ledger, applied, actor=Actor(approver, "approver", "钟楼区民政局"))


def test_an_inspector_may_not_approve(ledger: Ledger, inspected: UUID) -> None:
    inspector = Actor("inspector-2", "approver", "钟楼区民政局")
    with refused(ledger, "approver_inspected", not_in_message=[NAME]):
        approve(ledger, inspected, inspector)


@pytest.mark.parametrize(
    ("state", "command", "payload"),
    [
        ("applied", "complete", {"evidence": "x"}),
        ("inspected", "complete", {"evidence": "x"}),
        ("applied", "pay_subsidy", {"amount_per_bed_fen": 1, "beds": 1, "reference": "x"}),
        ("approved", "pay_subsidy", {"amount_per_bed_fen": 1, "beds": 1, "reference": "x"}),
        ("approved", "inspect", {"passed": True, "inspectors": INSPECTORS, "findings": "x"}),
        ("approved", "approve", {"decision_ref": "x"}),
        ("completed", "reject", {"reasons": ["x"]}),
        ("completed", "complete", {"evidence": "x"}),
        ("rejected", "approve", {"decision_ref": "x"}),
        ("rejected", "inspect", {"passed": True, "inspectors": INSPECTORS, "findings": "x"}),
    ],
)
def test_steps_follow_their_order(
    ledger: Ledger, request: pytest.FixtureRequest, state: str, command: str,
    payload: dict[str, Any],
) -> None:  # fmt: skip
    if state == "rejected":
        cid = request.getfixturevalue("applied")
        step(ledger, cid, "reject", APPROVER, occurred_on="2024-03-10", reasons=["撤回"])
    else:
        cid = request.getfixturevalue(state)
    with refused(ledger, "wrong_status", not_in_message=[NAME]):
        step(ledger, cid, command, APPROVER, occurred_on="2024-12-01", **payload)


def test_no_step_is_dated_before_the_one_it_follows(ledger: Ledger, inspected: UUID) -> None:
    with refused(ledger, "invalid_input", InvalidInput, field="occurred_on", not_in_message=[NAME]):
        approve(ledger, inspected, on="2024-03-07")
    with refused(ledger, "invalid_input", InvalidInput, field="occurred_on", not_in_message=[NAME]):
        approve(ledger, inspected, on="15/03/2024")


def test_a_decision_needs_its_reference_and_a_rejection_its_reasons(
    ledger: Ledger, inspected: UUID
) -> None:
    with refused(
        ledger, "invalid_input", InvalidInput, field="decision_ref", not_in_message=[NAME]
    ):
        step(ledger, inspected, "approve", APPROVER, occurred_on="2024-03-15", decision_ref=" ")
    with refused(ledger, "invalid_input", InvalidInput, field="reasons", not_in_message=[NAME]):
        step(ledger, inspected, "reject", APPROVER, occurred_on="2024-03-15", reasons=[" "])
    approve(ledger, inspected)
    with refused(ledger, "invalid_input", InvalidInput, field="evidence", not_in_message=[NAME]):
        step(ledger, inspected, "complete", occurred_on="2024-06-01", evidence="")


def test_a_subsidy_is_paid_at_most_once_per_converted_bed(ledger: Ledger, completed: UUID) -> None:
    with refused(ledger, "subsidy_already_paid", field="beds", not_in_message=[NAME]):
        subsidy(ledger, completed, 31)
    subsidy(ledger, completed, 20)
    subsidy(ledger, completed, 10, on="2024-08-01")
    with refused(ledger, "subsidy_already_paid", field="beds", not_in_message=[NAME]) as caught:
        subsidy(ledger, completed, 1, on="2024-09-01")
    assert "30 already subsidised" in caught.value.message
    assert ledger.get_bed_conversion(completed).subsidised == 30


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount_per_bed_fen": 0}, "amount_per_bed_fen"),
        ({"amount_per_bed_fen": -100}, "amount_per_bed_fen"),
        ({"beds": 0}, "beds"),
        ({"reference": ""}, "reference"),
    ],
)
def test_a_subsidy_pays_a_positive_amount_for_named_beds(
    ledger: Ledger, completed: UUID, payload: dict[str, Any], field: str
) -> None:
    body = {"occurred_on": "2024-07-01", "amount_per_bed_fen": 100_000, "beds": 5,
            "reference": "钟财拨〔2024〕9号", **payload}  # fmt: skip
    with refused(ledger, "invalid_input", InvalidInput, field=field, not_in_message=[NAME]):
        step(ledger, completed, "pay_subsidy", APPROVER, **body)


def test_a_retried_subsidy_with_its_idempotency_key_is_recorded_once(
    ledger: Ledger, completed: UUID
) -> None:
    body = {"occurred_on": "2024-07-01", "amount_per_bed_fen": 100_000, "beds": 30,
            "reference": "钟财拨〔2024〕9号"}  # fmt: skip
    first = step(ledger, completed, "pay_subsidy", APPROVER, idempotency_key="pay-1", **body)
    again = step(ledger, completed, "pay_subsidy", APPROVER, idempotency_key="pay-1", **body)
    assert (first.id, first.version) == (again.id, again.version)  # positions: see e2e
    assert names(ledger, completed).count("SubsidyPaid") == 1


def test_a_stale_version_or_an_unknown_id_changes_nothing(
    ledger: Ledger, institution: UUID, applied: UUID
) -> None:
    with refused(ledger, "stale_version", StaleVersion, field="If-Match", not_in_message=[NAME]):
        step(ledger, applied, "inspect", expected_version=7, occurred_on="2024-03-08",
             passed=True, inspectors=INSPECTORS, findings="ok")  # fmt: skip
    with refused(ledger, "stale_version", StaleVersion, field="If-Match", not_in_message=[NAME]):
        staff = {"occurred_on": "2024-03-08", "caregivers": 1, "certified_caregivers": 1}
        change(ledger, institution, "report_staff", expected_version=9, **staff)
    with refused(ledger, "not_found", NotFound, not_in_message=[NAME]):
        inspect(ledger, uuid4())
    with refused(ledger, "not_found", NotFound, not_in_message=[NAME]):
        ledger.get_bed_conversion(institution)  # an institution is not a conversion
    for dispatcher in ("change_institution", "change_bed_conversion", "run_named"):
        assert not hasattr(Ledger, dispatcher)  # no step is run by name


def test_a_typed_step_keeps_the_fingerprint_of_the_step_run_by_name(
    ledger: Ledger, institution: UUID, completed: UUID
) -> None:
    """An Idempotency-Key used before the typed methods still matches its retry."""
    body = {"occurred_on": "2024-07-01", "amount_per_bed_fen": 100_000, "beds": 30,
            "reference": "钟财拨〔2024〕9号"}  # fmt: skip
    step(ledger, completed, "pay_subsidy", APPROVER, idempotency_key="pay-1", **body)
    staff = {"occurred_on": "2024-07-01", "caregivers": 3, "certified_caregivers": 2}
    Ledger.report_institution_staff(ledger, institution, ADMIN, **staff, idempotency_key="s-1")

    paid = ledger.repository.get(IdempotencyRecord.create_id(APPROVER.user, "pay-1"))
    assert paid.fingerprint == ledger.fingerprint("conversion:pay_subsidy", str(completed), body)
    reported = ledger.repository.get(IdempotencyRecord.create_id(ADMIN.user, "s-1"))
    assert reported.fingerprint == ledger.fingerprint(
        "care institution:report_staff", str(institution), staff
    )
