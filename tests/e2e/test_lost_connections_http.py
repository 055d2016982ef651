"""Over real HTTP, with the store unreachable: 503 to retry, never 500, no loss, then ready."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from builders import application, new_id_number
from eventsourcing.persistence import OperationalError
from http_helpers import graphql

from api.container import Container

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

    def submit_until_stopped(keyed: bool) -> None:
        # As a careful client does: an Idempotency-Key, and the same request again after a 503
        # (a cut can come after the commit but before its answer: the key makes that safe).
        # One client sends no key: a commit whose answer was lost must not turn into a 409.
        while not stop.is_set():
            key, body = str(uuid.uuid4()), application()
            headers = {"Idempotency-Key": key} if keyed else {}
            for _ in range(20):
                r = worker.post("/api/v1/cases", json=body, headers=headers)
                answers.append(r)
                if r.status_code != 503:
                    break
                time.sleep(0.1)

    submitters = [
        threading.Thread(target=submit_until_stopped, args=(keyed,))
        for keyed in (True, True, False)
    ]
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
    query = "query($id: ID!) { case(id: $id) { status } }"
    for a in acknowledged:  # read-your-writes works again too (X-Min-Position)
        found = graphql(supervisor, query, a["position"], id=a["id"])
        assert found["case"] == {"status": "submitted"}


STATUS = "{ projectionStatus { name error retrying } }"


def cascade_state(supervisor: httpx.Client) -> dict[str, Any]:
    states = graphql(supervisor, STATUS)["projectionStatus"]
    return dict(next(s for s in states if s["name"] == "death_cascade"))


def test_readyz_is_503_while_a_reaction_retries_and_200_once_it_resumed(
    worker: httpx.Client, approver: httpx.Client, supervisor: httpx.Client,
    container: Container, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    healed = threading.Event()
    original = container.ledger.apply_death_consequences

    def unreachable_until_healed(key: UUID, up_to: int) -> list[UUID]:
        if not healed.is_set():
            raise OperationalError("could not connect to server: Connection refused")
        return original(key, up_to)

    monkeypatch.setattr(container.ledger, "apply_death_consequences", unreachable_until_healed)
    body = {"name": "测试丁", "id_number": new_id_number(), "date_of_death": "2024-05-10",
            "source": "hospital", "occurred_on": "2024-05-11"}  # fmt: skip
    key = worker.post("/api/v1/death-notifications", json=body).json()["id"]
    verify = {"occurred_on": "2024-05-13", "evidence": "医学死亡证明"}
    ok = approver.post(f"/api/v1/death-notifications/{key}/verify", json=verify)
    assert ok.status_code == 200, ok.text

    deadline = time.monotonic() + 20
    while not cascade_state(supervisor)["retrying"]:
        assert time.monotonic() < deadline, "the process never reported its retries"
        time.sleep(0.05)
    state = cascade_state(supervisor)
    assert state["error"] is None and "OperationalError" in state["retrying"]
    waiting = supervisor.get("/readyz")
    assert waiting.status_code == 503 and "death_cascade" in waiting.json()["detail"]
    assert 'ledger_projection_retrying{projection="death_cascade"} 1' in (
        supervisor.get("/metrics").text
    )

    healed.set()
    while cascade_state(supervisor)["retrying"]:
        assert time.monotonic() < deadline, "the process did not resume"
        time.sleep(0.05)
    assert cascade_state(supervisor) == {"name": "death_cascade", "error": None, "retrying": None}
    assert supervisor.get("/readyz").status_code == 200
    assert 'ledger_projection_retrying{projection="death_cascade"} 0' in (
        supervisor.get("/metrics").text
    )
