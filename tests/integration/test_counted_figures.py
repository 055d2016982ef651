"""The figures the projections keep as counters equal the same figures scanned from the views.

`case_counts` and `payout_totals` answer `caseload`, `payoutTotals` and the case and payout
figures of `supervisionKpis` from a few counter rows (issue 12). On the demo district, after
more events that move cases and payouts between counter rows, and after a rebuild, every
figure equals what case_summary and payouts give when scanned, for the district and per street.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from builders import APPROVER, WORKER, application, walk_to_active

from api.container import Container
from migrations.runner import migrate
from projections.store import Database
from projections.views import case_counts, case_summary, payout_totals, payouts, supervision_kpis

CASELOAD_GROUPS = [[], ["street"], ["programme", "street", "status"], ["community", "status"]]
PAYOUT_GROUPS = [[], ["month"], ["month", "street"], ["programme", "status", "street", "month"]]
PAYOUT_FILTERS: list[dict[str, Any]] = [
    {}, {"year": "2024"}, {"year": "2023"}, {"status": "settled"}, {"programme": "TEKUN"},
    {"month": "2024-03"}, {"street": "新闸街道", "year": "2024"},
]  # fmt: skip


def streets(db: Database) -> list[str | None]:
    found = db.query("SELECT DISTINCT street FROM case_summary ORDER BY street")
    return [None, *(r["street"] for r in found), "无此街道"]


def assert_counters_equal_scans(db: Database) -> None:
    for street in streets(db):
        for year in (2023, 2024, 2025):
            kept = supervision_kpis.kpis(db, year, street)
            assert kept == supervision_kpis.scanned(db, year, street), (year, street)
        for groups in CASELOAD_GROUPS:
            kept_rows = case_counts.caseload(db, groups, street)
            assert kept_rows == case_summary.caseload(db, groups, street), (groups, street)
    for groups in PAYOUT_GROUPS:
        for filters in PAYOUT_FILTERS:
            assert payout_totals.answers(filters)
            kept_rows = payout_totals.totals(db, groups, filters)
            assert kept_rows == payouts.totals(db, groups, filters), (groups, filters)


def more_events(container: Container) -> None:
    """A new case confirmed, active ones adjusted, suspended and terminated, and payouts
    reversed and recovered: each moves a share between counter rows."""
    ledger, db = container.ledger, container.db
    walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)
    active = [UUID(r["case_id"]) for r in db.query(
        "SELECT case_id FROM case_summary WHERE status = 'active' ORDER BY case_id LIMIT 3"
    )]  # fmt: skip
    ledger.adjust_benefit(
        active[0], APPROVER, occurred_on="2024-06-03", monthly_amount_fen=12345,
        effective_month="2024-07", reason="income changed",
    )  # fmt: skip
    ledger.suspend_benefit(
        active[1], APPROVER, occurred_on="2024-06-03", from_month="2024-07", reason="away"
    )
    ledger.terminate_benefit(
        active[2], APPROVER, occurred_on="2024-06-03", reason_code="income_above_standard",
        reason="income above the standard", effective_month="2024-07",
    )  # fmt: skip
    settled = [UUID(r["payout_id"]) for r in db.query(
        "SELECT payout_id FROM payouts WHERE status = 'settled' ORDER BY payout_id LIMIT 2"
    )]  # fmt: skip
    assert settled, "the demo district has settled payouts"
    ledger.reverse_payout(settled[0], APPROVER, occurred_on="2024-06-03", reason="bank error")
    ledger.recover_overpayment(
        settled[-1], APPROVER, occurred_on="2024-06-04", amount_fen=100, reason="overpaid"
    )
    container.runner.run_once()


def test_counted_figures_equal_the_scanned_ones_on_the_demo_district(
    demo_container: Container,
) -> None:
    db = demo_container.db
    assert case_counts.caseload(db, [], None), "the demo district has cases"

    assert_counters_equal_scans(db)


def test_counted_figures_follow_more_events_and_a_rebuild(demo_container: Container) -> None:
    db = demo_container.db
    before = case_counts.caseload(db, ["status"], None)

    more_events(demo_container)
    assert case_counts.caseload(db, ["status"], None) != before
    assert_counters_equal_scans(db)

    demo_container.runner.reset(["case_counts", "payout_totals"])
    assert case_counts.caseload(db, [], None) == []
    demo_container.runner.run_once()
    assert_counters_equal_scans(db)


def test_the_migration_fills_the_month_counters_from_the_street_ones(
    demo_container: Container,
) -> None:
    """Migration 0025 on a ledger whose payout_totals were kept before it: the new counters
    start equal to their sums, and every figure still equals the scanned one."""
    db = demo_container.db
    more_events(demo_container)
    with db.transaction() as tx:  # back to the ledger as it was before 0025
        tx.execute("DROP INDEX payout_totals_by_street")
        tx.execute("DROP TABLE payout_month_totals")
        tx.execute("DELETE FROM schema_migrations WHERE version = 25")

    assert migrate(db) == ["0025_payout_month_totals.sql"]

    months = db.query("SELECT COUNT(*) AS n, SUM(payouts) AS payouts FROM payout_month_totals")
    streets = db.query("SELECT SUM(payouts) AS payouts FROM payout_totals")
    assert months[0]["n"] > 0 and months[0]["payouts"] == streets[0]["payouts"]
    assert_counters_equal_scans(db)
    demo_container.runner.reset(["payout_totals"])  # and a rebuild writes both the same
    demo_container.runner.run_once()
    assert_counters_equal_scans(db)
