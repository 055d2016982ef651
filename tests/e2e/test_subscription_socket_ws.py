"""The GraphQL websocket's own edges: the token's expiry for every operation, oversized and
unreadable messages, documents over the limits, and the streams one user may hold."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
import websockets
from graphql_ws import (
    PROTOCOL,
    bearer,
    closing,
    codes,
    collect,
    connected,
    subscribe,
    token,
    ws_url,
)
from stream_support import SQLITE_ONLY, until

from api.auth import LEEWAY_SECONDS
from api.container import Container
from api.settings import Settings

pytestmark = [pytest.mark.e2e, SQLITE_ONLY]  # the transport: the store does not matter here

TYPENAME = "{ __typename }"


def approver(settings: Settings, seconds: float = 3600) -> dict[str, Any]:
    return bearer(token(settings, "approver", "approver-1", seconds=seconds))


def test_no_operation_runs_on_a_socket_once_its_token_has_expired(
    server: str, settings: Settings
) -> None:
    async def run() -> tuple[Any, Any]:
        # Accepted at connect (within the leeway); expired two seconds later.
        async with connected(server, approver(settings, 2 - LEEWAY_SECONDS)) as ws:
            await subscribe(ws, op="before", query=TYPENAME)
            before = await collect(ws, op="before")
            await asyncio.sleep(2.5)
            with pytest.raises(websockets.ConnectionClosed):  # closed, or closed on the send
                await subscribe(ws, op="after", query=TYPENAME)
                await collect(ws, op="after")
            return before, (ws.close_code, ws.close_reason)

    before, (code, reason) = asyncio.run(run())
    assert before.completed and not before.errors
    assert code == 4403 and reason == "the token has expired; reconnect with a fresh token"


async def init_closes(server: str, size: int) -> tuple[int | None, str]:
    """How the server closes a socket whose connection_init is `size` bytes of token."""
    init = {"type": "connection_init", "payload": {"token": "x" * size}}
    async with websockets.connect(ws_url(server), subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps(init))
        return await closing(ws)


def test_an_oversized_connection_init_closes_its_socket_while_the_server_answers(
    server: str, settings: Settings
) -> None:
    async def run() -> tuple[list[Any], int]:
        over = (init_closes(server, settings.ws_max_bytes + 1) for _ in range(6))
        closed = await asyncio.gather(*over)
        async with httpx.AsyncClient(base_url=server, timeout=10) as http:
            health = await http.get("/healthz")
        return closed, health.status_code

    closed, health = asyncio.run(run())
    assert [code for code, _ in closed] == [1009] * 6
    assert health == 200
    # Just under the size: read, and refused for its token as any other.
    assert asyncio.run(init_closes(server, settings.ws_max_bytes - 100))[0] == 4403


def test_a_socket_without_connection_init_is_closed_within_seconds(server: str) -> None:
    async def run() -> tuple[int | None, str]:
        async with websockets.connect(ws_url(server), subprotocols=[PROTOCOL]) as ws:
            return await closing(ws, timeout=15)

    assert asyncio.run(run())[0] == 4408


def test_an_unreadable_message_closes_the_socket_with_4400_and_logs_no_error(
    server: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    nested = "[" * 20_000 + "]" * 20_000
    long_number = '{"type": "ping", "n": ' + "7" * 5_000 + "}"

    async def run(text: str) -> tuple[int | None, str]:
        async with connected(server, approver(settings)) as ws:
            await ws.send(text)
            return await closing(ws)

    deep = asyncio.run(run(nested))
    number = asyncio.run(run(long_number))
    assert deep == (4400, "the message cannot be read: the JSON body is nested too deeply")
    assert number[0] == 4400 and "4,300 digits" in number[1]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_document_over_the_limits_gets_an_error_message_with_its_code(
    server: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    padded = "subscription { events { id } }" + " " * settings.graphql_max_chars

    async def run() -> tuple[list[dict[str, Any]], Any]:
        async with connected(server, approver(settings)) as ws:
            await subscribe(ws, op="long", query=padded)
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            await subscribe(ws, op="next", query=TYPENAME)  # the socket goes on
            return [message], await collect(ws, op="next")

    (message,), after = asyncio.run(run())
    assert message["type"] == "error" and message["id"] == "long"
    assert message["payload"][0]["extensions"]["code"] == "QUERY_TOO_LONG"
    assert after.completed and not after.errors
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_one_user_holds_at_most_stream_max_per_user_streams(
    server: str, settings: Settings, container: Container
) -> None:
    container.settings = container.settings.model_copy(update={"stream_max_per_user": 2})
    other = bearer(token(settings, "supervisor", "supervisor-1"))

    async def run() -> Any:
        async with connected(server, approver(settings)) as ws:
            for op in ("1", "2"):
                await subscribe(ws, op=op)
            await asyncio.to_thread(until, lambda: len(container.hub.subscribers) == 2, "live")
            await subscribe(ws, op="3")
            refused = await collect(ws, op="3")
            async with connected(server, other) as ws2:  # another user still gets one
                await subscribe(ws2, op="a")
                await asyncio.to_thread(
                    until, lambda: len(container.hub.subscribers) == 3, "the other's"
                )
            await ws.send(json.dumps({"id": "1", "type": "complete"}))
            await asyncio.to_thread(until, lambda: len(container.hub.subscribers) == 1, "ended")
            await subscribe(ws, op="4")
            await asyncio.to_thread(until, lambda: len(container.hub.subscribers) == 2, "again")
            return refused  # and its slot came back when one of its own ended

    refused = asyncio.run(run())
    assert codes(refused) == ["streams_full_for_user"] and refused.completed
    assert "at most 2 streams" in refused.errors[0]["message"]


def test_sockets_awaiting_their_connection_init_are_capped(
    server: str, settings: Settings, container: Container
) -> None:
    container.settings = container.settings.model_copy(update={"ws_max_unauthenticated": 2})
    init = json.dumps({"type": "connection_init", "payload": approver(settings)})

    async def run() -> tuple[Any, Any]:
        url, protocols = ws_url(server), [PROTOCOL]
        async with (
            websockets.connect(url, subprotocols=protocols) as first,
            websockets.connect(url, subprotocols=protocols),  # waits on beside the others
        ):
            async with websockets.connect(url, subprotocols=protocols) as third:
                refused = await closing(third)
            await first.send(init)  # authenticated: its slot is free again
            ack = json.loads(await asyncio.wait_for(first.recv(), 10))
            assert ack["type"] == "connection_ack"
            async with connected(server, approver(settings)) as later:
                await subscribe(later, query=TYPENAME)
                return refused, await collect(later)

    refused, answered = asyncio.run(run())
    assert refused == (1013, "too many sockets await their connection_init")
    assert answered.completed and not answered.errors
