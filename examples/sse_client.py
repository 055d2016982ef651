"""An integrator's client of the ledger's server-sent events (needs httpx only).

    python examples/sse_client.py --url http://127.0.0.1:8000 --token "$TOKEN" \
        --state integrator.sqlite3 [--types Payout.*] [--purpose "..."]

It keeps what it has done in one SQLite file (`--state`): the ids of the events it handled
and the position it has read up to, both written in the same transaction as its own work
(`handle`), so a crash at any moment (even `kill -9`) leaves either the event handled and the
position past it, or neither. On start, and after every cut, it reconnects with
`Last-Event-ID: <that position>`; the ledger resends from just after it. Delivery is at least
once, so an event whose id (`<aggregate id>/<version>`, stable) it has handled already is
skipped, not handled twice. Id-only lines (`id: N` with no data: what a filter skipped, and
with each keep-alive) move the position too, so a narrow filter does not reread the log.

Each handled event is printed, after its transaction commits, as one JSON line
`{"handled": <id>, "position": <position>, "type": <type>}`; put your own work in `handle`.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

STREAM = "/api/v1/events/stream"
SCHEMA = """
CREATE TABLE IF NOT EXISTS stream_position (one INTEGER PRIMARY KEY CHECK (one = 1),
                                            position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS handled_events (id TEXT PRIMARY KEY, position INTEGER NOT NULL);
INSERT OR IGNORE INTO stream_position VALUES (1, 0);
"""


@dataclass(frozen=True)
class Record:
    """One dispatched block of the stream (the HTML standard's event stream interpretation)."""

    event: str  # "message" unless the block named another type
    data: str  # "" for an id-only block (it only moves the last event id)
    last_id: str  # the last event id so far (kept from block to block, as a browser does)
    comment: str | None = None  # a comment line (": ping"), yielded on its own


def parse(lines: Iterable[str], last_id: str = "") -> Iterator[Record]:
    """Records from the stream's lines (without their line ends)."""
    event, data = "", []
    for line in lines:
        if not line:  # a blank line dispatches the block
            yield Record(event or "message", "\n".join(data), last_id)
            event, data = "", []
            continue
        if line.startswith(":"):
            yield Record("", "", last_id, comment=line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id" and "\0" not in value:
            last_id = value
        # `retry` and unknown fields: nothing to do for this client


def open_state(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)  # transactions are explicit below
    db.execute("PRAGMA journal_mode=WAL")  # a commit per event: WAL keeps each one cheap
    db.executescript(SCHEMA)
    return db


def position_of(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT position FROM stream_position").fetchone()[0])


Handler = Callable[[sqlite3.Connection, dict[str, Any]], None]


def record_nothing(db: sqlite3.Connection, event: dict[str, Any]) -> None:
    """Your work goes here, on `db` (inside the transaction that marks the event handled)."""


def take(db: sqlite3.Connection, event: dict[str, Any], handle: Handler) -> bool:
    """Handle one event once; False when its id was handled already (skipped)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        seen = db.execute("SELECT 1 FROM handled_events WHERE id = ?", (event["id"],)).fetchone()
        if not seen:
            handle(db, event)
            db.execute("INSERT INTO handled_events VALUES (?, ?)", (event["id"], event["position"]))
        move(db, int(event["position"]))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return not seen


def move(db: sqlite3.Connection, position: int) -> None:
    db.execute("UPDATE stream_position SET position = max(position, ?)", (position,))


def follow(base: str, token: str, db: sqlite3.Connection, handle: Handler = record_nothing,
           types: str | None = None, purpose: str | None = None,
           read_timeout: float = 60.0) -> str:  # fmt: skip
    """Read one connection's worth of the stream; return why it ended."""
    headers = {"Authorization": f"Bearer {token}", "Last-Event-ID": str(position_of(db))}
    if purpose:
        headers["X-Purpose"] = purpose
    params = {"types": types} if types else {}
    timeout = httpx.Timeout(10.0, read=read_timeout)  # pings come every 15 s by default
    with httpx.stream("GET", base + STREAM, params=params, headers=headers,
                      timeout=timeout) as answer:  # fmt: skip
        if answer.status_code == 503:
            time.sleep(float(answer.headers.get("Retry-After", "2")))
            return "full"
        if answer.status_code != 200:
            answer.read()
            raise SystemExit(f"refused ({answer.status_code}): {answer.text}")
        for record in parse(answer.iter_lines(), str(position_of(db))):
            if record.event == "disconnect":
                print(json.dumps({"disconnect": json.loads(record.data)}), flush=True)
                return "disconnect"
            if record.event == "message" and record.data:
                event = json.loads(record.data)
                if take(db, event, handle):
                    line = {"handled": event["id"], "position": event["position"],
                            "type": event["type"]}  # fmt: skip
                    print(json.dumps(line), flush=True)
                else:
                    print(json.dumps({"skipped": event["id"]}), flush=True)
            elif record.event == "message" and record.last_id.isdigit():
                move(db, int(record.last_id))  # an id-only block: read past, nothing to do
    return "closed"


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--url", default="http://127.0.0.1:8000")
    args.add_argument("--token", required=True)
    args.add_argument("--state", default="sse-client.sqlite3")
    args.add_argument("--types", help="comma-separated event types, e.g. Payout.*")
    args.add_argument("--purpose", help="X-Purpose, to read personal data the token allows")
    options = args.parse_args(argv)
    db = open_state(options.state)
    pause = 1.0
    while True:
        try:
            why = follow(options.url, options.token, db, types=options.types,
                         purpose=options.purpose)  # fmt: skip
            pause = 1.0
            if why == "disconnect":
                time.sleep(pause)  # the server ended the stream: come back after a breath
        except httpx.TransportError as e:  # the server restarted, the network cut: retry
            print(json.dumps({"reconnecting": type(e).__name__}), file=sys.stderr, flush=True)
            time.sleep(pause)
            pause = min(pause * 2, 30.0)


if __name__ == "__main__":
    main()
