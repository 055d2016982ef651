"""Database.snapshot: the reads of one answer (the KPIs' dozen queries) see one moment of the
views, on one connection, and nothing of it outlives the block."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from projections.store import Database


@pytest.fixture
def db(migrated_db: Database) -> Any:
    database = migrated_db
    with database.transaction() as tx:
        tx.execute("CREATE TABLE snap_rows (id TEXT PRIMARY KEY, n INTEGER)")
        tx.execute("INSERT INTO snap_rows (id, n) VALUES ('a', 1)")
    return database


def count(db: Database) -> int:
    return int(db.scalar("SELECT COUNT(*) FROM snap_rows"))


def write_elsewhere(db: Database, key: str) -> None:
    """Commit a row from another thread (its own connection), and wait for it."""

    def write() -> None:
        with db.transaction() as tx:
            tx.execute("INSERT INTO snap_rows (id, n) VALUES (%s, 2)", [key])

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=30)


def test_reads_within_a_snapshot_see_one_moment(db: Database) -> None:
    """On SQLite a snapshot is a plain block (each read sees the latest commit, as ever)."""
    seen = 1 if db.dialect == "postgres" else 2
    with db.snapshot():
        assert count(db) == 1
        write_elsewhere(db, "b")  # committed meanwhile
        assert count(db) == seen  # PostgreSQL: the same snapshot as the first read
        with db.snapshot():  # nested: the same snapshot still
            assert count(db) == seen
    assert count(db) == 2  # after it, every read sees the commit


def test_a_snapshot_is_read_only_and_leaves_nothing_behind(db: Database) -> None:
    if db.dialect == "postgres":
        with pytest.raises(Exception, match="read-only"), db.snapshot():
            db.query("INSERT INTO snap_rows (id, n) VALUES ('x', 9) RETURNING id")
    else:
        with db.snapshot():  # SQLite: a plain block
            assert count(db) == 1
    assert count(db) == 1
    write_elsewhere(db, "c")
    assert count(db) == 2  # the next reads are not stuck in an old snapshot
    with db.snapshot():
        assert count(db) == 2
