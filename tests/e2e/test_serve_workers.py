"""`ledger serve --workers 2` for real: both workers take commands, the projections run once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from builders import application
from conftest import _free_port
from typer.testing import CliRunner

from api.auth import issue_token
from api.cli import cli
from api.settings import DEV_SECRET

pytestmark = [pytest.mark.e2e]
ROOT = Path(__file__).resolve().parents[2]
STREET = "新闸街道"
DAY = "2024-03-04"


def start(database_url: str, folder: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": database_url,
           "LEDGER_LOAD_DEMO_WHEN_EMPTY": "false", "LEDGER_POLL_INTERVAL": "0.1",
           "LEDGER_CLOCK": "false", "LEDGER_SIGNER_MEMORY": str(folder / "signer-memory"),
           "LEDGER_SIGNING_KEY_FILE": str(folder / "signing-key")}  # fmt: skip
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve",
               "--port", str(port), "--workers", "2"]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def wait_until_up(process: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, "ledger serve --workers 2 stopped while starting"
        assert time.monotonic() < deadline, "ledger serve --workers 2 did not start"
        try:
            if httpx.get(f"{base}/readyz", timeout=1).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)


def submit_and_accept(base: str, token: str, count: int) -> list[tuple[str, int]]:
    """`count` cases over fresh connections (so both workers get some); (id, position)."""
    done: list[tuple[str, int]] = []
    headers = {"Authorization": f"Bearer {token}"}

    def one() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
            r = c.post("/api/v1/cases", json=application())
            assert r.status_code == 201, r.text
        with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
            case_id = r.json()["id"]
            r = c.post(f"/api/v1/cases/{case_id}/accept", json={"occurred_on": DAY})
            assert r.status_code == 200, r.text
            done.append((case_id, r.json()["position"]))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return done


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_workers_take_commands_and_the_projections_run_once(
    database_url: str, tmp_path: Path, backend: str, stop_with: signal.Signals
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    token = issue_token(DEV_SECRET, "worker-1", "caseworker", STREET, ttl_hours=1)
    process = start(database_url, tmp_path, port)
    output: list[str] = []  # what it prints, read as it comes (both workers log their pid)
    reader = threading.Thread(target=lambda: output.extend(iter(process.stdout.readline, "")))  # type: ignore[union-attr]
    reader.start()

    def answered() -> set[int]:
        """The pids that answered a submission so far (each worker logs its own)."""
        lines = [json.loads(line) for line in list(output) if line.startswith("{")]
        return {
            line["pid"] for line in lines
            if line.get("logger") == "caseledger.access" and line.get("path") == "/api/v1/cases"
        }  # fmt: skip

    try:
        wait_until_up(process, base)
        done: list[tuple[str, int]] = []
        for _ in range(30):  # rounds of 8 concurrent cases, until both workers have answered
            done += submit_and_accept(base, token, 8)
            if len(answered()) == 2:
                break
            time.sleep(1)  # the second worker may still be starting
        assert len(answered()) == 2, answered()
        # Read-your-writes through whichever worker answers: X-Min-Position waits for it.
        last = max(position for _, position in done)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
            for case_id, _ in done[:4]:
                r = c.post(
                    "/graphql", headers={"X-Min-Position": str(last)},
                    json={"query": "query($id: ID!) { case(id: $id) { status version } }",
                          "variables": {"id": case_id}},
                )  # fmt: skip
                assert r.json() == {"data": {"case": {"status": "accepted", "version": 2}}}
            r = c.post("/graphql", json={"query": "{ projectionStatus { name lag error } }"})
            status = r.json()["data"]["projectionStatus"]
            assert status and all(s["error"] is None for s in status), status
        process.send_signal(stop_with)
        process.wait(timeout=60)
        reader.join(timeout=10)
        assert process.returncode == 0, "".join(output)[-3000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    lines = [json.loads(line) for line in output if line.startswith("{")]
    # One projection process: every view row once, no process failed on a duplicate.
    assert not [line for line in lines if line["level"] == "ERROR"], "".join(output)[-3000:]
    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT count(*), count(DISTINCT (case_id, version)) FROM case_timeline"
            " WHERE case_id = ANY(%s)", ([case_id for case_id, _ in done],),
        ).fetchone()  # fmt: skip
    assert rows == (2 * len(done), 2 * len(done))


def test_several_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    # One writer at a time on the file and no NOTIFY: SQLite serves with one process.
    url = f"sqlite:///{tmp_path}/ledger.sqlite3"
    result = CliRunner().invoke(cli, ["serve", "--workers", "2"], env={"LEDGER_DATABASE_URL": url})
    assert result.exit_code == 2
    assert not (tmp_path / "ledger.sqlite3").exists()  # refused before anything was made
