"""The read database's health (LEDGER_READ_DATABASE_URL, a streaming replica) for /readyz and
/metrics: reachable or not, and how far its replay is behind the primary's head."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from api.container import Container

#: A probe waits this long for the replica: /readyz must answer quickly when it is down,
#: not after the pool's 30 s wait for a connection.
CONNECT_TIMEOUT_SECONDS = 2

#: One round trip on a connection of its own, outside the pool. Each function is cheap on a
#: hot standby: MAX(notification_id) reads one end of a unique index.
PROBE = (
    "SELECT pg_is_in_recovery() AS replica,"
    " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS paused,"
    " (SELECT MAX(notification_id) FROM ledger_events) AS head,"
    " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) AS age"
)


@dataclass(frozen=True)
class ReadDatabase:
    reachable: bool
    #: In recovery (a hot standby), not a second name for a primary.
    replica: bool = False
    #: The newest event the replica has replayed, and how many the primary has beyond it.
    head_position: int = 0
    lag_events: int = 0
    #: While events wait to be replayed: the age of the last transaction replayed, so at most
    #: how stale the replica's views are; 0 when none waits (an idle primary is no lag).
    lag_seconds: float = 0.0
    replay_paused: bool = False

    def readiness(self) -> dict[str, object]:
        return {
            "replica": self.replica, "head_position": self.head_position,
            "lag_events": self.lag_events, "lag_seconds": self.lag_seconds,
            "replay_paused": self.replay_paused,
        }  # fmt: skip

    def metrics(self) -> list[str]:
        lines = []
        for metric, help_, value in [
            ("ledger_read_database_up", "1 when the read database (replica) answers.",
             int(self.reachable)),
            ("ledger_read_database_head_position",
             "Newest event the read database has replayed.", self.head_position),
            ("ledger_read_database_lag_events",
             "Events stored on the primary not yet replayed on the read database.",
             self.lag_events),
            ("ledger_read_database_lag_seconds",
             "While events wait to be replayed, the age of the last one replayed.",
             f"{self.lag_seconds:.3f}"),
            ("ledger_read_database_replay_paused", "1 while the replica's replay is paused.",
             int(self.replay_paused)),
        ]:  # fmt: skip
            lines += [f"# HELP {metric} {help_}", f"# TYPE {metric} gauge", f"{metric} {value}"]
        return lines


def read_database(container: Container) -> ReadDatabase | None:
    """The replica's state; None when GraphQL reads the primary itself (no replica set)."""
    if container.read_db is container.db:
        return None
    primary_head = container.ledger.latest_position()
    try:
        with psycopg.connect(
            container.read_db.url.conninfo, connect_timeout=CONNECT_TIMEOUT_SECONDS,
            autocommit=True,
        ) as conn:  # fmt: skip
            row = conn.execute(PROBE).fetchone()
    except psycopg.Error:
        return ReadDatabase(reachable=False)
    assert row is not None
    replica, paused, head = bool(row[0]), bool(row[1]), int(row[2] or 0)
    behind = max(0, primary_head - head)
    age = float(row[3] or 0) if behind else 0.0
    return ReadDatabase(
        reachable=True, replica=replica, head_position=head, lag_events=behind,
        lag_seconds=round(max(0.0, age), 3), replay_paused=paused,
    )  # fmt: skip
