"""LEDGER_READ_DATABASE_URL: a PostgreSQL replica of a PostgreSQL primary, or refused at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.credentials import startup_banner
from api.settings import Settings

PRIMARY = "postgresql://ledger:primary-secret@db-primary:5432/ledger"
REPLICA = "postgresql://ledger:replica-secret@db-replica-1:5432/ledger"


def test_a_sqlite_read_database_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValidationError, match="LEDGER_READ_DATABASE_URL must be a postgresql"):
        Settings(database_url=PRIMARY, read_database_url="sqlite:///var/replica.sqlite3")


def test_a_replica_of_a_sqlite_primary_is_refused_without_showing_its_password() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(database_url="sqlite:///var/ledger.sqlite3", read_database_url=REPLICA)
    assert "LEDGER_DATABASE_URL is not PostgreSQL" in str(refused.value)
    assert "replica-secret" not in str(refused.value)


def test_a_postgresql_replica_of_a_postgresql_primary_is_taken_and_shown_masked() -> None:
    settings = Settings(database_url=PRIMARY, read_database_url=REPLICA)
    assert settings.read_database_url == REPLICA
    banner = startup_banner(settings, "http://h:8000")
    assert "GraphQL reads the views from postgresql://ledger:***@db-replica-1:5432/ledger" in banner
    assert "replica-secret" not in banner and "primary-secret" not in banner


def test_without_a_read_database_graphql_reads_the_primary() -> None:
    settings = Settings(database_url=PRIMARY)
    assert settings.read_database_url is None
    assert "GraphQL reads the views" not in startup_banner(settings, "http://h:8000")
