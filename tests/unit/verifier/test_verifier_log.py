"""The full log check on a small SQLite log written by the test writer: what it reports."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from test_verifier_case_file import KEY, SIGNER, case_file

from tests.merkle_writer import Tables, b64, leaf_of, mth
from verifier.__main__ import main
from verifier.log import HeldCheckpoint, Progress, verify_log
from verifier.report import Report
from verifier.rows import LogRows
from verifier.summary import log_lines


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Tables]:
    url = f"sqlite:///{tmp_path}/log.sqlite3"
    t = Tables(url)
    t.sql(
        "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
        "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )
    t.create_merkle_tables()
    for i in range(1, 12):
        t.sql(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?, ?)",
            (i * 3, uuid4().hex, 1, "domain.x:Thing.Happened", b"state %d" % i),
        )  # positions with holes, as on PostgreSQL
    t.reseal(SIGNER.note, SIGNER.origin, checkpoints=[0, 4, 11])
    yield t
    t.close()


def check(t: Tables, *held: str, progress: Progress | None = None) -> Report:
    with LogRows(t.url, batch=3) as rows:
        return verify_log(
            rows, KEY, [HeldCheckpoint(f"h{i}", n) for i, n in enumerate(held)],
            progress,
        )  # fmt: skip


def problem(report: Report) -> str:
    assert report.problem is not None
    return report.problem.message


def test_a_sealed_log_verifies_with_every_checkpoint_and_reports_progress(log: Tables) -> None:
    seen: list[tuple[int, int]] = []
    report = check(log, progress=lambda done, total: seen.append((done, total)))
    assert report.ok
    assert [c.verdict for c in report.checkpoints] == ["ok"] * 3
    assert seen[-1] == (11, 11)
    root = b64(mth([leaf_of(*row) for row in log.event_rows()]))
    assert f"tree size 11, root {root}" in log_lines(report)


def test_events_not_yet_sealed_are_counted_not_failed(log: Tables) -> None:
    log.sql("INSERT INTO stored_events VALUES (?, 1, 't', x'00')", (uuid4().hex,))
    report = check(log)
    assert report.ok and (report.leaves, report.unsealed) == (11, 1)


def test_a_deleted_leaf_leaves_a_hole_in_the_dense_index(log: Tables) -> None:
    log.sql("DELETE FROM merkle_leaves WHERE leaf_index = 5")
    report = check(log)
    assert problem(report).startswith("leaf 5 is missing (deleted?)")


def test_a_forged_node_beyond_the_tree_is_counted(log: Tables) -> None:
    log.sql("INSERT INTO merkle_nodes VALUES (3, 1, ?)", (b"z" * 32,))
    report = check(log)
    assert "merkle_nodes holds 9 nodes but a tree of 11 leaves has 8" in (problem(report))


def test_a_stored_checkpoints_columns_must_agree_with_its_signed_note(log: Tables) -> None:
    log.sql("UPDATE merkle_checkpoints SET root_hash = ? WHERE tree_size = 4", (b"q" * 32,))
    report = check(log)
    [bad] = [c for c in report.checkpoints if c.verdict == "failed"]
    assert bad.tree_size == 4 and "differs from its signed note" in bad.message


def test_a_held_checkpoint_of_another_log_is_refused(log: Tables) -> None:
    report = check(log, SIGNER.checkpoint(4, mth([b"x" * 32] * 4)))
    assert "history was rewritten within leaves 0..3" in str(report.first_failure())


def test_a_database_without_the_merkle_tables_is_not_a_sealed_log(log: Tables) -> None:
    log.sql("DROP TABLE merkle_nodes")
    assert "no merkle_nodes table" in problem(check(log))


def test_the_command_exits_0_1_or_2(log: Tables, tmp_path: Path) -> None:
    url, key = log.url, SIGNER.verifier_key()
    assert main(["log", url, "--public-key", key]) == 0
    held = tmp_path / "held"
    held.write_text(SIGNER.checkpoint(11, b"w" * 32))
    assert main(["log", url, "--public-key", key, "--checkpoint", str(held)]) == 1
    assert main(["log", url, "--public-key", "not a key"]) == 2
    assert main(["log", "sqlite:////nonexistent/x.db", "--public-key", key]) == 2
    document = tmp_path / "case.json"
    document.write_text(json.dumps(case_file()))
    key_file = tmp_path / "key.pub"
    key_file.write_text(key + "\n")
    assert main(["case-file", str(document), "--public-key", str(key_file)]) == 0
    document.write_text(json.dumps(case_file()).replace('"version": 1,', '"version": 7,'))
    assert main(["case-file", str(document), "--public-key", key]) == 1


def test_an_event_whose_version_is_no_integer_is_named(log: Tables) -> None:
    [[position]] = log.sql("SELECT rowid FROM stored_events ORDER BY rowid LIMIT 1 OFFSET 2")
    log.sql("UPDATE stored_events SET originator_version = 'x' WHERE rowid = ?", (position,))
    assert problem(check(log)) == (
        f"position {position}: the stored event's version is not an integer (edited?)"
    )


def test_the_verifier_runs_without_loading_any_of_the_ledger(log: Tables) -> None:
    script = (
        "import sys, runpy; sys.argv = ['verifier', 'log', sys.argv[1], '--public-key', "
        "sys.argv[2]]\n"
        "try:\n    runpy.run_module('verifier', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "ours = {'domain', 'projections', 'api', 'migrations', 'eventsourcing'}\n"
        "print(code, sorted({m.split('.')[0] for m in sys.modules} & ours))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, log.url, SIGNER.verifier_key()],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parents[3],
    )  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == "0 []"
