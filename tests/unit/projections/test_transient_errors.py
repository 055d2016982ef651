"""Which failures the runner retries (the store was unreachable) and which stop a view (a bug)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from eventsourcing import persistence
from psycopg import errors

from projections.backends import is_transient


def wrapped(library_error: type[Exception], cause: BaseException) -> Exception:
    """As the eventsourcing recorders raise it: their own class, the driver's error as cause."""
    try:
        raise library_error(str(cause)) from cause
    except library_error as e:
        return e


@pytest.mark.parametrize(
    "error",
    [
        errors.AdminShutdown("terminating connection due to administrator command"),
        errors.SerializationFailure("could not serialize access"),
        errors.DeadlockDetected("deadlock detected"),
        errors.QueryCanceled("canceling statement due to statement timeout"),
        errors.LockNotAvailable("could not obtain lock"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
        psycopg.InterfaceError("the connection is closed"),
        sqlite3.OperationalError("database is locked"),
        wrapped(persistence.OperationalError, errors.AdminShutdown("terminating connection")),
        wrapped(persistence.OperationalError, sqlite3.OperationalError("database is locked")),
        persistence.InterfaceError("connection pool closed"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_lost_connection_a_lock_or_a_timeout_is_retried(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("cannot read this event"),
        KeyError("household"),
        errors.UndefinedColumn('column "x" does not exist'),
        errors.UniqueViolation("duplicate key value"),
        sqlite3.OperationalError("no such table: case_summary"),
        wrapped(persistence.OperationalError, sqlite3.OperationalError("no such column: x")),
        wrapped(persistence.ProgrammingError, errors.UndefinedTable("no such table")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_failure_of_the_code_or_its_sql_stops_the_view(error: BaseException) -> None:
    assert not is_transient(error)
