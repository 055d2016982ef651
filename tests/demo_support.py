"""A demo district loaded once a session per backend and settings, and copied for each test.

`DemoDistrict(ledger).load(households=10)` records about 5,900 events while the runner
builds every view: 10-50 s on a 2-core machine, and several tests on each backend read
such a district (the planted findings, the seed figures over GraphQL, the data at rest).
The first test that asks loads it as those tests did themselves (runner on, then caught
up) into a database of its own and closes it; every test then gets a copy of that
database (the SQLite file's bytes, or CREATE DATABASE ... TEMPLATE on PostgreSQL) and of its
checkpoint signing key, and builds its container on the copy. So a test may write to its
district (record a day, rebuild a view) and no other test sees it.

Settings that change what is stored (the cipher key, the person key, the district, ...)
give a district of their own: the cache is keyed by every setting but the database's
address and the signing key's file.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from pydantic import SecretStr

from api.container import Container, build
from api.demo.district import DemoDistrict
from api.settings import Settings
from projections.backends import DatabaseUrl

KEY_FILE = "dev-signing-key"
MEMORY_FILES = "last-signed-checkpoint*"


def _sqlite_path(url: str) -> Path:
    return Path(DatabaseUrl.parse(url).path)


def _secret(value: Any) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


class DemoSnapshots:
    """Loaded demo districts of this session (one per backend, households and settings)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.loaded: dict[str, tuple[str, Path]] = {}  # key -> (database URL, key folder)
        self.admin_urls: dict[str, str] = {}  # PostgreSQL snapshot database -> its admin URL

    def _key(self, settings: Settings, households: int) -> str:
        dialect = DatabaseUrl.parse(settings.database_url).dialect
        rest = settings.model_dump(exclude={"database_url", "signing_key_file", "signer_memory"})
        return f"{dialect}:{households}:" + json.dumps(rest, sort_keys=True, default=_secret)

    def _load(self, settings: Settings, households: int, admin_url: str | None) -> None:
        key = self._key(settings, households)
        if key in self.loaded:
            return
        keys = Path(tempfile.mkdtemp(prefix="demo-keys-", dir=self.folder))
        if admin_url is None:
            url = f"sqlite:///{keys}/demo.sqlite3"
        else:
            name = f"caseledger_test_demo_{uuid.uuid4().hex[:12]}"
            _create_database(admin_url, name)
            self.admin_urls[name] = admin_url
            url = _url_of(admin_url, name)
        kept = settings.model_copy(
            update={"database_url": url, "signing_key_file": keys / KEY_FILE, "signer_memory": None}
        )
        container = build(kept)
        try:
            container.runner.start()
            DemoDistrict(container.ledger).load(households=households)
            container.runner.stop()
            container.runner.run_once()
        finally:
            container.close()
        self.loaded[key] = (url, keys)

    @contextmanager
    def container(
        self, settings: Settings, households: int = 10, admin_url: str | None = None
    ) -> Iterator[Container]:
        """A container on a copy of the loaded demo, at `settings.database_url` (which must
        not be in use yet; on PostgreSQL it is replaced) with the demo's signing key at
        `settings.signing_key_file`. The runner is not started: the test does that."""
        dialect = DatabaseUrl.parse(settings.database_url).dialect
        assert (dialect == "postgres") == (admin_url is not None), "PostgreSQL needs admin_url"
        assert settings.signing_key_file is not None, "the copy needs the demo's signing key"
        self._load(settings, households, admin_url)
        url, keys = self.loaded[self._key(settings, households)]
        if admin_url is None:
            source, target = _sqlite_path(url), _sqlite_path(settings.database_url)
            for suffix in ("", "-wal"):  # the very bytes (test_personal_data_at_rest reads them)
                if Path(f"{source}{suffix}").exists():
                    shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
        else:
            name = DatabaseUrl.parse(settings.database_url).dbname
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _create_database(admin_url, name, template=DatabaseUrl.parse(url).dbname)
        shutil.copy(keys / KEY_FILE, settings.signing_key_file)
        memory_folder = settings.dev_signing_key_file().parent
        for memory in keys.glob(MEMORY_FILES):
            target_path = settings.signer_memory or memory_folder / memory.name
            shutil.copy(memory, target_path)
        container = build(settings)
        try:
            yield container
        finally:
            container.close()

    def close(self) -> None:
        for name, admin_url in self.admin_urls.items():
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.folder, ignore_errors=True)


def _url_of(admin_url: str, name: str) -> str:
    admin = DatabaseUrl.parse(admin_url)
    auth = admin.user + (f":{admin.password}" if admin.password else "")
    return f"postgresql://{auth}@{admin.host}:{admin.port}/{name}"


def _create_database(admin_url: str, name: str, template: str | None = None) -> None:
    """A test database (as tests/conftest.py makes them: synchronous_commit off)."""
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
