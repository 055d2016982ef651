"""projections/buffer.py: a batch's writes gathered and sent together give the rows that the
same writes sent one by one give, and a read in between sees every write made before it."""

from __future__ import annotations

from typing import Any

import pytest

from projections.buffer import Counters, Lookup, Rows
from projections.store import Database, Tx

COUNTS = Counters("buffer_counts", ("street", "status"), ("cases", "people"))


def writes(tx: Tx, seen: list[Any]) -> None:
    rows = lambda: Rows.of(tx, "buffer_rows", "id")  # noqa: E731 (after a flush, anew)
    rows().insert(tx, {"id": "a", "status": "new", "amount": 1})
    rows().update(tx, "a", {"status": "accepted"})  # merged into the pending insert
    rows().upsert(tx, {"id": "b", "status": "new", "amount": 2})
    rows().update(tx, "z", {"status": "nobody"})  # no such row: nothing
    COUNTS.add(tx, ("s1", "new", 1, 3))
    COUNTS.add(tx, ("s1", "new", 1, 2))
    seen.append(tx.query("SELECT id, status, amount FROM buffer_rows ORDER BY id"))
    seen.append(tx.query("SELECT * FROM buffer_counts ORDER BY street, status"))
    rows().update(tx, "a", {"amount": 10})
    rows().upsert(tx, {"id": "a", "status": "active", "amount": 11})  # the row is there
    rows().update(tx, "b", {"status": "denied"})
    COUNTS.add(tx, ("s1", "new", -1, -3))
    COUNTS.add(tx, ("s2", "active", 1, 1))
    COUNTS.add(tx, ("s2", "active", -1, -1))  # a zero row, as one by one would leave it


def outcome(db: Database, deferring: bool) -> list[Any]:
    with db.transaction() as tx:
        tx.execute("DELETE FROM buffer_rows")
        tx.execute("DELETE FROM buffer_counts")
    seen: list[Any] = []
    with db.transaction() as tx:
        tx.deferring = deferring
        writes(tx, seen)
    return [
        *seen,
        db.query("SELECT id, status, amount FROM buffer_rows ORDER BY id"),
        db.query("SELECT * FROM buffer_counts ORDER BY street, status"),
    ]


@pytest.fixture
def db(migrated_db: Database) -> Any:
    database = migrated_db
    with database.transaction() as tx:
        tx.execute("CREATE TABLE buffer_rows (id TEXT PRIMARY KEY, status TEXT, amount INTEGER)")
        tx.execute(
            "CREATE TABLE buffer_counts (street TEXT, status TEXT, cases INTEGER NOT NULL,"
            " people INTEGER NOT NULL, PRIMARY KEY (street, status))"
        )
    return database


def test_gathered_writes_give_the_rows_of_the_same_writes_one_by_one(db: Database) -> None:
    gathered, one_by_one = outcome(db, deferring=True), outcome(db, deferring=False)
    assert gathered == one_by_one
    during, counts_during, final, counts = gathered
    assert during == [
        {"id": "a", "status": "accepted", "amount": 1},
        {"id": "b", "status": "new", "amount": 2},
    ]
    assert counts_during == [{"street": "s1", "status": "new", "cases": 2, "people": 5}]
    assert final == [
        {"id": "a", "status": "active", "amount": 11},
        {"id": "b", "status": "denied", "amount": 2},
    ]
    assert counts == [
        {"street": "s1", "status": "new", "cases": 1, "people": 2},
        {"street": "s2", "status": "active", "cases": 0, "people": 0},
    ]


