"""The province deployment on one machine (README "Past one machine"): a throwaway PostgreSQL
primary and a streaming replica of it, `ledger project` as the one projection worker, and
`ledger serve` with LEDGER_READ_DATABASE_URL so that GraphQL reads the replica, all real
processes over real HTTP. The replica's replay is paused to show where each read comes from."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from builders import application
from conftest import _free_port

from api.auth import issue_token
from api.settings import DEV_SECRET
from tests.replica_support import Replicated, replicated_postgres
from tests.stream_support import until

__all__ = ["replicated_postgres"]  # the fixture, used by name

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
#: How long a GraphQL request waits for X-Min-Position before its 503 (LEDGER_...TIMEOUT).
MIN_POSITION_TIMEOUT = 1.0
PURPOSE = "replica test: checking the case file"

#: One request for every read of the Query type, none of them a mutation: each must answer
#: from a hot standby, which refuses any write ("cannot execute ... in a read-only transaction").
READS = [
    "{ viewer { user role } }",
    "{ supervisionKpis(year: 2024) { __typename } }",
    "{ overdueSummary { __typename } }",
    "{ ledgerIntegrity { headPosition sealedSize sealLagEvents } }",
    "{ deathNotifications { __typename } }",
    "{ payouts(first: 5) { totalCount } }",
    '{ payrollRun(programme: "DIBAO", month: "2024-03") { __typename } }',
    "{ payoutTotals { __typename } }",
    "{ temporaryAssistanceStats { __typename } }",
    "{ organizations(first: 5) { totalCount } }",
    "{ organizationStats { registered } }",
    "{ villageConversions(first: 5) { totalCount } }",
    "{ institutions(first: 5) { totalCount } }",
    "{ bedStats { __typename } }",
    "{ checkpoints(first: 5) { totalCount } }",
    "{ auditFindings(first: 5) { totalCount } }",
    "{ auditSummary { __typename } }",
    "{ bedConversions { totalCount } }",
    "{ cases(first: 5) { totalCount edges { node { id status } } } }",
    "{ caseload { __typename } }",
    "{ projectionStatus { name position lag error } }",
    "query($id: ID!) { case(id: $id) { status applicantName timeline { eventType } } }",
    "query($id: ID!) { caseHistory(id: $id) { version type } }",
    "query($id: ID!) { caseAsOf(id: $id, version: 1) { __typename } }",
    "query($id: ID!) { temporaryCase(id: $id) { __typename } }",
]
#: The auditor's own read (the access record itself).
AUDITOR_READS = ["{ personalDataAccess(first: 5) { totalCount } }"]


@contextmanager
def ledger(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[str]]:
    """`ledger COMMAND` as its own process (its output in `log`), stopped with SIGINT."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "from api.cli import main; main()", *command],
            cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, stdout=out,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def started(process: subprocess.Popen[str], base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"ledger serve did not start: {log.read_text()}"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).is_success:
                return
        except httpx.TransportError:
            time.sleep(0.2)


def client(base: str, role: str, street: str | None = None) -> httpx.Client:
    token = issue_token(DEV_SECRET, f"{role}-1", role, street, 1)
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def ask(
    c: httpx.Client, query: str, min_position: int | None = None, purpose: str | None = None,
    **variables: Any,
) -> httpx.Response:  # fmt: skip
    headers = {} if min_position is None else {"X-Min-Position": str(min_position)}
    if purpose is not None:
        headers["X-Purpose"] = purpose
    return c.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


def caught_up(c: httpx.Client, query: str, min_position: int, **variables: Any) -> dict[str, Any]:
    """The answer once the views have reached `min_position`: each try waits the short
    LEDGER_MIN_POSITION_TIMEOUT and answers 503 before then (a loaded machine may take longer)."""
    deadline = time.monotonic() + 30
    while (response := ask(c, query, min_position, **variables)).status_code == 503:
        assert time.monotonic() < deadline, f"the views never reached {min_position}"
    return answer(response)


