"""GraphQL types built from view rows (`from_row`); personal fields are masked by role."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from api.container import Container
from api.graphql.context import Info
from api.graphql.permissions import Redacted, masked
from api.permissions import Personal, Subject
from api.rest.bodies import CHINA
from projections import tracking
from projections.store import Row
from projections.views import case_deadlines


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
    applicant_name: str | None = masked(Personal.NAME)
    applicant_id_number: str | None = masked(Personal.ID_NUMBER)
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
    denial_notice_due: str | None = strawberry.field(
        default=None, description="the denial must be notified by this day (3 working days)"
    )
    provisional: list[str] = strawberry.field(
        default_factory=list,
        description="the due dates of this case (e.g. caseDue) counted Monday to Friday because "
        "their year's holiday notice is not recorded yet; recomputed once it is",
    )

    @classmethod
    def from_row(cls, row: Row) -> Case:
        return cls(
            id=strawberry.ID(row["case_id"]),
            kin_of_staff=bool(row["kin_of_staff"]),
            extended=bool(row["extended"]),
            overdue=Overdue(**case_deadlines.overdue_flags(row, today())),
            provisional=[_camel(n) for n in json.loads(row.get("provisional") or "[]")],
            **{
                f.name: row[f.name]
                for f in fields(cls)
                if f.name in row and f.name not in ("kin_of_staff", "extended", "provisional")
            },
        )

    @strawberry.field(description="What happened, in order; one query for all cases asked for.")
    async def timeline(self, info: Info) -> list[TimelineEntry]:
        rows = await info.context.timelines.load(str(self.id))
        return [
            TimelineEntry(**{**r, "backdated": bool(r["backdated"])})
            for r in ({k: v for k, v in row.items() if k != "case_id"} for row in rows)
        ]

    def personal_subject(self) -> Subject:
        return Subject(case_id=str(self.id))


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
    overdue_deadline: str | None = strawberry.field(
        default=None,
        description="investigation, decision, case or review: cases with that deadline missed, "
        "as `Case.overdue` says (done late, or not done and past due while open for it)",
    )
    overdue_now: bool | None = strawberry.field(
        default=None,
        description="true: only the cases overdue now (the step not done, the case open for it, "
        "past due today); false: only those whose step was completed late. With "
        "`overdueDeadline` for that deadline, without it for any deadline",
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
    data: JSON = strawberry.field(extensions=[Redacted()])
    case_id: strawberry.Private[str]

    def personal_subject(self) -> Subject:
        return Subject(case_id=self.case_id)


@strawberry.type(description="A parameter version a decision used (e.g. the DIBAO standard).")
class ParameterUsed:
    name: str
    version: str


@strawberry.type(description="The household assessment (the gap method) the case holds.")
class CaseAssessment:
    assessed_on: str
    eligible: bool
    reasons: list[str] = strawberry.field(description="why not eligible; empty when eligible")
    total_fen: int = strawberry.field(description="the monthly amount proposed, in fen")
    irregular_income: bool
    parameters: list[ParameterUsed]

    @classmethod
    def from_state(cls, assessment: dict[str, Any] | None) -> CaseAssessment | None:
        if assessment is None:
            return None
        return cls(
            assessed_on=assessment["on"],
            eligible=bool(assessment["eligible"]),
            reasons=list(assessment.get("reasons") or []),
            total_fen=int(assessment["total_fen"]),
            irregular_income=bool(assessment.get("irregular_income")),
            parameters=[
                ParameterUsed(name=k, version=str(v))
                for k, v in sorted((assessment.get("parameters") or {}).items())
            ],
        )


@strawberry.type(description="The public notice (公示) of the assessment, and its close.")
class PublicNotice:
    posted_from: str
    posted_to: str
    closed_on: str | None = strawberry.field(description="null while the notice is up")
    objections: list[str] = strawberry.field(description="raised at the close; empty if none")

    @classmethod
    def from_state(
        cls, notice: dict[str, Any] | None, closed: dict[str, Any] | None
    ) -> PublicNotice | None:
        if notice is None:
            return None
        return cls(
            posted_from=notice["from"],
            posted_to=notice["to"],
            closed_on=closed["on"] if closed else None,
            objections=list(closed.get("objections") or []) if closed else [],
        )


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
    notice: PublicNotice | None
    assessment: CaseAssessment | None


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
    rows = tracking.rows(container.read_db)
    runner = container.runner
    states = []
    names = [p.name for p in runner.projections]
    names += [p.name for p in runner.every_process]
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


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
