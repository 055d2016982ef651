"""Applies pending numbered SQL files once each; safe when several processes start together."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from projections.store import Database, Tx

HERE = Path(__file__).parent
FILE_RE = re.compile(r"^(\d{4})_([a-z0-9_]+?)(?:\.(sqlite|postgres))?\.sql$")
LOCK_KEY = 7_202_404  # advisory lock id for PostgreSQL migrations


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def migrations_for(dialect: str) -> list[Migration]:
    found = []
    for path in sorted(HERE.glob("*.sql")):
        match = FILE_RE.match(path.name)
        if match and match.group(3) in (None, dialect):
            found.append(Migration(int(match.group(1)), match.group(2), path))
    return found


def split_statements(sql: str) -> list[str]:
    """Split on semicolons outside $$-quoted bodies (enough for our own files)."""
    statements, current, in_dollar = [], [], False
    for line in sql.splitlines():
        if line.strip().startswith("--") and not in_dollar:
            continue
        current.append(line)
        in_dollar ^= line.count("$$") % 2 == 1
        if not in_dollar and line.rstrip().endswith(";"):
            statements.append("\n".join(current).strip())
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current).strip())
    return statements


def migrate(db: Database, progress: Callable[[str], None] = lambda _: None) -> list[str]:
    """Apply what is pending, in order, each file in its own transaction; return their names."""
    applied: list[str] = []
    with db.transaction() as tx:
        _lock(db, tx)
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {r["version"] for r in tx.query("SELECT version FROM schema_migrations")}
        for migration in migrations_for(db.dialect):
            if migration.version in done:
                continue
            progress(f"applying {migration.path.name}")
            for statement in split_statements(migration.path.read_text(encoding="utf-8")):
                tx.execute(statement)
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            applied.append(migration.path.name)
    return applied


def _lock(db: Database, tx: Tx) -> None:
    # SQLite: BEGIN IMMEDIATE already holds the write lock. PostgreSQL: a transaction-scoped
    # advisory lock serialises concurrent migrators; DDL is transactional there.
    if db.dialect == "postgres":
        tx.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
