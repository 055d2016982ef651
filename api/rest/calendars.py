"""REST command on the holiday calendar: POST /api/v1/calendars (a year's notice)."""

# No `from __future__ import annotations`: FastAPI reads these annotations at import time.
from fastapi import APIRouter, Response

from api.deps import ActorDep, ContainerDep, IdempotencyKeyDep
from api.rest.bodies import CommandAnswer
from api.rest.calendar_bodies import HolidayNotice
from api.rest.routing import PROBLEMS, answer

router = APIRouter(prefix="/api/v1", tags=["calendars"])


@router.post(
    "/calendars", status_code=201, responses=PROBLEMS, response_model=CommandAnswer,
    summary="Record a year's State Council holiday notice (holidays and make-up working days)",
    description="A later notice for the same year supersedes the earlier one (a correction); "
    "due dates counted provisionally for that year are recomputed in the views.",
)  # fmt: skip
def record_holiday_notice(
    body: HolidayNotice,
    c: ContainerDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
    response: Response,
) -> CommandAnswer:
    return answer(c.ledger.record_holiday_notice(body.to_domain(), actor, key), response)
