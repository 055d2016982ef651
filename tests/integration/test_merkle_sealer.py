"""The sealer on both backends: every stored event a leaf, exactly once and in order, the
stored nodes agree with a naive tree, two runners at once, a crash mid-batch, holes in the
positions, encrypted events (the leaf is over the ciphertext) and erasure (no leaf changes).
"""

from __future__ import annotations

import hashlib
import itertools
import struct
import threading
from typing import Any
from uuid import UUID

import pytest
from builders import APPROVER, WORKER, application, person_id_for, walk_to_active
from pydantic import SecretStr

from api.container import Container, build
from api.settings import Settings
from domain.ledger import Ledger
from projections import tracking
from projections.chain import nodes
from projections.chain.sealer import NAME, Sealer
from projections.chain.tree import node_hash, root
from projections.store import Database, Tx
from tests.helpers import ADMIN, set_parameters

KEY = "Mx0Rkc1L9dXo2+FQjvAYqA=="  # a test key (AES-128), as in test_encryption.py


def stored_rows(db: Database) -> list[tuple[int, bytes, int, str, bytes]]:
    """The event table read with plain SQL: (position, id bytes, version, topic, state)."""
    if db.dialect == "postgres":
        rows = db.query(
            "SELECT notification_id AS p, originator_id AS a, originator_version AS v, topic,"
            " state FROM ledger_events ORDER BY notification_id"
        )
        return [(r["p"], r["a"].bytes, r["v"], r["topic"], bytes(r["state"])) for r in rows]
    rows = db.query(
        "SELECT rowid AS p, originator_id AS a, originator_version AS v, topic, state"
        " FROM stored_events ORDER BY rowid"
    )
    return [(r["p"], bytes.fromhex(r["a"]), r["v"], r["topic"], bytes(r["state"])) for r in rows]


