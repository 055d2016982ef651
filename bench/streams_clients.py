"""The subscribers of bench/streams.py: N asyncio clients of one stream in one process.

Run by bench/streams.py in a process of its own (so the clients' CPU shares neither the
server's GIL nor the write load's), never by hand in the normal course:

    python bench/streams_clients.py --kind sse|graphql --base URL --token JWT
        --subscribers 100 --after N --out results.json

Each client speaks the protocol only (it imports nothing of the ledger):
* sse: GET /api/v1/events/stream?after=N (httpx.AsyncClient streaming), text/event-stream
  with `id:` and `data:` lines, the data one CloudEvent JSON (`position`, `time`);
* graphql: the `events(after:)` subscription over graphql-transport-ws at /graphql
  (`websockets`), the token in the connection_init payload.

The time of receipt (time.time(), the wall clock the server and the write load read too) is
taken as soon as the event's data arrives, before it is decoded. It prints `ready` once every
client has received its first event (the one after N: it is live), then reads `until P` on
stdin, waits until every client has received position P (or a deadline), and writes what each
received to --out as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import connect

#: `after` written into the document: the field's argument type (Int, or a 64-bit scalar) is
#: the server's to choose, and a literal fits either.
QUERY = "subscription { events(after: %d) { id position time } }"
SUBPROTOCOL = "graphql-transport-ws"


@dataclass
class Client:
    index: int
    positions: list[int] = field(default_factory=list)
    received: list[float] = field(default_factory=list)
    first: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None
    closed: str | None = None  # how the server ended the stream, when it did

    def got(self, at: float, event: dict[str, Any], shared: dict[int, list[Any]]) -> None:
        position = int(event["position"])
        self.positions.append(position)
        self.received.append(at)
        if position not in shared:
            shared[position] = [event.get("id"), event.get("time")]
        self.first.set()


async def sse(client: Client, http: httpx.AsyncClient, after: int, shared: dict[int, Any]) -> None:
    data: list[str] = []
    event_name = ""
    async with http.stream("GET", "/api/v1/events/stream", params={"after": after}) as r:
        if r.status_code != 200:
            raise RuntimeError(f"SSE answered {r.status_code}: {(await r.aread())[:200]!r}")
        async for line in r.aiter_lines():
            if line:
                if line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))
                elif line.startswith("event:"):
                    event_name = line[6:].strip()
                continue
            at = time.time()  # a blank line dispatches the event
            if data and event_name == "disconnect":
                client.closed = "\n".join(data)[:300]
                return
            if data:
                client.got(at, json.loads("\n".join(data)), shared)
            data, event_name = [], ""


async def graphql(client: Client, url: str, token: str, after: int, shared: dict[int, Any]) -> None:
    async with connect(url, subprotocols=[SUBPROTOCOL], max_size=None) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {str(ack)[:200]}")
        subscribe = {"query": QUERY % after}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        async for raw in ws:
            at = time.time()
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "next":
                payload = message.get("payload") or {}
                if payload.get("errors"):
                    client.closed = json.dumps(payload["errors"])[:300]
                    return
                client.got(at, payload["data"]["events"], shared)
            elif kind == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif kind in ("error", "complete"):
                client.closed = json.dumps(message)[:300]
                return


async def run(args: argparse.Namespace) -> dict[str, Any]:
    clients = [Client(i) for i in range(args.subscribers)]
    shared: dict[int, list[Any]] = {}
    headers = {"Authorization": f"Bearer {args.token}"}
    limits = httpx.Limits(max_connections=args.subscribers + 10, max_keepalive_connections=0)
    timeout = httpx.Timeout(30.0, read=None)
    ws_url = args.base.replace("http://", "ws://", 1) + "/graphql"
    async with httpx.AsyncClient(
        base_url=args.base, headers=headers, limits=limits, timeout=timeout
    ) as http:

        async def one(client: Client) -> None:
            try:
                if args.kind == "sse":
                    await sse(client, http, args.after, shared)
                else:
                    await graphql(client, ws_url, args.token, args.after, shared)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # reported to the bench, which counts it as a failure
                client.error = f"{type(e).__name__}: {str(e)[:200]}"
            finally:
                client.first.set()  # never leave the start waiting on a client that ended

        tasks = [asyncio.create_task(one(c)) for c in clients]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(c.first.wait() for c in clients)), args.connect_timeout
            )
        live = sum(1 for c in clients if c.positions)
        why = next((c.error or c.closed for c in clients if c.error or c.closed), None)
        print(f"ready {live}" + (f" (first failure: {why})" if why else ""), flush=True)
        cpu, started = os.times(), time.monotonic()
        line = await asyncio.to_thread(sys.stdin.readline)
        until = int(line.split()[1]) if line.startswith("until ") else 0
        deadline = time.monotonic() + args.drain_timeout
        while time.monotonic() < deadline:
            if all(c.error or c.closed or (c.positions and c.positions[-1] >= until)
                   for c in clients):  # fmt: skip
                break
            await asyncio.sleep(0.05)
        used = os.times()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "kind": args.kind,
        "after": args.after,
        "until": until,
        "cpu_seconds": used.user + used.system - cpu.user - cpu.system,
        "seconds": time.monotonic() - started,
        "events": {str(p): v for p, v in shared.items()},
        "clients": [
            {"positions": c.positions, "received": c.received, "error": c.error, "closed": c.closed}
            for c in clients
        ],
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kind", choices=["sse", "graphql"], required=True)
    p.add_argument("--base", required=True, help="the server, http://host:port")
    p.add_argument("--token", required=True)
    p.add_argument("--subscribers", type=int, default=100)
    p.add_argument("--after", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--connect-timeout", type=float, default=60.0)
    p.add_argument("--drain-timeout", type=float, default=300.0)
    args = p.parse_args()
    results = asyncio.run(run(args))
    with open(args.out, "w") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
