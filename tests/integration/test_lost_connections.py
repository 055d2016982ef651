"""Connections cut by PostgreSQL (pg_terminate_backend): the views pause, retry and resume."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from builders import WORKER, application
from psycopg_pool import ConnectionPool
from test_projections import dump, some_history

from api.container import Container
from domain.ledger import Ledger
from projections import tracking
from projections.registry import all_projections
from projections.runner import ProjectionRunner
from projections.store import Tx
from projections.views.case_timeline import CaseTimeline

POSTGRES_ONLY = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)]
)
EVERY_OTHER_CONNECTION = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
# The same, returning once each backend has exited (its socket closed), as after a restart.
EVERY_OTHER_CONNECTION_GONE = EVERY_OTHER_CONNECTION.replace("(pid)", "(pid, 10000)")


class CutOnce(CaseTimeline):
    """Half-way through a batch, has the server terminate connections: its own, or all."""

    url = ""
    everyone = False
    at = 0
    cut = False

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        if not CutOnce.cut and position >= CutOnce.at:
            CutOnce.cut = True
            pid = tx.scalar("SELECT pg_backend_pid()")
            with psycopg.connect(CutOnce.url, autocommit=True) as admin:
                if CutOnce.everyone:
                    admin.execute(EVERY_OTHER_CONNECTION)
                else:
                    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        super().apply(tx, event, position)


@POSTGRES_ONLY
@pytest.mark.parametrize("everyone", [False, True], ids=["its-own", "every-connection"])
def test_a_view_whose_connection_is_cut_mid_batch_resumes_by_itself(
    ledger: Ledger, container: Container, database_url: str, everyone: bool
) -> None:
    some_history(ledger, cases=4)
    container.runner.stop()
    container.runner.reset()
    head = ledger.latest_position()
    CutOnce.url, CutOnce.everyone, CutOnce.at = database_url, everyone, head // 2
    CutOnce.cut = False
    views = [p if p.name != CaseTimeline.name else CutOnce() for p in all_projections()]
    runner = ProjectionRunner(ledger, container.db, views, batch_size=head, poll_interval=0.05)

    runner.start()
    names = [p.name for p in views]
    caught_up = tracking.wait_for_position(container.db, names, head, 20, runner.progressed)
    runner.stop()

    assert CutOnce.cut  # the connection really was cut in the middle of the batch
    assert caught_up, f"stopped: {runner.failed}"
    assert runner.failed == {} and runner.retrying == {}
    assert all(r.error is None for r in tracking.rows(container.db).values())
    resumed = dump(container.db)
    rebuilt = ProjectionRunner(ledger, container.db, all_projections())
    rebuilt.reset()
    rebuilt.run_once()
    assert dump(container.db) == resumed  # exactly once: nothing lost, nothing twice


@POSTGRES_ONLY
def test_a_direct_catch_up_cut_mid_batch_raises_and_a_second_run_finishes(
    ledger: Ledger, container: Container, database_url: str
) -> None:
    some_history(ledger, cases=2)
    container.runner.stop()
    container.runner.reset()
    head = ledger.latest_position()
    CutOnce.url, CutOnce.everyone, CutOnce.at, CutOnce.cut = database_url, False, head // 2, False
    views = [p if p.name != CaseTimeline.name else CutOnce() for p in all_projections()]
    runner = ProjectionRunner(ledger, container.db, views, batch_size=head)

    with pytest.raises(psycopg.OperationalError):
        runner.run_once()  # `ledger rebuild` says so instead of marking the view broken
    assert runner.failed == {}
    row = tracking.rows(container.db).get(CaseTimeline.name)
    assert row is None or row.error is None  # rolled back, not marked as broken
    runner.run_once()
    assert min(runner.positions().values()) == head


@POSTGRES_ONLY
def test_the_view_pool_replaces_every_connection_the_server_cut(
    container: Container, database_url: str
) -> None:
    db = container.db
    with db.transaction() as one, db.transaction() as two:  # two pooled connections in use
        assert one.scalar("SELECT 1") == two.scalar("SELECT 1") == 1
    with psycopg.connect(database_url, autocommit=True) as admin:
        cut = admin.execute(EVERY_OTHER_CONNECTION_GONE).fetchall()
    assert len(cut) >= 2 and all(row[0] for row in cut)

    assert db.scalar("SELECT 2") == 2  # a fresh connection, not the dead one
    with db.transaction() as tx:
        assert tx.scalar("SELECT 3") == 3


@POSTGRES_ONLY
def test_a_quiet_pooled_connection_is_lent_without_a_round_trip_and_a_cut_one_is_tested(
    container: Container, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = container.db
    tested: list[object] = []
    real = ConnectionPool.check_connection

    def spy(conn: psycopg.Connection[Any]) -> None:
        tested.append(conn)
        real(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(spy))
    for n in range(5):
        assert db.scalar("SELECT %s::int", (n,)) == n
    assert tested == []  # alive and quiet: no test query before each borrow

    with psycopg.connect(database_url, autocommit=True) as admin:
        assert admin.execute(EVERY_OTHER_CONNECTION_GONE).fetchall()
    assert db.scalar("SELECT 7") == 7  # the dead one was tested, found dead and replaced
    assert tested


def test_a_commit_whose_answer_was_lost_is_answered_as_recorded_on_both_backends(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder: Any = ledger.recorder
    original = recorder.insert_events

    def commit_then_retry(stored: Any, **kwargs: Any) -> Any:
        original(stored, **kwargs)  # committed; as if the connection dropped before the answer
        monkeypatch.setattr(recorder, "insert_events", original)
        return original(stored, **kwargs)  # the library's retry meets our own rows

    monkeypatch.setattr(recorder, "insert_events", commit_then_retry)
    answer = ledger.submit_application(application(), WORKER)

    # The case's one event, with its member's PersonRecord (2 events) saved after it.
    assert answer.version == 1 and answer.position == ledger.latest_position() - 2
    assert len(list(ledger.events.get(answer.id))) == 1
