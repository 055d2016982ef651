"""GraphQL for care institutions and bed conversions (四床融合): `institutions`, `bedStats`,
`bedConversions`.

The resolvers are plain module functions; api/graphql_schema.py attaches them to Query.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import strawberry

from api.graphql.area import own_street, street_of
from api.graphql.cases import today
from api.graphql.context import Info
from api.graphql.relay import DEFAULT_PAGE, Connection, connection, page_size, uncursor
from domain.care.institution import NON_INSTITUTIONAL_BED_TYPES, NURSING
from projections.store import Row
from projections.views import bed_conversions, institutions
from projections.views.bed_conversions import PLAN_YEAR, TARGET_BEDS_2024


@strawberry.type(description="Beds of one type; `reserved` are held by approved conversions.")
class BedCount:
    type: str
    beds: int
    reserved: int = 0


@strawberry.type(description="A care institution from the institutions view.")
class Institution:
    id: strawberry.ID
    district: str
    name: str
    street: str
    medical_capability: bool = strawberry.field(description="medical capability (医养结合)")
    filed_on: str
    grade: int | None = strawberry.field(description="the last grade awarded, 1 to 5")
    grade_awarded_on: str | None
    grade_valid_until: str | None
    grade_valid: bool = strawberry.field(description="a grade is in force today")
    caregivers: int | None
    certified_caregivers: int | None
    staff_reported_on: str | None
    fire_certificate_ref: str | None
    fire_safety_valid_until: str | None
    fire_safety_valid: bool = strawberry.field(description="a fire-safety certificate is valid")
    beds: list[BedCount] = strawberry.field(description="beds by type now")
    institutional_beds: int = strawberry.field(description="all beds except home care")
    nursing_beds: int
    version: int
    position: int

    @classmethod
    def from_row(cls, row: Row, on: str) -> Institution:
        beds = [BedCount(type=b["bed_type"], beds=b["beds"], reserved=b["reserved"])
                for b in row["beds"]]  # fmt: skip
        plain = (
            "district", "name", "street", "filed_on", "grade", "grade_awarded_on",
            "grade_valid_until", "caregivers", "certified_caregivers", "staff_reported_on",
            "fire_certificate_ref", "fire_safety_valid_until", "version", "position",
        )  # fmt: skip
        return cls(
            id=strawberry.ID(row["institution_id"]),
            medical_capability=bool(row["medical_capability"]),
            grade_valid=bool(row["grade_valid_until"] and row["grade_valid_until"] >= on),
            fire_safety_valid=bool(
                row["fire_safety_valid_until"] and row["fire_safety_valid_until"] >= on
            ),
            beds=beds,
            institutional_beds=sum(
                b.beds for b in beds if b.type not in NON_INSTITUTIONAL_BED_TYPES
            ),
            nursing_beds=sum(b.beds for b in beds if b.type == NURSING),
            **{k: row[k] for k in plain},
        )


@strawberry.input
class InstitutionFilter:
    street: str | None = None
    grade: int | None = strawberry.field(default=None, description="the last grade awarded")


@strawberry.type(
    description="Bed figures for the district, a street or an institution, as of a day. "
    "Institutional beds exclude home care (家庭养老床位, in people's homes); shares are "
    "percentages rounded half up to two decimals, null when there is nothing to divide."
)
class BedStatsRow:
    institution_id: strawberry.ID | None = None
    institution_name: str | None = None
    street: str | None = None
    institutions: int = 0
    graded: int = strawberry.field(default=0, description="with a grade valid on the day")
    grading_rate: float | None = strawberry.field(default=None, description="graded / all, %")
    beds: list[BedCount] = strawberry.field(default_factory=list, description="beds by type")
    institutional_beds: int = 0
    nursing_beds: int = 0
    nursing_share: float | None = strawberry.field(
        default=None, description="nursing beds / institutional beds, % (护理型床位占比)"
    )
    caregivers: int = strawberry.field(default=0, description="from the latest staff reports")
    certified_caregivers: int = 0
    certified_share: float | None = strawberry.field(
        default=None, description="certified caregivers / caregivers, %"
    )

    @classmethod
    def from_row(cls, row: Row) -> BedStatsRow:
        data: dict[str, Any] = dict(row)
        if data.get("institution_id") is not None:
            data["institution_id"] = strawberry.ID(data["institution_id"])
        data["beds"] = [BedCount(type=t, beds=n) for t, n in row["beds"].items()]
        return cls(**data)


@strawberry.type(description="A bed conversion (四床融合) from the bed_conversions view.")
class BedConversion:
    id: strawberry.ID
    institution_id: strawberry.ID
    street: str
    from_type: str
    to_type: str
    number: int
    reason: str | None
    status: str = strawberry.field(
        description="applied, inspection_failed, inspected, approved, completed or rejected"
    )
    applied_on: str
    inspections: int
    inspected_on: str | None
    inspection_passed: bool | None
    inspectors: list[str]
    approved_on: str | None
    decision_ref: str | None
    rejected_on: str | None
    rejection_reasons: list[str]
    completed_on: str | None
    subsidised_beds: int
    subsidy_fen: int
    version: int
    position: int

    @classmethod
    def from_row(cls, row: Row) -> BedConversion:
        plain = (
            "street", "from_type", "to_type", "number", "reason", "status", "applied_on",
            "inspections", "inspected_on", "approved_on", "decision_ref", "rejected_on",
            "completed_on", "subsidised_beds", "subsidy_fen", "version", "position",
        )  # fmt: skip
        passed = row["inspection_passed"]
        return cls(
            id=strawberry.ID(row["conversion_id"]),
            institution_id=strawberry.ID(row["institution_id"]),
            inspection_passed=None if passed is None else bool(passed),
            inspectors=json.loads(row["inspectors"]) if row["inspectors"] else [],
            rejection_reasons=(
                json.loads(row["rejection_reasons"]) if row["rejection_reasons"] else []
            ),
            **{k: row[k] for k in plain},
        )


@strawberry.type(description="Conversions and beds at one step of the pipeline.")
class PipelineStep:
    status: str
    conversions: int
    beds: int


@strawberry.type(description="The plan's progress: beds converted in its year against its target.")
class ConversionProgress:
    year: int
    target: int
    converted: int = strawberry.field(description="beds of conversions completed in the year")
    approved_in_progress: int = strawberry.field(description="beds approved, not completed yet")
    pending: int = strawberry.field(description="beds applied for, not decided yet")
    remaining: int
    percent: float | None = strawberry.field(description="converted / target, %")
    subsidised_beds: int
    subsidy_fen: int


@strawberry.type(
    description="The conversion pipeline (a Relay connection) and the plan's progress."
)
class BedConversionPipeline(Connection[BedConversion]):
    by_status: list[PipelineStep]
    progress: ConversionProgress


@strawberry.input
class BedConversionFilter:
    institution_id: strawberry.ID | None = None
    street: str | None = None
    status: str | None = None
    from_type: str | None = None
    to_type: str | None = None


def _filters(filter: Any) -> dict[str, Any]:
    data = vars(filter) if filter is not None else {}
    return {k: (str(v) if isinstance(v, str) else v) for k, v in data.items()}


async def institutions_resolver(
    info: Info,
    filter: InstitutionFilter | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> Connection[Institution]:
    first, key = page_size(first), uncursor(after)
    db = info.context.container.read_db
    found = institutions.matching(db, own_street(info, _filters(filter)))
    rows = await asyncio.to_thread(institutions.page, found, key, first + 1)
    on = today().isoformat()
    return connection(
        rows, first, key=lambda r: r["institution_id"],
        node=lambda r: Institution.from_row(r, on),
        count=lambda: asyncio.to_thread(found.count),
    )  # fmt: skip


async def bed_stats_resolver(
    info: Info, group_by: list[str] | None = None, as_of: date | None = None
) -> list[BedStatsRow]:
    """As of `asOf` (today by default); groupBy names `street` and/or `institution`."""
    day = (as_of or today()).isoformat()
    rows = await asyncio.to_thread(
        institutions.bed_stats, info.context.container.read_db, group_by or [], day, street_of(info)
    )
    return [BedStatsRow.from_row(r) for r in rows]


async def bed_conversions_resolver(
    info: Info, filter: BedConversionFilter | None = None, first: int = DEFAULT_PAGE,
    after: str | None = None, target: int = TARGET_BEDS_2024, year: int = PLAN_YEAR,
) -> BedConversionPipeline:  # fmt: skip
    """The pipeline, paged; `target` and `year` default to the 2024 plan (300 beds)."""
    db, filters = info.context.container.read_db, own_street(info, _filters(filter))
    first, key = page_size(first), uncursor(after)
    found = bed_conversions.matching(db, filters)

    def read() -> tuple[list[Row], list[Row], Row]:
        rows = found.page(key, first + 1)
        steps = bed_conversions.by_status(db, filters)
        return rows, steps, bed_conversions.progress(db, target, year, street_of(info))

    rows, steps, progress = await asyncio.to_thread(read)
    page = connection(
        rows, first, key=lambda r: r["conversion_id"], node=BedConversion.from_row,
        count=lambda: asyncio.to_thread(found.count),
    )  # fmt: skip
    return BedConversionPipeline(
        edges=page.edges,
        page_info=page.page_info,
        count_all=page.count_all,
        by_status=[PipelineStep(**s) for s in steps],
        progress=ConversionProgress(**progress),
    )
