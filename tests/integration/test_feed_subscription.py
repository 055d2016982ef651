"""A subscriber's way through the log (projections/feed/subscription.py), with the hub as the
API process runs it: replay then live while commits go on, resuming, falling behind, slow
consumers, keep-alives, and an event that cannot be read; on both backends."""

from __future__ import annotations

import asyncio
import threading
import time
from uuid import uuid4

import pytest
from builders import WORKER, application
from eventsourcing.persistence import StoredEvent

from api.container import Container
from domain.ledger import Ledger
from projections.feed.reader import EVERYTHING, LogReader, Page, Selection
from projections.feed.subscription import (
    FELL_BEHIND,
    READ_FAILED,
    Delivery,
    Disconnect,
    KeepAlive,
    Subscription,
)
from tests.stream_support import KeepWriting, log_positions, subscribe, until

SUBMITTED = "AssistanceCase.ApplicationSubmitted"


def test_replay_then_live_every_position_once_in_order_and_slow_ones_hold_back_no_one(
    ledger: Ledger, container: Container
) -> None:
    for _ in range(3):
        ledger.submit_application(application(), WORKER)
    hub = container.hub
    hub.start()
    everyone = subscribe(hub, 0)
    narrow = subscribe(hub, 0, Selection(frozenset({SUBMITTED})))
    slow = subscribe(hub, 0)
    slow.pause.clear()  # takes its first batch, then nothing
    with everyone, narrow, slow:
        with KeepWriting(ledger, 3), KeepWriting(ledger, 3):
            pass  # two threads commit while the three subscribe
        head = ledger.latest_position()
        everything = [e for e in LogReader(ledger).read(0, 10_000).events]
        submitted = [e.position for e in everything if e.type.name == SUBMITTED]
        assert everyone.wait_for_position(head) == [e.position for e in everything]
        assert narrow.wait_for_position(submitted[-1]) == submitted
        assert everyone.subscription.live and narrow.subscription.live
        assert hub.head == head  # the slow one held back neither the hub nor the others
        assert 0 < len(slow.positions()) <= 7
        assert {s.kind for s in hub.subscribers.values()} == {"test"}
        slow.pause.set()
        assert slow.wait_for_position(head) == [e.position for e in everything]
    until(lambda: hub.subscribers == {}, "the subscribers unregistered")

    for index in (0, 5, len(everything) - 2):  # resume exactly after a position
        resumed = subscribe(hub, everything[index].position)
        with resumed:
            got = resumed.wait_for_position(head)
        assert got == [e.position for e in everything[index + 1 :]]


