"""How the hub and a subscription meet a store that fails: on the in-memory ledger, its
recorder made to fail as a lost PostgreSQL connection does (the library's OperationalError)
or as a bug does, for a number of reads."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from builders import WORKER, application
from eventsourcing.persistence import OperationalError

from domain.ledger import Ledger
from projections.feed.hub import Hub
from projections.feed.reader import EVERYTHING, LogReader
from projections.feed.subscription import (
    READ_FAILED,
    Delivery,
    Disconnect,
    Item,
    KeepAlive,
    Subscription,
)


class Failing:
    """The recorder's `select_notifications`, failing `times` times with `error` first."""

    def __init__(self, ledger: Ledger, times: int, error: Callable[[], Exception]):
        self.read = ledger.recorder.select_notifications
        self.times, self.error, self.calls = times, error, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls <= self.times:
            raise self.error()
        return self.read(*args, **kwargs)


def lost() -> Exception:
    return OperationalError("server closed the connection unexpectedly")


def subscription(ledger: Ledger, hub: Hub | None = None) -> Subscription:
    hub = hub or Hub(LogReader(ledger), window=100, poll_interval=0.01)  # not started: replays
    return Subscription(hub, EVERYTHING, 0, kind="test", user="t", keepalive=5.0)


async def until_delivery(items: Any) -> list[Item]:
    got: list[Item] = []
    async with asyncio.timeout(10):
        async for item in items:
            got.append(item)
            if isinstance(item, Delivery | Disconnect):
                break
    await items.aclose()
    return got


def test_a_replay_read_that_fails_transiently_is_retried_with_keep_alives(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.submit_application(application(), WORKER)
    failing = Failing(ledger, 3, lost)
    monkeypatch.setattr(ledger.recorder, "select_notifications", failing)
    got = asyncio.run(until_delivery(subscription(ledger).items()))
    assert [type(i) for i in got] == [KeepAlive] * 3 + [Delivery]  # a beat per failed attempt
    assert all(i.scanned_to == 0 for i in got[:3])  # it stays where it was
    delivered = got[-1]
    assert isinstance(delivered, Delivery)
    assert [e.position for e in delivered.events] == list(range(1, ledger.latest_position() + 1))


def test_a_replay_read_that_cannot_succeed_ends_with_a_disconnect(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        ledger.recorder, "select_notifications", Failing(ledger, 99, lambda: KeyError("bug"))
    )
    got = asyncio.run(until_delivery(subscription(ledger).items()))
    assert len(got) == 1 and isinstance(got[0], Disconnect)
    assert got[0].code == READ_FAILED and got[0].position == 0 and "after=0" in got[0].reason


def test_the_hub_backs_off_while_the_store_fails_says_why_and_goes_on_after(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = Hub(LogReader(ledger), window=100, poll_interval=0.02)
    hub.start()
    hub.register("sse", "worker", hub.head)  # someone follows: the hub reads the events
    try:
        failing = Failing(ledger, 10**6, lost)
        monkeypatch.setattr(ledger.recorder, "select_notifications", failing)
        ledger.submit_application(application(), WORKER)
        hub.wake()
        time.sleep(1.0)
        assert hub.error is not None and "OperationalError" in hub.error
        assert failing.calls <= 12  # backing off (0.04 s, 0.08 s, ... at most 10 s), no spin
        failing.times = 0  # the store is back
        hub.wake()
        deadline = time.monotonic() + 10
        while hub.head < ledger.latest_position():
            assert time.monotonic() < deadline, "the hub did not go on"
            time.sleep(0.02)
        assert hub.error is None
    finally:
        hub.stop()