def test_a_failed_transaction_sends_nothing_it_gathered(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as tx:
        Rows.of(tx, "buffer_rows", "id").insert(tx, {"id": "x", "status": "new", "amount": 1})
        COUNTS.add(tx, ("s9", "new", 1, 1))
        raise RuntimeError("the batch fails")
    assert db.query("SELECT * FROM buffer_rows") == []
    assert db.query("SELECT * FROM buffer_counts") == []
    with db.transaction() as tx:  # nothing left over for the next transaction either
        assert tx.memo == {}
    assert db.query("SELECT * FROM buffer_rows") == []


def test_a_bad_row_fails_at_the_commit_and_keeps_nothing(db: Database) -> None:
    with db.transaction() as tx:
        Rows.of(tx, "buffer_rows", "id").insert(tx, {"id": "a", "status": "new", "amount": 1})
    with pytest.raises(Exception), db.transaction() as tx:  # noqa: B017 (either driver's)
        Rows.of(tx, "buffer_rows", "id").insert(tx, {"id": "c", "status": "new", "amount": 3})
        Rows.of(tx, "buffer_rows", "id").insert(tx, {"id": "a", "status": "again", "amount": 2})
    assert db.query("SELECT id FROM buffer_rows") == [{"id": "a"}]


#: Values an array literal must quote: commas, braces, quotes, backslashes, spaces, NULL's
#: spelling, the empty string, Chinese, and a None (a NULL) in every kind of column.
ODD = ["a,b", "{c}", 'd"e', "f\\g", " h ", "NULL", "", "民政局", None]


def test_odd_values_of_every_type_go_through_gathered_writes_unchanged(db: Database) -> None:
    """On PostgreSQL a batch's rows go as a few arrays (`unnest`), typed from the catalogue;
    what comes back is what one-by-one writes store, whatever the value."""
    with db.transaction() as tx:
        tx.execute(
            "CREATE TABLE buffer_odd (id TEXT PRIMARY KEY, words TEXT, n BIGINT, small INTEGER,"
            " flag INTEGER, day DATE, doc TEXT)"
        )

    def write(deferring: bool) -> list[Any]:
        with db.transaction() as tx:
            tx.execute("DELETE FROM buffer_odd")
        with db.transaction() as tx:
            tx.deferring = deferring
            rows = Rows.of(tx, "buffer_odd", "id")
            for i, word in enumerate(ODD):
                rows.insert(tx, {
                    "id": f"k{i}", "words": word,
                    "n": None if word is None else 2**40 + i if i % 2 else i,
                    "small": i if i % 2 else None, "flag": i % 2, "day": "2024-02-29",
                    "doc": '{"名": "x"}',
                })  # fmt: skip
        with db.transaction() as tx:  # rows that are there: one UPDATE of arrays for all
            tx.deferring = deferring
            rows = Rows.of(tx, "buffer_odd", "id")
            for i, word in enumerate(reversed(ODD)):
                rows.update(tx, f"k{i}", {"words": word, "small": -i})
            rows.upsert(tx, {"id": "k0", "words": "上", "n": -1})
        return db.query("SELECT id, words, n, small, flag, day, doc FROM buffer_odd ORDER BY id")

    gathered, one_by_one = write(True), write(False)
    assert gathered == one_by_one
    assert [r["words"] for r in gathered] == ["上", *list(reversed(ODD))[1:]]
    assert gathered[1]["n"] == 2**40 + 1 and gathered[2]["n"] == 2  # small and big in one
    assert gathered[0]["n"] == -1
    assert str(gathered[2]["day"]) == "2024-02-29"


def test_a_lookup_reads_many_keys_at_once_and_remembers_the_missing(db: Database) -> None:
    with db.transaction() as tx:
        Rows.of(tx, "buffer_rows", "id").insert(tx, {"id": "a", "status": "new", "amount": 1})
    lookup = Lookup("buffer_rows", "id")
    with db.transaction() as tx:
        found = lookup.get_many(tx, ["a", "nobody", *ODD[:-1]])
        assert found == {"a": {"id": "a", "status": "new", "amount": 1}}
        tx.execute("DELETE FROM buffer_rows")  # not seen: the lookup remembers what it read
        assert lookup.get(tx, "a") == {"id": "a", "status": "new", "amount": 1}
        assert lookup.get(tx, "nobody") is None
