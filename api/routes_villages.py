"""REST commands on village conversions (撤村转居): POST /api/v1/village-conversions, steps."""

# No `from __future__ import annotations`: the route factory's closures need real annotations.
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel

from api import models_villages as v
from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from api.models import CommandAnswer
from api.routes_cases import PROBLEMS, answer

router = APIRouter(prefix="/api/v1", tags=["village conversions"])


@router.post(
    "/village-conversions", status_code=201, responses=PROBLEMS,
    summary="Initiate a village conversion (撤村转居), one per village",
)  # fmt: skip
def initiate_village_conversion(
    body: v.InitiateConversion,
    c: ContainerDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    result = c.ledger.initiate_village_conversion(body.to_domain(), actor, key)
    response.headers["Location"] = f"/api/v1/village-conversions/{result.id}"
    return answer(result, response)


def village_command(path: str, command: str, model: type[BaseModel], summary: str) -> None:
    """Register POST /village-conversions/{id}/<path>, running the conversion's `command`."""

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
        result = c.ledger.change_village_conversion(
            conversion_id, command, payload, actor, expected, key
        )
        return answer(result, response)

    endpoint.__name__ = f"village_{command}"
    router.add_api_route(
        f"/village-conversions/{{conversion_id}}/{path}", endpoint, methods=["POST"],
        summary=summary, responses=PROBLEMS, response_model=CommandAnswer,
    )  # fmt: skip


VILLAGE_COMMANDS: list[tuple[str, str, type[BaseModel], str]] = [
    ("assets", "verify_assets", v.AssetsVerification,
     "Record the asset verification totals (清产核资)"),
    ("membership", "confirm_membership", v.MembershipConfirmation,
     "Confirm the members of the collective (成员认定)"),
    ("restructure", "restructure_collective", v.Restructuring,
     "Restructure the collective, after the assets and the membership"),
    ("vote", "vote_abolition", v.AbolitionVote,
     "Record the abolition vote: quorum more than half, passed at the threshold in force"),
    ("deregister", "deregister_village", v.VillageDeregistration,
     "Deregister the village, only after a passed vote"),
    ("residents-committee", "establish_residents_committee", v.ResidentsCommittee,
     "Establish the residents' committee (社区居民委员会)"),
    ("complete", "complete", v.Completion, "Complete the conversion"),
]  # fmt: skip
for _path, _command, _model, _summary in VILLAGE_COMMANDS:
    village_command(_path, _command, _model, _summary)
