"""GraphQL `overdueSummary`: cases late on each deadline, the figure behind
`cases(filter: {overdueDeadline})` (the same condition, so the counts agree)."""

from __future__ import annotations

import asyncio

import strawberry

from api.graphql.area import StreetArgument, asked_street
from api.graphql.cases import today
from api.graphql.context import Info
from projections.views import case_deadlines


@strawberry.type(description="Cases with one deadline missed (a case late on two counts twice).")
class OverdueRow:
    deadline: str = strawberry.field(description="investigation, decision, case or review")
    cases: int = strawberry.field(description="open + completedLate (kept for older callers)")
    open: int = strawberry.field(
        description="overdue now: the step not done, the case open for it, past due today "
        "(`cases(filter: {overdueDeadline, overdueNow: true})`)"
    )
    completed_late: int = strawberry.field(
        description="the step was done after its due date "
        "(`cases(filter: {overdueDeadline, overdueNow: false})`)"
    )


async def overdue_summary(
    info: Info, programme: str | None = None, street: StreetArgument = None
) -> list[OverdueRow]:
    filters = {"programme": programme, "street": asked_street(info, street)}
    rows = await asyncio.to_thread(
        case_deadlines.overdue_summary, info.context.container.read_db, today(), filters
    )
    return [
        OverdueRow(
            deadline=r["deadline"], cases=r["cases"], open=r["open"],
            completed_late=r["completed_late"],
        )
        for r in rows
    ]  # fmt: skip
