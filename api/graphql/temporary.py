"""GraphQL for temporary assistance (临时救助): one case, and the yearly figures.

The resolvers are plain module functions; api/graphql_schema.py attaches them to Query.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from api.graphql.area import StreetArgument, asked_street, check_street
from api.graphql.cases import today
from api.graphql.context import Info
from api.graphql.permissions import masked
from api.permissions import Personal, Subject
from projections.store import Row
from projections.views import temporary_assistance

#: View columns shown as they are.
PLAIN_COLUMNS = (
    "district", "street", "community", "status", "household_size", "requested_on",
    "checked_on", "home_visits", "amount_fen", "paid_on", "approver_level", "cap_fen",
    "street_limit_fen", "case_conference_ref", "case_conference_on", "paperwork_due",
    "paperwork_on", "decided_on", "closed_on", "version", "position",
)  # fmt: skip


@strawberry.type(description="A temporary-assistance case from the temporary_assistance view.")
class TemporaryCase:
    id: strawberry.ID
    type: str = strawberry.field(description="EMERGENCY or EXPENDITURE")
    district: str
    street: str
    community: str
    status: str = strawberry.field(
        description="requested, advanced, documented, granted, denied or closed"
    )
    applicant_name: str | None = masked(Personal.NAME)
    applicant_id_number: str | None = masked(Personal.ID_NUMBER)
    household_size: int
    requested_on: str
    checked_on: str | None
    home_visits: int
    amount_fen: int = strawberry.field(description="advance aid or grant paid, in fen")
    paid_on: str | None
    approver_level: str | None = strawberry.field(description="street or district")
    cap_fen: int | None
    street_limit_fen: int | None
    over_cap: bool
    case_conference_ref: str | None
    case_conference_on: str | None
    parameters: JSON | None = strawberry.field(description="parameter versions the decision used")
    paperwork_due: str | None
    paperwork_on: str | None
    paperwork_late: bool | None
    paperwork_overdue: bool = strawberry.field(
        description="the paperwork came late, or is still missing after its due date"
    )
    decided_on: str | None
    closed_on: str | None
    version: int
    position: int
    applicant_person_id: strawberry.Private[str | None] = None

    def personal_subject(self) -> Subject:
        return Subject(person_id=self.applicant_person_id, case_id=str(self.id))

    @classmethod
    def from_row(cls, row: Row) -> TemporaryCase:
        late = None if row["paperwork_late"] is None else bool(row["paperwork_late"])
        due = row["paperwork_due"]
        missing = row["status"] == "advanced" and due is not None and due < today().isoformat()
        return cls(
            id=strawberry.ID(row["case_id"]),
            type=row["assistance_type"],
            applicant_name=row["applicant_name"],
            applicant_id_number=row["applicant_id_number"],
            applicant_person_id=row["applicant_person_id"],
            over_cap=bool(row["over_cap"]),
            parameters=json.loads(row["parameters"]) if row["parameters"] else None,
            paperwork_late=late,
            paperwork_overdue=bool(late) or missing,
            **{k: row[k] for k in PLAIN_COLUMNS},
        )


@strawberry.type(description="Households helped, their people and the amount paid, per group.")
class TemporaryAssistanceStatsRow:
    year: int | None = None
    month: str | None = strawberry.field(
        default=None, description="YYYY-MM of the payment (advance aid or grant)"
    )
    type: str | None = None
    street: str | None = None
    households: int = strawberry.field(
        default=0, description="distinct households (by applicant) paid advance aid or a grant"
    )
    people: int = strawberry.field(default=0, description="members of those households")
    amount_fen: int = strawberry.field(default=0, description="advance aid and grants paid")


async def temporary_assistance_stats(
    info: Info,
    year: int | None = None,
    group_by: Annotated[
        list[str] | None,
        strawberry.argument(
            description="any of year, month (YYYY-MM of the day the advance aid or the grant was "
            "paid: a case is paid one or the other, once), type, street",
        ),
    ] = None,
    street: StreetArgument = None,
) -> list[TemporaryAssistanceStatsRow]:
    rows = await asyncio.to_thread(
        temporary_assistance.stats,
        info.context.container.read_db,
        year,
        group_by or [],
        asked_street(info, street),
    )
    return [TemporaryAssistanceStatsRow(**r) for r in rows]


async def temporary_case(info: Info, id: strawberry.ID) -> TemporaryCase | None:
    row = await asyncio.to_thread(temporary_assistance.get, info.context.container.read_db, str(id))
    if row:
        check_street(info, row["street"], "temporary assistance case")
    return TemporaryCase.from_row(row) if row else None
