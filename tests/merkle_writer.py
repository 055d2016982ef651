"""A second, test-only writer of the verifiable log, from docs/verifiable-log.md alone.

The verifier's tests build their trees, proofs and signed checkpoints with this, not with the
verifier's code (a bug shared by both would hide); the tamper tests' attacker uses it too, to
re-seal a rewritten history.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import struct
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ORIGIN = "caseledger.test/320404"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def lp(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def leaf_of(position: int, aggregate_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    canonical = (
        lp(b"caseledger/leaf/v1") + struct.pack(">Q", position) + lp(aggregate_id.bytes)
        + struct.pack(">Q", version) + lp(topic.encode()) + lp(state)
    )  # fmt: skip
    return hashlib.sha256(b"\x00" + canonical).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _k(len(leaves))
    return node(mth(leaves[:k]), mth(leaves[k:]))


def audit_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 2.1.3.1 PATH(m, D[n])."""
    if len(leaves) <= 1:
        return []
    k = _k(len(leaves))
    if m < k:
        return [*audit_path(m, leaves[:k]), mth(leaves[k:])]
    return [*audit_path(m - k, leaves[k:]), mth(leaves[:k])]


def consistency_path(m: int, leaves: Sequence[bytes], whole: bool = True) -> list[bytes]:
    """RFC 9162 2.1.4.1 SUBPROOF(m, D[n], true)."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = _k(n)
    if m <= k:
        return [*consistency_path(m, leaves[:k], whole), mth(leaves[k:])]
    return [*consistency_path(m - k, leaves[k:], False), mth(leaves[:k])]


def complete_nodes(leaves: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
    """(level, index, hash) of every complete subtree of level >= 1."""
    out, level, row = [], 0, list(leaves)
    while len(row) > 1:
        row = [node(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level += 1
        out.extend((level, i, h) for i, h in enumerate(row))
    return out


class Signer:
    """An Ed25519 note signer whose key name is the log's origin."""

    def __init__(self, origin: str = ORIGIN) -> None:
        self.origin = origin
        self._key = Ed25519PrivateKey.generate()
        self.public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = hashlib.sha256(origin.encode() + b"\n\x01" + self.public).digest()[:4]

    def verifier_key(self) -> str:
        encoded = b64(bytes([1]) + self.public)
        return f"{self.origin}+{self.key_id.hex()}+{encoded}"

    def note(self, text: str) -> str:
        signature = self._key.sign(text.encode())
        return f"{text}\n\u2014 {self.origin} {b64(self.key_id + signature)}\n"

    def checkpoint(self, size: int, root: bytes, origin: str | None = None) -> str:
        return self.note(f"{origin or self.origin}\n{size}\n{b64(root)}\n")


class Tables:
    """Plain SQL on a ledger database, as an attacker (or this test writer) would send it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite:///")
        self.conn: Any = (
            sqlite3.connect(url[len("sqlite:///") :])
            if self.sqlite
            else psycopg.connect(url, autocommit=False)
        )
        self.events = "stored_events" if self.sqlite else "ledger_events"
        self.position = "rowid" if self.sqlite else "notification_id"

    def sql(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cur = self.conn.execute(sql.replace("%s", "?") if self.sqlite else sql, params)
        rows = cur.fetchall() if cur.description else []
        self.conn.commit()
        return list(rows)

    def close(self) -> None:
        self.conn.close()

    def event_rows(self) -> list[tuple[int, UUID, int, str, bytes]]:
        rows = self.sql(
            f"SELECT {self.position}, originator_id, originator_version, topic, state "
            f"FROM {self.events} ORDER BY {self.position}"
        )
        return [
            (p, a if isinstance(a, UUID) else UUID(a), v, t, bytes(s)) for p, a, v, t, s in rows
        ]

    def create_merkle_tables(self) -> None:
        blob = "BLOB" if self.sqlite else "BYTEA"
        for ddl in (
            f"CREATE TABLE IF NOT EXISTS merkle_leaves (leaf_index BIGINT PRIMARY KEY, "
            f"position BIGINT NOT NULL UNIQUE, leaf_hash {blob} NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS merkle_nodes (level INTEGER, node_index BIGINT, "
            f"hash {blob} NOT NULL, PRIMARY KEY (level, node_index))",
            f"CREATE TABLE IF NOT EXISTS merkle_checkpoints (tree_size BIGINT PRIMARY KEY, "
            f"root_hash {blob} NOT NULL, note TEXT NOT NULL, signed_at TEXT NOT NULL)",
        ):
            self.sql(ddl)

    def reseal(
        self, sign: Callable[[str], str], origin: str, checkpoints: Sequence[int] = ()
    ) -> list[bytes]:
        """Throw the Merkle tables away and write them again from the event rows as they are,
        signing checkpoints of `checkpoints` sizes with `sign` (text -> signed note)."""
        for table in ("merkle_leaves", "merkle_nodes", "merkle_checkpoints"):
            self.sql(f"DELETE FROM {table}")
        rows = self.event_rows()
        leaves = [leaf_of(*row) for row in rows]
        for i, (row, leaf) in enumerate(zip(rows, leaves, strict=True)):
            self.sql("INSERT INTO merkle_leaves VALUES (%s, %s, %s)", (i, row[0], leaf))
        for level, index, digest in complete_nodes(leaves):
            self.sql("INSERT INTO merkle_nodes VALUES (%s, %s, %s)", (level, index, digest))
        for size in checkpoints:
            root = mth(leaves[:size])
            self.sql(
                "INSERT INTO merkle_checkpoints VALUES (%s, %s, %s, %s)",
                (size, root, sign(f"{origin}\n{size}\n{b64(root)}\n"), "2024-01-01T00:00:00Z"),
            )
        return leaves
