"""REST commands on temporary assistance (临时救助): POST /api/v1/temporary-cases and its steps."""

# No `from __future__ import annotations`: the route factory's closures need real annotations.
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel

from api import models as m
from api import models_temporary as t
from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from api.models import CommandAnswer
from api.routes_cases import PROBLEMS, answer

router = APIRouter(prefix="/api/v1", tags=["temporary assistance"])


@router.post(
    "/temporary-cases", status_code=201, responses=PROBLEMS,
    summary="Request temporary assistance (临时救助): EMERGENCY or EXPENDITURE",
)  # fmt: skip
def request_help(
    body: t.RequestHelp,
    c: ContainerDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    result = c.ledger.request_help(body.to_domain(), actor, key)
    response.headers["Location"] = f"/api/v1/temporary-cases/{result.id}"
    return answer(result, response)


def temporary_command(path: str, command: str, model: type[BaseModel], summary: str) -> None:
    """Register POST /temporary-cases/{id}/<path>, running the case's `command`."""

    def endpoint(
        case_id: UUID,
        body: model,  # type: ignore[valid-type]
        c: ContainerDep,
        actor: ActorDep,
        expected: IfMatchDep,
        key: IdempotencyKeyDep,
        response: Response,
    ) -> CommandAnswer:
        payload = body.to_domain()  # type: ignore[attr-defined]
        result = c.ledger.change_temporary_case(case_id, command, payload, actor, expected, key)
        return answer(result, response)

    endpoint.__name__ = f"temporary_{command}"
    router.add_api_route(
        f"/temporary-cases/{{case_id}}/{path}", endpoint, methods=["POST"], summary=summary,
        responses=PROBLEMS, response_model=CommandAnswer,
    )  # fmt: skip


TEMPORARY_COMMANDS: list[tuple[str, str, type[BaseModel], str]] = [
    ("advance-aid", "grant_advance_aid", t.AdvanceAid,
     "Grant advance aid to an EMERGENCY case, paid at once (先行救助)"),
    ("paperwork", "complete_paperwork", t.Paperwork,
     "Complete the paperwork after advance aid (late is allowed, and recorded)"),
    ("economic-check", "complete_economic_check", m.EconomicCheck,
     "Record the economic check of an EXPENDITURE case"),
    ("home-visits", "conduct_home_visit", m.HomeVisit,
     "Record a home visit of an EXPENDITURE case (at least two investigators)"),
    ("grant", "approve_grant", t.Grant,
     "Approve a grant: above the street's limit the district, above the cap a case conference"),
    ("deny", "deny", m.Denial, "Deny the request, with reasons"),
    ("close", "close", t.Closing, "Close the case after a grant, a denial or the paperwork"),
]  # fmt: skip
for _path, _command, _model, _summary in TEMPORARY_COMMANDS:
    temporary_command(_path, _command, _model, _summary)
