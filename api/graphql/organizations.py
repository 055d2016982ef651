"""GraphQL for social organisations (社会组织) and village conversions (撤村转居).

The resolvers are plain module functions; api/graphql_schema.py attaches them to Query.
Organisations and villages are not people: nothing here is masked.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import strawberry
from strawberry.scalars import JSON

from api.graphql.cases import today
from api.graphql.context import Info
from api.graphql.relay import DEFAULT_PAGE, Connection, connection, page_size, uncursor
from domain.shared.errors import InvalidInput
from projections.store import Row
from projections.views import organizations as organization_views
from projections.views import village_conversions as village_views

#: A GraphQL Int has 32 bits and a village's assets in fen need more. A proper scalar needs a
#: `scalar_map` in the schema's config; until then these amounts are JSON integers.
FEN_NOTE = "integer fen (分), sent as a JSON number: it may exceed a 32-bit Int"


# -- social organisations -----------------------------------------------------------------


#: View columns shown as they are.
PLAIN_ORGANIZATION_COLUMNS = (
    "name", "district", "street", "status", "registered_on", "grade", "graded_on",
    "grade_valid_until", "grade_revoked_on", "last_inspection_year", "last_inspection_result",
    "liquidation_started_on", "ended_on", "end_reason", "version", "position",
)  # fmt: skip


@strawberry.type(description="A social organisation from the organizations view.")
class Organization:
    id: strawberry.ID
    name: str
    type: str = strawberry.field(description="SOCIAL_GROUP, SOCIAL_SERVICE or FOUNDATION")
    district: str
    street: str
    status: str = strawberry.field(description="registered, liquidating, deregistered or revoked")
    registered_on: str
    grade: str | None = strawberry.field(description="1A-5A; none after a revocation")
    graded_on: str | None
    grade_valid_until: str | None = strawberry.field(description="the grade's last valid day")
    grade_valid: bool = strawberry.field(description="the grade is in force today")
    grade_revoked_on: str | None
    last_inspection_year: int | None
    last_inspection_result: str | None = strawberry.field(description="pass, basic_pass or fail")
    inspection_due: bool = strawberry.field(
        description="registered before this year, with no inspection for the previous year"
    )
    liquidation_started_on: str | None
    ended_on: str | None = strawberry.field(description="deregistered or revoked on")
    end_reason: str | None
    version: int
    position: int

    @classmethod
    def from_row(cls, row: Row, on: date) -> Organization:
        plain = {k: row[k] for k in PLAIN_ORGANIZATION_COLUMNS}
        return cls(
            id=strawberry.ID(row["organization_id"]),
            type=row["organization_type"],
            grade_valid=organization_views.grade_valid(row, on),
            inspection_due=organization_views.inspection_due(row, on),
            **plain,
        )


@strawberry.input
class OrganizationFilter:
    street: str | None = None
    type: str | None = None
    status: str | None = None
    grade: str | None = strawberry.field(default=None, description="the current grade, e.g. 3A")
    inspection_due: bool | None = strawberry.field(
        default=None, description="no inspection for the previous year (as of today)"
    )
    as_of: date | None = strawberry.field(
        default=None,
        description="the organisations registered on that date (registered by then, not yet "
        "deregistered or revoked), as `organizationStats(asOf)` counts them; `grade` then means "
        "the grade valid on that date. `status` and the rows' fields stay the current ones",
    )


@strawberry.type
class OrganizationGradeCount:
    grade: str
    organizations: int


@strawberry.type(description="The district's social organisations on a date.")
class OrganizationStats:
    as_of: str
    registered: int = strawberry.field(description="registered, not deregistered or revoked")
    liquidating: int = strawberry.field(description="of those registered, in liquidation")
    graded: int = strawberry.field(description="of those registered, with a grade valid")
    graded_percent: float = strawberry.field(
        description="graded / registered, percent, two decimals"
    )
    by_grade: list[OrganizationGradeCount]
    inspections_due: int = strawberry.field(
        description="registered before the year, with no inspection for inspectionYear"
    )
    inspection_year: int
    deregistered: int = strawberry.field(description="deregistered by the date, in all")
    revoked: int = strawberry.field(description="registrations revoked by the date, in all")


async def organizations(
    info: Info,
    filter: OrganizationFilter | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> Connection[Organization]:
    first, key, on = page_size(first), uncursor(after), today()
    filters = vars(filter) if filter else {}
    found = organization_views.matching(info.context.container.read_db, filters, on)
    rows = await asyncio.to_thread(found.page, key, first + 1)
    return connection(
        rows, first, key=lambda r: r["organization_id"],
        node=lambda r: Organization.from_row(r, on),
        count=lambda: asyncio.to_thread(found.count),
    )  # fmt: skip


async def organization_stats(
    info: Info, as_of: date | None = None, year: int | None = None
) -> OrganizationStats:
    """As of a date, or at the end of a year; today when neither is given."""
    if as_of is not None and year is not None:
        raise InvalidInput("give asOf or year, not both", field="year")
    if year is not None:
        if not 1949 <= year <= 9999:
            raise InvalidInput("year must be between 1949 and 9999", field="year")
        as_of = date(year, 12, 31)
    stats = await asyncio.to_thread(
        organization_views.organization_stats, info.context.container.read_db, as_of or today()
    )
    by_grade = [OrganizationGradeCount(**g) for g in stats.pop("by_grade")]
    return OrganizationStats(by_grade=by_grade, **stats)


# -- village conversions ------------------------------------------------------------------


#: View columns shown as they are.
PLAIN_VILLAGE_COLUMNS = (
    "village", "street", "district", "step", "step_number", "initiated_on", "assets_fen",
    "liabilities_fen", "net_assets_fen", "assets_verified_on", "members",
    "membership_confirmed_on", "entity_name", "shareholders", "restructured_on", "votes_held",
    "deregistration_ref", "deregistered_on", "committee_name", "committee_established_on",
    "completed_on", "version", "position",
)  # fmt: skip


@strawberry.type(description="The latest abolition vote of a village.")
class AbolitionVote:
    eligible: int
    present: int
    votes_for: int
    votes_against: int
    share_permille: int = strawberry.field(
        description="votes for / present, rounded half up, for display (never compared)"
    )
    threshold_permille: int = strawberry.field(
        description="the threshold in force that day, rounded half up (2/3 shows as 667)"
    )
    passed: bool = strawberry.field(
        description="votes for / present >= village.pass_numerator / village.pass_denominator, "
        "compared exactly: 4 of 6 pass at two thirds, 1,333 of 2,000 do not"
    )
    parameters: JSON = strawberry.field(description="the parameter versions the vote used")
    voted_on: str


@strawberry.type(description="A village conversion from the village_conversions view.")
class VillageConversion:
    id: strawberry.ID
    village: str
    street: str
    district: str
    tasks: list[str]
    step: str = strawberry.field(
        description="the last step recorded: initiated, assets_verified, membership_confirmed, "
        "restructured, vote_failed, vote_passed, deregistered, "
        "residents_committee_established or completed"
    )
    step_number: int = strawberry.field(description="steps done, of stepsTotal")
    steps_total: int
    initiated_on: str
    assets_fen: JSON | None = strawberry.field(description=FEN_NOTE)
    liabilities_fen: JSON | None = strawberry.field(description=FEN_NOTE)
    net_assets_fen: JSON | None = strawberry.field(description=FEN_NOTE)
    assets_verified_on: str | None
    members: int | None
    membership_confirmed_on: str | None
    entity_name: str | None
    shareholders: int | None
    restructured_on: str | None
    votes_held: int
    vote_result: str | None = strawberry.field(description="passed or failed (the latest vote)")
    vote: AbolitionVote | None
    deregistration_ref: str | None
    deregistered_on: str | None
    committee_name: str | None
    committee_established_on: str | None
    completed_on: str | None
    version: int
    position: int

    @classmethod
    def from_row(cls, row: Row) -> VillageConversion:
        vote = None
        if row["vote_passed"] is not None:
            vote = AbolitionVote(
                eligible=row["vote_eligible"], present=row["vote_present"],
                votes_for=row["vote_for"], votes_against=row["vote_against"],
                share_permille=row["vote_share_permille"],
                threshold_permille=row["vote_threshold_permille"],
                passed=bool(row["vote_passed"]), parameters=json.loads(row["vote_parameters"]),
                voted_on=row["voted_on"],
            )  # fmt: skip
        return cls(
            id=strawberry.ID(row["conversion_id"]),
            tasks=json.loads(row["tasks"]),
            steps_total=len(village_views.STEPS),
            vote_result=None if vote is None else ("passed" if vote.passed else "failed"),
            vote=vote,
            **{k: row[k] for k in PLAIN_VILLAGE_COLUMNS},
        )


@strawberry.input
class VillageConversionFilter:
    street: str | None = None
    village: str | None = None
    step: str | None = None


async def village_conversions(
    info: Info,
    filter: VillageConversionFilter | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> Connection[VillageConversion]:
    first, key = page_size(first), uncursor(after)
    filters: dict[str, Any] = vars(filter) if filter else {}
    found = village_views.matching(info.context.container.read_db, filters)
    rows = await asyncio.to_thread(found.page, key, first + 1)
    return connection(
        rows, first, key=lambda r: r["conversion_id"], node=VillageConversion.from_row,
        count=lambda: asyncio.to_thread(found.count),
    )  # fmt: skip
