"""GraphQL for supervisors and auditors: views only, except history and as-of (replays)."""

from __future__ import annotations

import asyncio
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any, cast
from uuid import UUID

import strawberry
from fastapi import Depends, Header, HTTPException, Request
from strawberry.fastapi import GraphQLRouter
from strawberry.scalars import JSON
from strawberry.types import Info

from api.auth import actor_from_header, may_see_personal_data
from api.container import Container
from api.deps import get_container
from api.graphql_deaths import death_notifications_resolver
from api.graphql_institutions import (
    bed_conversions_resolver,
    bed_stats_resolver,
    institutions_resolver,
)
from api.graphql_kpis import supervision_kpis_resolver
from api.graphql_organizations import organization_stats, organizations, village_conversions
from api.graphql_payouts import (
    payout_totals_resolver,
    payouts_resolver,
    payroll_run_resolver,
)
from api.graphql_temporary import temporary_assistance_stats, temporary_case
from api.graphql_types import (
    Case,
    CaseConnection,
    CaseEdge,
    CaseFilter,
    CaseloadRow,
    CaseState,
    HistoryEvent,
    PageInfo,
    ProjectionState,
    ctx,
    cursor,
    projection_states,
    today,
    uncursor,
)
from api.models import CHINA
from domain.errors import DomainError
from domain.identity import mask_id_number, mask_name
from projections import case_summary
from projections.tracking import wait_for_position


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
    supervision_kpis = strawberry.field(
        resolver=supervision_kpis_resolver, description="The district's headline figures."
    )
    death_notifications = strawberry.field(
        resolver=death_notifications_resolver,
        description="Death notifications and the cases each one touched (身后一件事).",
    )
    payouts = strawberry.field(
        resolver=payouts_resolver, description="Payouts by case, run, month, programme, street."
    )
    payroll_run = strawberry.field(
        resolver=payroll_run_resolver, description="A payroll run, by id or programme and month."
    )
    payout_totals = strawberry.field(
        resolver=payout_totals_resolver, description="Count and amount by programme/street/month."
    )
    temporary_assistance_stats = strawberry.field(
        resolver=temporary_assistance_stats,
        description="Temporary assistance (临时救助): households, people and amount paid, "
        "for a year and grouped by year, type and/or street.",
    )
    temporary_case = strawberry.field(
        resolver=temporary_case, description="One temporary-assistance case, by id."
    )
    organizations = strawberry.field(
        resolver=organizations,
        description="Social organisations (社会组织) by street, type, status, grade or "
        "inspection due; Relay-paged.",
    )
    organization_stats = strawberry.field(
        resolver=organization_stats,
        description="Social organisations registered, graded (and the share) and inspections "
        "due, as of a date or the end of a year (today by default).",
    )
    village_conversions = strawberry.field(
        resolver=village_conversions,
        description="Village conversions (撤村转居): the step reached and the vote result.",
    )
    institutions = strawberry.field(
        resolver=institutions_resolver,
        description="Care institutions by street and grade, with beds by type; Relay-paged.",
    )
    bed_stats = strawberry.field(
        resolver=bed_stats_resolver,
        description="Beds by type, nursing-bed share, grading rate and certified-caregiver "
        "share as of a day, for the district or grouped by street and/or institution.",
    )
    bed_conversions = strawberry.field(
        resolver=bed_conversions_resolver,
        description="Bed conversions (四床融合): the pipeline, Relay-paged, and the progress "
        "against the plan (2024: 300 beds).",
    )

    @strawberry.field(description="One case from the case_summary view.")
    async def case(self, info: Info, id: strawberry.ID) -> Case | None:
        container, actor = ctx(info)
        row = await asyncio.to_thread(case_summary.get, container.db, str(id))
        return Case.from_row(row, actor) if row else None

    @strawberry.field(description="Cases by programme, street, status, overdue; Relay-paged.")
    async def cases(
        self, info: Info, filter: CaseFilter | None = None, first: int = 50,
        after: str | None = None,
    ) -> CaseConnection:  # fmt: skip
        container, actor = ctx(info)
        first = max(1, min(first, 500))
        filters = vars(filter) if filter else {}
        rows, total = await asyncio.to_thread(
            case_summary.search, container.db, filters, today(), uncursor(after), first + 1
        )
        edges = [CaseEdge(node=Case.from_row(r, actor), cursor=cursor(r["case_id"])) for r in rows]
        more = len(edges) > first
        edges = edges[:first]
        return CaseConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
            total_count=total,
        )

    @strawberry.field(description="Counts, people and monthly amounts grouped as asked.")
    async def caseload(self, info: Info, group_by: list[str] | None = None) -> list[CaseloadRow]:
        container, _ = ctx(info)
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
        container, actor = ctx(info)
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
        container, _ = ctx(info)
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
            notice=cast(JSON, case.notice),
            assessment=cast(JSON, case.assessment),
        )

    @strawberry.field(description="Each projection's position, lag and last error.")
    async def projection_status(self, info: Info) -> list[ProjectionState]:
        container, _ = ctx(info)
        return await asyncio.to_thread(projection_states, container)


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
