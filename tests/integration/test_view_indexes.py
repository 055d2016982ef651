"""The views' per-event lookups use an index, not a scan of a table that grows with the log.

Each view statement is taken from the view's own handler (run against a Tx that asks the
database for its plan instead of running it), on a table holding enough realistic rows that
PostgreSQL's planner, with fresh statistics, picks an index whenever one fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from migrations.runner import migrate
from projections.backends import DatabaseUrl
from projections.store import Database, Tx
from projections.views.person_enrolment import PersonEnrolment

CASES = 20_000  # about the caseload where the scan cost 5.7 ms per event (issue 12)


class ExplainingTx(Tx):
    """Keeps each statement's plan; runs nothing but EXPLAIN."""

    def __init__(self, tx: Tx):
        super().__init__(tx.dialect, tx._cursor)
        self.plans: list[str] = []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        explain = "EXPLAIN" if self.dialect == "postgres" else "EXPLAIN QUERY PLAN"
        super().execute(f"{explain} {sql}", params)
        rows = [dict(r) for r in self._cursor.fetchall()]
        self.plans.append("\n".join(str(list(r.values())[-1]) for r in rows))


def fill_enrolments(db: Database) -> None:
    """Two counted members per case, as a household's application enrols them."""
    with db.transaction() as tx:
        tx.executemany(
            "INSERT INTO person_enrolment (person_id, case_id, programme, status, since)"
            " VALUES (%s, %s, 'DIBAO', 'active', '2024-03-14')",
            [
                (f"P{case:06d}{member}", f"case-{case:06d}")
                for case in range(CASES)
                for member in (1, 2)
            ],
        )
        if db.dialect == "postgres":
            tx.execute("ANALYZE person_enrolment")  # as autovacuum would, well before this size


@pytest.mark.parametrize(
    "handler", ["confirmed", "denied", "terminated"], ids=lambda name: f"person_enrolment.{name}"
)
def test_person_enrolment_updates_find_the_case_by_index(database_url: str, handler: str) -> None:
    db = Database(DatabaseUrl.parse(database_url))
    try:
        migrate(db)  # SQLite starts empty; PostgreSQL's copy is migrated already
        fill_enrolments(db)
        event = SimpleNamespace(
            originator_id="case-012345", occurred_on="2024-05-01", effective_month="2024-06"
        )
        with db.transaction() as tx:
            explaining = ExplainingTx(tx)
            getattr(PersonEnrolment(), handler)(explaining, event, 1)
    finally:
        db.close()
    [plan] = explaining.plans
    if db.dialect == "postgres":
        assert "Seq Scan on person_enrolment" not in plan, plan
    else:
        assert "SCAN person_enrolment" not in plan, plan
    assert "person_enrolment_case" in plan, plan
