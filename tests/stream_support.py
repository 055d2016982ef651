"""Helpers shared by the stream tests: writers that keep committing, and the log's positions;
a subscription consumed in a thread of its own (`Consumer`), and a throwaway PostgreSQL server
a test may stop and start again (`ThrowawayPostgres`, the `throwaway_postgres` fixture)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from builders import WORKER, application

from domain.ledger import Ledger
from projections.feed.hub import Hub
from projections.feed.reader import EVERYTHING, READ_BATCH, LogReader, Selection
from projections.feed.subscription import Delivery, Disconnect, Item, KeepAlive, Subscription


def commit_cases(ledger: Ledger, count: int) -> list[int]:
    """Submit `count` applications; the position each was committed at."""
    return [ledger.submit_application(application(), WORKER).position for _ in range(count)]


class KeepWriting:
    """Commits applications from a thread (`count` of them, `pause` seconds apart)."""

    def __init__(self, ledger: Ledger, count: int, pause: float = 0.0):
        self.ledger, self.count, self.pause = ledger, count, pause
        self.positions: list[int] = []
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            for _ in range(self.count):
                self.positions.extend(commit_cases(self.ledger, 1))
                if self.pause:
                    time.sleep(self.pause)
        except BaseException as e:
            self.errors.append(e)

    def start(self) -> KeepWriting:
        self._thread.start()
        return self

    def join(self, timeout: float = 60) -> list[int]:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the writer did not finish"
        assert not self.errors, self.errors
        return self.positions

    def __enter__(self) -> KeepWriting:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.join()


def log_positions(app: Any, after: int = 0, upto: int | None = None) -> list[int]:
    """Every position in the ledger's log after `after` (and up to `upto`), read afresh."""
    reader = LogReader(app)
    found: list[int] = []
    while True:
        page = reader.read(after, READ_BATCH, EVERYTHING)
        found += [e.position for e in page.events]
        after = page.scanned_to
        if page.at_head:
            break
    return [p for p in found if upto is None or p <= upto]


def until(condition: Any, what: str, timeout: float = 15.0) -> None:
    """Poll `condition()` (with a generous deadline)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Consumer:
    """Runs a subscription's `items()` on an event loop in a daemon thread, keeping each item.

    `pause` (set: consume, clear: hold) lets a test make it a slow consumer.
    """

    def __init__(self, subscription: Subscription):
        self.subscription = subscription
        self.items: list[Item] = []
        self.error: BaseException | None = None
        self.pause = threading.Event()
        self.pause.set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name="consumer", daemon=True)
        self._ended = threading.Event()

    def __enter__(self) -> Consumer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._task = self._loop.create_task(self._consume())
            self._loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        except BaseException as e:
            self.error = e
        finally:
            self._loop.close()
            self._ended.set()

    async def _consume(self) -> None:
        async for item in self.subscription.items():
            with self._lock:
                self.items.append(item)
            if isinstance(item, Disconnect):
                return
            while not self.pause.is_set():
                await asyncio.sleep(0.01)

    def stop(self) -> None:
        self.pause.set()
        if self._loop is not None and self._task is not None and not self._ended.is_set():
            with contextlib.suppress(RuntimeError):  # it ended meanwhile
                self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout=10)
        assert self.error is None, self.error

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def snapshot(self) -> list[Item]:
        with self._lock:
            return list(self.items)

    def positions(self) -> list[int]:
        return [e.position for i in self.snapshot() if isinstance(i, Delivery) for e in i.events]

    def keepalives(self) -> int:
        return sum(isinstance(i, KeepAlive) for i in self.snapshot())

    def disconnect(self) -> Disconnect | None:
        found = [i for i in self.snapshot() if isinstance(i, Disconnect)]
        return found[0] if found else None

    def wait_for_position(self, position: int, timeout: float = 10.0) -> list[int]:
        """Wait until it received an event at or past `position`; its positions so far."""
        until(
            lambda: self.error is not None or any(p >= position for p in self.positions()),
            f"the subscriber received position {position} (has {self.positions()[-3:]})",
            timeout,
        )
        assert self.error is None, self.error
        return self.positions()


def subscribe(
    hub: Hub, after: int, selection: Selection = EVERYTHING, *, batch: int = 7,
    keepalive: float = 0.3, max_lag: int | None = None,
) -> Consumer:  # fmt: skip
    """A consumer of a new subscription (small batches, frequent keep-alives), not started."""
    subscription = Subscription(
        hub, selection, after, kind="test", user="t", batch=batch, keepalive=keepalive,
        max_lag=max_lag,
    )  # fmt: skip
    return Consumer(subscription)


class ThrowawayPostgres:
    """A PostgreSQL server of its own in a temporary directory (as scripts/with-postgres
    starts one): a test may stop it (`-m fast`) and start it again on the same port. As root
    it runs as the system user `caseledger-pg` (PostgreSQL refuses to run as root)."""

    BINDIR = Path(os.environ.get("LEDGER_PG_BINDIR", "/usr/lib/postgresql/15/bin"))
    USER = "caseledger-pg"

    def __init__(self) -> None:
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
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                 "--no-locale", "-E", "UTF8", "--no-sync")  # fmt: skip

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.BINDIR / tool), *args],
            cwd=self.dir, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, f"{tool} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}"

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off"
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
