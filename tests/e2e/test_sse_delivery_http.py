"""Server-sent events under load and faults: 200 subscribers, a stalled one, a held-open
commit, a killed LISTEN connection (real uvicorn server; PostgreSQL where it applies)."""

from __future__ import annotations

import asyncio
import json
import socket
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from builders import WORKER, application
from conftest import client_for, serving
from held_commit import HeldCommit
from stream_support import (
    POSTGRES_ONLY,
    KeepWriting,
    SseReader,
    commit_cases,
    log_positions,
    until,
)

from api.auth import issue_token
from api.container import Container
from api.settings import Settings
from api.streams.counters import disconnect_counts
from domain.ledger import Ledger
from projections.feed.notify import APPLICATION_NAME

pytestmark = pytest.mark.e2e


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"stream_keepalive_seconds": 0.5, "stream_send_timeout_seconds": 1.0,
                "stream_window": 2000, "stream_max_per_user": 1000},  # one user, many streams
    )  # fmt: skip


def token(settings: Settings, user: str = "approver-1") -> str:
    return issue_token(settings.jwt_secret.get_secret_value(), user, "approver", None, 1)


def sse_subscribers(container: Container) -> int:
    return sum(1 for s in list(container.hub.subscribers.values()) if s.kind == "sse")


async def read_until(client: httpx.AsyncClient, target: list[int]) -> list[int]:
    """One subscriber's positions, until its last event id reaches `target[0]` (set later)."""
    positions: list[int] = []
    last = 0
    async with client.stream("GET", "/api/v1/events/stream") as answer:
        assert answer.status_code == 200
        async for line in answer.aiter_lines():  # pings come twice a second
            if line.startswith("data: "):
                positions.append(json.loads(line[6:])["position"])
            elif line.startswith("id: "):
                last = int(line[4:])
            elif line.startswith("event: disconnect"):
                raise AssertionError("disconnected")
            if not line and target and last >= target[0]:  # at the end of a block
                return positions
    raise AssertionError("the stream ended")


def test_two_hundred_subscribers_each_receive_every_event(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    commit_cases(ledger, 5)  # replayed by each, then live

    target: list[int] = []  # the last position written, once it is

    async def run() -> list[list[int]]:
        headers = {"Authorization": f"Bearer {token(settings)}"}
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server, headers=headers, limits=limits,
                                     timeout=30) as client:  # fmt: skip
            tasks = [asyncio.create_task(read_until(client, target)) for _ in range(200)]
            deadline = asyncio.get_running_loop().time() + 20
            while sse_subscribers(container) < 200:
                assert asyncio.get_running_loop().time() < deadline, sse_subscribers(container)
                await asyncio.sleep(0.05)
            written = await asyncio.to_thread(commit_cases, ledger, 20)
            target.append(written[-1])
            _, pending = await asyncio.wait(tasks, timeout=45)
            states = sorted(s.position for s in container.hub.subscribers.values())
            assert not pending, (len(pending), target, container.hub.head, states[:5], states[-5:])
            return [t.result() for t in tasks]

    received = asyncio.run(run())
    everything = log_positions(ledger)
    for positions in received:  # each once, in order, up to the last one written at least
        assert target[0] in positions and positions == everything[: len(positions)]


def test_a_stalled_subscriber_is_cut_off_while_others_keep_pace(
    settings: Settings, ledger: Ledger, container: Container
) -> None:
    with serving(container, send_buffer=8192) as server:  # a small kernel buffer, soon full
        stalled_and_three_readers(server, settings, ledger, container)


def stalled_and_three_readers(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    before = disconnect_counts().get(("sse", "send_timeout"), 0)
    address = urlsplit(server)
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
    stalled.connect((address.hostname, address.port))
    stalled.sendall(
        f"GET /api/v1/events/stream HTTP/1.1\r\nHost: {address.netloc}\r\n"
        f"Authorization: Bearer {token(settings, 'stalled')}\r\n\r\n".encode()
    )
    assert stalled.recv(64).startswith(b"HTTP/1.1 200")  # and then it reads no more
    others = [SseReader(client_for(server, settings, "approver", f"a-{i}")) for i in range(3)]
    for reader in others:
        reader.__enter__()
    try:
        until(lambda: sse_subscribers(container) == 4, "four streams are open")
        with KeepWriting(ledger, 150) as writer:
            until(lambda: disconnect_counts().get(("sse", "send_timeout"), 0) > before,
                  "the stalled subscriber is cut off", timeout=30)  # fmt: skip
        until(lambda: sse_subscribers(container) == 3, "only the three readers remain")
        last = writer.positions[-1]
        for reader in others:
            reader.wait_for_position(last)
            assert reader.positions == log_positions(ledger, 0, reader.positions[-1])
            assert not [r for r in reader.records if r.event == "disconnect"]
        # The stalled one's connection is closed: what was buffered, then the end of the stream.
        stalled.settimeout(10)
        tail = b""
        while chunk := stalled.recv(65536):
            tail = chunk
        assert not tail.endswith(b"0\r\n\r\n")  # cut, not a completed response
    finally:
        for reader in others:
            reader.__exit__()
        stalled.close()


@POSTGRES_ONLY
def test_a_held_open_commit_holds_the_stream_back_and_nothing_is_skipped(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    commit_cases(ledger, 3)
    head = log_positions(ledger)[-1]
    with SseReader(client_for(server, settings, "approver", "approver-1")) as s:
        s.wait_for_position(head)
        with HeldCommit(settings.database_url) as held:
            taken = held.start(lambda: ledger.submit_application(application(), WORKER))
            held.queue(3, lambda: ledger.submit_application(application(), WORKER))
            pings = len([r for r in s.records if r.comment == "ping"])
            until(lambda: len([r for r in s.records if r.comment == "ping"]) >= pings + 3,
                  "three more pings while the commit is held")  # fmt: skip
            assert s.last_id == head and max(s.positions) == head  # nothing past the held one
        final = log_positions(ledger)[-1]
        s.wait_for_position(final)
    assert taken > head
    assert s.positions == log_positions(ledger, 0, final)


@POSTGRES_ONLY
def test_a_killed_listen_connection_delays_nothing_for_long(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    listener = container.runner.listener
    assert listener is not None
    until(lambda: listener.connections >= 1, "the LISTEN connection is up")
    connections = listener.connections
    with SseReader(client_for(server, settings, "approver", "approver-1")) as s:
        s.wait_for_position(commit_cases(ledger, 2)[-1])
        with psycopg.connect(settings.database_url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = %s AND datname = current_database()",
                (APPLICATION_NAME,),
            ).fetchone()
        assert killed and killed[0] >= 1
        last = commit_cases(ledger, 5)[-1]  # committed while LISTEN is down or coming back
        s.wait_for_position(last, timeout=10)
    until(lambda: listener.connections > connections, "LISTEN is back")
    assert last in s.positions and s.positions == log_positions(ledger, 0, s.positions[-1])
