"""An integrator's client of the ledger's GraphQL subscription (needs `websockets` only).

    LEDGER_TOKEN=... python examples/subscription_client.py --url http://127.0.0.1:8000 \
        --state bank-events.jsonl [--types Payout.PayoutSettled ...] [--purpose "..."]

It speaks graphql-transport-ws to `/graphql`: `connection_init` with the token, then
`subscription { events(after: <position>) { ... } }`. The ledger replays every event after
that position, then goes live, in position order.

What it has done is one file (`--state`), a journal of one JSON line per handled event
(`{"id", "position", "type", "subject", "data"}`): handling an event *is* appending its line,
in one `write` then `fsync`, so a crash at any moment (even `kill -9`) leaves the event either
handled and recorded, or neither. On start it reads the journal (cutting a torn last line),
resumes after the last position in it, and skips an event whose id (`<aggregate>/<version>`,
stable) is in it already: delivery is at least once, and this makes it at most once too. In
your own system, write the event's effects and its id in one transaction instead.

It reconnects on its own, from the journal's position: after a cut connection, a server
restart, or `fell_behind` (it read too slowly); when the ledger has no stream to spare
(`streams_full`, `streams_full_for_user`) it tries again, waiting longer each time (up to
30 s). A refused or expired token stops it (exit code 3): get a fresh one. Each handled event
is also printed as `{"handled": id, ...}`, and each skipped one as `{"skipped": id}`; when
what reads that output goes (`... | head`), it stops quietly (exit code 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

import websockets

QUERY = """subscription ($after: Int, $types: [String!]) {
  events(after: $after, types: $types) { id type subject time position sequence data }
}"""
#: graphql-transport-ws close codes that no retry will cure: a bad or missing token.
REFUSED = {4400, 4401, 4403}
ENDS = {"token_expired", "FORBIDDEN", "invalid_input", "PURPOSE_INVALID"}
#: Refusals that pass: no stream is free now; try again later.
BUSY = {"streams_full", "streams_full_for_user"}
LONGEST_PAUSE = 30.0


class Stop(Exception):
    """Reconnecting would not help (exit code 3)."""


class Busy(Exception):
    """The ledger has no stream to spare now: try again, waiting longer each time."""


class ReaderGone(Exception):
    """What reads our output has closed it (a broken pipe): stop quietly."""


class Journal:
    """The handled events, one JSON line each: the position and the ids already handled."""

    def __init__(self, path: str):
        self.path = path
        self.position = 0
        self.ids: set[str] = set()
        self._load()
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def _load(self) -> None:
        if not os.path.exists(self.path):
            return
        with open(self.path, "rb") as f:
            data = f.read()
        whole = data[: data.rfind(b"\n") + 1]  # a line cut by a crash was never handled
        if len(whole) != len(data):
            with open(self.path, "r+b") as f:
                f.truncate(len(whole))
        for line in whole.splitlines():
            entry = json.loads(line)
            self.ids.add(entry["id"])
            self.position = max(self.position, int(entry["position"]))

    def handle(self, event: dict[str, Any]) -> bool:
        """Record (handle) the event once; False when its id was handled already."""
        if event["id"] in self.ids:
            return False
        entry = {k: event[k] for k in ("id", "position", "type", "subject", "data")}
        os.write(self.fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode())
        os.fsync(self.fd)
        self.ids.add(event["id"])
        self.position = max(self.position, int(event["position"]))
        return True


def say(**fields: Any) -> None:
    try:
        print(json.dumps(fields, ensure_ascii=False), flush=True)
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that it stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise ReaderGone from None


async def follow(url: str, init: dict[str, Any], journal: Journal, args: Any) -> None:
    """One connection: subscribe after the journal's position and handle what comes."""
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if ack.get("type") != "connection_ack":
            raise ConnectionError(f"no connection_ack: {ack}")
        after = journal.position if args.after is None else args.after
        args.after = None  # --after counts for the first connection only
        variables = {"after": after, "types": args.types or None}
        subscribe = {"query": QUERY, "variables": variables}
        await ws.send(json.dumps({"id": "events", "type": "subscribe", "payload": subscribe}))
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message.get("type") == "next":
                payload = message["payload"]
                for error in payload.get("errors") or []:
                    code = (error.get("extensions") or {}).get("code")
                    say(error=code, message=error.get("message"))
                    if code in ENDS:
                        raise Stop(error.get("message"))
                event = (payload.get("data") or {}).get("events")
                if event is not None:
                    if journal.handle(event):
                        say(handled=event["id"], position=event["position"], type=event["type"])
                    else:
                        say(skipped=event["id"], position=event["position"])
            elif message.get("type") in ("complete", "error"):
                if message.get("type") == "error":
                    errors = message.get("payload") or []
                    if errors and all(_code(e) in BUSY for e in errors):
                        raise Busy(_code(errors[0]), errors[0].get("message"))
                    raise Stop(json.dumps(errors))
                return  # ended (fell_behind, say): reconnect from the journal's position


def _code(error: Any) -> str | None:
    return (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None


async def run(args: Any) -> int:
    url = args.url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    url = url.rstrip("/") + ("" if url.endswith("/graphql") else "/graphql")
    init: dict[str, Any] = {"Authorization": f"Bearer {args.token}"}
    if args.purpose:
        init["purpose"] = args.purpose
    journal = Journal(args.state)
    pause = 0.5
    while True:
        try:
            await follow(url, init, journal, args)
            pause = 0.5
        except Stop as e:
            say(stopped=str(e))
            return 3
        except Busy as e:
            code, message = e.args
            say(waiting=code, message=message, seconds=pause)
        except websockets.ConnectionClosed as e:
            if e.rcvd is not None and e.rcvd.code in REFUSED:
                say(stopped=e.rcvd.reason, code=e.rcvd.code)
                return 3
            say(reconnecting=f"connection closed ({e})")
        except (OSError, TimeoutError, ConnectionError) as e:
            say(reconnecting=f"{type(e).__name__}: {e}")
        await asyncio.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the ledger's base URL")
    parser.add_argument("--token", default=os.environ.get("LEDGER_TOKEN"),
                        help="the bearer token (default: $LEDGER_TOKEN)")  # fmt: skip
    parser.add_argument("--state", required=True, help="the journal of handled events")
    parser.add_argument("--types", nargs="*", help="event types, e.g. Payout.PayoutSettled")
    parser.add_argument("--purpose", help="why personal data is read (with the pii grant)")
    parser.add_argument("--after", type=int, help="start after this position, not the journal's")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set LEDGER_TOKEN")
    try:
        return asyncio.run(run(args))
    except ReaderGone:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
