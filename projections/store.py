"""One small adapter over SQLite and PostgreSQL for the views: same SQL, `%s` placeholders."""

from __future__ import annotations

import re
import select
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from projections.backends import DatabaseUrl, Dialect

Row = dict[str, Any]
T = TypeVar("T")


class Tx:
    """A cursor inside one transaction; hides the placeholder difference."""

    def __init__(self, dialect: Dialect, cursor: Any):
        self.dialect = dialect
        self._cursor = cursor
        #: What a view already knows within this transaction (a row it read or wrote), so
        #: a batch does not read it back; gone with the transaction, commit or rollback.
        self.memo: dict[Any, Any] = {}
        self._pipelined = False
        #: Writes held back to be sent together (see `defer`), in the order first deferred,
        #: and the pattern of the table whose mention in a statement sends them first.
        self._deferred: dict[str, Callable[[Tx], None]] = {}
        self._guards: dict[str, tuple[str, re.Pattern[str]]] = {}
        #: False: the helpers that gather writes send each at once instead, so an error
        #: surfaces at the event that caused it (the runner's view-by-view path).
        self.deferring = True

    def remembered(self, key: Any, load: Callable[[], T]) -> T:
        """What `load` answers, read once a transaction: `memo` keeps it under `key` (a view
        that writes what was loaded updates or pops that key itself)."""
        if key in self.memo:
            return cast(T, self.memo[key])
        value = self.memo[key] = load()
        return value

    def defer(self, name: str, flush: Callable[[Tx], None], table: str | None = None) -> None:
        """Run `flush(tx)` before the transaction commits (once, however often deferred),
        or sooner through `flush(name)`: a view gathers writes and sends them as one.

        With `table`, any statement that names the table sends them first, so whatever
        reads or writes it in this transaction sees them, in the order they were made."""
        self._deferred.setdefault(name, flush)
        if table is not None:
            self._guards[name] = (table, re.compile(rf"\b{re.escape(table)}\b"))

    def flush(self, name: str | None = None) -> None:
        """Send the deferred writes now: those of `name`, or all (before a commit)."""
        names = [name] if name is not None else list(self._deferred)
        for each in names:
            self._guards.pop(each, None)
            flush = self._deferred.pop(each, None)
            if flush is not None:
                flush(self)

    def _guard(self, sql: str) -> None:
        for name, (table, pattern) in list(self._guards.items()):
            if table in sql and pattern.search(sql):  # the plain test first: most miss
                self.flush(name)

    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self.dialect == "sqlite" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if self._guards:
            self._guard(sql)
        self._cursor.execute(self._sql(sql), tuple(params))

    def connection_info(self) -> Any:
        """psycopg's ConnectionInfo of this transaction's connection (PostgreSQL only)."""
        return self._cursor.connection.info

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if self._guards:
            self._guard(sql)
        if rows:
            self._cursor.executemany(self._sql(sql), [tuple(r) for r in rows])

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """On PostgreSQL, send statements without waiting for each one's answer (psycopg's
        pipeline mode, on this same connection): a write costs no round trip, a read waits
        for what was sent before it. An error surfaces at the next read or at the end."""
        if self.dialect != "postgres":
            yield
            return
        with self._cursor.connection.pipeline():
            self._pipelined = True
            try:
                yield
            finally:
                self._pipelined = False

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        if self._guards:
            self._guard(sql)
        if self._pipelined:
            # A cursor of its own for each read (same connection, same transaction): the
            # writes queued on the shared cursor keep their results out of this one's.
            with self._cursor.connection.cursor() as cursor:
                cursor.execute(self._sql(sql), tuple(params))
                return [dict(r) for r in cursor.fetchall()]
        self.execute(sql, params)
        rows = self._cursor.fetchall()
        return [dict(r) for r in rows]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return next(iter(rows[0].values())) if rows else None


