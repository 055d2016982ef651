"""GET /api/v1/cases/{id}/export: the auditor's case file (api/case_file.py), as GraphQL's
caseHistory would show it: its READS rule and street scope, masks, X-Purpose and the record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from api import problems
from api.case_file import case_file
from api.deps import ActorDep, ContainerDep
from api.permissions import Disclosure, purpose_from
from api.rest.bodies import CHINA
from api.rest.routing import PROBLEMS
from domain.shared.access import check_read
from projections.chain.proofs import NotYet

router = APIRouter(prefix="/api/v1", tags=["verifiable log"])

EXAMPLE = {
    "format": "caseledger/case-file@v1",
    "case_id": "7d0f2c1e-5b7a-4c3e-9a51-0f6f2b8e4c11",
    "exported_at": "2026-12-01T09:00:00+00:00",
    "as_of": None,
    "tree_size": 1024,
    "checkpoint": "caseledger.local/320404\n1024\n<base64 root>\n\n— caseledger.local/320404 …\n",
    "public_key": "caseledger.local/320404+3667c36b+AQ91…",
    "events": [
        {
            "position": 41, "leaf_index": 40, "aggregate_id": "7d0f2c1e-…", "version": 1,
            "topic": "domain.assistance.case:AssistanceCase.Submitted", "state_b64": "eyJ…",
            "leaf_hash": "…=", "proof": ["…=", "…="], "type": "Submitted",
            "actor": {"user": "worker-1", "role": "caseworker", "unit": "新闸街道"},
            "occurred_on": "2024-03-01", "recorded_at": "2024-03-01T01:02:03+00:00",
            "data": {"…": "masked as the caller may see it"},
        }
    ],
    "state": {"id": "7d0f2c1e-…", "version": 9, "status": "active"},
}  # fmt: skip


@router.get(
    "/cases/{id}/export",
    summary="The case file: every event with its stored bytes and inclusion proof, and the "
    "state as of a time",
    responses={
        200: {
            "description": "caseledger/case-file@v1 (docs/verifiable-log.md); reads in full are "
            "recorded (X-Purpose)",
            "content": {"application/json": {"example": EXAMPLE}},
        },
        400: {
            "description": "PURPOSE_REQUIRED or PURPOSE_INVALID (X-Purpose)",
            "content": {"application/problem+json": {}},
        },
        503: {
            "description": "not sealed yet (Retry-After), the log stopped (log_stopped), or "
            "the read could not be recorded (RECORD_FAILED)",
            "content": {"application/problem+json": {}},
        },
        **{s: PROBLEMS[s] for s in (401, 403, 404, 422)},
    },
)
def export_case(
    id: UUID,
    c: ContainerDep,
    actor: ActorDep,
    request: Request,
    as_of: Annotated[
        datetime | None, Query(description="recorded time; naive is China time")
    ] = None,
    x_purpose: Annotated[str | None, Header(alias="X-Purpose")] = None,
) -> Any:
    check_read("caseHistory", actor)
    when = as_of if as_of is None or as_of.tzinfo else as_of.replace(tzinfo=CHINA)
    shows = Disclosure(
        actor, purpose_from(x_purpose), request_id=getattr(request.state, "request_id", None),
        via="rest", personal=c.ledger.personal,
    )  # fmt: skip
    try:
        return case_file(c, id, shows, when)
    except NotYet as e:
        answer: Response = problems.problem(503, e.reason, code="not_sealed_yet", field="id")
        answer.headers["Retry-After"] = problems.RETRY_AFTER_SECONDS
        return answer
