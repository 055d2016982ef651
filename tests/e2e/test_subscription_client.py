"""examples/subscription_client.py against a real server: killed, restarted, nothing twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from graphql_ws import token
from stream_support import KeepWriting, commit_cases, log_positions, until

from api.container import Container
from api.settings import Settings
from domain.ledger import Ledger

pytestmark = pytest.mark.e2e
CLIENT = Path(__file__).resolve().parents[2] / "examples" / "subscription_client.py"


def journal(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    # The client may be mid-write: a line is whole only once its newline is there.
    text = path.read_text()
    return [json.loads(line) for line in text[: text.rfind("\n") + 1].splitlines()]


def start(base: str, state: Path, out: Path, *extra: str, secret: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LEDGER_TOKEN": secret}
    with out.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, str(CLIENT), "--url", base, "--state", str(state), *extra],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip


def test_the_example_client_killed_and_restarted_handles_every_event_once(
    server: str, settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    state, out = tmp_path / "bank.jsonl", tmp_path / "client.log"
    secret = token(settings, "supervisor", "bank-client")
    commit_cases(ledger, 3)
    with KeepWriting(ledger, 30, pause=0.05):
        client = start(server, state, out, secret=secret)
        until(lambda: len(journal(state)) >= 15, "the client handles events", 30)
        client.send_signal(signal.SIGKILL)  # mid-stream, commits going on
        client.wait(10)
        client = start(server, state, out, secret=secret)  # resumes from its journal
    try:
        head = log_positions(ledger)[-1]
        until(lambda: journal(state)[-1]["position"] == head, "it catches up", 30)
    finally:
        client.send_signal(signal.SIGKILL)
        client.wait(10)
    handled = journal(state)
    assert [e["position"] for e in handled] == log_positions(ledger)  # each once, in order
    assert len({e["id"] for e in handled}) == len(handled)

    # Replayed from the start (--after 0), every event it has handled is skipped.
    again = start(server, state, out, "--after", "0", secret=secret)
    try:
        skipped = lambda: out.read_text().count('"skipped"')  # noqa: E731
        until(lambda: skipped() == len(handled), "it skips what it handled", 30)
    finally:
        again.send_signal(signal.SIGKILL)
        again.wait(10)
    assert journal(state) == handled


def test_the_example_client_stops_on_a_refused_token(
    server: str, settings: Settings, tmp_path: Path
) -> None:
    state, out = tmp_path / "bank.jsonl", tmp_path / "client.log"
    client = start(server, state, out, secret="not-a-token")
    assert client.wait(30) == 3
    assert "4403" in out.read_text() and "not-a-token" not in out.read_text()


def test_the_example_client_waits_while_its_streams_are_full_then_reads(
    server: str, settings: Settings, ledger: Ledger, container: Container, tmp_path: Path
) -> None:
    commit_cases(ledger, 1)
    container.settings = container.settings.model_copy(update={"stream_max_per_user": 1})
    held = container.hub.register("sse", "bank-client", 0)  # its one stream, held elsewhere
    state, out = tmp_path / "bank.jsonl", tmp_path / "client.log"
    client = start(server, state, out, secret=token(settings, "supervisor", "bank-client"))
    try:
        until(lambda: out.read_text().count('"waiting"') >= 2, "it waits, and again", 30)
        assert client.poll() is None  # still running
        container.hub.unregister(held)
        head = log_positions(ledger)[-1]
        until(lambda: journal(state) and journal(state)[-1]["position"] == head, "it reads", 30)
    finally:
        client.send_signal(signal.SIGKILL)
        client.wait(10)
    assert "streams_full_for_user" in out.read_text()


def test_the_example_client_piped_into_a_reader_that_goes_stops_quietly(
    server: str, settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    commit_cases(ledger, 2)
    env = {**os.environ, "LEDGER_TOKEN": token(settings, "supervisor", "bank-client")}
    command = [sys.executable, str(CLIENT), "--url", server, "--state", str(tmp_path / "j")]
    client = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert client.stdout is not None and client.stderr is not None
    assert b"handled" in client.stdout.readline()  # `| head -n 1`
    client.stdout.close()
    commit_cases(ledger, 2)  # more to print, into the closed pipe
    try:
        assert client.wait(30) == 0
    finally:
        client.kill()
    assert client.stderr.read() == b""  # no traceback, no "Exception ignored"
