"""Migrations: idempotent, safe when processes start together, the library agrees."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from builders import WORKER, application

from api.container import build
from api.settings import Settings
from migrations.runner import migrate, migrations_for
from projections.backends import DatabaseUrl
from projections.store import Database

pytestmark = pytest.mark.unmigrated  # on PostgreSQL, an empty database: not the migrated copy


def test_migrating_twice_and_concurrently_applies_each_file_once(database_url: str) -> None:
    dbs = [Database(DatabaseUrl.parse(database_url)) for _ in range(4)]
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run(db: Database) -> None:
        try:
            results.append(migrate(db))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    applied = [name for r in results for name in r]
    assert sorted(applied) == sorted(set(applied))  # each file by exactly one migrator
    assert migrate(dbs[0]) == []
    versions = dbs[0].query("SELECT version FROM schema_migrations ORDER BY version")
    expected = sorted({m.version for m in migrations_for(dbs[0].dialect)})
    assert [v["version"] for v in versions] == expected
    for db in dbs:
        db.close()


def test_the_library_finds_the_tables_the_migrations_made(
    database_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "dev-signing-key"  # not the checkout's var/ (PostgreSQL's default)
    container = build(
        Settings(database_url=database_url, load_demo_when_empty=False, signing_key_file=key)
    )
    try:
        container.ledger.recorder.create_table()  # what the library would create: no-op now
        result = container.ledger.submit_application(application(), WORKER)
        assert container.ledger.get_case(result.id).version == 1
    finally:
        container.close()
