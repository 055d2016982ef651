"""GraphQL `supervisionKpis(year, street)`: the headline figures in one query, for the
district or one street (a street-bound caller's own street, always)."""

from __future__ import annotations

import asyncio

import strawberry

from api.graphql.area import StreetArgument, asked_street
from api.graphql.context import Info
from projections.views import supervision_kpis

FEN = "fen; a Float, beyond 32-bit Int"


@strawberry.type(
    description="Headline figures for a year, from the views: the district's, or with "
    "`street` that street's (each figure of the records of that street, except where a field "
    "says otherwise)."
)
class SupervisionKpis:
    year: int
    dibao_households_confirmed: int = strawberry.field(
        description="DIBAO households newly confirmed in the year"
    )
    tekun_people_confirmed: int
    cases_in_payment_at_year_end: int
    payouts_settled: int = strawberry.field(description="payouts of the year's months settled")
    payouts_settled_fen: float = strawberry.field(description=FEN)
    temporary_households: int
    temporary_people: int
    temporary_amount_fen: float = strawberry.field(description=FEN)
    deaths_verified: int = strawberry.field(
        description="deaths verified in the year (a death has no street: with `street`, those "
        "that touched one of the street's cases)"
    )
    institutions: int
    institutional_beds: int
    nursing_bed_share: float | None = strawberry.field(description="percent, at the year's end")
    institutions_graded_percent: float | None
    caregivers_certified_percent: float | None
    beds_converted: int = strawberry.field(description="beds converted (completed) in the year")
    beds_conversion_target: int = strawberry.field(
        description="the district plan's target (2024: 300 beds), the same with `street`"
    )
    organizations_registered: int
    organizations_graded_percent: float | None
    villages_planned: int = strawberry.field(
        description="village conversions (撤村转居) on record, whatever their year"
    )
    villages_completed: int = strawberry.field(description="of those, completed")


async def supervision_kpis_resolver(
    info: Info,
    year: int,
    street: StreetArgument = None,
) -> SupervisionKpis:
    narrowed = asked_street(info, street)
    figures = await asyncio.to_thread(
        supervision_kpis.kpis, info.context.container.read_db, year, narrowed
    )
    return SupervisionKpis(**figures)
