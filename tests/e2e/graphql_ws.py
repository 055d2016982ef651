"""A small graphql-transport-ws client (the `websockets` library) for the `events` tests."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import jwt
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from api.settings import Settings

PROTOCOL = Subprotocol("graphql-transport-ws")
EVENTS = (
    "subscription($after: Int, $types: [String!], $ids: [ID!]) {"
    " events(after: $after, types: $types, aggregateIds: $ids) {"
    " id type subject time source datacontenttype position sequence data } }"
)


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://", 1) + "/graphql"


def token(
    settings: Settings, role: str, user: str, *, grants: tuple[str, ...] = (),
    street: str | None = None, seconds: float = 3600,
) -> str:  # fmt: skip
    """An HS256 token that expires after `seconds` (issue_token counts whole hours)."""
    now = time.time()
    claims: dict[str, Any] = {"sub": user, "role": role, "iat": int(now), "exp": now + seconds}
    if street:
        claims["street"] = street
    if grants:
        claims["grants"] = sorted(grants)
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


@asynccontextmanager
async def connected(
    base: str, payload: dict[str, Any], **options: Any
) -> AsyncIterator[ClientConnection]:
    """A socket past connection_ack (the test fails when the server refuses it). It buffers
    what it has not read yet without bound (unless told otherwise), so that a test that stops
    reading early still reads the server's close frame when it closes."""
    options.setdefault("max_queue", None)
    async with websockets.connect(ws_url(base), subprotocols=[PROTOCOL], **options) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack == {"type": "connection_ack"}, ack
        yield ws


def bearer(text: str, purpose: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"Authorization": f"Bearer {text}"}
    if purpose is not None:
        payload["purpose"] = purpose
    return payload


async def subscribe(
    ws: ClientConnection, op: str = "1", query: str = EVENTS, **variables: Any
) -> None:
    message = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": message}))


@dataclass
class Stream:
    """What one operation received: its events, its errors, and whether it completed."""

    events: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    completed: bool = False

    @property
    def positions(self) -> list[int]:
        return [e["position"] for e in self.events]


async def collect(
    ws: ClientConnection, until: Callable[[Stream], bool] | None = None, op: str = "1",
    timeout: float = 15.0, into: Stream | None = None,
) -> Stream:  # fmt: skip
    """Read the operation's messages until `until(stream)` or it completes (or errs)."""
    stream = into or Stream()
    deadline = asyncio.get_running_loop().time() + timeout
    while not stream.completed and not (until is not None and until(stream)):
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"timed out: {len(stream.events)} events, errors {stream.errors}"
        message = json.loads(await asyncio.wait_for(ws.recv(), left))
        if message.get("id") != op:
            continue
        if message["type"] == "next":
            payload = message["payload"]
            stream.errors += payload.get("errors") or []
            if payload.get("data") and payload["data"].get("events"):
                stream.events.append(payload["data"]["events"])
        elif message["type"] == "error":
            stream.errors += message["payload"]
            stream.completed = True
        elif message["type"] == "complete":
            stream.completed = True
    return stream


async def quiet(ws: ClientConnection, seconds: float, op: str = "1", *, into: Stream) -> Stream:
    """Whatever the operation receives in the next `seconds` (nothing, often)."""
    with suppress(TimeoutError):
        await asyncio.wait_for(collect(ws, op=op, timeout=seconds + 1, into=into), seconds)
    return into


def reaches(position: int) -> Callable[[Stream], bool]:
    return lambda s: bool(s.events) and s.events[-1]["position"] >= position


def codes(stream: Stream) -> list[str]:
    return [(e.get("extensions") or {}).get("code", "") for e in stream.errors]


def stalled_socket(base: str) -> socket.socket:
    """A connected socket with the smallest receive buffer: a reader that stops reading
    stalls the server's sends once the server's own buffers are full."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    host, port = base.removeprefix("http://").rsplit(":", 1)
    sock.connect((host, int(port)))
    return sock


async def closing(ws: ClientConnection, timeout: float = 10.0) -> tuple[int | None, str]:
    """Read until the server closes the socket (the test fails if it does not in time): the
    close code and reason it sent, whatever came before them unread."""
    deadline = asyncio.get_running_loop().time() + timeout
    with suppress(websockets.ConnectionClosed):
        while True:
            left = deadline - asyncio.get_running_loop().time()
            assert left > 0, "the server did not close the socket"
            await asyncio.wait_for(ws.recv(), left)
    return ws.close_code, ws.close_reason or ""
