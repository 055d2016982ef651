"""REST commands on assistance cases: POST /api/v1/cases and its sub-resources."""

# No `from __future__ import annotations`: the route factory's closures need real annotations.
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel

from api import models as m
from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from api.models import CHINA, CommandAnswer
from domain.ledger import CommandResult

router = APIRouter(prefix="/api/v1", tags=["cases"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    s: {"description": d, "content": {"application/problem+json": {}}}
    for s, d in [
        (401, "no or bad bearer token"),
        (404, "unknown case"),
        (409, "a rule is broken or someone changed the case first"),
        (412, "If-Match names a stale version"),
        (422, "bad input: the problem names the field and the reason"),
    ]
}


def answer(result: CommandResult, response: Response) -> CommandAnswer:
    response.headers["ETag"] = f'"{result.version}"'
    return CommandAnswer(id=result.id, version=result.version, position=result.position)


@router.post("/cases", status_code=201, responses=PROBLEMS, summary="Submit an application")
def submit(
    body: m.SubmitApplication,
    c: ContainerDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    result = c.ledger.submit_application(body.to_domain(), actor, key)
    response.headers["Location"] = f"/api/v1/cases/{result.id}"
    return answer(result, response)


def case_command(path: str, command: str, model: type[BaseModel], summary: str) -> None:
    """Register POST /cases/{id}/<path>, running the case's `command`."""

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
        result = c.ledger.change_case(case_id, command, payload, actor, expected, key)
        return answer(result, response)

    endpoint.__name__ = command
    router.add_api_route(
        f"/cases/{{case_id}}/{path}", endpoint, methods=["POST"], summary=summary,
        responses=PROBLEMS, response_model=CommandAnswer,
    )  # fmt: skip


CASE_COMMANDS: list[tuple[str, str, type[BaseModel], str]] = [
    ("accept", "accept", m.Command, "Accept the application (受理)"),
    ("economic-check", "complete_economic_check", m.EconomicCheck, "Record the economic check"),
    ("home-visits", "conduct_home_visit", m.HomeVisit, "Record a home visit (入户调查)"),
    ("assessment", "record_assessment", m.Assessment, "Assess the household (gap method)"),
    ("public-notice", "post_public_notice", m.PublicNotice, "Post the public notice (公示)"),
    ("public-notice/close", "close_public_notice", m.PublicNoticeClose, "Close the notice"),
    ("extension", "extend_processing", m.Extension, "Extend processing to 45 working days"),
    ("confirm", "confirm", m.Decision, "Confirm eligibility (审核确认)"),
    ("deny", "deny", m.Denial, "Deny eligibility, with reasons"),
    ("changes", "report_change", m.ChangeReport, "Report a change in the household"),
    ("reviews", "complete_review", m.Review, "Record a periodic review"),
    ("adjustments", "adjust", m.Adjustment, "Adjust the monthly amount"),
    ("suspend", "suspend", m.MonthChange, "Suspend the benefit"),
    ("resume", "resume", m.MonthChange, "Resume the benefit"),
    ("gradual-exit", "start_gradual_exit", m.GradualExit, "Start a gradual exit (渐退)"),
    ("warnings", "raise_warning", m.Warning, "Raise an early warning (预警)"),
    ("terminate", "terminate", m.Termination, "Terminate the benefit (deregistration)"),
]
for _path, _command, _model, _summary in CASE_COMMANDS:
    case_command(_path, _command, _model, _summary)


@router.post(
    "/cases/{case_id}/warnings/{warning_id}/resolve", responses=PROBLEMS,
    summary="Resolve an early warning",
)  # fmt: skip
def resolve_warning(
    case_id: UUID,
    warning_id: str,
    body: m.WarningResolution,
    c: ContainerDep,
    actor: ActorDep,
    expected: IfMatchDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    payload = {**body.to_domain(), "warning_id": warning_id}
    result = c.ledger.change_case(case_id, "resolve_warning", payload, actor, expected, key)
    return answer(result, response)


@router.post(
    "/parameters", status_code=201, responses=PROBLEMS, tags=["parameters"],
    summary="Set an effective-dated parameter (e.g. the DIBAO standard from a date)",
)  # fmt: skip
def set_parameter(
    body: m.ParameterChange,
    c: ContainerDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    occurred = body.occurred_on or datetime.now(CHINA).date()
    result = c.ledger.set_parameter(
        body.name, body.value, body.effective_from.isoformat(), body.reason, actor,
        occurred.isoformat(), key,
    )  # fmt: skip
    return answer(result, response)
