"""Stored events read straight from the event table, with their positions and stored bytes
(either backend), for a case file: the bytes a leaf was hashed over, not a re-encoding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from projections.store import Database


@dataclass(frozen=True)
class StoredRow:
    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def of_aggregates(db: Database, ids: Sequence[UUID]) -> list[StoredRow]:
    """Every stored event of these aggregates, in position order."""
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    if db.dialect == "postgres":
        sql = (
            "SELECT notification_id AS position, originator_id, originator_version, topic, state"
            f" FROM ledger_events WHERE originator_id IN ({marks}) ORDER BY notification_id"
        )
        params: list[object] = list(ids)
    else:
        sql = (
            "SELECT rowid AS position, originator_id, originator_version, topic, state"
            f" FROM stored_events WHERE originator_id IN ({marks}) ORDER BY rowid"
        )
        params = [i.hex for i in ids]
    return [
        StoredRow(
            int(r["position"]),
            _uuid(r["originator_id"]),
            int(r["originator_version"]),
            str(r["topic"]),
            bytes(r["state"]),
        )
        for r in db.query(sql, params)
    ]


def _uuid(value: object) -> UUID:
    """PostgreSQL answers a UUID; SQLite its 32 hex characters."""
    return value if isinstance(value, UUID) else UUID(str(value))
