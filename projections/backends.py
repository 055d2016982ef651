"""Which backend the views live on, how to reach it, and which of its errors are worth retrying."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

import psycopg
from eventsourcing import persistence

Dialect = Literal["sqlite", "postgres"]


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed LEDGER_DATABASE_URL: which backend, and how the library reaches it."""

    dialect: Dialect
    path: str = ""  # SQLite file
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""

    @classmethod
    def parse(cls, url: str) -> DatabaseUrl:
        if url.startswith("sqlite:///"):
            return cls("sqlite", path=url[len("sqlite:///") :])
        parsed = urlparse(url)
        if parsed.scheme not in ("postgresql", "postgres"):
            raise ValueError("LEDGER_DATABASE_URL must start with sqlite:/// or postgresql://")
        return cls(
            "postgres",
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=unquote(parsed.username or "postgres"),
            password=unquote(parsed.password or ""),
            dbname=(parsed.path or "/postgres").lstrip("/") or "postgres",
        )

    @property
    def conninfo(self) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=self.port, user=self.user, dbname=self.dbname,
            password=self.password or None,
        )  # fmt: skip

    def library_env(self) -> dict[str, str]:
        """Environment for the eventsourcing recorders (tables come from migrations)."""
        if self.dialect == "sqlite":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": self.path,
                "SQLITE_LOCK_TIMEOUT": "30",
                "CREATE_TABLE": "n",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            # The library insists on a password; with trust auth any value works.
            "POSTGRES_PASSWORD": self.password or "trust",
            "POSTGRES_POOL_SIZE": "8",
            "POSTGRES_MAX_OVERFLOW": "8",
            "CREATE_TABLE": "n",
        }


def is_transient(error: BaseException) -> bool:
    """True when retrying may succeed: a lost connection, a lock, a deadlock, a timeout.

    Follows the chain of causes, so the library's wrappers of a driver error count too; a
    failure of our own code or SQL (a bug, a missing table) is not transient.
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sqlite3.OperationalError):
            return any(word in str(seen) for word in ("locked", "busy"))
        if isinstance(seen, psycopg.OperationalError | psycopg.InterfaceError):
            return True
        seen = seen.__cause__
    return isinstance(error, persistence.OperationalError | persistence.InterfaceError)
