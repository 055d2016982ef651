"""GraphQL `supervisionKpis(year)`: the district's headline figures in one query."""

from __future__ import annotations

import asyncio

import strawberry

from api.graphql.area import street_of
from api.graphql.context import Info
from projections.views import supervision_kpis


@strawberry.type(description="Headline figures of the district for a year, from the views.")
class SupervisionKpis:
    year: int
    dibao_households_confirmed: int = strawberry.field(
        description="DIBAO households newly confirmed in the year"
    )
    tekun_people_confirmed: int
    cases_in_payment_at_year_end: int
    payouts_settled: int
    payouts_settled_fen: float = strawberry.field(description="fen; a Float, beyond 32-bit Int")
    temporary_households: int
    temporary_people: int
    temporary_amount_fen: float = strawberry.field(description="fen; a Float, beyond 32-bit Int")
    deaths_verified: int
    institutions: int
    institutional_beds: int
    nursing_bed_share: float | None = strawberry.field(description="percent, at the year's end")
    institutions_graded_percent: float | None
    caregivers_certified_percent: float | None
    beds_converted: int = strawberry.field(description="beds converted (completed) in the year")
    beds_conversion_target: int
    organizations_registered: int
    organizations_graded_percent: float | None
    villages_planned: int
    villages_completed: int


async def supervision_kpis_resolver(info: Info, year: int) -> SupervisionKpis:
    figures = await asyncio.to_thread(
        supervision_kpis.kpis, info.context.container.db, year, street_of(info)
    )
    return SupervisionKpis(**figures)
