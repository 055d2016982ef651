"""bed_conversions: where is each bed conversion (四床融合), and how far is the district's plan?

One row per conversion. `progress` measures the plan: beds converted (conversions completed in
the plan's year) against the target, beside the beds approved and still in progress and the
beds applied for but not decided yet.
"""

from __future__ import annotations

import json
from typing import Any

from domain.care.bed_conversion import BedConversion
from projections.keyset import Keyset
from projections.store import Database, Row, Tx
from projections.view import Projection, handles, recorded_at
from projections.views.institutions import percent

#: The 2024 plan (DOMAIN.md 3.4 and 5): 300 converted beds. A plan figure, not a rule: the
#: commands never read it; queries take the target and year as arguments with these defaults.
TARGET_BEDS_2024 = 300
PLAN_YEAR = 2024
#: Steps of the pipeline, in order; `inspection_failed` waits for another inspection.
STATUSES = ("applied", "inspection_failed", "inspected", "approved", "completed", "rejected")
PENDING = ("applied", "inspection_failed", "inspected")

COLUMNS = [
    "conversion_id", "district", "institution_id", "street", "from_type", "to_type", "number",
    "reason", "status", "applied_on", "version", "position", "updated_at",
]  # fmt: skip


class BedConversions(Projection):
    name = "bed_conversions"
    tables = ("bed_conversion",)
    row_table = "bed_conversion"
    row_key = "conversion_id"

    @handles(BedConversion.ConversionApplied)
    def applied(self, tx: Tx, e: Any, position: int) -> None:
        values = [
            str(e.originator_id), e.district, str(e.institution_id), e.street, e.from_type,
            e.to_type, e.number, e.reason, "applied", e.occurred_on, e.originator_version,
            position, recorded_at(e),
        ]  # fmt: skip
        tx.execute(
            f"INSERT INTO bed_conversion ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            values,
        )

    def _current(self, tx: Tx, e: Any, column: str) -> int:
        sql = f"SELECT {column} FROM bed_conversion WHERE conversion_id = %s"
        return int(tx.scalar(sql, (str(e.originator_id),)) or 0)

    @handles(BedConversion.SiteInspected)
    def inspected(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="inspected" if e.passed else "inspection_failed",
            inspections=self._current(tx, e, "inspections") + 1, inspected_on=e.occurred_on,
            inspection_passed=int(e.passed), inspectors=json.dumps(e.inspectors),
        )  # fmt: skip

    @handles(BedConversion.ConversionApproved)
    def approved(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="approved", approved_on=e.occurred_on,
            decision_ref=e.decision_ref,
        )  # fmt: skip

    @handles(BedConversion.ConversionRejected)
    def rejected(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="rejected", rejected_on=e.occurred_on,
            rejection_reasons=json.dumps(e.reasons, ensure_ascii=False),
        )  # fmt: skip

    @handles(BedConversion.ConversionCompleted)
    def completed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="completed", completed_on=e.occurred_on,
            completed_year=int(e.occurred_on[:4]),
        )  # fmt: skip

    @handles(BedConversion.SubsidyPaid)
    def subsidised(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, subsidised_beds=self._current(tx, e, "subsidised_beds") + e.beds,
            subsidy_fen=self._current(tx, e, "subsidy_fen") + e.total_fen,
            last_subsidy_on=e.occurred_on,
        )  # fmt: skip


# -- queries ------------------------------------------------------------------------------

FILTERS = ("institution_id", "street", "status", "from_type", "to_type")


def get(db: Database, conversion_id: str) -> Row | None:
    rows = db.query("SELECT * FROM bed_conversion WHERE conversion_id = %s", (conversion_id,))
    return rows[0] if rows else None


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    conditions, params = ["1 = 1"], []
    for name in FILTERS:
        if filters.get(name) is not None:
            conditions.append(f"{name} = %s")
            params.append(filters[name])
    return " AND ".join(conditions), params


def matching(db: Database, filters: dict[str, Any]) -> Keyset:
    """Conversions matching the filter, to page on the id and count when asked."""
    where, params = _where(filters)
    return Keyset(db, "bed_conversion", "conversion_id", where, tuple(params))


def by_status(db: Database, filters: dict[str, Any] | None = None) -> list[Row]:
    """Conversions and beds at each step of the pipeline (every step listed, in order)."""
    where, params = _where(filters or {})
    rows = db.query(
        "SELECT status, COUNT(*) AS conversions, SUM(number) AS beds FROM bed_conversion"
        f" WHERE {where} GROUP BY status",
        params,
    )
    found = {r["status"]: r for r in rows}
    return [
        {
            "status": s,
            "conversions": int(found[s]["conversions"]) if s in found else 0,
            "beds": int(found[s]["beds"] or 0) if s in found else 0,
        }
        for s in STATUSES
    ]


def progress(
    db: Database, target: int = TARGET_BEDS_2024, year: int = PLAN_YEAR, street: str | None = None
) -> Row:
    """The plan's progress: beds of conversions completed in `year` against `target`.

    `approved_in_progress` are beds approved and not completed yet (whenever approved),
    `pending` beds applied for and not decided yet. Subsidies count the year's conversions.
    """
    row = db.query(
        "SELECT"
        " SUM(CASE WHEN status = 'completed' AND completed_year = %s THEN number ELSE 0 END)"
        " AS converted,"
        " SUM(CASE WHEN status = 'approved' THEN number ELSE 0 END) AS in_progress,"
        f" SUM(CASE WHEN status IN ({', '.join(repr(s) for s in PENDING)}) THEN number"
        " ELSE 0 END) AS pending,"
        " SUM(CASE WHEN completed_year = %s THEN subsidised_beds ELSE 0 END) AS subsidised,"
        " SUM(CASE WHEN completed_year = %s THEN subsidy_fen ELSE 0 END) AS subsidy_fen"
        " FROM bed_conversion" + (" WHERE street = %s" if street is not None else ""),
        (year, year, year, street) if street is not None else (year, year, year),
    )[0]
    converted = int(row["converted"] or 0)
    return {
        "year": year,
        "target": target,
        "converted": converted,
        "approved_in_progress": int(row["in_progress"] or 0),
        "pending": int(row["pending"] or 0),
        "remaining": max(0, target - converted),
        "percent": percent(converted, target),
        "subsidised_beds": int(row["subsidised"] or 0),
        "subsidy_fen": int(row["subsidy_fen"] or 0),
    }
