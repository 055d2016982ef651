"""examples/sse_client.py against a real server: killed with SIGKILL mid-stream and started
again, it ends with every event handled, none twice; a redelivered event is skipped."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from stream_support import SQLITE_ONLY, KeepWriting, commit_cases, until

from api.auth import issue_token
from api.settings import Settings
from domain.ledger import Ledger
from projections.feed.reader import EVERYTHING, LogReader

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


class Client:
    """The example client as its own process, its stdout in a file."""

    def __init__(self, server: str, settings: Settings, state: Path, out: Path):
        token = issue_token(settings.jwt_secret.get_secret_value(), "bank-1", "approver", None, 1)
        self.out = out
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "examples" / "sse_client.py"), "--url", server,
             "--token", token, "--state", str(state)],
            stdout=out.open("w"), stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def lines(self) -> list[dict[str, Any]]:
        text = self.out.read_text() if self.out.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def handled(self) -> list[str]:
        return [line["handled"] for line in self.lines() if "handled" in line]

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no chance to tidy up
        self.process.wait(timeout=10)


def ids_up_to(ledger: Ledger, position: int) -> list[str]:
    page = LogReader(ledger).read(0, 100_000, EVERYTHING)
    return [e.id for e in page.events if e.position <= position]


@SQLITE_ONLY
def test_the_example_client_resumes_after_a_kill_and_handles_no_event_twice(
    server: str, settings: Settings, ledger: Ledger, tmp_path: Path
) -> None:
    state = tmp_path / "client.sqlite3"
    commit_cases(ledger, 10)
    first = Client(server, settings, state, tmp_path / "first.jsonl")
    try:
        with KeepWriting(ledger, 80, pause=0.02) as writer:
            until(lambda: len(first.handled()) >= 40, "the first run handles some events")
            first.kill()  # mid-stream: the writer is still committing
        last = writer.positions[-1]
        second = Client(server, settings, state, tmp_path / "second.jsonl")
        with sqlite3.connect(state) as db:
            position = lambda: db.execute("SELECT position FROM stream_position").fetchone()[0]  # noqa: E731
            until(lambda: position() >= last, "the second run catches up", timeout=30)
        second.kill()
    finally:
        first.kill()
    printed = first.handled() + second.handled()
    assert len(printed) == len(set(printed))  # never handled twice
    with sqlite3.connect(state) as db:
        handled = [row[0] for row in db.execute("SELECT id FROM handled_events ORDER BY position")]
        reached = db.execute("SELECT position FROM stream_position").fetchone()[0]
    assert handled == ids_up_to(ledger, reached)  # every event, in order
    assert set(printed) <= set(handled) and len(printed) >= len(handled) - 1  # a kill may
    # fall between a commit and its print line

    # Delivered again from the start (position reset): every handled event is skipped.
    with sqlite3.connect(state) as db:
        db.execute("UPDATE stream_position SET position = 0")
    third = Client(server, settings, state, tmp_path / "third.jsonl")
    try:
        until(lambda: len([x for x in third.lines() if "skipped" in x]) >= len(handled),
              "the third run skips what was handled")  # fmt: skip
    finally:
        third.kill()
    assert [x["skipped"] for x in third.lines() if "skipped" in x] == handled  # each, in order
    assert not set(third.handled()) & set(handled)  # only what was committed since, if any
