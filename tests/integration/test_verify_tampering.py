"""`ledger verify` catches every kind of tampering with the real database bytes, on both
backends, and names the right position: events, leaves and nodes edited, deleted, swapped,
forged, and a history truncated or rewritten after a checkpoint the auditor holds."""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import cli
from projections.chain.sealer import Sealer, SealerMoved
from tests.merkle_writer import Signer as OtherSigner
from tests.merkle_writer import Tables, leaf_of, mth
from tests.sealed_ledger import Sealed, early_size, sealed

__all__ = ["sealed"]  # the fixture


def fails(result: Any, *words: str) -> str:
    assert result.exit_code == 1, result.output
    [line] = [x for x in result.output.splitlines() if x.startswith("FAILED: ")]
    for w in words:
        assert w in line, line
    return line


def test_an_untouched_log_verifies_with_its_held_checkpoint(sealed: Sealed) -> None:
    result = sealed.verify()
    assert result.exit_code == 0, result.output
    assert f"sealed leaves: {len(sealed.positions)}" in result.output
    assert re.search(r"stored checkpoints: \d+, all ok \(the latest of size (\d+)\)", result.output)
    assert f"of size {len(sealed.positions)})" in result.output and ": failed" not in result.output
    assert f"held checkpoint {sealed.held}: ok" in result.output
    assert result.output.rstrip().endswith("verified")


def test_an_edited_payload_is_named_by_its_position(sealed: Sealed) -> None:
    t, p = sealed.tables, sealed.positions[6]
    t.sql(f"UPDATE {t.events} SET state = %s WHERE {t.position} = %s", (b"forged", p))
    fails(sealed.verify(), f"position {p}:", "does not match its leaf 6 (edited payload?)")


def test_an_edited_leaf_hash_is_told_from_an_edited_event(sealed: Sealed) -> None:
    sealed.tables.sql("UPDATE merkle_leaves SET leaf_hash = %s WHERE leaf_index = 9", (b"x" * 32,))
    fails(sealed.verify(), f"position {sealed.positions[9]}:", "leaf 9's stored hash was edited")


def test_an_edited_node_hash_names_the_leaves_under_it(sealed: Sealed) -> None:
    t = sealed.tables
    t.sql("UPDATE merkle_nodes SET hash = %s WHERE level = 2 AND node_index = 1", (b"y" * 32,))
    fails(
        sealed.verify(), "tree node level 2 index 1 (leaves 4..7",
        f"positions {sealed.positions[4]}..{sealed.positions[7]}", "edited node?",
    )  # fmt: skip


def test_a_deleted_event_is_named_by_its_position(sealed: Sealed) -> None:
    t, p = sealed.tables, sealed.positions[3]
    t.sql(f"DELETE FROM {t.events} WHERE {t.position} = %s", (p,))
    fails(sealed.verify(), f"position {p}: event row missing (deleted?)")


def test_two_swapped_events_are_named_by_the_first(sealed: Sealed) -> None:
    t, (a, b) = sealed.tables, (sealed.positions[5], sealed.positions[11])
    [[state_a]] = t.sql(f"SELECT state FROM {t.events} WHERE {t.position} = %s", (a,))
    [[state_b]] = t.sql(f"SELECT state FROM {t.events} WHERE {t.position} = %s", (b,))
    t.sql(f"UPDATE {t.events} SET state = %s WHERE {t.position} = %s", (bytes(state_b), a))
    t.sql(f"UPDATE {t.events} SET state = %s WHERE {t.position} = %s", (bytes(state_a), b))
    fails(sealed.verify(), f"position {a}:", "does not match its leaf 5")


def _forge_event(t: Tables, position: int) -> None:
    rows = t.event_rows()
    aggregate, topic = rows[0][1], rows[0][3]
    columns = "originator_id, originator_version, topic, state"
    t.sql(
        f"INSERT INTO {t.events} ({t.position}, {columns}) VALUES (%s, %s, %s, %s, %s)",
        (position, aggregate.hex if t.sqlite else aggregate, 999, topic, b"forged"),
    )


def test_a_forged_event_without_a_leaf_was_never_sealed(sealed: Sealed) -> None:
    _forge_event(sealed.tables, 0)
    fails(sealed.verify(), "an event at position 0 was never sealed (inserted?)")


def test_a_forged_event_with_a_forged_leaf_breaks_the_tree_above_it(sealed: Sealed) -> None:
    t = sealed.tables
    _forge_event(t, 0)
    t.sql("UPDATE merkle_leaves SET leaf_index = leaf_index + 1000000")
    t.sql("UPDATE merkle_leaves SET leaf_index = leaf_index - 999999")
    forged = leaf_of(*t.event_rows()[0])
    t.sql("INSERT INTO merkle_leaves VALUES (0, 0, %s)", (forged,))
    fails(sealed.verify(), "tree node level 1 index 0 (leaves 0..1, positions 0..", "edited node?")


