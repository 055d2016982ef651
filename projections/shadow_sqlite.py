"""The SQLite twin set of a rebuild: a file beside the database, switched in by copying.

The twins live in `<file>.next`, opened as `main` with the live file attached as `live`;
SQLite looks a name up in `main` before an attached database, the same order as PostgreSQL's
search path (projections/shadow.py). A file cannot be renamed into another, so the switch
copies each twin into its live table, inside one write transaction that first holds the live
views' tracking rows and the file's write lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

from projections.backends import DatabaseUrl
from projections.shadow import LIVE, TRACKING, RebuildRunning, ShadowChanged, _now
from projections.store import Database

_WRITES = {
    sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE,
    sqlite3.SQLITE_CREATE_TABLE, sqlite3.SQLITE_CREATE_INDEX, sqlite3.SQLITE_DROP_TABLE,
    sqlite3.SQLITE_DROP_INDEX, sqlite3.SQLITE_ALTER_TABLE,
}  # fmt: skip


def _read_only_live(action: int, _a: str | None, _b: str | None, db: str | None, _t: Any) -> int:
    """The rebuild writes its twins only: a write that would reach a live table is refused."""
    return sqlite3.SQLITE_DENY if db == LIVE and action in _WRITES else sqlite3.SQLITE_OK


class _AttachedDatabase(Database):
    """The twins' file as `main`, the live file attached behind it, read-only in effect."""

    def __init__(self, url: DatabaseUrl, live_path: str):
        super().__init__(url)
        self.live_path = live_path
        self._attached = threading.local()

    def _sqlite(self) -> sqlite3.Connection:  # the one hook: attach on each new connection
        conn = super()._sqlite()
        if getattr(self._attached, "conn", None) is not conn:
            conn.execute(f"ATTACH DATABASE ? AS {LIVE}", (self.live_path,))
            conn.set_authorizer(_read_only_live)
            self._attached.conn = conn
        return conn

    #: Deferred, not IMMEDIATE: that would take the live file's write lock as well.
    sqlite_begin = "BEGIN"


class SqliteShadow:
    def __init__(self, live: Database):
        self.live = live
        self.path = f"{live.url.path}.next"
        self._lock = open(f"{self.path}.lock", "w")  # noqa: SIM115  # held until close()
        try:
            import fcntl

            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise RebuildRunning from None
        self.db = _AttachedDatabase(DatabaseUrl("sqlite", path=self.path), live.url.path)

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(FileNotFoundError):
                os.remove(f"{self.path}{suffix}")

    def prepare(self, tables: Sequence[str]) -> None:
        self.db.close()
        self._remove_files()  # an interrupted rebuild's
        wanted = [*tables, TRACKING]
        marks = ", ".join(["%s"] * len(wanted))
        schema = self.live.query(
            f"SELECT type, sql FROM sqlite_master WHERE tbl_name IN ({marks})"
            " AND sql IS NOT NULL ORDER BY type = 'index', name",
            wanted,
        )
        with self.db.transaction() as tx:
            for row in schema:
                tx.execute(row["sql"])  # unqualified: created in the twins' file

    def switch(self, names: Sequence[str], tables: Sequence[str], last: Callable[[], Any]) -> None:
        conn = sqlite3.connect(self.live.url.path, isolation_level=None, timeout=30)
        try:
            conn.execute("ATTACH DATABASE ? AS next", (self.path,))
            conn.execute("BEGIN")
            for name in names:  # the first write takes the live file's write lock
                conn.execute(
                    f"INSERT INTO main.{TRACKING} (name, position, updated_at) VALUES (?, 0, ?)"
                    " ON CONFLICT (name) DO NOTHING",
                    (name, _now()),
                )
            try:
                last()  # writes the twins' file only; no event can be stored meanwhile
                self._swap(conn, names, tables)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            conn.execute("DETACH DATABASE next")
        finally:
            conn.close()
        self.db.close()
        self._remove_files()

    @staticmethod
    def _swap(conn: sqlite3.Connection, names: Sequence[str], tables: Sequence[str]) -> None:
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]
            if columns != [r[1] for r in conn.execute(f"PRAGMA next.table_info({table})")]:
                raise ShadowChanged(f"{table} changed while it was rebuilt: rebuild again")
            listed = ", ".join(f'"{c}"' for c in columns)
            conn.execute(f"DELETE FROM main.{table}")
            conn.execute(f"INSERT INTO main.{table} ({listed}) SELECT {listed} FROM next.{table}")
        marks = ", ".join("?" * len(names))
        conn.execute(
            f"UPDATE main.{TRACKING} SET (position, events_applied, updated_at, error,"
            f" error_position) = (SELECT n.position, n.events_applied, n.updated_at, NULL, NULL"
            f" FROM next.{TRACKING} AS n WHERE n.name = {TRACKING}.name)"
            f" WHERE name IN ({marks}) AND name IN (SELECT name FROM next.{TRACKING})",
            list(names),
        )

    def discard(self) -> None:
        self.db.close()
        self._remove_files()

    def close(self) -> None:
        self.db.close()
        self._lock.close()  # the file stays: unlinking a lock file races with the next taker
