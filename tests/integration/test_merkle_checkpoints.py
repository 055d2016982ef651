"""Signed checkpoints on both backends: cut every N leaves or T seconds, verifiable with the
published key, and refused (the process stops, projectionStatus says why) over a tree changed
below the last checkpoint; a ledger whose checkpoints another key signed does not start."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builders import WORKER, application, walk_to_active
from pydantic import SecretStr

from api.container import Container, build
from api.graphql.cases import projection_states
from api.settings import Settings
from api.signing import SigningKeyRefused, signer
from projections.chain import checkpoints, nodes
from projections.chain.checkpoints import Checkpointer, CheckpointRefused
from projections.chain.sealer import NAME, Sealer
from projections.chain.signer import Checkpoint, Signer
from projections.chain.tree import root
from tests.helpers import set_parameters


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def memory_of(container: Container, settings: Settings) -> Path:
    return settings.signer_memory_file(container.checkpointer.signer.verifier.id.hex())


def grow(container: Container, cases: int = 1) -> int:
    for _ in range(cases):
        ledger = container.ledger
        walk_to_active(ledger, ledger.submit_application(application(), WORKER).id)
    Sealer(container.ledger, container.db).run_once()
    return nodes.size(container.db)


def test_checkpoints_are_cut_every_n_leaves_or_after_t_seconds_and_verify(
    container: Container,
) -> None:
    set_parameters(container.ledger)
    clock = Clock()
    signing = container.checkpointer.signer
    cutter = Checkpointer(
        container.db, signing, container.settings.origin, every=40, seconds=60, clock=clock
    )
    first = grow(container)
    made = cutter.cut(force=False)  # the first one at once: there is no previous
    assert made is not None and made.tree_size == first
    size = grow(container)
    assert 0 < size - first < 40
    assert cutter.cut(force=False) is None  # grew, but neither 40 leaves nor 60 s
    clock.now += timedelta(seconds=61)
    later = cutter.cut(force=False)
    assert later is not None and later.tree_size == size
    clock.now += timedelta(seconds=600)
    assert cutter.cut(force=False) is None  # time passed, but the tree did not grow
    while nodes.size(container.db) - size < 40:
        grow(container)
    assert cutter.cut(force=False) is not None  # 40 leaves more, at once

    for stored in checkpoints.page(container.db, 10, None):
        text = signing.verifier.verify(stored.note)
        noted = Checkpoint.parse(text)
        assert noted.origin == "caseledger.local/320404"
        assert noted.tree_size == stored.tree_size
        assert (
            noted.root_hash
            == stored.root_hash
            == root(stored.tree_size, nodes.reader(container.db))
        )
    assert [c.tree_size for c in checkpoints.page(container.db, 2, None)][1] == size
    assert [c.tree_size for c in checkpoints.page(container.db, 5, size)] == [first]


def test_the_signer_refuses_a_tree_changed_below_the_last_checkpoint(
    container: Container,
) -> None:
    set_parameters(container.ledger)
    container.runner.run_once()  # seals and cuts the first checkpoint
    signed = checkpoints.latest(container.db)
    assert signed is not None and signed.tree_size >= 8
    level = signed.tree_size.bit_length() - 1  # the old tree's largest subtree: in the proof
    with container.db.transaction() as tx:  # an insider rewrites an old subtree's hash
        tx.execute(
            "UPDATE merkle_nodes SET hash = %s WHERE level = %s AND node_index = 0",
            (b"\x00" * 32, level),
        )
    grow(container)
    with pytest.raises(CheckpointRefused, match="not consistent with checkpoint"):
        container.checkpointer.cut()
    assert checkpoints.latest(container.db) == signed

    # In the runner, the refusal stops the process and projectionStatus says why.
    container.checkpointer.every = 1  # due at once
    container.runner.run_once()
    state = {s.name: s for s in projection_states(container)}[NAME]
    assert state.error is not None and "not consistent" in state.error
    assert checkpoints.latest(container.db) == signed


def test_a_stored_checkpoint_edited_with_sql_is_refused_before_signing(
    container: Container,
) -> None:
    set_parameters(container.ledger)
    container.runner.run_once()
    signed = checkpoints.latest(container.db)
    assert signed is not None
    with container.db.transaction() as tx:
        tx.execute("UPDATE merkle_checkpoints SET root_hash = %s", (b"\x01" * 32,))
    grow(container)
    with pytest.raises(CheckpointRefused, match="stored root"):
        container.checkpointer.cut()


def test_a_ledger_whose_checkpoints_another_key_signed_refuses_to_start(
    container: Container, settings: Settings
) -> None:
    set_parameters(container.ledger)
    container.runner.run_once()
    assert checkpoints.latest(container.db) is not None
    other = Signer.generate(settings.origin).text()
    with pytest.raises(CheckpointRefused, match="not signed by the key"):
        build(settings.model_copy(update={"signing_key": SecretStr(other)}))


def test_development_creates_its_signing_key_once_private_to_the_owner(
    settings: Settings, tmp_path: os.PathLike[str]
) -> None:
    path = tmp_path / "keys" / "dev-signing-key"  # type: ignore[operator]
    chosen = settings.model_copy(update={"signing_key_file": path})
    made = signer(chosen)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert signer(chosen) == made and made.name == "caseledger.local/320404"
    renamed = chosen.model_copy(update={"log_origin": "bureau.example/320404"})
    with pytest.raises(SigningKeyRefused, match="not the log origin"):
        signer(renamed)
    with pytest.raises(SigningKeyRefused, match="not a note signer key"):
        signer(settings.model_copy(update={"signing_key": SecretStr("PRIVATE+KEY+x+00+AAAA")}))


def test_deleting_the_stored_checkpoints_cannot_make_the_signer_sign_a_rewritten_tree(
    container: Container, settings: Settings
) -> None:
    set_parameters(container.ledger)
    container.runner.run_once()
    signed = checkpoints.latest(container.db)
    assert signed is not None and memory_of(container, settings).exists()
    # An attacker with the database but not the key, having rewritten events and their tree
    # (tests/integration/test_verify_tampering.py does that), drops the checkpoints, hoping
    # the signer takes the forged tree for a first one.
    with container.db.transaction() as tx:
        tx.execute("DELETE FROM merkle_checkpoints")
    grow(container)
    with pytest.raises(CheckpointRefused, match=f"no longer hold checkpoint {signed.tree_size}"):
        container.checkpointer.cut()
    assert checkpoints.latest(container.db) is None
    container.close()
    with pytest.raises(CheckpointRefused, match="no longer hold"):
        build(settings)  # nor does the ledger start as if nothing had been signed


def test_the_signer_remembers_the_latest_of_its_checkpoints(
    container: Container, settings: Settings
) -> None:
    set_parameters(container.ledger)
    container.runner.run_once()
    first = checkpoints.latest(container.db)
    grow(container)
    second = container.checkpointer.cut()
    assert first is not None and second is not None and second.tree_size > first.tree_size
    remembered = memory_of(container, settings).read_text(encoding="utf-8")
    assert remembered == second.note


def test_a_new_empty_development_ledger_starts_anew_with_the_same_key(
    container: Container, settings: Settings, tmp_path: Path
) -> None:
    set_parameters(container.ledger)
    container.runner.run_once()
    memory = memory_of(container, settings)
    assert memory.exists()
    fresh = settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/another.sqlite3"}
    )  # the same key file, another (empty) database: `rm var/ledger.sqlite3; make run`
    build(fresh).close()
    assert not memory.exists() and memory.with_name(f"{memory.name}.forgotten").exists()
