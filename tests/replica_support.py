"""A throwaway PostgreSQL primary and a streaming replica of it (`replicated_postgres`: import
the fixture into the test module), as README "Past one machine" sets them up: a replication
role with its own pg_hba line, and a hot standby made by `pg_basebackup -R`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from tests.stream_support import until
from tests.throwaway_postgres import ThrowawayPostgres

REPLICATOR = "replicator"

#: Only these may connect: everyone to the databases, only the replication role to stream WAL
#: (trust, on loopback only: a test's server).
PG_HBA = f"""local all all trust
host all all 127.0.0.1/32 trust
host replication {REPLICATOR} 127.0.0.1/32 trust
"""

#: The primary keeps what a standby needs; its commits are flushed at once (not the throwaway
#: server's synchronous_commit=off), so that a commit reaches the replica without waiting
#: for the WAL writer's next round.
PRIMARY_OPTIONS = "-c wal_level=replica -c max_wal_senders=4 -c synchronous_commit=on"


class StreamingReplica(ThrowawayPostgres):
    """A hot standby of `primary`, copied by pg_basebackup with -R (standby.signal and the
    primary_conninfo written for it), on a port and in a directory of its own."""

    def __init__(self, primary: ThrowawayPostgres) -> None:
        super().__init__(options="-c hot_standby=on", initdb=False)
        self._pg("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", REPLICATOR,
                 "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync")  # fmt: skip

    def url(self, name: str = "ledger") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _admin(self, sql: str) -> object:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            row = conn.execute(sql).fetchone()
        return None if row is None else row[0]

    def pause_replay(self) -> None:
        """Stop applying the primary's WAL (it is still received): the replica falls behind."""
        self._admin("SELECT pg_wal_replay_pause()")
        until(lambda: self._admin("SELECT pg_get_wal_replay_pause_state()") == "paused",
              "the replica's replay is paused")  # fmt: skip

    def resume_replay(self) -> None:
        self._admin("SELECT pg_wal_replay_resume()")

    def caught_up_with(self, primary: ThrowawayPostgres) -> bool:
        with psycopg.connect(primary.admin_url, autocommit=True) as conn:
            row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        assert row is not None
        sql = f"SELECT pg_last_wal_replay_lsn() >= '{row[0]}'::pg_lsn"
        return bool(self._admin(sql))


@dataclass
class Replicated:
    primary: ThrowawayPostgres
    replica: StreamingReplica
    #: The `ledger` database, as the primary and as the replica serve it.
    primary_url: str
    replica_url: str


def _missing_binaries() -> None:
    """Skip, loudly, where PostgreSQL's server programs are not installed; fail under CI's
    LEDGER_TEST_REQUIRE_POSTGRES=1 (the skip's reason names PostgreSQL, as .ci/run checks)."""
    missing = ThrowawayPostgres.missing("pg_basebackup")
    if not missing:
        return
    message = (
        f"PostgreSQL server programs missing in {ThrowawayPostgres.BINDIR}: {', '.join(missing)}"
        " (LEDGER_PG_BINDIR names another folder)"
    )
    if os.environ.get("LEDGER_TEST_REQUIRE_POSTGRES") == "1":
        pytest.fail(message + " (LEDGER_TEST_REQUIRE_POSTGRES=1)")
    pytest.skip(message)


@pytest.fixture
def replicated_postgres() -> Iterator[Replicated]:
    """A primary with a `ledger` database and a streaming replica of it, both started and
    caught up; both removed after the test."""
    _missing_binaries()
    primary = ThrowawayPostgres(options=PRIMARY_OPTIONS)
    replica: StreamingReplica | None = None
    try:
        (primary.data / "pg_hba.conf").write_text(PG_HBA, encoding="utf-8")
        primary.start()
        with psycopg.connect(primary.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {REPLICATOR} WITH REPLICATION LOGIN")
        primary_url = primary.create_database("ledger")
        replica = StreamingReplica(primary)
        replica.start()
        until(lambda: replica is not None and replica.caught_up_with(primary),
              "the replica has replayed the primary's WAL", 30)  # fmt: skip
        yield Replicated(primary, replica, primary_url, replica.url())
    finally:
        if replica is not None:
            replica.close()
        primary.close()
