"""The events subscription under load: many subscribers, and subscribers that stop reading."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from graphql_ws import (
    Stream,
    bearer,
    codes,
    collect,
    connected,
    reaches,
    stalled_socket,
    subscribe,
    token,
)
from stream_support import commit_cases, commit_large_cases, log_positions, until

from api.container import Container, build
from api.settings import Settings
from api.streams.counters import disconnect_counts
from domain.ledger import Ledger
from tests.e2e.conftest import serving
from tests.helpers import ADMIN, PARAMETERS

pytestmark = pytest.mark.e2e
SUBSCRIBERS = 200


def payload(settings: Settings, user: str) -> dict[str, Any]:
    return bearer(token(settings, "supervisor", user))


def test_two_hundred_concurrent_subscribers_each_receive_every_event(
    server: str, settings: Settings, ledger: Ledger, container: Container
) -> None:
    start = container.hub.head

    async def one(n: int, subscribed: asyncio.Queue[int], head: asyncio.Future[int]) -> list[int]:
        async with connected(server, payload(settings, f"subscriber-{n}")) as ws:
            await subscribe(ws, after=start)
            subscribed.put_nowait(n)
            return (await collect(ws, reaches(await head), timeout=60)).positions

    async def run() -> list[list[int]]:
        subscribed: asyncio.Queue[int] = asyncio.Queue()
        head: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        tasks = [asyncio.create_task(one(n, subscribed, head)) for n in range(SUBSCRIBERS)]
        for _ in range(SUBSCRIBERS):
            await asyncio.wait_for(subscribed.get(), 60)
        await asyncio.to_thread(
            until, lambda: len(container.hub.subscribers) == SUBSCRIBERS, "all are live"
        )
        await asyncio.to_thread(commit_cases, ledger, 10)  # while all of them are live
        head.set_result(log_positions(ledger)[-1])
        return await asyncio.gather(*tasks)

    began = time.monotonic()
    received = asyncio.run(run())
    expected = log_positions(ledger, after=start)
    assert len(expected) == 30
    assert all(positions == expected for positions in received)
    print(f"{SUBSCRIBERS} subscribers x {len(expected)} events in {time.monotonic() - began:.1f} s")


@pytest.fixture
def tight(settings: Settings) -> Iterator[tuple[str, Container]]:
    """A server whose sends time out after half a second, on a slow network (small kernel
    send buffers: a subscriber that stops reading stalls the server's sends after ~40 KB)."""
    with served(settings, send_buffer=4096, stream_send_timeout_seconds=0.5) as found:
        yield found


@pytest.fixture
def small_window(settings: Settings) -> Iterator[tuple[str, Container]]:
    """A server that keeps only the last 100 events for live subscribers."""
    with served(settings, send_buffer=4096, stream_window=100) as found:
        yield found


class served:
    def __init__(self, settings: Settings, send_buffer: int | None = None, **changes: Any):
        self.send_buffer = send_buffer
        self.container = build(settings.model_copy(update=changes))
        for name, value, start in PARAMETERS:
            self.container.ledger.set_parameter(name, value, start, "test", ADMIN, "2023-01-01")

    def __enter__(self) -> tuple[str, Container]:
        self._serving = serving(self.container, self.send_buffer)
        return self._serving.__enter__(), self.container

    def __exit__(self, *exc: object) -> None:
        try:
            self._serving.__exit__(*exc)
        finally:
            self.container.close()


def test_a_stalled_subscriber_is_dropped_at_the_send_timeout_while_another_keeps_pace(
    tight: tuple[str, Container], settings: Settings
) -> None:
    base, container = tight
    ledger = container.ledger
    before = disconnect_counts().get(("subscription", "send_timeout"), 0)

    def dropped() -> bool:
        return disconnect_counts().get(("subscription", "send_timeout"), 0) > before

    async def run() -> tuple[Stream, BaseException | None]:
        stall = stalled_socket(base)
        async with (
            connected(
                base, payload(settings, "stalled"), sock=stall, max_queue=1, compression=None
            ) as stalled,
            connected(base, payload(settings, "reader")) as reader,
        ):
            start = container.hub.head
            await subscribe(stalled, after=start)
            await subscribe(reader, after=start)
            kept = Stream()
            reading = asyncio.create_task(collect(reader, lambda s: False, timeout=120, into=kept))
            for _ in range(60):  # 2.4 MB at most; the buffers are full after one
                await asyncio.to_thread(commit_large_cases, ledger, 1)
                if dropped():
                    break
            assert dropped(), "the stalled subscriber was never dropped"
            until(lambda: len(container.hub.subscribers) == 1, "the stalled one is unregistered")
            head = log_positions(ledger)[-1]
            await asyncio.to_thread(
                until,
                lambda: bool(kept.events) and kept.positions[-1] >= head,
                "the reader kept pace",
                30,
            )
            reading.cancel()
            try:  # what the kernel held is read, then the connection is gone
                while True:
                    await asyncio.wait_for(stalled.recv(), 10)
            except websockets.ConnectionClosed as e:
                return kept, e
            return kept, None

    kept, closed = asyncio.run(run())
    assert kept.positions == log_positions(ledger, after=kept.positions[0] - 1)
    assert closed is not None


def test_a_subscriber_that_fell_behind_the_window_is_told_where_to_resume_and_loses_nothing(
    small_window: tuple[str, Container], settings: Settings
) -> None:
    base, container = small_window
    ledger, hub = container.ledger, container.hub
    before = disconnect_counts().get(("subscription", "fell_behind"), 0)

    async def run() -> tuple[Stream, Stream]:
        stall = stalled_socket(base)
        async with connected(
            base, payload(settings, "slow"), sock=stall, max_queue=1, compression=None
        ) as ws:
            start = hub.head
            await subscribe(ws, after=start)
            await asyncio.to_thread(until, lambda: len(hub.subscribers) == 1, "it is live")
            (state,) = hub.subscribers.values()
            # It stops reading: its sends wait (30 s allowed) once the server's buffers hold
            # ~100 KB, while the log moves on past the window of 100 events kept for live
            # subscribers (and past the batch it was sending when it stalled).
            await asyncio.to_thread(commit_large_cases, ledger, 5)  # 405 events, ~200 KB
            assert hub.since(state.position, 1) is None, "it never fell out of the window"
            first = await collect(ws, timeout=30)  # reads again: what was sent, then the end
            assert codes(first) == ["fell_behind"], first.errors
            resume = first.errors[0]["extensions"]["position"]
            await subscribe(ws, op="2", after=resume)
            rest = await collect(ws, reaches(log_positions(ledger)[-1]), op="2", timeout=30)
            return first, rest

    first, rest = asyncio.run(run())
    assert first.completed and first.events  # it had been live, and sent what it could
    assert rest.positions[0] > first.positions[-1]
    positions = first.positions + rest.positions
    assert positions == log_positions(ledger, after=positions[0] - 1)  # nothing lost, in order
    assert disconnect_counts()[("subscription", "fell_behind")] == before + 1
