"""Where the NATS JetStream relay stands (table `relay_positions`, migration 0019).

One row per stream: the last ledger position the relay published and the stream sequence
JetStream acknowledged for it, written after the acknowledgement. Read by the relay itself,
by `ledger relay --status` and by /metrics (no NATS needed for either: the relay's lag is the
head minus this row's position).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from projections.store import Database


@dataclass(frozen=True)
class RelayPosition:
    #: The last ledger position published (0: none yet).
    position: int = 0
    #: The stream sequence JetStream gave that event (0: none yet).
    sequence: int = 0


@dataclass(frozen=True)
class RelayRow:
    stream: str
    at: RelayPosition
    updated_at: str


def load(db: Database, stream: str) -> RelayPosition | None:
    rows = db.query(
        "SELECT position, stream_sequence FROM relay_positions WHERE stream = %s", (stream,)
    )
    if not rows:
        return None
    return RelayPosition(int(rows[0]["position"]), int(rows[0]["stream_sequence"]))


def save(db: Database, stream: str, at: RelayPosition) -> None:
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO relay_positions (stream, position, stream_sequence, updated_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (stream) DO UPDATE SET"
            " position = excluded.position, stream_sequence = excluded.stream_sequence,"
            " updated_at = excluded.updated_at",
            (stream, at.position, at.sequence, datetime.now(UTC).isoformat()),
        )


def rows(db: Database) -> list[RelayRow]:
    found = db.query(
        "SELECT stream, position, stream_sequence, updated_at FROM relay_positions ORDER BY stream"
    )
    return [
        RelayRow(
            str(r["stream"]),
            RelayPosition(int(r["position"]), int(r["stream_sequence"])),
            str(r["updated_at"]),
        )
        for r in found
    ]


def relay_metrics(db: Database, head: int) -> list[str]:
    """Prometheus lines: each relay's position and how many positions it is behind the head."""
    found = rows(db)
    lines = [
        "# HELP caseledger_relay_position Last ledger position the NATS relay published.",
        "# TYPE caseledger_relay_position gauge",
    ]
    lines += [f'caseledger_relay_position{{stream="{r.stream}"}} {r.at.position}' for r in found]
    lines += [
        "# HELP caseledger_relay_lag_positions Ledger positions the NATS relay is behind.",
        "# TYPE caseledger_relay_lag_positions gauge",
    ]
    lines += [
        f'caseledger_relay_lag_positions{{stream="{r.stream}"}} {max(0, head - r.at.position)}'
        for r in found
    ]
    return lines
