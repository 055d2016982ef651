"""The record of log verifications: each `ledger verify` run's outcome, for `ledgerIntegrity`.

The verifier itself writes nothing (it shares no code with the ledger and only reads); the CLI
hands its outcome here. A run's detail names positions, leaves and hashes, never event data.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from projections.store import Database, Row

#: The longest detail kept: one line of the verifier's report, cut if longer.
MAX_DETAIL = 500


@dataclass(frozen=True)
class Run:
    at: str
    ok: bool
    tree_size: int
    checkpoints_checked: int
    first_bad_position: int | None
    detail: str
    #: "ledger" (the ledger's own key: a self-check), "held" (the auditor's --public-key), or
    #: "unrecorded" (a run from before migration 0021).
    key_source: str = "unrecorded"
    key_fingerprint: str | None = None
    held_checkpoints: int = 0


def fingerprint(key_text: str) -> str:
    """A key's fingerprint: SHA-256 of its text (name+id+key), 16 hex digits, for an auditor
    to compare with the key they hold."""
    return hashlib.sha256(key_text.strip().encode("utf-8")).hexdigest()[:16]


def run_of(
    ok: bool, tree_size: int, checkpoints_checked: int, first_bad_position: int | None,
    detail: str, at: datetime | None = None, key_source: str = "ledger",
    key_fingerprint: str | None = None, held_checkpoints: int = 0,
) -> Run:  # fmt: skip
    """A run stamped now (UTC), its detail one line of at most MAX_DETAIL characters."""
    line = " ".join(detail.split())
    if len(line) > MAX_DETAIL:
        line = line[: MAX_DETAIL - 1] + "…"
    stamp = (at or datetime.now(UTC)).astimezone(UTC).isoformat()
    return Run(
        stamp, ok, tree_size, checkpoints_checked, first_bad_position, line,
        key_source, key_fingerprint, held_checkpoints,
    )  # fmt: skip


def record(db: Database, run: Run) -> None:
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO verification_runs (run_id, at, ok, tree_size, checkpoints_checked,"
            " first_bad_position, detail, key_source, key_fingerprint, held_checkpoints)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                uuid.uuid4().hex, run.at, int(run.ok), run.tree_size, run.checkpoints_checked,
                run.first_bad_position, run.detail, run.key_source, run.key_fingerprint,
                run.held_checkpoints,
            ),
        )  # fmt: skip


def _run(row: Row) -> Run:
    bad = row["first_bad_position"]
    return Run(
        at=str(row["at"]),
        ok=bool(row["ok"]),
        tree_size=int(row["tree_size"]),
        checkpoints_checked=int(row["checkpoints_checked"]),
        first_bad_position=None if bad is None else int(bad),
        detail=str(row["detail"]),
        key_source=str(row["key_source"]),
        key_fingerprint=row["key_fingerprint"],
        held_checkpoints=int(row["held_checkpoints"] or 0),
    )


def latest(db: Database) -> Run | None:
    """The newest run (on the `at` index), or None when the log was never verified."""
    rows = db.query(
        "SELECT at, ok, tree_size, checkpoints_checked, first_bad_position, detail,"
        " key_source, key_fingerprint, held_checkpoints"
        " FROM verification_runs ORDER BY at DESC LIMIT 1"
    )
    return _run(rows[0]) if rows else None
