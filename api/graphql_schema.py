"""GraphQL for supervisors and auditors: views only, except history and as-of (replays)."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import strawberry
from fastapi import Depends, Header, HTTPException, Request
from strawberry.fastapi import GraphQLRouter
from strawberry.scalars import JSON
from strawberry.types import Info

from api.auth import actor_from_header, may_see_personal_data
from api.container import Container
from api.deps import get_container
from api.models import CHINA
from domain.errors import DomainError
from domain.identity import mask_id_number, mask_name
from domain.values import Actor
from projections import case_summary, case_timeline
from projections.db import Row
from projections.runner import wait_for_position


def _ctx(info: Info) -> tuple[Container, Actor]:
    return info.context["container"], info.context["actor"]


def _today() -> date:
    return datetime.now(CHINA).date()


@strawberry.type
class Overdue:
    investigation: bool
    decision: bool
    case: bool
    review: bool


@strawberry.type
class TimelineEntry:
    position: int
    version: int
    event_type: str
    occurred_on: str
    recorded_at: str
    backdated: bool
    actor_user: str
    actor_role: str
    actor_unit: str | None
    summary: str


@strawberry.type
class Case:
    id: strawberry.ID
    programme: str
    district: str
    street: str
    community: str
    status: str
    channel: str
    kin_of_staff: bool
    household_size: int
    counted_members: int
    applicant_name: str | None
    applicant_id_number: str | None
    submitted_on: str
    accepted_on: str | None
    investigation_started_on: str | None
    investigation_due: str | None
    decision_due: str | None
    case_due: str | None
    extended: bool
    decided_on: str | None
    income_per_head_fen: int | None
    monthly_amount_fen: int
    first_paid_month: str | None
    next_review_due: str | None
    suspended_from: str | None
    gradual_exit_until: str | None
    terminated_month: str | None
    termination_reason: str | None
    open_warnings: int
    version: int
    position: int
    overdue: Overdue

    @classmethod
    def from_row(cls, row: Row, actor: Actor) -> Case:
        visible = may_see_personal_data(actor)
        name, idn = row["applicant_name"], row["applicant_id_number"]
        return cls(
            id=strawberry.ID(row["case_id"]),
            applicant_name=name if visible else mask_name(name or ""),
            applicant_id_number=idn if visible else mask_id_number(idn or ""),
            kin_of_staff=bool(row["kin_of_staff"]),
            extended=bool(row["extended"]),
            overdue=Overdue(**case_summary.overdue_flags(row, _today())),
            **{
                f.name: row[f.name]
                for f in fields(cls)  # type: ignore[arg-type]
                if f.name in row
                and f.name not in ("applicant_name", "applicant_id_number", "kin_of_staff",
                                   "extended")  # fmt: skip
            },
        )

    @strawberry.field
    async def timeline(self, info: Info) -> list[TimelineEntry]:
        container, _ = _ctx(info)
        rows = await asyncio.to_thread(case_timeline.for_case, container.db, str(self.id))
        return [
            TimelineEntry(**{**r, "backdated": bool(r["backdated"])})
            for r in ({k: v for k, v in row.items() if k != "case_id"} for row in rows)
        ]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class CaseEdge:
    node: Case
    cursor: str


@strawberry.type
class CaseConnection:
    edges: list[CaseEdge]
    page_info: PageInfo
    total_count: int


@strawberry.input
class CaseFilter:
    programme: str | None = None
    street: str | None = None
    community: str | None = None
    status: str | None = None
    overdue: bool | None = None


@strawberry.type
class CaseloadRow:
    programme: str | None = None
    street: str | None = None
    community: str | None = None
    status: str | None = None
    cases: int = 0
    people: int = 0
    monthly_amount_fen: int = 0


@strawberry.type
class HistoryEvent:
    version: int
    type: str
    occurred_on: str | None
    recorded_at: str
    actor: JSON
    data: JSON


@strawberry.type
class CaseState:
    """The case as the ledger knew it at a version or a time (replayed from events)."""

    id: strawberry.ID
    version: int
    recorded_at: str
    status: str
    programme: str
    counted_members: int
    monthly_amount_fen: int
    kin_of_staff: bool
    accepted_on: str | None
    notice: JSON | None
    assessment: JSON | None


@strawberry.type
class ProjectionState:
    name: str
    position: int
    head_position: int
    lag: int
    events_applied: int
    updated_at: str | None
    error: str | None


def _cursor(case_id: str) -> str:
    return base64.urlsafe_b64encode(case_id.encode()).decode()


def _uncursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise DomainError("the cursor is not one this API gave out", field="after") from None


def _redact(value: Any, visible: bool) -> Any:
    """Mask personal data (kept under `personal`) for roles that may not see it."""
    if isinstance(value, dict):
        if "personal" in value and isinstance(value["personal"], dict) and not visible:
            value = {**value, "personal": {
                "name": mask_name(value["personal"].get("name", "")),
                "id_number": mask_id_number(value["personal"].get("id_number", "")),
            }}  # fmt: skip
        return {k: _redact(v, visible) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, visible) for v in value]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _event_data(event: Any) -> dict[str, Any]:
    skip = {"originator_id", "originator_version", "timestamp", "actor", "occurred_on"}
    if is_dataclass(event):
        return {f.name: getattr(event, f.name) for f in fields(event) if f.name not in skip}
    return {k: v for k, v in vars(event).items() if k not in skip}


def _parse_case_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise DomainError("not a case id", field="id", code="invalid_input") from None


@strawberry.type
class Query:
    @strawberry.field(description="One case from the case_summary view.")
    async def case(self, info: Info, id: strawberry.ID) -> Case | None:
        container, actor = _ctx(info)
        row = await asyncio.to_thread(case_summary.get, container.db, str(id))
        return Case.from_row(row, actor) if row else None

    @strawberry.field(description="Cases by programme, street, status, overdue; Relay-paged.")
    async def cases(
        self, info: Info, filter: CaseFilter | None = None, first: int = 50,
        after: str | None = None,
    ) -> CaseConnection:  # fmt: skip
        container, actor = _ctx(info)
        first = max(1, min(first, 500))
        filters = vars(filter) if filter else {}
        rows, total = await asyncio.to_thread(
            case_summary.search, container.db, filters, _today(), _uncursor(after), first + 1
        )
        edges = [CaseEdge(node=Case.from_row(r, actor), cursor=_cursor(r["case_id"])) for r in rows]
        more = len(edges) > first
        edges = edges[:first]
        return CaseConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
            total_count=total,
        )

    @strawberry.field(description="Counts, people and monthly amounts grouped as asked.")
    async def caseload(self, info: Info, group_by: list[str] | None = None) -> list[CaseloadRow]:
        container, _ = _ctx(info)
        rows = await asyncio.to_thread(case_summary.caseload, container.db, group_by or [])
        return [
            CaseloadRow(
                **{k: r[k] for k in ("programme", "street", "community", "status") if k in r},
                cases=int(r["cases"]),
                people=int(r["people"] or 0),
                monthly_amount_fen=int(r["monthly_fen"] or 0),
            )
            for r in rows
        ]

    @strawberry.field(description="Every event of a case, replayed from the ledger itself.")
    async def case_history(self, info: Info, id: strawberry.ID) -> list[HistoryEvent]:
        container, actor = _ctx(info)
        events = await asyncio.to_thread(container.ledger.case_events, _parse_case_id(id))
        visible = may_see_personal_data(actor)
        return [
            HistoryEvent(
                version=e.originator_version,
                type=type(e).__name__,
                occurred_on=getattr(e, "occurred_on", None),
                recorded_at=e.timestamp.astimezone(UTC).isoformat(),
                actor=e.actor,
                data=_redact(_event_data(e), visible),
            )
            for e in events
        ]

    @strawberry.field(description="The case at a version, or as recorded at a time.")
    async def case_as_of(
        self, info: Info, id: strawberry.ID, version: int | None = None,
        at: datetime | None = None,
    ) -> CaseState:  # fmt: skip
        container, _ = _ctx(info)
        if version is None and at is None:
            raise DomainError("give a version or a time (at)", field="version")
        when = at if at is None or at.tzinfo else at.replace(tzinfo=CHINA)
        case = await asyncio.to_thread(
            container.ledger.case_as_of, _parse_case_id(id), version, when
        )
        return CaseState(
            id=strawberry.ID(str(case.id)),
            version=case.version,
            recorded_at=case.modified_on.astimezone(UTC).isoformat(),
            status=case.status,
            programme=case.programme,
            counted_members=len(case.counted),
            monthly_amount_fen=case.monthly_amount_fen,
            kin_of_staff=case.kin_of_staff,
            accepted_on=case.accepted_on,
            notice=case.notice,
            assessment=case.assessment,
        )

    @strawberry.field(description="Each projection's position, lag and last error.")
    async def projection_status(self, info: Info) -> list[ProjectionState]:
        container, _ = _ctx(info)
        return await asyncio.to_thread(projection_states, container)


def projection_states(container: Container) -> list[ProjectionState]:
    head = container.ledger.latest_position()
    rows = {r["name"]: r for r in container.db.query("SELECT * FROM projection_tracking")}
    states = []
    for p in container.runner.projections:
        r = rows.get(p.name, {})
        position = int(r.get("position") or 0)
        states.append(
            ProjectionState(
                name=p.name, position=position, head_position=head, lag=max(0, head - position),
                events_applied=int(r.get("events_applied") or 0), updated_at=r.get("updated_at"),
                error=r.get("error") or container.runner.failed.get(p.name),
            )  # fmt: skip
        )
    return states


schema = strawberry.Schema(query=Query)


async def context(
    request: Request,
    container: Container = Depends(get_container),
    authorization: str | None = Header(None),
    x_min_position: int | None = Header(None),
) -> dict[str, Any]:
    ide_page = request.method == "GET" and "query" not in request.query_params
    actor = None
    if not ide_page:
        actor = actor_from_header(container.settings.jwt_secret.get_secret_value(), authorization)
    if x_min_position is not None:
        names = [p.name for p in container.runner.projections]
        timeout = container.settings.min_position_timeout
        ok = await asyncio.to_thread(
            wait_for_position, container.db, names, x_min_position, timeout
        )
        if not ok:
            raise HTTPException(
                503,
                f"the views have not reached position {x_min_position} within {timeout:g} s; "
                "retry shortly (projectionStatus shows the lag)",
            )
    return {"container": container, "actor": actor, "request": request}


def graphql_router() -> GraphQLRouter[Any, Any]:
    return GraphQLRouter(schema, context_getter=context, graphql_ide="graphiql")
