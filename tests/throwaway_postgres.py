"""A throwaway PostgreSQL server a test may stop and start again (`ThrowawayPostgres`, the
`throwaway_postgres` fixture: import it into the test module)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.stream_support import free_port, until


class ThrowawayPostgres:
    """A PostgreSQL server of its own in a temporary directory (as scripts/with-postgres
    starts one): a test may stop it (`-m fast`) and start it again on the same port. As root
    it runs as the system user `caseledger-pg` (PostgreSQL refuses to run as root)."""

    BINDIR = Path(os.environ.get("LEDGER_PG_BINDIR", "/usr/lib/postgresql/15/bin"))
    USER = "caseledger-pg"

    def __init__(self, options: str = "", initdb: bool = True) -> None:
        """`options`: more `-c name=value` server settings; `initdb=False`: the data directory
        is left for the caller to make (a replica's, by pg_basebackup)."""
        self.options = options
        self.dir = Path(tempfile.mkdtemp(prefix="caseledger-pg-stream."))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            if subprocess.run(["id", "-u", self.USER], capture_output=True).returncode != 0:
                subprocess.run(
                    ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                     self.USER], check=False, capture_output=True,
                )  # fmt: skip
            shutil.chown(self.dir, self.USER)
            self.as_user = ["runuser", "-u", self.USER, "--"]
        if initdb:
            self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                     "--no-locale", "-E", "UTF8", "--no-sync")  # fmt: skip

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def missing(cls, *tools: str) -> list[str]:
        """Which of the PostgreSQL server's programs this machine lacks (none in CI)."""
        return [tool for tool in ("initdb", "pg_ctl", *tools) if not (cls.BINDIR / tool).is_file()]

    def _pg(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.BINDIR / tool), *args],
            cwd=self.dir, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, f"{tool} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}"

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
            f" -c synchronous_commit=off -c full_page_writes=off {self.options}"
        )
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "30",
                 "-o", options, "start")  # fmt: skip
        until(self._answers, "the throwaway PostgreSQL answers", 30)

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def _answers(self) -> bool:
        try:
            psycopg.connect(self.admin_url, connect_timeout=2).close()
            return True
        except psycopg.Error:
            return False

    def create_database(self, name: str = "ledger") -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        with contextlib.suppress(AssertionError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL server of the test's own, started; removed after the test."""
    server = ThrowawayPostgres()
    try:
        server.start()
        yield server
    finally:
        server.close()
