"""LEDGER_READ_DATABASE_URL on the test server (the streaming replica itself is in
test_replica_postgres_http.py): GraphQL reads through its own pool, /readyz and /metrics
report it, and a read database that does not answer stops readiness, not commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from builders import application
from conftest import client_for, serving
from http_helpers import graphql

from api.container import Container, build
from api.settings import Settings
from tests.stream_support import POSTGRES_ONLY, free_port

pytestmark = pytest.mark.e2e


@contextmanager
def served(settings: Settings, read_database_url: str) -> Iterator[tuple[Container, str]]:
    read = settings.model_copy(update={"read_database_url": read_database_url})
    container = build(read)
    try:
        with serving(container) as base:
            yield container, base
    finally:
        container.close()


@POSTGRES_ONLY
def test_graphql_reads_the_read_database_and_readyz_reports_it(
    settings: Settings, database_url: str, backend: str
) -> None:
    # The primary itself under a second name (not a replica): a pool of its own all the same.
    with served(settings, database_url) as (container, base):
        assert container.read_db is not container.db
        assert container.read_db.url.conninfo == container.db.url.conninfo
        with client_for(base, settings, "caseworker", "worker-1") as worker:
            made = worker.post("/api/v1/cases", json=application())
            assert made.status_code == 201, made.text
            found = graphql(worker, "{ cases { totalCount } }", made.json()["position"])
            assert found == {"cases": {"totalCount": 1}}
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200, ready.text
        head = container.ledger.latest_position()
        assert ready.json()["read_database"] == {
            "replica": False, "head_position": head, "lag_events": 0, "lag_seconds": 0.0,
            "replay_paused": False,
        }  # fmt: skip
        metrics = httpx.get(f"{base}/metrics").text
        assert "ledger_read_database_up 1" in metrics
        assert f"ledger_read_database_head_position {head}" in metrics
        assert "ledger_read_database_lag_events 0" in metrics
        assert 'ledger_projection_position{projection="case_summary"}' in metrics


@POSTGRES_ONLY
def test_a_read_database_that_does_not_answer_stops_readiness_not_commands(
    settings: Settings, backend: str
) -> None:
    port = free_port()  # nothing listens there
    with served(settings, f"postgresql://postgres:pw-not-shown@127.0.0.1:{port}/ledger") as (
        _, base,
    ):  # fmt: skip
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 503, ready.text
        detail = ready.json()["detail"]
        assert "LEDGER_READ_DATABASE_URL" in detail
        assert str(port) not in detail and "pw-not-shown" not in detail
        metrics = httpx.get(f"{base}/metrics", timeout=10)
        assert metrics.status_code == 200 and "ledger_read_database_up 0" in metrics.text
        with client_for(base, settings, "caseworker", "worker-1") as worker:
            made = worker.post("/api/v1/cases", json=application())  # the primary takes it
            assert made.status_code == 201, made.text
