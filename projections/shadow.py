"""The twin table set a rebuild fills beside the live views, and the one switch that swaps it in.

PostgreSQL: the twins live in the schema `ledger_next`; the rebuild's connections have
`search_path = ledger_next, public`, so every statement of the views runs as written and finds
a twin first and any other table (another view, the person keys) in `public`. The switch moves
the live tables to `ledger_old` and the twins to `public` (ALTER TABLE ... SET SCHEMA).

SQLite (projections/shadow_sqlite.py): the twins live in a file beside the database
(`<file>.next`), opened as `main` with the live file attached as `live`; SQLite looks a name
up in `main` before an attached database, the same order as the search path. A file cannot
be renamed into another, so the switch copies each twin into its live table, inside one
write transaction.

Either way the switch is one transaction that first holds the live views' tracking rows (and
on SQLite the file's write lock), so no runner applies an event to the live views meanwhile.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import psycopg

from projections.backends import DatabaseUrl
from projections.store import Database, Tx

NEXT = "ledger_next"
OLD = "ledger_old"
TRACKING = "projection_tracking"
LIVE = "live"  # the live file's name on a SQLite rebuild connection
LOCK_KEY = 7_202_412  # advisory lock: one rebuild at a time per database
SWITCH_ATTEMPTS = 5

__all__ = ["RebuildRunning", "Shadow", "ShadowChanged", "shadow_for"]


class RebuildRunning(Exception):
    """Another rebuild holds this database's twins: one at a time."""

    def __init__(self) -> None:
        super().__init__("another rebuild is running on this database: nothing was changed")


class ShadowChanged(Exception):
    """A live table's columns changed while its twin was built (a migration ran meanwhile)."""


class Shadow(Protocol):
    @property
    def db(self) -> Database:
        """The rebuild runner's database: the views' SQL reaches the twins through it."""

    def prepare(self, tables: Sequence[str]) -> None: ...

    def switch(self, names: Sequence[str], tables: Sequence[str], last: Callable[[], Any]) -> None:
        """In one transaction: hold the live rows, run `last`, swap the tables, move tracking."""

    def discard(self) -> None:
        """Drop the twins of a rebuild that will not switch (the live views never knew)."""

    def close(self) -> None: ...


def shadow_for(live: Database) -> Shadow:
    if live.dialect == "postgres":
        return PostgresShadow(live)
    from projections.shadow_sqlite import SqliteShadow  # it builds on this module's names

    return SqliteShadow(live)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- PostgreSQL ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _InSchema(DatabaseUrl):
    """The same database, with the twins' schema first on every connection's search path."""

    schema: str = NEXT

    @property
    def conninfo(self) -> str:
        return psycopg.conninfo.make_conninfo(
            super().conninfo, options=f"-c search_path={self.schema},public"
        )


