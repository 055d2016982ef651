from migrations.runner import migrate
from projections.audit.rule import AuditRule, matches
from projections.store import Database, DatabaseUrl


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
