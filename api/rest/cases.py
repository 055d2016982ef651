"""REST commands on assistance cases: POST /api/v1/cases and its sub-resources."""

# No `from __future__ import annotations`: FastAPI reads these annotations at import time.
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from api.rest import bodies as m
from api.rest.bodies import CHINA, CommandAnswer
from api.rest.routing import PROBLEMS, Step, answer, create_route, step_routes
from api.rest.text import Line
from domain.ledger import Ledger

router = APIRouter(prefix="/api/v1", tags=["cases"])

create_route(
    router, "/cases", m.SubmitApplication, Ledger.submit_application, "Submit an application"
)


CASE_COMMANDS: list[Step] = [
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
    ("payee", "change_payee", m.PayeeChange, "Record a new payee account (e.g. after a death)"),
]
step_routes(router, "/cases", Ledger.change_case, CASE_COMMANDS)


@router.post(
    "/cases/{id}/warnings/{warning_id}/resolve", responses=PROBLEMS,
    summary="Resolve an early warning",
)  # fmt: skip
def resolve_warning(
    id: UUID,
    warning_id: Annotated[Line, Path()],
    body: m.WarningResolution,
    c: ContainerDep,
    actor: ActorDep,
    expected: IfMatchDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    payload = {**body.to_domain(), "warning_id": warning_id}
    result = c.ledger.change_case(id, "resolve_warning", payload, actor, expected, key)
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
