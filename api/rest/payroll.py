"""REST commands on payroll runs and payouts: schedule, approve, settle, correct."""

# No `from __future__ import annotations`: the route factory's closures need real annotations.

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel, Field

from api.deps import ActorDep, ContainerDep, IfMatchDep
from api.rest import routing
from api.rest.bodies import CHINA, BankAccount, BusinessDate, Command, CommandAnswer, Month
from api.rest.bodies import Body as RequestBody
from api.rest.routing import PROBLEMS, answer, command_routes
from api.rest.text import Text
from domain.ledger import Ledger
from domain.shared.errors import InvalidInput
from domain.shared.vocabulary import Programme

router = APIRouter(prefix="/api/v1", tags=["payroll"])


class StartRun(RequestBody):
    programme: Programme
    month: Month


class RunAnswer(CommandAnswer):
    scheduled: int = Field(description="payouts scheduled by this call")
    existing: int = Field(description="due payouts the run already had (a repeated call)")
    payouts: int = Field(description="payouts in the run now")
    total_fen: int = Field(description="their total")
    skipped: dict[str, int] = Field(description="confirmed cases not paid this month, by reason")


class Approval(RequestBody):
    occurred_on: BusinessDate | None = None


class Reissue(Command):
    reason: Text
    payee_account: BankAccount | None = None


class Reversal(Command):
    reason: Text


class Recovery(Command):
    amount_fen: Annotated[int, Field(gt=0, le=10**12)]
    reason: Text


def _today() -> str:
    return datetime.now(CHINA).date().isoformat()


@router.post("/payroll-runs", status_code=201, responses=PROBLEMS, summary="Schedule a payroll run")
def start_run(body: StartRun, c: ContainerDep, actor: ActorDep, response: Response) -> RunAnswer:
    """Idempotent: running it again schedules only what is newly due and never doubles a payout."""
    result = c.ledger.start_payroll_run(
        body.programme.value, body.month, actor, datetime.now(CHINA).date()
    )
    response.headers["Location"] = f"/api/v1/payroll-runs/{result.id}"
    response.headers["ETag"] = f'"{result.version}"'
    return RunAnswer(
        id=result.id, version=result.version, position=result.position,
        scheduled=result.scheduled, existing=result.existing, payouts=result.payouts,
        total_fen=result.total_fen, skipped=result.skipped,
    )  # fmt: skip


@router.post("/payroll-runs/{run_id}/approve", responses=PROBLEMS, summary="Approve a run")
def approve(
    run_id: UUID, c: ContainerDep, actor: ActorDep, expected: IfMatchDep, response: Response,
    body: Approval | None = None,
) -> CommandAnswer:  # fmt: skip
    on = body.occurred_on.isoformat() if body and body.occurred_on else _today()
    return answer(c.ledger.approve_payroll_run(run_id, actor, on, expected), response)


class SettlementProblem(BaseModel):
    line: int
    reason: str


@router.post(
    "/payroll-runs/{run_id}/settlement", responses=PROBLEMS,
    summary="Record the bank's settlement file (CSV), all lines or none",
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)  # fmt: skip
def settlement(
    run_id: UUID, c: ContainerDep, actor: ActorDep, expected: IfMatchDep, response: Response,
    file: Annotated[bytes, Body(media_type="text/csv")],
) -> CommandAnswer:  # fmt: skip
    """Columns: payout_id,status,amount_fen,bank_reference,reason (status settled or failed)."""
    try:
        text = file.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the settlement file must be UTF-8 text", field="file") from None
    result = c.ledger.record_settlement(run_id, text, actor, _today(), expected)
    return answer(result, response)


command_routes(
    router,
    "/payouts",
    [
        routing.Command("reissue", Ledger.reissue_payout, Reissue,
                        "Reissue a failed payout (optionally to a new account)"),
        routing.Command("reverse", Ledger.reverse_payout, Reversal, "Reverse a settled payout"),
        routing.Command("recover", Ledger.recover_overpayment, Recovery,
                        "Record an overpayment recovered"),
    ],
)  # fmt: skip
