"""REST commands on care institutions and bed conversions (四床融合).

POST /api/v1/institutions and its steps; POST /api/v1/bed-conversions and its steps.
"""

# No `from __future__ import annotations`: the route factory's closures need real annotations.
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel

from api import models_institutions as i
from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from api.models import CommandAnswer
from api.routes_cases import PROBLEMS, answer

router = APIRouter(prefix="/api/v1", tags=["care institutions"])


@router.post(
    "/institutions", status_code=201, responses=PROBLEMS,
    summary="File (备案) a care institution with its beds by type",
)  # fmt: skip
def file_institution(
    body: i.FileInstitution,
    c: ContainerDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    result = c.ledger.file_institution(body.to_domain(), actor, key)
    response.headers["Location"] = f"/api/v1/institutions/{result.id}"
    return answer(result, response)


@router.post(
    "/bed-conversions", status_code=201, responses=PROBLEMS,
    summary="Apply to convert beds of an institution from one type to another (四床融合)",
)  # fmt: skip
def apply_bed_conversion(
    body: i.ApplyConversion,
    c: ContainerDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    result = c.ledger.apply_bed_conversion(body.to_domain(), actor, key)
    response.headers["Location"] = f"/api/v1/bed-conversions/{result.id}"
    return answer(result, response)


def institution_step(path: str, command: str, model: type[BaseModel], summary: str) -> None:
    """Register POST /institutions/{institution_id}/<path>, running the institution's command."""

    def endpoint(
        institution_id: UUID,
        body: model,  # type: ignore[valid-type]
        c: ContainerDep,
        actor: ActorDep,
        expected: IfMatchDep,
        key: IdempotencyKeyDep,
        response: Response,
    ) -> CommandAnswer:
        payload = body.to_domain()  # type: ignore[attr-defined]
        result = c.ledger.change_institution(institution_id, command, payload, actor, expected, key)
        return answer(result, response)

    endpoint.__name__ = f"institution_{command}"
    router.add_api_route(
        f"/institutions/{{institution_id}}/{path}", endpoint, methods=["POST"], summary=summary,
        responses=PROBLEMS, response_model=CommandAnswer,
    )  # fmt: skip


def conversion_step(path: str, command: str, model: type[BaseModel], summary: str) -> None:
    """Register POST /bed-conversions/{conversion_id}/<path>, running the conversion's step."""

    def endpoint(
        conversion_id: UUID,
        body: model,  # type: ignore[valid-type]
        c: ContainerDep,
        actor: ActorDep,
        expected: IfMatchDep,
        key: IdempotencyKeyDep,
        response: Response,
    ) -> CommandAnswer:
        payload = body.to_domain()  # type: ignore[attr-defined]
        result = c.ledger.change_bed_conversion(
            conversion_id, command, payload, actor, expected, key
        )
        return answer(result, response)

    endpoint.__name__ = f"bed_conversion_{command}"
    router.add_api_route(
        f"/bed-conversions/{{conversion_id}}/{path}", endpoint, methods=["POST"],
        summary=summary, responses=PROBLEMS, response_model=CommandAnswer,
    )  # fmt: skip


INSTITUTION_STEPS: list[tuple[str, str, type[BaseModel], str]] = [
    ("grade", "award_grade", i.Grade, "Award a grade 1-5 (养老机构等级评定), valid until a date"),
    ("staff", "report_staff", i.Staff, "Report caregivers and certified caregivers"),
    ("fire-safety", "certify_fire_safety", i.FireSafety, "Record a fire-safety certificate"),
    ("medical-capability", "record_medical_capability", i.MedicalCapability,
     "Record whether the institution has medical capability (医养结合)"),
]  # fmt: skip
CONVERSION_STEPS: list[tuple[str, str, type[BaseModel], str]] = [
    ("inspection", "inspect", i.Inspection,
     "Record a site inspection (at least two inspectors); a failed one may be repeated"),
    ("approve", "approve", i.Approval,
     "Approve (district): the institution's beds are reserved until completion"),
    ("reject", "reject", i.Rejection,
     "Reject (district), with reasons; an approved conversion's beds are released"),
    ("complete", "complete", i.Completion,
     "Complete: the institution's beds are reclassified (BedsReclassified)"),
    ("subsidy", "pay_subsidy", i.Subsidy,
     "Record a subsidy paid for converted beds, at most once per bed"),
]  # fmt: skip
for _path, _command, _model, _summary in INSTITUTION_STEPS:
    institution_step(_path, _command, _model, _summary)
for _path, _command, _model, _summary in CONVERSION_STEPS:
    conversion_step(_path, _command, _model, _summary)