def lp(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def naive_leaf(position: int, aggregate: bytes, version: int, topic: str, state: bytes) -> bytes:
    """The canonical bytes as docs/verifiable-log.md spells them, written out again here."""
    body = (
        lp(b"caseledger/leaf/v1") + struct.pack(">Q", position) + lp(aggregate)
        + struct.pack(">Q", version) + lp(topic.encode()) + lp(state)
    )  # fmt: skip
    return hashlib.sha256(b"\x00" + body).digest()


def naive_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def sealed(db: Database) -> list[tuple[int, int, bytes]]:
    rows = db.query("SELECT leaf_index, position, leaf_hash FROM merkle_leaves ORDER BY leaf_index")
    return [(int(r["leaf_index"]), int(r["position"]), bytes(r["leaf_hash"])) for r in rows]


def assert_log_matches_events(db: Database) -> None:
    """Dense indexes, one leaf per stored event in position order, nodes as a naive tree."""
    events = stored_rows(db)
    leaves = sealed(db)
    assert [i for i, _, _ in leaves] == list(range(len(events)))
    assert [p for _, p, _ in leaves] == [e[0] for e in events]
    assert [h for _, _, h in leaves] == [naive_leaf(*e) for e in events]
    hashes = [h for _, _, h in leaves]
    for level in range(1, len(hashes).bit_length()):
        rows = db.query(
            "SELECT node_index, hash FROM merkle_nodes WHERE level = %s ORDER BY node_index",
            (level,),
        )
        width = 1 << level
        expected = [
            naive_root(hashes[i * width : (i + 1) * width]) for i in range(len(hashes) // width)
        ]
        assert [bytes(r["hash"]) for r in rows] == expected
    for size in range(len(hashes) + 1):
        assert root(size, nodes.reader(db)) == naive_root(hashes[:size])
    assert tracking.position(db, NAME) == (events[-1][0] if events else 0)


def some_history(ledger: Ledger, cases: int = 2) -> None:
    set_parameters(ledger)
    for _ in range(cases):
        walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)


def test_every_stored_event_is_sealed_once_in_order_with_the_nodes_of_a_naive_tree(
    container: Container,
) -> None:
    some_history(container.ledger)
    sealer = Sealer(container.ledger, container.db, batch_size=7)
    sealer.run_once()
    assert_log_matches_events(container.db)
    some_history(container.ledger, cases=1)  # more after a first pass: appended, not redone
    sealer.run_once()
    sealer.run_once()
    assert_log_matches_events(container.db)
    assert sealer.lag() == (0, 0.0)


def test_two_runners_at_once_seal_each_event_exactly_once(container: Container) -> None:
    some_history(container.ledger, cases=3)
    errors: list[BaseException] = []

    def seal() -> None:
        try:
            for _ in range(3):
                Sealer(container.ledger, container.db, batch_size=5).run_once()
        except BaseException as e:  # reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=seal) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert_log_matches_events(container.db)


class Crash(Exception):
    """Stands for a failure between writing the leaves and committing."""


class CrashingSealer(Sealer):
    def _append(self, tx: Tx, todo: Any) -> None:
        super()._append(tx, todo)
        if nodes.size(tx) > 10:
            raise Crash


def test_a_crash_mid_batch_leaves_nothing_half_done(container: Container) -> None:
    some_history(container.ledger)
    db = container.db
    with pytest.raises(Crash):
        CrashingSealer(container.ledger, db, batch_size=6).run_once()
    assert [i for i, _, _ in sealed(db)] == list(range(6))  # the first batch only
    assert db.scalar("SELECT COUNT(*) FROM merkle_nodes WHERE node_index >= 1 AND level = 2") == 0
    assert tracking.position(db, NAME) == sealed(db)[-1][1]
    Sealer(container.ledger, db, batch_size=6).run_once()  # the restarted process finishes
    assert_log_matches_events(db)


def test_holes_in_the_positions_get_no_leaf_and_indexes_stay_dense(container: Container) -> None:
    ledger, db = container.ledger, container.db
    set_parameters(ledger)
    with db.transaction() as tx:  # positions skipped, as a rolled-back insert leaves them
        if db.dialect == "postgres":
            tx.execute("SELECT setval('ledger_events_notification_id_seq', %s)",
                       (ledger.latest_position() + 40,))  # fmt: skip
        else:
            tx.execute("UPDATE stored_events SET rowid = rowid + 40 WHERE rowid = %s",
                       (ledger.latest_position(),))  # fmt: skip
    walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)
    Sealer(ledger, db, batch_size=4).run_once()
    positions = [p for _, p, _ in sealed(db)]
    assert any(b - a > 1 for a, b in itertools.pairwise(positions))
    assert_log_matches_events(db)


def test_encrypted_events_are_sealed_over_their_ciphertext(settings: Settings) -> None:
    container = build(settings.model_copy(update={"cipher_key": SecretStr(KEY)}))
    try:
        some_history(container.ledger, cases=1)
        Sealer(container.ledger, container.db).run_once()
        assert all(b"ApplicationSubmitted" not in e[4] for e in stored_rows(container.db))
        assert_log_matches_events(container.db)  # recomputed from the stored bytes
    finally:
        container.close()


def test_an_erasure_changes_no_leaf(container: Container, ledger: Ledger) -> None:
    body = application()
    case_id: UUID = ledger.submit_application(body, WORKER).id
    walk_to_active(ledger, case_id)
    ledger.terminate_benefit(
        case_id, APPROVER, occurred_on="2024-06-20", reason_code="voluntary",
        reason="本人申请退出", effective_month="2024-07",
    )  # fmt: skip
    container.runner.stop()
    container.runner.run_once()
    before = sealed(container.db)
    person = person_id_for(body["members"][0]["id_number"])
    ledger.erase_personal_data(
        person, ADMIN, legal_basis="PIPL Art. 47(1)", occurred_on="2029-06-20"
    )
    container.runner.run_once()
    after = sealed(container.db)
    assert len(after) > len(before) and after[: len(before)] == before
    assert_log_matches_events(container.db)


def test_a_rebuild_of_the_views_leaves_the_log_alone(container: Container) -> None:
    some_history(container.ledger, cases=1)
    container.runner.run_once()
    before = sealed(container.db), tracking.position(container.db, NAME)
    container.runner.reset()  # what `ledger rebuild` does: the views are empty now
    assert tracking.position(container.db, "case_summary") == 0
    assert (sealed(container.db), tracking.position(container.db, NAME)) == before
