"""A rebuild in shared batches (every view in one pipelined transaction) gives the same rows
as the runner's old path, each view's 500 events in a transaction of its own."""

from __future__ import annotations

from typing import Any

from api.container import Container
from projections.registry import all_projections
from projections.runner import ProjectionRunner
from projections.store import Database

Rows = dict[str, list[tuple[Any, ...]]]


def every_view_table(db: Database) -> Rows:
    """Every row of every view table (and the rules' shared `audit_matches`), sorted."""
    tables = sorted({t for p in all_projections() for t in p.tables} | {"audit_matches"})
    found: Rows = {}
    for table in tables:
        rows = db.query(f"SELECT * FROM {table}")
        found[table] = sorted((tuple(sorted(r.items())) for r in rows), key=repr)
    return found


def rebuilt(container: Container, runner: ProjectionRunner) -> Rows:
    runner.reset()
    runner.run_once(processes=False)
    assert runner.failed == {}
    return every_view_table(container.db)


def test_a_batched_rebuild_of_the_demo_gives_the_rows_of_the_view_by_view_path(
    demo_container: Container,
) -> None:
    ledger, db = demo_container.ledger, demo_container.db
    old = ProjectionRunner(ledger, db, all_projections(), batch_size=500)
    old.batched = False  # each view's batch in a transaction of its own, as before
    before = rebuilt(demo_container, old)

    batched = ProjectionRunner(ledger, db, all_projections(), catch_up_batch_size=2000)
    assert batched.batched and batched.catch_up_batch_size == 2000
    after = rebuilt(demo_container, batched)
    assert batched.fallbacks == 0  # every batch went through the shared transaction

    assert sum(len(rows) for rows in before.values()) > 5000  # the demo fills the views
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table


def test_a_bounded_rebuild_stops_at_the_position_it_was_given(demo_container: Container) -> None:
    ledger, db = demo_container.ledger, demo_container.db
    runner = ProjectionRunner(ledger, db, all_projections())
    half = ledger.recorder.select_notifications(start=1, limit=ledger.latest_position() // 2)
    middle = half[-1].id  # a position that exists (a rolled-back insert leaves a hole)
    runner.reset()
    read = runner.run_once(processes=False, until=middle)
    assert 0 < read <= middle
    assert set(runner.positions().values()) == {middle}


def test_a_long_catch_up_on_postgres_analyses_the_view_tables_as_they_grow(
    demo_container: Container,
) -> None:
    """Plans made while the tables were empty would stay however large they grow."""
    ledger, db = demo_container.ledger, demo_container.db
    runner = ProjectionRunner(ledger, db, all_projections(), batch_size=50)
    runner.catch_up_batch_size, runner.analyse_from = 200, 400
    rebuilt(demo_container, runner)
    if db.dialect != "postgres":
        assert runner.analyses == 0  # SQLite plans each statement afresh
        return
    head = ledger.recorder.max_notification_id() or 0
    assert runner.analyses >= 2 and head > 400 * 4  # at 400 events read, then at 4x that
    analysed = db.scalar(
        "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'case_summary'"
        " AND last_analyze IS NOT NULL"
    )
    assert analysed == 1
