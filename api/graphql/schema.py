"""GraphQL for supervisors and auditors: views only, except history and as-of (replays)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import cast
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig

from api.case_history import event_data
from api.graphql.access import AccessRecord, personal_data_access
from api.graphql.area import ReadAccess, check_street, narrowed, street_of
from api.graphql.audit import audit_findings_resolver, audit_summary_resolver
from api.graphql.cases import (
    Case,
    CaseAssessment,
    CaseFilter,
    CaseloadRow,
    CaseState,
    HistoryEvent,
    ProjectionState,
    PublicNotice,
    projection_states,
    today,
)
from api.graphql.checkpoints import checkpoints_resolver
from api.graphql.context import Info
from api.graphql.deaths import death_notifications_resolver
from api.graphql.errors import DomainErrorCodes, Schema
from api.graphql.institutions import (
    bed_conversions_resolver,
    bed_stats_resolver,
    institutions_resolver,
)
from api.graphql.integrity import ledger_integrity
from api.graphql.kpis import supervision_kpis_resolver
from api.graphql.limits import GraphQLLimits
from api.graphql.no_echo import NoEcho
from api.graphql.organizations import organization_stats, organizations, village_conversions
from api.graphql.overdue import overdue_summary
from api.graphql.payouts import (
    payout_totals_resolver,
    payouts_resolver,
    payroll_run_resolver,
)
from api.graphql.plain_rows import PlainRowsExecutionContext
from api.graphql.relay import DEFAULT_PAGE, Connection, connection, page_size, uncursor
from api.graphql.subscription import LONG, Long, Subscription
from api.graphql.temporary import temporary_assistance_stats, temporary_case
from api.graphql.viewer import viewer
from api.rest.bodies import CHINA
from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from domain.shared.errors import InvalidInput
from projections.views import case_counts, case_summary


def _parse_case_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput("not a case id", field="id") from None


def _case_as_of(
    ledger: Ledger, case_id: UUID, version: int | None, at: datetime | None
) -> AssistanceCase:
    """Replay a case; an unknown id is `not_found` and a version below 1 is bad input."""
    if version is not None and version < 1:
        raise InvalidInput("the version must be 1 or more", field="version")
    if at is None:
        ledger.get_case(case_id)  # NotFound for an id that is no assistance case
    return ledger.case_as_of(case_id, version, at)  # with `at`, it looks the case up itself


@strawberry.type
class Query:
    viewer = strawberry.field(
        resolver=viewer,
        description="Who the caller is (user, role, area, grants, token expiry) and what it "
        "may read; for every authenticated role.",
    )
    supervision_kpis = strawberry.field(
        resolver=supervision_kpis_resolver,
        description="The headline figures of a year, for the district or one street.",
    )
    overdue_summary = strawberry.field(
        resolver=overdue_summary,
        description="Cases with each deadline missed (investigation, decision, case, review), "
        "by programme and street; the totalCount of cases(filter: {overdueDeadline}).",
    )
    ledger_integrity = strawberry.field(
        resolver=ledger_integrity,
        description="The tamper-evidence state: head, sealed size and seal lag, the latest "
        "signed checkpoint and the last verification of the log.",
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
        "for a year and/or a street, grouped by year, month, type and/or street.",
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
    checkpoints = strawberry.field(
        resolver=checkpoints_resolver,
        description="The verifiable log's signed checkpoints, newest first; Relay-paged.",
    )
    personal_data_access = strawberry.field(
        resolver=personal_data_access,
        description="The record of every read of personal data in full (auditors only), "
        "newest first; Relay-paged.",
    )
    audit_findings = strawberry.field(
        resolver=audit_findings_resolver,
        description="Findings of the audit rules by rule, street, status, severity or case; "
        "Relay-paged.",
    )
    audit_summary = strawberry.field(
        resolver=audit_summary_resolver,
        description="Findings counted (all and open) by rule, street, status or severity.",
    )
    bed_conversions = strawberry.field(
        resolver=bed_conversions_resolver,
        description="Bed conversions (四床融合): the pipeline, Relay-paged, and the progress "
        "against the plan (2024: 300 beds).",
    )

    @strawberry.field(description="One case from the case_summary view.")
    async def case(self, info: Info, id: strawberry.ID) -> Case | None:
        row = await asyncio.to_thread(case_summary.get, info.context.container.read_db, str(id))
        if row:
            check_street(info, row["street"], "case")
        return Case.from_row(row) if row else None

    @strawberry.field(description="Cases by programme, street, status, overdue; Relay-paged.")
    async def cases(
        self, info: Info, filter: CaseFilter | None = None, first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Case]:  # fmt: skip
        first, key = page_size(first), uncursor(after)
        found = narrowed(
            case_summary.matching(
                info.context.container.read_db, vars(filter) if filter else {}, today()
            ),
            info,
        )
        rows = await asyncio.to_thread(found.page, key, first + 1)
        return connection(
            rows, first, key=lambda r: r["case_id"], node=Case.from_row,
            count=lambda: asyncio.to_thread(found.count),
        )  # fmt: skip

    @strawberry.field(description="Counts, people and monthly amounts grouped as asked.")
    async def caseload(self, info: Info, group_by: list[str] | None = None) -> list[CaseloadRow]:
        rows = await asyncio.to_thread(
            case_counts.caseload, info.context.container.read_db, group_by or [], street_of(info)
        )
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
        ledger = info.context.container.ledger
        case_id = _parse_case_id(id)
        check_street(info, (await asyncio.to_thread(ledger.get_case, case_id)).street, "case")
        events = await asyncio.to_thread(ledger.case_events, case_id)
        return [
            HistoryEvent(
                version=e.originator_version,
                type=type(e).__name__,
                occurred_on=getattr(e, "occurred_on", None),
                recorded_at=e.timestamp.astimezone(UTC).isoformat(),
                actor=e.actor,
                data=cast(JSON, event_data(e)),
                case_id=str(id),
            )
            for e in events
        ]

    @strawberry.field(description="The case at a version, or as recorded at a time.")
    async def case_as_of(
        self, info: Info, id: strawberry.ID, version: int | None = None,
        at: datetime | None = None,
    ) -> CaseState:  # fmt: skip
        if version is None and at is None:
            raise InvalidInput("give a version or a time (at)", field="version")
        when = at if at is None or at.tzinfo else at.replace(tzinfo=CHINA)
        case = await asyncio.to_thread(
            _case_as_of, info.context.container.ledger, _parse_case_id(id), version, when
        )
        check_street(info, case.street, "case")  # its street never changes
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
            notice=PublicNotice.from_state(case.notice, case.notice_closed),
            assessment=CaseAssessment.from_state(case.assessment),
        )

    @strawberry.field(description="Each projection's position, lag and last error.")
    async def projection_status(self, info: Info) -> list[ProjectionState]:
        return await asyncio.to_thread(projection_states, info.context.container)


schema = Schema(
    query=Query,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map={Long: LONG}),
    extensions=[DomainErrorCodes, GraphQLLimits, NoEcho, ReadAccess, AccessRecord],
    execution_context_class=PlainRowsExecutionContext,
)
