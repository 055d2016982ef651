"""GraphQL types built from view rows (`from_row`), masking personal data by role."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import fields
from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.auth import may_see_personal_data
from api.container import Container
from api.models import CHINA
from domain.errors import DomainError
from domain.identity import mask_id_number, mask_name
from domain.values import Actor
from projections import case_summary, case_timeline, tracking
from projections.db import Row


def ctx(info: Info) -> tuple[Container, Actor]:
    return info.context["container"], info.context["actor"]


def today() -> date:
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
            overdue=Overdue(**case_summary.overdue_flags(row, today())),
            **{
                f.name: row[f.name]
                for f in fields(cls)
                if f.name in row
                and f.name
                not in (
                    "applicant_name",
                    "applicant_id_number",
                    "kin_of_staff",
                    "extended",
                )
            },
        )

    @strawberry.field
    async def timeline(self, info: Info) -> list[TimelineEntry]:
        container, _ = ctx(info)
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
    confirmed_in: int | None = strawberry.field(
        default=None, description="year of the eligibility decision that confirmed the case"
    )


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
    error: str | None = strawberry.field(
        description="why it stopped: its own code failed on an event; fixed by a rebuild"
    )
    retrying: str | None = strawberry.field(
        default=None,
        description="a transient error (lost connection, lock, timeout) being retried; "
        "it resumes by itself",
    )


def projection_states(container: Container) -> list[ProjectionState]:
    """Views and processes alike: where each has got to, and whether it stopped or retries."""
    head = container.ledger.latest_position()
    rows = tracking.rows(container.db)
    runner = container.runner
    states = []
    names = [p.name for p in runner.projections]
    names += [p.name for p in runner.processes]
    for name in names:
        r = rows.get(name, tracking.Tracked(name))
        states.append(
            ProjectionState(
                name=name,
                position=r.position,
                head_position=head,
                lag=max(0, head - r.position),
                events_applied=r.events_applied,
                updated_at=r.updated_at,
                error=r.error or runner.failed.get(name),
                retrying=runner.retrying.get(name),
            )
        )
    return states


def cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def uncursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise DomainError("the cursor is not one this API gave out", field="after") from None
