"""Personal data at rest (issue 8 item 3): no readable ID number, name or account anywhere.

After a demo-sized load, the raw bytes of the SQLite file (and its -wal), or every column of
every PostgreSQL table, hold none of the loaded ID numbers, names or bank accounts: with a
cipher key set, and without one (per-person keys are always on).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from demo_support import DemoSnapshots
from pydantic import SecretStr

from api.container import Container, build
from api.settings import Settings
from projections.backends import DatabaseUrl
from projections.person_keys import KeysRefused

KEY = "Mx0Rkc1L9dXo2+FQjvAYqA=="  # a test key (AES-128), as in test_encryption


def personal_values(container: Container) -> set[str]:
    """Every name, ID number and account in the events' `personal` blocks, opened."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            block = value.get("personal")
            if isinstance(block, dict):
                found.update(str(v) for v in block.values() if v)
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    ledger, start = container.ledger, 1
    while batch := ledger.recorder.select_notifications(start=start, limit=1000):
        for note in batch:
            walk(vars(ledger.mapper.to_domain_event(note)))
        start = batch[-1].id + 1
    return found


def stored_bytes(container: Container) -> bytes:
    """The database as it sits on disk (SQLite) or every value of every table (PostgreSQL)."""
    url = container.db.url
    if url.dialect == "sqlite":
        files = [Path(url.path), Path(url.path + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    chunks: list[bytes] = []
    with psycopg.connect(url.conninfo) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        for schema, table in tables:
            for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"'):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode("utf-8"))
    return b"\x00".join(chunks)


@pytest.fixture(params=["cipher key", "no cipher key"])
def loaded(
    request: pytest.FixtureRequest, settings: Settings, backend: str, demo_snapshots: DemoSnapshots
) -> Iterator[Container]:
    """This test's own copy of the session's demo district loaded with these settings
    (tests/demo_support.py): with the cipher key, a district loaded with it."""
    if request.param == "cipher key":
        settings = settings.model_copy(update={"cipher_key": SecretStr(KEY)})
    admin_url = request.getfixturevalue("pg_admin_url") if backend == "postgres" else None
    with demo_snapshots.container(settings, admin_url=admin_url) as container:
        container.runner.start()
        container.runner.run_once()
        yield container


def test_no_loaded_id_number_name_or_account_is_readable_at_rest(loaded: Container) -> None:
    values = personal_values(loaded)
    id_numbers = {v for v in values if len(v) == 18 and v[:17].isdigit()}
    names = {v for v in values if not v[:1].isdigit()}
    assert len(id_numbers) > 100 and len(names) > 100  # a demo-sized load, all of it scanned
    raw = stored_bytes(loaded)
    assert loaded.runner.failed == {}
    readable = sorted(v for v in values if v.encode("utf-8") in raw)
    assert readable == [], f"{len(readable)} readable, e.g. {readable[:3]}"


def test_a_database_made_with_another_person_key_is_refused_at_start(
    settings: Settings,
) -> None:
    build(settings).close()
    other = settings.model_copy(
        update={"person_key": SecretStr("another-district-person-key-0123456789")}
    )
    with pytest.raises(KeysRefused, match="another person key") as refused:
        build(other)
    if DatabaseUrl.parse(settings.database_url).dialect == "sqlite":
        assert "delete" in str(refused.value) and "LEDGER_PERSON_KEY" in str(refused.value)
    build(settings).close()  # the key it was made with still starts


def test_a_database_whose_data_keys_another_master_key_wrapped_is_refused_at_start(
    settings: Settings,
) -> None:
    container = build(settings)
    container.ledger.personal.key_for("P00000000000000000001")
    container.close()
    with pytest.raises(KeysRefused, match="LEDGER_CIPHER_KEY"):
        build(settings.model_copy(update={"cipher_key": SecretStr(KEY)}))