def _quiet(conn: psycopg.Connection[Any]) -> bool:
    """True if an idle connection's socket has nothing to read (no goodbye, no end of file)."""
    try:
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN)
        return not poller.poll(0)  # POLLIN, POLLHUP or POLLERR: something to look at
    except (OSError, ValueError, AttributeError, psycopg.Error):
        return False


class Database:
    """Connections for the views (and migrations); the library keeps its own for events."""

    #: How a SQLite transaction begins: IMMEDIATE takes the write lock at once, so two
    #: writers never deadlock upgrading a read (projections/shadow.py defers it instead).
    sqlite_begin = "BEGIN IMMEDIATE"

    def __init__(self, url: DatabaseUrl, pool_size: int = 8):
        self.url = url
        self.dialect: Dialect = url.dialect
        self._local = threading.local()
        self._pool: ConnectionPool[Any] | None = None
        if url.dialect == "postgres":
            self._pool = ConnectionPool(
                url.conninfo,
                min_size=1,
                max_size=pool_size,
                kwargs={"row_factory": dict_row, "autocommit": False},
                check=self._check,
                open=True,
            )

    def _check(self, conn: psycopg.Connection[Any]) -> None:
        """Test a connection before lending it; on the first dead one, sweep the whole pool.

        A server restart or pg_terminate_backend kills every idle connection at once: the
        pool then replaces them all in one go, instead of finding them one by one with its
        growing pause (1 s, 2 s, ...) after each.

        The test is a round trip, and a busy process borrows a connection for every read
        and every transaction (a quarter of all its statements were these tests). An idle
        connection has nothing to read: a dead one has the server's goodbye or its end of
        file waiting on the socket. So only a connection with input waiting (or no socket)
        gets the round trip; a quiet one is lent as it is. Work begun on it just as the
        server dies fails as work already under way does.
        """
        if _quiet(conn):
            return
        try:
            ConnectionPool.check_connection(conn)
        except psycopg.Error:
            if self._pool is not None:
                self._pool.check()
            raise

    def _sqlite(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            Path(self.url.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.url.path, isolation_level=None, timeout=30)
            conn.row_factory = sqlite3.Row
            self._enable_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @staticmethod
    def _enable_wal(conn: sqlite3.Connection) -> None:
        # Switching a new file to WAL needs an exclusive lock and does not wait on the busy
        # timeout: several processes opening a fresh file together retry here.
        deadline = time.monotonic() + 30
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """All or nothing: view rows and the tracking position commit together."""
        if self._pool is None:
            conn = self._sqlite()
            conn.execute(self.sqlite_begin)
            try:
                tx = Tx("sqlite", conn.cursor())
                yield tx
                tx.flush()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        else:
            with self._pool.connection() as pconn, pconn.transaction(), pconn.cursor() as cur:
                tx = Tx("postgres", cur)
                yield tx
                tx.flush()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every `query` of this thread within it reads one snapshot, on one connection (on
        PostgreSQL a REPEATABLE READ, READ ONLY transaction): figures read together are of
        the same moment, and they pay one checkout of the pool (its check, a round trip)
        and one rollback, not one of each a query. Nested, or on SQLite: as it is."""
        if self._pool is None or getattr(self._local, "pinned", None) is not None:
            yield
            return
        with self._pool.connection() as pconn:
            pconn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            self._local.pinned = pconn
            try:
                yield
            finally:
                self._local.pinned = None
                pconn.rollback()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        if self._pool is None:
            return Tx("sqlite", self._sqlite().cursor()).query(sql, params)
        pinned: psycopg.Connection[Any] | None = getattr(self._local, "pinned", None)
        if pinned is not None:
            with pinned.cursor() as cur:
                return Tx("postgres", cur).query(sql, params)
        with self._pool.connection() as pconn, pconn.cursor() as cur:
            rows = Tx("postgres", cur).query(sql, params)
            pconn.rollback()
            return rows

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return next(iter(rows[0].values())) if rows else None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