class PostgresShadow:
    def __init__(self, live: Database):
        self.live = live
        self._guard = psycopg.connect(live.url.conninfo, autocommit=True)
        row = self._guard.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()
        if not (row and row[0]):
            self._guard.close()
            raise RebuildRunning
        self.db = Database(_InSchema(**dataclasses.asdict(live.url)), pool_size=2)

    def prepare(self, tables: Sequence[str]) -> None:
        """Empty twins of `tables` and of the tracking table, names and indexes as live."""
        with self.live.transaction() as tx:
            tx.execute(f"DROP SCHEMA IF EXISTS {NEXT} CASCADE")  # an interrupted rebuild's
            tx.execute(f"DROP SCHEMA IF EXISTS {OLD} CASCADE")
            tx.execute(f"CREATE SCHEMA {NEXT}")
            for table in [*tables, TRACKING]:
                _twin(tx, table)

    def switch(self, names: Sequence[str], tables: Sequence[str], last: Callable[[], Any]) -> None:
        with self.db.transaction() as tx:  # statistics first: the new tables plan well at once
            for table in tables:
                tx.execute(f"ANALYZE {NEXT}.{table}")
        for attempt in range(SWITCH_ATTEMPTS):
            try:
                self._switch(names, tables, last)
                break
            except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
                if attempt == SWITCH_ATTEMPTS - 1:
                    raise  # a long query held a table throughout: the live views are untouched
        with self.live.transaction() as tx:
            tx.execute(f"DROP SCHEMA IF EXISTS {OLD} CASCADE")
            tx.execute(f"DROP SCHEMA IF EXISTS {NEXT} CASCADE")

    def _switch(self, names: Sequence[str], tables: Sequence[str], last: Callable[[], Any]) -> None:
        with self.live.transaction() as tx:
            # A query still reading a table delays the swap; give up (and retry) rather than
            # queue every new query behind the swap for longer.
            tx.execute("SET LOCAL lock_timeout = '5s'")
            for name in names:
                tx.execute(
                    f"INSERT INTO public.{TRACKING} (name, position, updated_at)"
                    " VALUES (%s, 0, %s) ON CONFLICT (name) DO NOTHING",
                    [name, _now()],
                )
            tx.query(
                f"SELECT name FROM public.{TRACKING} WHERE name = ANY(%s) ORDER BY name FOR UPDATE",
                [list(names)],
            )
            last()  # the twins reach the head on their own connections; nobody else writes them
            for table in tables:
                if _columns(tx, "public", table) != _columns(tx, NEXT, table):
                    raise ShadowChanged(f"{table} changed while it was rebuilt: rebuild again")
            live = ", ".join(f"public.{t}" for t in tables)
            tx.execute(f"LOCK TABLE {live} IN ACCESS EXCLUSIVE MODE")
            tx.execute(f"CREATE SCHEMA {OLD}")
            for table in tables:
                tx.execute(f"ALTER TABLE public.{table} SET SCHEMA {OLD}")
                tx.execute(f"ALTER TABLE {NEXT}.{table} SET SCHEMA public")
            tx.execute(
                f"UPDATE public.{TRACKING} AS p SET position = n.position,"
                " events_applied = n.events_applied, updated_at = n.updated_at,"
                " error = NULL, error_position = NULL"
                f" FROM {NEXT}.{TRACKING} AS n WHERE n.name = p.name AND p.name = ANY(%s)",
                [list(names)],
            )

    def discard(self) -> None:
        with self.live.transaction() as tx:
            tx.execute(f"DROP SCHEMA IF EXISTS {NEXT} CASCADE")

    def close(self) -> None:
        self.db.close()
        with suppress(psycopg.Error):
            # Unlocked in so many words: closing the connection alone frees the lock only
            # when its server process has ended, a moment later, and a rebuild started
            # right after this one ended was refused (seen in CI).
            self._guard.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        with suppress(psycopg.Error):
            self._guard.close()


def _twin(tx: Tx, table: str) -> None:
    """`ledger_next.table`: columns, defaults and checks by LIKE; keys and indexes by name."""
    tx.execute(f"CREATE TABLE {NEXT}.{table} (LIKE public.{table} INCLUDING ALL EXCLUDING INDEXES)")
    keys = tx.query(
        "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname",
        [f"public.{table}"],
    )
    for key in keys:
        tx.execute(
            f'ALTER TABLE {NEXT}.{table} ADD CONSTRAINT "{key["conname"]}" {key["definition"]}'
        )
    indexes = tx.query(
        "SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i"
        " WHERE i.indrelid = %s::regclass AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        " ORDER BY i.indexrelid",
        [f"public.{table}"],
    )
    on_live = re.compile(rf" ON (?:public\.)?{re.escape(table)} USING ")
    for index in indexes:
        definition, found = on_live.subn(f" ON {NEXT}.{table} USING ", index["definition"], 1)
        if not found:
            raise RuntimeError(f"cannot read the definition of an index on {table}")
        tx.execute(definition)


def _columns(tx: Tx, schema: str, table: str) -> list[tuple[Any, ...]]:
    rows = tx.query(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        [schema, table],
    )
    return [tuple(r.values()) for r in rows]
