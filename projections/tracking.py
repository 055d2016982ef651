"""Where each view and process has got to, and why it stopped: the only SQL on projection_tracking.

A view advances its position in the same transaction as its rows (exactly once); a process
(a reaction that issues commands) advances it after its idempotent command succeeded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from projections.store import Database, Tx


@dataclass(frozen=True)
class Tracked:
    """One row: the position reached, how many events it applied, and its stopping error."""

    name: str
    position: int = 0
    events_applied: int = 0
    updated_at: str | None = None
    error: str | None = None
    error_position: int | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def lock_position(tx: Tx, name: str) -> int:
    """The position, read under a row lock so that two runners never apply the same events."""
    tx.execute(
        "INSERT INTO projection_tracking (name, position, updated_at) VALUES (%s, 0, %s)"
        " ON CONFLICT (name) DO NOTHING",
        (name, _now()),
    )
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    sql = f"SELECT position FROM projection_tracking WHERE name = %s{lock}"
    return int(tx.scalar(sql, (name,)))


def lock_positions(tx: Tx, names: Sequence[str]) -> dict[str, int]:
    """`lock_position` of several names in two statements (rows locked in name order)."""
    now = _now()
    tx.executemany(
        "INSERT INTO projection_tracking (name, position, updated_at) VALUES (%s, 0, %s)"
        " ON CONFLICT (name) DO NOTHING",
        [(n, now) for n in sorted(names)],
    )
    lock = " ORDER BY name FOR UPDATE" if tx.dialect == "postgres" else ""
    marks = ", ".join(["%s"] * len(names))
    rows = tx.query(
        f"SELECT name, position FROM projection_tracking WHERE name IN ({marks}){lock}",
        list(names),
    )
    return {r["name"]: int(r["position"]) for r in rows}


def advance_many(tx: Tx, moves: Sequence[tuple[str, int, int]]) -> None:
    """`advance` for several (name, position, applied)."""
    now = _now()
    tx.executemany(ADVANCE, [(n, p, a, now) for n, p, a in moves])


ADVANCE = (
    "INSERT INTO projection_tracking (name, position, events_applied, updated_at, error)"
    " VALUES (%s, %s, %s, %s, NULL) ON CONFLICT (name) DO UPDATE SET"
    " position = excluded.position,"
    " events_applied = projection_tracking.events_applied + excluded.events_applied,"
    " updated_at = excluded.updated_at, error = NULL, error_position = NULL"
)


def advance(tx: Tx, name: str, position: int, applied: int) -> None:
    """Move to `position` after `applied` more events; progress clears a reported error."""
    tx.execute(
        "INSERT INTO projection_tracking (name, position, events_applied, updated_at, error)"
        " VALUES (%s, %s, %s, %s, NULL) ON CONFLICT (name) DO UPDATE SET"
        " position = excluded.position,"
        " events_applied = projection_tracking.events_applied + excluded.events_applied,"
        " updated_at = excluded.updated_at, error = NULL, error_position = NULL",
        (name, position, applied, _now()),
    )


def record_failure(db: Database, name: str, message: str, position: int) -> None:
    """Say why `name` stopped and at which position; its position itself is kept."""
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO projection_tracking (name, position, updated_at, error,"
            " error_position) VALUES (%s, 0, %s, %s, %s) ON CONFLICT (name) DO UPDATE"
            " SET error = excluded.error, error_position = excluded.error_position",
            (name, _now(), message, position),
        )


def forget(tx: Tx, name: str) -> None:
    """Drop the row, for a rebuild from position zero."""
    tx.execute("DELETE FROM projection_tracking WHERE name = %s", (name,))


def position(db: Database, name: str) -> int:
    value = db.scalar("SELECT position FROM projection_tracking WHERE name = %s", (name,))
    return int(value or 0)


def positions(db: Database, names: Sequence[str]) -> dict[str, int]:
    """The position of each name; zero for one that has not started."""
    rows = db.query("SELECT name, position FROM projection_tracking")
    found = {r["name"]: int(r["position"]) for r in rows}
    return {n: found.get(n, 0) for n in names}


def rows(db: Database) -> dict[str, Tracked]:
    """Every row, for status pages and metrics."""
    found = db.query(
        "SELECT name, position, events_applied, updated_at, error, error_position"
        " FROM projection_tracking"
    )
    return {
        r["name"]: Tracked(
            name=r["name"],
            position=int(r["position"] or 0),
            events_applied=int(r["events_applied"] or 0),
            updated_at=r["updated_at"],
            error=r["error"],
            error_position=None if r["error_position"] is None else int(r["error_position"]),
        )
        for r in found
    }


def wait_for_position(
    db: Database,
    names: Sequence[str],
    position: int,
    timeout: float,
    progressed: threading.Condition | None = None,
) -> bool:
    """True once every named projection has reached `position`, False after `timeout`.

    With the in-process runner's condition it wakes on each commit; otherwise it polls.
    """
    deadline = time.monotonic() + timeout
    while True:
        if all(p >= position for p in positions(db, names).values()):
            return True
        if time.monotonic() >= deadline:
            return False
        if progressed is None:
            time.sleep(0.01)
        else:
            with progressed:
                progressed.wait(0.05)
