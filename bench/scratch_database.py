"""A throwaway PostgreSQL database for one benchmark run, and the progress bar they share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

DROP = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
err = Console(stderr=True)


def database_url(admin_url: str, dbname: str) -> str:
    return urlunparse(urlparse(admin_url)._replace(path=f"/{dbname}"))


@contextmanager
def fresh_database(admin_url: str, dbname: str) -> Iterator[str]:
    """Create `dbname` empty, yield its URL, and drop it afterwards whatever happened."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(DROP.format(sql.Identifier(dbname)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield database_url(admin_url, dbname)
    finally:
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(DROP.format(sql.Identifier(dbname)))
        except psycopg.Error as e:
            err.print(f"[yellow]could not drop database {dbname}: {e}[/]")


def progress_bar(width: int = 24) -> Progress:
    return Progress(
        TextColumn(f"{{task.description:<{width}}}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err,
    )  # fmt: skip
