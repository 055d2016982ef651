"""Over real HTTP, with PostgreSQL cutting every connection: 503 to retry, never 500, no loss."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import psycopg
import pytest
from builders import application
from http_helpers import graphql

pytestmark = pytest.mark.e2e

EVERY_OTHER_CONNECTION = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_commands_while_connections_are_cut_answer_503_or_succeed_and_the_views_resume(
    worker: httpx.Client, supervisor: httpx.Client, database_url: str, backend: str
) -> None:
    answers: list[httpx.Response] = []
    stop = threading.Event()

    def submit_until_stopped() -> None:
        # As a careful client does: an Idempotency-Key, and the same request again after a 503
        # (a cut can come after the commit but before its answer: the key makes that safe).
        while not stop.is_set():
            key, body = str(uuid.uuid4()), application()
            for _ in range(20):
                r = worker.post("/api/v1/cases", json=body, headers={"Idempotency-Key": key})
                answers.append(r)
                if r.status_code != 503:
                    break
                time.sleep(0.1)

    submitters = [threading.Thread(target=submit_until_stopped) for _ in range(3)]
    for t in submitters:
        t.start()
    killed = 0
    with psycopg.connect(database_url, autocommit=True) as admin:
        for _ in range(4):
            time.sleep(0.3)
            killed += len(admin.execute(EVERY_OTHER_CONNECTION).fetchall())
    time.sleep(0.3)
    stop.set()
    for t in submitters:
        t.join()
    after = worker.post("/api/v1/cases", json=application())  # once the cuts are over

    assert killed > 0
    statuses = {r.status_code for r in answers}
    assert statuses <= {201, 503}, [r.text for r in answers if r.status_code not in (201, 503)]
    for r in answers:
        if r.status_code == 503:
            assert r.headers["content-type"].startswith("application/problem+json")
            assert int(r.headers["retry-after"]) > 0
    assert after.status_code == 201, after.text

    # The views resume by themselves, and every acknowledged case is in them.
    acknowledged = [r.json() for r in [*answers, after] if r.status_code == 201]
    head = max(a["position"] for a in acknowledged)
    deadline = time.monotonic() + 30
    while True:
        status = graphql(supervisor, "{ projectionStatus { name position error retrying } }")
        states = status["projectionStatus"]
        if all(s["position"] >= head and not s["error"] for s in states):
            break
        assert time.monotonic() < deadline, states
        time.sleep(0.1)
    assert all(s["error"] is None for s in states)
    ready = supervisor.get("/readyz")
    assert ready.status_code == 200, ready.text
    for a in acknowledged:
        found = graphql(supervisor, "query($id: ID!) { case(id: $id) { status } }", id=a["id"])
        assert found["case"] == {"status": "submitted"}
