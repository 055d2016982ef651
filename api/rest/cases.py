"""REST commands on assistance cases: POST /api/v1/cases and its sub-resources."""

# No `from __future__ import annotations`: FastAPI reads these annotations at import time.
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep, IfMatchDep
from api.rest import bodies as m
from api.rest.bodies import CHINA, CommandAnswer
from api.rest.routing import PROBLEMS, Command, answer, command_routes, create_route
from api.rest.text import Line
from domain.ledger import Ledger

router = APIRouter(prefix="/api/v1", tags=["cases"])

create_route(
    router, "/cases", m.SubmitApplication, Ledger.submit_application, "Submit an application"
)


CASE_COMMANDS = [
    Command("accept", Ledger.accept_application, m.Command, "Accept the application (受理)"),
    Command("economic-check", Ledger.complete_case_economic_check, m.EconomicCheck,
            "Record the economic check"),
    Command("home-visits", Ledger.record_case_home_visit, m.HomeVisit,
            "Record a home visit (入户调查)"),
    Command("assessment", Ledger.assess_household, m.Assessment,
            "Assess the household (gap method)"),
    Command("public-notice", Ledger.post_public_notice, m.PublicNotice,
            "Post the public notice (公示)"),
    Command("public-notice/close", Ledger.close_public_notice, m.PublicNoticeClose,
            "Close the notice"),
    Command("extension", Ledger.extend_processing, m.Extension,
            "Extend processing to 45 working days"),
    Command("confirm", Ledger.confirm_eligibility, m.Decision, "Confirm eligibility (审核确认)"),
    Command("deny", Ledger.deny_eligibility, m.Denial, "Deny eligibility, with reasons"),
    Command("changes", Ledger.report_change, m.ChangeReport, "Report a change in the household"),
    Command("reviews", Ledger.complete_review, m.Review, "Record a periodic review"),
    Command("adjustments", Ledger.adjust_benefit, m.Adjustment, "Adjust the monthly amount"),
    Command("suspend", Ledger.suspend_benefit, m.MonthChange, "Suspend the benefit"),
    Command("resume", Ledger.resume_benefit, m.MonthChange, "Resume the benefit"),
    Command("gradual-exit", Ledger.start_gradual_exit, m.GradualExit,
            "Start a gradual exit (渐退)"),
    Command("warnings", Ledger.raise_warning, m.Warning, "Raise an early warning (预警)"),
    Command("terminate", Ledger.terminate_benefit, m.Termination,
            "Terminate the benefit (deregistration)"),
    Command("payee", Ledger.change_payee, m.PayeeChange,
            "Record a new payee account (e.g. after a death)"),
]  # fmt: skip
command_routes(router, "/cases", CASE_COMMANDS)


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
    result = c.ledger.resolve_warning(
        id, actor, **body.to_domain(), warning_id=warning_id, expected_version=expected,
        idempotency_key=key,
    )  # fmt: skip
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
