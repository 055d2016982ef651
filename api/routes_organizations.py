"""REST commands on social organisations (社会组织): POST /api/v1/organizations and its steps."""

# No `from __future__ import annotations`: the route factory's closures need real annotations.
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel

from api import models_organizations as o
from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from api.models import CommandAnswer
from api.routes_cases import PROBLEMS, answer

router = APIRouter(prefix="/api/v1", tags=["social organisations"])


@router.post(
    "/organizations", status_code=201, responses=PROBLEMS,
    summary="Register a social organisation (社会组织成立登记)",
)  # fmt: skip
def register_organization(
    body: o.RegisterOrganization,
    c: ContainerDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    result = c.ledger.register_organization(body.to_domain(), actor, key)
    response.headers["Location"] = f"/api/v1/organizations/{result.id}"
    return answer(result, response)


def organization_command(path: str, command: str, model: type[BaseModel], summary: str) -> None:
    """Register POST /organizations/{id}/<path>, running the organisation's `command`."""

    def endpoint(
        organization_id: UUID,
        body: model,  # type: ignore[valid-type]
        c: ContainerDep,
        actor: ActorDep,
        expected: IfMatchDep,
        key: IdempotencyKeyDep,
        response: Response,
    ) -> CommandAnswer:
        payload = body.to_domain()  # type: ignore[attr-defined]
        result = c.ledger.change_organization(
            organization_id, command, payload, actor, expected, key
        )
        return answer(result, response)

    endpoint.__name__ = f"organization_{command}"
    router.add_api_route(
        f"/organizations/{{organization_id}}/{path}", endpoint, methods=["POST"],
        summary=summary, responses=PROBLEMS, response_model=CommandAnswer,
    )  # fmt: skip


ORGANIZATION_COMMANDS: list[tuple[str, str, type[BaseModel], str]] = [
    ("inspections", "conclude_inspection", o.Inspection,
     "Record the annual inspection (年检) of a past year: pass, basic_pass or fail"),
    ("grade", "confirm_grade", o.Grade,
     "Confirm a grade 1A-5A, valid 5 years: after 2 full years and a passed inspection"),
    ("grade/revoke", "revoke_grade", o.Reasoned, "Revoke the grade in force, with a reason"),
    ("liquidation", "start_liquidation", o.Reasoned, "Start the liquidation (清算)"),
    ("deregister", "deregister", o.Reasoned,
     "Deregister the organisation (注销登记), only after its liquidation"),
    ("revoke", "revoke_registration", o.Reasoned,
     "Revoke the registration (撤销登记): two consecutive years missed or failed"),
]  # fmt: skip
for _path, _command, _model, _summary in ORGANIZATION_COMMANDS:
    organization_command(_path, _command, _model, _summary)