def test_with_no_subscriber_the_hub_reads_no_event_yet_its_head_moves_and_none_is_missed(
    ledger: Ledger, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = container.hub
    reads: list[int] = []  # the pages the hub's own thread read (not the subscribers')
    read = hub.reader.read

    def counted(after: int, limit: int, selection: Selection = EVERYTHING) -> Page:
        if threading.current_thread().name == "feed-hub":
            reads.append(after)
        return read(after, limit, selection)

    monkeypatch.setattr(hub.reader, "read", counted)
    hub.start()
    before = hub.head

    def committed() -> int:
        ledger.submit_application(application(), WORKER)
        head = ledger.latest_position()
        until(lambda: hub.head >= head, f"the hub's head moved to {head}")
        return head

    for _ in range(3):
        head = committed()
    assert reads == [] and hub.window_after == hub.head >= head  # it moved; no event was read
    assert hub.since(before, 10) is None  # the emptied window starts at the head

    late = subscribe(hub, before)  # older than the window: it reads the database up to it
    with late:
        with KeepWriting(ledger, 4), KeepWriting(ledger, 4):
            pass  # two threads commit while it catches up and the hub wakes to follow
        head = ledger.latest_position()
        assert late.wait_for_position(head) == log_positions(ledger, before)
        assert late.subscription.live and reads  # it was followed live, from the window
    until(lambda: hub.subscribers == {}, "the subscriber left")

    committed()  # a read begun before it left may still end; after this one, none begins
    idle = len(reads)
    committed()
    assert len(reads) == idle and hub.since(hub.head, 10) is not None


def test_a_live_subscriber_too_far_behind_is_told_where_to_resume(
    ledger: Ledger, container: Container
) -> None:
    hub = container.hub
    hub.start()
    start = hub.head

    async def fall_behind() -> Disconnect:
        subscription = Subscription(
            hub, EVERYTHING, start, kind="test", user="t", keepalive=0.2, max_lag=2
        )
        items = subscription.items()
        idle = await items.__anext__()  # at the head, nothing happens: a keep-alive
        assert isinstance(idle, KeepAlive) and idle.scanned_to == start and subscription.live
        for _ in range(2):
            ledger.submit_application(application(), WORKER)
        head = ledger.latest_position()
        await asyncio.to_thread(until, lambda: hub.head == head, "the hub read them")
        gone = await items.__anext__()
        assert isinstance(gone, Disconnect)
        with pytest.raises(StopAsyncIteration):
            await items.__anext__()
        return gone

    gone = asyncio.run(fall_behind())
    assert gone.code == FELL_BEHIND and gone.position == start
    assert f"after={start}" in gone.reason and hub.subscribers == {}

    # Resumed from there, further behind than max_lag, it catches up: it was not live yet.
    catching_up = subscribe(hub, gone.position, max_lag=2, batch=1)
    with catching_up:
        got = catching_up.wait_for_position(ledger.latest_position())
        assert catching_up.disconnect() is None
    assert got == [e.position for e in LogReader(ledger).read(start, 1000).events]


def test_keep_alives_while_idle_and_while_nothing_matches(
    ledger: Ledger, container: Container
) -> None:
    hub = container.hub
    hub.start()
    nobody = subscribe(hub, 0, Selection(aggregate_ids=frozenset({uuid4()})))
    with nobody:
        until(lambda: nobody.keepalives() >= 1, "an idle keep-alive", 5)
        before = nobody.keepalives()
        stop_at, commits = time.monotonic() + 1.5, 0
        while time.monotonic() < stop_at or commits < 3:  # they wake it; none matches its filter
            ledger.submit_application(application(), WORKER)
            commits += 1
            time.sleep(0.02)  # a steady trickle, more often than the keep-alive interval
        assert nobody.keepalives() > before  # beats amid the traffic, not only after it
        assert nobody.positions() == [] and nobody.subscription.live
    assert all(i.scanned_to <= hub.head for i in nobody.snapshot() if isinstance(i, KeepAlive))


def poison(ledger: Ledger) -> int:
    """Store an event no class of the ledger decodes; the last position before it."""
    before = ledger.latest_position()
    ledger.recorder.insert_events(
        [StoredEvent(uuid4(), 1, "domain.nowhere:Nothing.Happened", b"{}")]
    )
    return before


def test_an_event_that_cannot_be_read_is_never_skipped_nor_met_in_silence(
    ledger: Ledger, container: Container
) -> None:
    before = poison(ledger)
    ledger.submit_application(application(), WORKER)
    hub = container.hub
    hub.start()  # after it: the hub never meets it
    live = subscribe(hub, hub.head)
    with live:
        until(lambda: live.keepalives() >= 1, "the live subscriber is idle")
        replay = subscribe(hub, 0, batch=1000)
        with replay:
            until(lambda: replay.ended, "the replay ended")
        gone = replay.disconnect()  # what came before it, then where it stopped
        assert gone is not None and gone.code == READ_FAILED and gone.position == before
        assert f"after={before}" in gone.reason
        assert replay.positions() == [
            e.position for e in LogReader(ledger).read(0, 1000).events if e.position <= before
        ]
        assert isinstance(replay.snapshot()[0], Delivery)

        head = ledger.submit_application(application(), WORKER).position
        assert live.wait_for_position(head)[-1] >= head  # the live one goes on meanwhile
        stuck_at = poison(ledger)  # one at the head: the hub stops before it, and says why
        until(lambda: hub.error is not None and "TopicError" in hub.error, "the hub's error")
        assert hub.head == stuck_at
        ticks = live.keepalives()
        until(lambda: live.keepalives() > ticks, "the live one still hears a beat")
        assert not live.ended and live.positions()[-1] <= stuck_at
