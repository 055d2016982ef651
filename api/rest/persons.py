"""REST command on a person: erasure of the person's personal data (admin, with legal basis)."""

# No `from __future__ import annotations`: FastAPI reads these annotations at import time.
from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep
from api.rest.bodies import Command, CommandAnswer
from api.rest.routing import PROBLEMS, answer
from api.rest.text import Text

router = APIRouter(prefix="/api/v1", tags=["persons"])

PersonId = Annotated[
    str,
    Path(pattern=r"^P[0-9a-f]{20}$", description="the person's pseudonymous id (P + 20 hex)"),
]


class Erasure(Command):
    legal_basis: Text


@router.post(
    "/persons/{id}/erasure",
    summary="Erase a person's personal data: record the erasure, then destroy the person's keys",
    responses={**PROBLEMS, 403: {"description": "only the admin role may erase personal data",
                                 "content": {"application/problem+json": {}}}},
    response_model=CommandAnswer,
)  # fmt: skip
def erase_personal_data(
    id: PersonId,
    body: Erasure,
    c: ContainerDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    result = c.ledger.erase_personal_data(id, actor, **body.to_domain(), idempotency_key=key)
    return answer(result, response)