def _truncate(t: Tables, keep: int, positions: list[int]) -> None:
    """What a careful attacker deletes: the events, their leaves, nodes and checkpoints."""
    t.sql(f"DELETE FROM {t.events} WHERE {t.position} > %s", (positions[keep - 1],))
    t.sql("DELETE FROM merkle_leaves WHERE leaf_index >= %s", (keep,))
    for level in range(1, 8):
        t.sql(
            "DELETE FROM merkle_nodes WHERE level = %s AND (node_index + 1) * %s > %s",
            (level, 2**level, keep),
        )
    t.sql("DELETE FROM merkle_checkpoints WHERE tree_size > %s", (keep,))


def test_a_log_truncated_after_a_held_checkpoint_fails_that_checkpoint(sealed: Sealed) -> None:
    n, keep = len(sealed.positions), len(sealed.positions) - 3
    _truncate(sealed.tables, keep, sealed.positions)
    line = fails(sealed.verify(), f"it covers {n} leaves but the log has only {keep}")
    assert f"truncated after position {sealed.positions[keep - 1]}" in line


def test_history_rewritten_and_resealed_after_held_checkpoints_is_caught(sealed: Sealed) -> None:
    t, k, n = sealed.tables, early_size(sealed), len(sealed.positions)
    p = sealed.positions[k + 2]
    t.sql(f"UPDATE {t.events} SET state = %s WHERE {t.position} = %s", (b"rewritten", p))
    # a recomputed tree, its checkpoints re-signed with the bureau's own key
    t.reseal(sealed.signer.sign, sealed.signer.name, checkpoints=[k, n])
    line = fails(sealed.verify(sealed.early, sealed.held), "held checkpoint", f"root at size {n}")
    last = sealed.positions[-1]
    assert f"rewritten within leaves {k}..{n - 1} (positions {sealed.positions[k]}..{last})" in line
    result = sealed.verify(sealed.early)
    assert result.exit_code == 0, result.output  # the earlier history is intact


def test_a_stored_checkpoint_must_be_signed_by_the_auditors_key(sealed: Sealed) -> None:
    n = len(sealed.positions)
    impostor = OtherSigner(sealed.signer.name)
    root = mth([leaf_of(*row) for row in sealed.tables.event_rows()])
    sealed.tables.sql(
        "UPDATE merkle_checkpoints SET note = %s WHERE tree_size = %s",
        (impostor.checkpoint(n, root), n),
    )
    fails(sealed.verify(), f"stored checkpoint of size {n}", "no signature by the key")
    result = sealed.verify(key=impostor.verifier_key())  # the impostor's key fails the others
    assert result.exit_code == 1 and "no signature by the key" in result.output


def test_without_a_key_the_ledgers_own_is_used_and_said_to_be_so(sealed: Sealed) -> None:
    env = {
        "LEDGER_DATABASE_URL": sealed.settings.database_url,
        "LEDGER_SIGNING_KEY_FILE": str(sealed.settings.dev_signing_key_file()),
    }
    result = CliRunner().invoke(cli, ["verify"], env=env)
    assert result.exit_code == 0, result.output
    assert "the ledger's own public key" in result.output and "verified" in result.output


def test_a_sealer_position_moved_past_the_log_is_caught_and_stops_the_sealer(
    sealed: Sealed,
) -> None:
    sealed.tables.sql(
        "UPDATE projection_tracking SET position = 1000000000 WHERE name = 'merkle_log'"
    )
    fails(sealed.verify(), "the sealer's position is 1000000000", "edited projection_tracking?")
    with pytest.raises(SealerMoved):
        Sealer(sealed.container.ledger, sealed.container.db).run_once()


def test_an_aggregate_id_respelled_is_an_edit_where_the_store_can_respell_it(
    sealed: Sealed,
) -> None:
    t, p = sealed.tables, sealed.positions[5]
    if t.sqlite:  # text: upper case hides the event from the library, which looks up lower
        t.sql(f"UPDATE {t.events} SET originator_id = upper(originator_id) WHERE rowid = %s", (p,))
        fails(sealed.verify(), f"position {p}:")
    else:  # a uuid column has one spelling: the same "edit" changes nothing
        t.sql(
            f"UPDATE {t.events} SET originator_id = upper(originator_id::text)::uuid"
            " WHERE notification_id = %s",
            (p,),
        )
        assert sealed.verify().exit_code == 0


def test_a_case_file_with_a_held_checkpoint_is_refused_not_ignored(
    sealed: Sealed, tmp_path: Any
) -> None:
    file = tmp_path / "case.json"
    file.write_text("{}")
    env = {"LEDGER_DATABASE_URL": sealed.settings.database_url}
    result = CliRunner().invoke(
        cli,
        ["verify", "--case-file", str(file), "--checkpoint", str(sealed.held),
         "--public-key", sealed.key],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 2 and "consistency" in result.output
