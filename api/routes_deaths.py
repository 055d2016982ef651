"""REST commands on death notifications (身后一件事): report, verify, retract."""

# No `from __future__ import annotations`: FastAPI reads these annotations at import time.
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import Field

from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from api.models import BusinessDate, Command, CommandAnswer, IdNumber, Text
from api.routes_cases import PROBLEMS, answer

router = APIRouter(prefix="/api/v1", tags=["death notifications"])


class DeathReport(Command):
    name: Annotated[str, Field(min_length=1, max_length=50)]
    id_number: IdNumber
    date_of_death: BusinessDate
    source: Literal["hospital", "crematorium", "police", "family"]


class Verification(Command):
    evidence: Text


class Retraction(Command):
    reason: Text


@router.post(
    "/death-notifications", status_code=201, responses=PROBLEMS,
    summary="Report a death (hospital, crematorium, police or family)",
)  # fmt: skip
def report(
    body: DeathReport, c: ContainerDep, actor: ActorDep, key: IdempotencyKeyDep, response: Response
) -> CommandAnswer:
    result = c.ledger.report_death(body.to_domain(), actor, key)
    response.headers["Location"] = f"/api/v1/death-notifications/{result.id}"
    return answer(result, response)


@router.post(
    "/death-notifications/{notification_id}/verify", responses=PROBLEMS,
    summary="Verify a reported death: every active case counting the person is then settled",
)  # fmt: skip
def verify(
    notification_id: UUID, body: Verification, c: ContainerDep, actor: ActorDep,
    expected: IfMatchDep, key: IdempotencyKeyDep, response: Response,
) -> CommandAnswer:  # fmt: skip
    result = c.ledger.change_death(
        notification_id, "verify", body.to_domain(), actor, expected, key
    )
    return answer(result, response)


@router.post(
    "/death-notifications/{notification_id}/retract", responses=PROBLEMS,
    summary="Retract a report that has not been verified",
)  # fmt: skip
def retract(
    notification_id: UUID, body: Retraction, c: ContainerDep, actor: ActorDep,
    expected: IfMatchDep, key: IdempotencyKeyDep, response: Response,
) -> CommandAnswer:  # fmt: skip
    result = c.ledger.change_death(
        notification_id, "retract", body.to_domain(), actor, expected, key
    )
    return answer(result, response)
