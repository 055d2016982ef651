"""Shared fixtures: every integration and e2e test runs on SQLite and on real PostgreSQL.

PostgreSQL comes from LEDGER_TEST_POSTGRES_URL (an admin URL; `make test` sets it). Without a
server the PostgreSQL cases are skipped, loudly, unless LEDGER_TEST_REQUIRE_POSTGRES=1 (CI),
which turns the skip into a failure.

Each PostgreSQL test gets a database of its own, copied from one the session migrated once
(`CREATE DATABASE ... TEMPLATE`): migrating an empty PostgreSQL database costs about 0.6 s,
a copy about 0.2 s, and the copy is what `build()` would have made of an empty one. Tests
marked `unmigrated` (the migrations' own) get an empty database instead. The test databases
have `synchronous_commit = off`: a commit is as visible and as ordered as before, only not
waited for on disk (a demo load: 52 s with it on, 40 s off); the server itself is not changed.

A SQLite test's database file lives in memory-backed storage (LEDGER_TEST_SQLITE_DIR, else
/dev/shm where it is writable, else the test's tmp_path): the same SQLite, WAL and all, but
a commit's fsync costs nothing there (a demo load: 23 s on disk, 9 s in /dev/shm).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from builders import PARAMETERS
from demo_support import DemoSnapshots

from api.container import Container, build
from api.settings import Settings
from domain.ledger import Ledger
from migrations.runner import migrate
from projections.backends import DatabaseUrl
from projections.store import Database
from tests.helpers import ADMIN

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.hookimpl(optionalhook=True)
def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The browser tests' timings (page load, live update; printed, never asserted), from the
    JUnit properties their tests carry: here, in the root conftest, because under pytest-xdist
    only the controller prints a summary and it loads no conftest below tests/."""
    lines: list[str] = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for key, value in getattr(report, "user_properties", ()):
                if str(key).startswith("timing") and value not in lines:
                    lines.append(value)
    if lines:
        terminalreporter.section("browser test timings (printed, not asserted)")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """With `--dist loadfile` (as `make test` runs): modules per worker, the demo's together."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist_support import ModulesAndTheDemoTogether

    return ModulesAndTheDemoTogether(config, log)


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as e:
        message = f"PostgreSQL not reachable at {url}: {e.__class__.__name__}"
        if os.environ.get("LEDGER_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (LEDGER_TEST_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    return url


def _sqlite_folder(tmp_path: Path) -> Path:
    """A new folder for one test's SQLite files, in memory-backed storage when there is one."""
    base = os.environ.get("LEDGER_TEST_SQLITE_DIR") or "/dev/shm"
    if os.path.isdir(base) and os.access(base, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="caseledger-test-", dir=base))
    return tmp_path


def _fresh_postgres_database(admin_url: str, template: str | None = None) -> tuple[str, str]:
    name = f"caseledger_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    admin = DatabaseUrl.parse(admin_url)
    auth = admin.user + (f":{admin.password}" if admin.password else "")
    return name, f"postgresql://{auth}@{admin.host}:{admin.port}/{name}"


def _drop_postgres_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_migrated_template(pg_admin_url: str) -> Iterator[str]:
    """A PostgreSQL database with every migration applied and nothing else (no keys, no
    events), for the tests' databases to be copied from. Nobody stays connected to it, as
    a copy requires; under pytest-xdist each worker has its own."""
    name, url = _fresh_postgres_database(pg_admin_url)
    try:
        db = Database(DatabaseUrl.parse(url))
        try:
            migrate(db)
        finally:
            db.close()
        yield name
    finally:
        _drop_postgres_database(pg_admin_url, name)


@pytest.fixture(scope="session")
def demo_snapshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSnapshots]:
    """The session's loaded demo districts (tests/demo_support.py), dropped at its end."""
    snapshots = DemoSnapshots(_sqlite_folder(tmp_path_factory.mktemp("demo")))
    try:
        yield snapshots
    finally:
        snapshots.close()


@pytest.fixture
def demo_container(
    settings: Settings, backend: str, demo_snapshots: DemoSnapshots, request: pytest.FixtureRequest
) -> Iterator[Container]:
    """A container on this test's own copy of `DemoDistrict(ledger).load(households=10)`,
    loaded with the runner on and caught up; its runner is not started."""
    admin_url = request.getfixturevalue("pg_admin_url") if backend == "postgres" else None
    with demo_snapshots.container(settings, admin_url=admin_url) as container:
        yield container


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def migrated_db(database_url: str) -> Iterator[Database]:
    """The views' Database on this test's own database, migrated (a test adds its tables)."""
    database = Database(DatabaseUrl.parse(database_url))
    migrate(database)
    yield database
    database.close()


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if backend == "sqlite":
        folder = _sqlite_folder(tmp_path)
        try:
            yield f"sqlite:///{folder}/ledger.sqlite3"
        finally:
            if folder != tmp_path:
                shutil.rmtree(folder, ignore_errors=True)
        return
    admin_url = request.getfixturevalue("pg_admin_url")
    template = None
    if request.node.get_closest_marker("unmigrated") is None:
        template = request.getfixturevalue("pg_migrated_template")
    name, url = _fresh_postgres_database(admin_url, template)
    try:
        yield url
    finally:
        _drop_postgres_database(admin_url, name)


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return Settings(
        database_url=database_url,
        poll_interval=0.05,
        load_demo_when_empty=False,
        # The production default: 2 s was once too short for the runner under CI's two
        # test processes (a view 503'd in tests/e2e/test_temporary_http.py, 2026-12-04).
        min_position_timeout=5.0,
        signing_key_file=tmp_path / "dev-signing-key",  # never the checkout's var/
        clock=False,  # tests record the days they need (tests/integration/test_clock.py)
    )


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    c = build(settings)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def ledger(container: Container) -> Ledger:
    for name, value, start in PARAMETERS:
        container.ledger.set_parameter(name, value, start, "test standard", ADMIN, "2023-01-01")
    container.runner.start()  # as in production: payroll runs and the death process read views
    return container.ledger
