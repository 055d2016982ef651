"""GraphQL for payouts: `payouts`, `payrollRun` and `payoutTotals`, read from the views."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import strawberry

from api.graphql.context import Info
from api.graphql.permissions import masked
from api.graphql.relay import DEFAULT_PAGE, Connection, connection, page_size, uncursor
from api.permissions import Personal, Subject
from domain.shared.errors import InvalidInput
from projections.store import Row
from projections.views import payout_totals, payouts, payroll_runs


@strawberry.type
class Payout:
    id: strawberry.ID
    case_id: strawberry.ID
    run_id: strawberry.ID
    month: str
    programme: str
    street: str
    amount_fen: int
    status: str
    payee_account: str | None = masked(Personal.BANK_ACCOUNT)
    bank_reference: str | None
    failure_reason: str | None
    recovered_fen: int
    computed_from_position: int = strawberry.field(
        description="the ledger position the amount was computed from"
    )
    scheduled_on: str
    settled_on: str | None
    version: int

    def personal_subject(self) -> Subject:
        return Subject(case_id=str(self.case_id))

    @classmethod
    def from_row(cls, row: Row) -> Payout:
        return cls(
            id=strawberry.ID(row["payout_id"]),
            case_id=strawberry.ID(row["case_id"]),
            run_id=strawberry.ID(row["run_id"]),
            payee_account=row["payee_account"],
            **{
                k: row[k]
                for k in (
                    "month", "programme", "street", "amount_fen", "status", "bank_reference",
                    "failure_reason", "recovered_fen", "computed_from_position", "scheduled_on",
                    "settled_on", "version",
                )
            },
        )  # fmt: skip


@strawberry.input
class PayoutFilter:
    case_id: strawberry.ID | None = None
    run_id: strawberry.ID | None = None
    month: str | None = None
    programme: str | None = None
    street: str | None = None
    status: str | None = None
    year: int | None = strawberry.field(
        default=None, description="payouts for the months (YYYY-MM) of that year"
    )


@strawberry.type
class PayrollRunView:
    id: strawberry.ID
    programme: str
    month: str
    status: str
    payouts: int
    total_fen: int
    settled: int
    settled_fen: int
    failed: int
    failed_fen: int
    skipped: strawberry.scalars.JSON | None
    started_by: str
    started_on: str
    approved_by: str | None
    approved_on: str | None
    reconciled_on: str | None
    version: int


@strawberry.type
class PayoutTotalsRow:
    programme: str | None = None
    street: str | None = None
    month: str | None = None
    status: str | None = None
    payouts: int = 0
    amount_fen: int = 0
    settled_fen: int = 0
    recovered_fen: int = 0


def _filters(filter: PayoutFilter | None) -> dict[str, Any]:
    data = vars(filter) if filter is not None else {}
    if data.get("year") is not None and not 1000 <= data["year"] <= 9999:
        raise InvalidInput("a year of four digits, e.g. 2023", field="year")
    return {k: (str(v) if v is not None else None) for k, v in data.items()}


async def payouts_resolver(
    info: Info,
    filter: PayoutFilter | None = None,
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> Connection[Payout]:
    first, key = page_size(first), uncursor(after)
    found = payouts.matching(info.context.container.read_db, _filters(filter))
    rows = await asyncio.to_thread(found.page, key, first + 1)
    return connection(
        rows, first, key=lambda r: r["payout_id"], node=Payout.from_row,
        count=lambda: asyncio.to_thread(found.count),
    )  # fmt: skip


async def payroll_run_resolver(
    info: Info,
    id: strawberry.ID | None = None,
    programme: str | None = None,
    month: str | None = None,
) -> PayrollRunView | None:
    db = info.context.container.read_db
    if id is not None:
        row = await asyncio.to_thread(payroll_runs.get, db, str(id))
    elif programme and month:
        row = await asyncio.to_thread(payroll_runs.for_month, db, programme, month)
    else:
        return None
    if row is None:
        return None
    data = {k: v for k, v in row.items() if k not in ("run_id", "position", "skipped")}
    skipped = json.loads(row["skipped"]) if row["skipped"] else None
    return PayrollRunView(id=strawberry.ID(row["run_id"]), skipped=skipped, **data)


async def payout_totals_resolver(
    info: Info, group_by: list[str] | None = None, filter: PayoutFilter | None = None
) -> list[PayoutTotalsRow]:
    filters = _filters(filter)
    # The counters answer every filter but a case or a run, which sum the payouts themselves.
    totals = payout_totals.totals if payout_totals.answers(filters) else payouts.totals
    rows = await asyncio.to_thread(totals, info.context.container.read_db, group_by or [], filters)
    return [
        PayoutTotalsRow(
            **{k: r[k] for k in ("programme", "street", "month", "status") if k in r},
            payouts=int(r["payouts"]),
            amount_fen=int(r["amount_fen"] or 0),
            settled_fen=int(r["settled_fen"] or 0),
            recovered_fen=int(r["recovered_fen"] or 0),
        )
        for r in rows
    ]