def answer(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


CASE = "query($id: ID!) { case(id: $id) { id status } }"


def rows(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def test_graphql_reads_the_replica_and_x_min_position_waits_for_its_replay(
    replicated_postgres: Replicated, tmp_path: Path
) -> None:
    pg = replicated_postgres
    base = f"http://127.0.0.1:{_free_port()}"
    common = {
        "LEDGER_DATABASE_URL": pg.primary_url, "LEDGER_LOAD_DEMO_WHEN_EMPTY": "false",
        "LEDGER_CLOCK": "false", "LEDGER_POLL_INTERVAL": "0.1",
        "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "dev-signing-key"),
        "LEDGER_SIGNER_MEMORY": str(tmp_path / "last-signed-checkpoint"),
    }  # fmt: skip
    api = {
        **common, "LEDGER_READ_DATABASE_URL": pg.replica_url, "LEDGER_RUN_PROJECTIONS": "false",
        "LEDGER_MIN_POSITION_TIMEOUT": str(MIN_POSITION_TIMEOUT),
    }  # fmt: skip
    serve_log, project_log = tmp_path / "serve.log", tmp_path / "project.log"
    with (
        ledger(["project"], common, project_log),
        ledger(["serve", "--port", base.rsplit(":", 1)[1]], api, serve_log) as serving,
    ):
        started(serving, base, serve_log)
        assert "GraphQL reads the views from postgresql://" in serve_log.read_text()
        worker, supervisor = client(base, "caseworker", "新闸街道"), client(base, "supervisor")

        # Read-your-writes through the replica: the projection worker writes the views on the
        # primary, the replica replays them, and X-Min-Position waits for both.
        first = worker.post("/api/v1/cases", json=application())
        assert first.status_code == 201, first.text
        case_a, position_a = first.json()["id"], first.json()["position"]
        found = caught_up(worker, CASE, position_a, id=case_a)
        assert found["case"] == {"id": case_a, "status": "submitted"}

        # Every read of the schema answers from the hot standby: none of them writes.
        for query in READS:
            answer(ask(supervisor, query, id=case_a))
        with client(base, "auditor") as auditor:
            for query in AUDITOR_READS:
                answer(ask(auditor, query))
        until(lambda: pg.replica.caught_up_with(pg.primary), "the replica caught up", 30)
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200, ready.text
        head = rows(pg.primary_url, "SELECT MAX(notification_id) FROM ledger_events")[0][0]
        assert ready.json()["read_database"] == {
            "replica": True, "head_position": head, "lag_events": 0, "lag_seconds": 0.0,
            "replay_paused": False,
        }  # fmt: skip

        # The replica stops replaying: a new case reaches the primary's views, not GraphQL's.
        pg.replica.pause_replay()
        second = worker.post("/api/v1/cases", json=application())
        assert second.status_code == 201, second.text
        case_b, position_b = second.json()["id"], second.json()["position"]
        in_views = "SELECT 1 FROM case_summary WHERE case_id = %s"
        until(lambda: rows(pg.primary_url, in_views, (case_b,)) != [],
              "the projection worker wrote case B on the primary", 30)  # fmt: skip
        waited = ask(worker, CASE, position_b, id=case_b)
        assert waited.status_code == 503, waited.text
        assert "X-Min-Position" in waited.json()["detail"]
        assert answer(ask(worker, CASE, id=case_b))["case"] is None  # not on the replica yet
        assert rows(pg.replica_url, in_views, (case_b,)) == []
        status = answer(ask(supervisor, "{ projectionStatus { name position lag } }"))
        seen = {s["name"]: s for s in status["projectionStatus"]}["case_summary"]
        assert seen["position"] < position_b <= seen["position"] + seen["lag"]
        ready = httpx.get(f"{base}/readyz").json()["read_database"]
        assert ready["replay_paused"] is True and ready["lag_events"] >= 1
        assert ready["lag_seconds"] > 0
        metrics = httpx.get(f"{base}/metrics").text
        assert "ledger_read_database_up 1" in metrics
        assert "ledger_read_database_replay_paused 1" in metrics
        assert "ledger_read_database_lag_events 0" not in metrics

        # A read in full of personal data is recorded on the primary, while the replica, whose
        # replay is paused, has no such row: the GraphQL path wrote nothing through it.
        full = answer(ask(worker, CASE.replace("status", "applicantName"), purpose=PURPOSE,
                          id=case_a))  # fmt: skip
        assert full["case"]["applicantName"] == application()["members"][0]["name"]
        recorded = "SELECT purpose FROM personal_data_access WHERE case_id = %s"
        assert rows(pg.primary_url, recorded, (case_a,)) == [(PURPOSE,)]
        assert rows(pg.replica_url, recorded, (case_a,)) == []

        # Replay resumes: the same request now waits no longer than the replay and answers.
        pg.replica.resume_replay()
        found = caught_up(worker, CASE, position_b, id=case_b)
        assert found["case"] == {"id": case_b, "status": "submitted"}
        until(lambda: pg.replica.caught_up_with(pg.primary), "the replica caught up", 30)
        assert rows(pg.replica_url, recorded, (case_a,)) == [(PURPOSE,)]
        worker.close()
        supervisor.close()
