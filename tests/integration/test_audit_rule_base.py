from migrations.runner import migrate
from projections.audit.rule import AuditRule, matches
from projections.backends import DatabaseUrl
from projections.buffer import Rows
from projections.store import Database


class Dummy(AuditRule):
    name = "audit_a99"
    tables = ()
    rule = "A99"
    severity = "low"
    title = "t"


def test_a_rule_raises_adds_evidence_cures_reraises_and_clears_its_own_matches(tmp_path):
    db = Database(DatabaseUrl.parse(f"sqlite:///{tmp_path}/x.sqlite3"))
    migrate(db)
    r = Dummy()
    with db.transaction() as tx:
        r.found(tx, 5, key="k", street="s", case_id="c", evidence=[3], summary="x")
        r.found(tx, 7, key="k", street="s", case_id="c", evidence=[], summary="y")
    m = matches(db, "A99")
    assert m[0]["evidence"] == [3, 5, 7] and m[0]["raised_position"] == 5
    with db.transaction() as tx:
        r.cured(tx, 9, key="k")
        assert not r.is_found(tx, "k")
    assert matches(db, "A99", matched=False)[0]["resolved_position"] == 9
    with db.transaction() as tx:
        r.found(tx, 11, key="k", street="s", case_id="c", evidence=[], summary="z")
    m = matches(db, "A99")[0]
    assert m["raised_position"] == 11 and m["resolved_position"] is None
    with db.transaction() as tx:
        r.clear(tx)
    assert matches(db) == []


def test_cures_gathered_in_a_transaction_keep_each_findings_order(database_url: str) -> None:
    """Cures are sent together before the commit; a finding raised again after its cure, or
    asked about, has its cure sent first: the outcome is the one of each statement in turn."""
    db = Database(DatabaseUrl.parse(database_url))
    try:
        migrate(db)
        r = Dummy()
        with db.transaction() as tx:
            for key in ("a", "b", "c"):
                r.found(tx, 1, key=key, street="s", case_id="c", evidence=[], summary="x")
        with db.transaction() as tx:
            r.cured(tx, 2, key="a")  # cured, then raised again in the same batch
            r.found(tx, 3, key="a", street="s", case_id="c", evidence=[], summary="again")
            r.cured(tx, 4, key="b")
            r.cured(tx, 5, key="b")  # the first cure is the one that counts
            assert not r.is_found(tx, "b")
            r.cured(tx, 6, key="never-found")  # cures nothing
            r.found(tx, 7, key="c", street="s", case_id="c", evidence=[], summary="y")
            r.cured(tx, 8, key="c")  # sent with the others before the commit
        got = {m["match_key"]: m for m in matches(db, "A99")}
        assert set(got) == {"a", "b", "c"}
        assert (got["a"]["matched"], got["a"]["raised_position"]) == (1, 3)
        assert got["a"]["resolved_position"] is None and got["a"]["evidence"] == [1, 3]
        assert (got["b"]["matched"], got["b"]["resolved_position"]) == (0, 4)
        assert (got["c"]["matched"], got["c"]["resolved_position"]) == (0, 8)
        try:
            with db.transaction() as tx:
                r.cured(tx, 9, key="a")
                raise RuntimeError("the batch fails")
        except RuntimeError:
            pass
        assert matches(db, "A99", matched=True)[0]["match_key"] == "a"  # rolled back, unsent
    finally:
        db.close()


def test_rows_inserted_later_are_seen_by_a_read_of_their_table_and_kept_at_commit(
    database_url: str,
) -> None:
    db = Database(DatabaseUrl.parse(database_url))
    try:
        migrate(db)
        with db.transaction() as tx:
            tx.execute("CREATE TABLE later_rows (n INTEGER PRIMARY KEY, label TEXT)")
        with db.transaction() as tx:
            for n in range(1, 1001):  # more than one statement's worth
                Rows.of(tx, "later_rows", "n").insert(tx, {"n": n, "label": f"row {n}"})
            assert tx.scalar("SELECT COUNT(*) FROM later_rows") == 1000  # sent before the read
            for n in range(1001, 2001):
                Rows.of(tx, "later_rows", "n").insert(tx, {"n": n, "label": f"row {n}"})
        assert db.scalar("SELECT COUNT(*) FROM later_rows") == 2000  # the rest at the commit
        assert db.query("SELECT label FROM later_rows WHERE n = 1999") == [{"label": "row 1999"}]
    finally:
        db.close()
