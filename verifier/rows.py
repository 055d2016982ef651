"""Reads the event and Merkle tables, streamed in order in batches, never all in memory.

SQLite: `stored_events` (the rowid is the position, originator_id is hex text). PostgreSQL:
`ledger_events` (notification_id is the position), read through server-side cursors. Both in
one read-only snapshot, so that a sealer appending meanwhile cannot make the check disagree
with itself.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit
from uuid import UUID

import psycopg

from verifier.canonical import StoredEvent

BATCH = 5_000
MERKLE_TABLES = ("merkle_leaves", "merkle_nodes", "merkle_checkpoints")


class Unreadable(RuntimeError):
    """The database cannot be read as a caseledger log (no such file, table or server)."""


class LeafRow(NamedTuple):
    leaf_index: int
    position: int
    leaf_hash: bytes


@dataclass(frozen=True)
class StoredCheckpoint:
    tree_size: int
    root_hash: bytes
    note: str


def _bytes(value: object) -> bytes:
    """A stored hash or state as bytes; anything else (a tampered type) as nothing."""
    if type(value) is bytes:
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return b""


STORED_HEX = re.compile(r"[0-9a-f]{32}")


def id_bytes(value: object) -> bytes:
    """An aggregate id's 16 bytes: PostgreSQL's uuid_send, or SQLite's hex text in exactly the
    spelling the store writes (32 lowercase hex digits); any other spelling as nothing, so its
    leaf does not match: the library looks ids up by that spelling, so an id respelled in the
    table (upper case, dashes) hides the event from the application while it still hashed the
    same."""
    if type(value) is bytes:
        return value
    if type(value) is str:
        return bytes.fromhex(value) if STORED_HEX.fullmatch(value) else b""
    try:
        return UUID(str(value)).bytes
    except ValueError:
        return b""


class LogRows:
    """One reader over one database, opened by URL (sqlite:///path or postgresql://...)."""

    def __init__(self, url: str, batch: int = BATCH) -> None:
        self.batch = batch
        self.dialect = "sqlite" if url.startswith("sqlite:///") else "postgres"
        if self.dialect == "sqlite":
            path = url[len("sqlite:///") :]
            try:
                self._sqlite = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                self._sqlite.execute("BEGIN")  # one snapshot for every stream
            except sqlite3.Error as e:
                raise Unreadable(f"cannot open the SQLite file {path}: {e}") from None
            self._events_table, self._position = "stored_events", "rowid"
        else:
            if urlsplit(url).scheme not in ("postgresql", "postgres"):
                raise Unreadable("the database URL must start with sqlite:/// or postgresql://")
            try:
                self._pg = psycopg.connect(url, connect_timeout=10)
                self._pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                self._pg.read_only = True
            except psycopg.Error as e:
                where = urlsplit(url).hostname or "localhost"
                raise Unreadable(f"cannot connect to PostgreSQL at {unquote(where)}: "
                                 f"{e.__class__.__name__}") from None  # fmt: skip
            self._events_table, self._position = "ledger_events", "notification_id"
        self._cursors = 0

    def close(self) -> None:
        if self.dialect == "sqlite":
            self._sqlite.close()
        else:
            self._pg.close()

    def __enter__(self) -> LogRows:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if self.dialect == "sqlite":
            row = self._sqlite.execute(sql.replace("%s", "?"), params).fetchone()
        else:
            row = self._pg.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _stream(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        if self.dialect == "sqlite":
            cur = self._sqlite.execute(sql.replace("%s", "?"), params)
            while rows := cur.fetchmany(self.batch):
                yield from rows
            return
        self._cursors += 1
        with self._pg.cursor(name=f"verifier_{self._cursors}") as server:
            server.itersize = self.batch
            server.execute(sql, params)
            yield from server

    def has_table(self, name: str) -> bool:
        if self.dialect == "sqlite":
            sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = %s"
        else:
            sql = "SELECT count(*) FROM pg_tables WHERE tablename = %s"
        return bool(self._one(sql, (name,)))

    def missing_tables(self) -> list[str]:
        return [t for t in (self._events_table, *MERKLE_TABLES) if not self.has_table(t)]

    def event_count(self) -> int:
        return int(self._one(f"SELECT count(*) FROM {self._events_table}"))

    def leaf_count(self) -> int:
        return int(self._one("SELECT count(*) FROM merkle_leaves"))

    def node_count(self) -> int:
        return int(self._one("SELECT count(*) FROM merkle_nodes"))

    def events(self) -> Iterator[StoredEvent]:
        """Every stored event in position order."""
        aggregate = "originator_id" if self.dialect == "sqlite" else "uuid_send(originator_id)"
        sql = (
            f"SELECT {self._position}, {aggregate}, originator_version, topic, state "
            f"FROM {self._events_table} ORDER BY {self._position}"
        )
        for position, aggregate_id, version, topic, state in self._stream(sql):
            yield StoredEvent(position, id_bytes(aggregate_id), version, str(topic), _bytes(state))

    def leaves(self) -> Iterator[LeafRow]:
        sql = "SELECT leaf_index, position, leaf_hash FROM merkle_leaves ORDER BY leaf_index"
        for index, position, digest in self._stream(sql):
            yield LeafRow(index, position, _bytes(digest))

    def nodes(self, level: int) -> Iterator[tuple[int, bytes]]:
        """The stored nodes of one level, by index, in keyset batches (many levels at once)."""
        after = -1
        sql = (
            "SELECT node_index, hash FROM merkle_nodes WHERE level = %s AND node_index > %s "
            "ORDER BY node_index LIMIT %s"
        )
        while True:
            if self.dialect == "sqlite":
                rows = self._sqlite.execute(sql.replace("%s", "?"), (level, after, self.batch))
                batch = rows.fetchall()
            else:
                batch = self._pg.execute(sql, (level, after, self.batch)).fetchall()
            for index, digest in batch:
                yield int(index), _bytes(digest)
            if len(batch) < self.batch:
                return
            after = int(batch[-1][0])

    def node(self, level: int, index: int) -> bytes | None:
        sql = "SELECT hash FROM merkle_nodes WHERE level = %s AND node_index = %s"
        value = self._one(sql, (level, index))
        return None if value is None else _bytes(value)

    def leaf(self, index: int) -> LeafRow | None:
        sql = "SELECT position, leaf_hash FROM merkle_leaves WHERE leaf_index = %s"
        if self.dialect == "sqlite":
            row = self._sqlite.execute(sql.replace("%s", "?"), (index,)).fetchone()
        else:
            row = self._pg.execute(sql, (index,)).fetchone()
        return None if row is None else LeafRow(index, int(row[0]), _bytes(row[1]))

    def sealer_position(self) -> int | None:
        """Where the sealer says it is (its tracking row), or None when it has none."""
        if not self.has_table("projection_tracking"):
            return None
        value = self._one("SELECT position FROM projection_tracking WHERE name = 'merkle_log'")
        return None if value is None else int(value)

    def checkpoints(self) -> list[StoredCheckpoint]:
        sql = "SELECT tree_size, root_hash, note FROM merkle_checkpoints ORDER BY tree_size"
        return [StoredCheckpoint(int(s), _bytes(r), str(n)) for s, r, n in self._stream(sql)]
