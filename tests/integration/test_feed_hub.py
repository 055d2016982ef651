"""The hub (projections/feed/hub.py): its window and trim, `since` before and after the window,
waking by the in-process signal and by PostgreSQL NOTIFY, and waiters on a closed event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from builders import WORKER, application

from api.container import Container
from domain.ledger import Ledger
from projections.feed.hub import Hub
from projections.feed.notify import NotifyListener
from projections.feed.reader import EVERYTHING, LogReader, Selection
from tests.stream_support import until

SUBMITTED = "AssistanceCase.ApplicationSubmitted"


@pytest.fixture
def hub(ledger: Ledger) -> Iterator[Hub]:
    """A hub that polls rarely: it reads what is committed only when woken."""
    hub = Hub(LogReader(ledger), window=4, poll_interval=60)
    ledger.listeners.append(hub.wake)
    try:
        yield hub
    finally:
        ledger.listeners.remove(hub.wake)
        hub.stop()


def submit(ledger: Ledger) -> int:
    ledger.submit_application(application(), WORKER)
    return ledger.latest_position()


def read_up_to(hub: Hub, head: int) -> None:
    until(lambda: hub.head >= head, f"the hub read up to {head} (at {hub.head})", 5)


def test_the_window_keeps_the_newest_events_and_since_answers_only_within_it(
    ledger: Ledger, hub: Hub
) -> None:
    assert hub.since(0, 10) is None  # not started: every reader goes to the database
    started_at = submit(ledger)
    hub.start()
    assert hub.head == hub.window_after == started_at
    hub.register("sse", "worker", started_at)  # someone follows: the hub keeps a window
    for _ in range(2):  # the second commit is read because it woke the hub (it polls hourly)
        read_up_to(hub, submit(ledger))
    head = hub.head
    events = LogReader(ledger).read(0, 1000).events
    newest = [e.position for e in events if e.position > hub.window_after]
    assert 4 <= len(newest) <= 5  # trimmed to `window` once a quarter more had come in
    assert hub.window_after > started_at  # trimmed: older events are the database's now
    assert hub.since(hub.window_after - 1, 10) is None  # older than the window
    whole = hub.since(hub.window_after, 10)
    assert whole is not None and [e.position for e in whole.events] == newest
    assert whole.scanned_to == head and whole.at_head
    first = hub.since(hub.window_after, 1)
    assert first is not None and [e.position for e in first.events] == newest[:1]
    assert first.scanned_to == newest[0] and not first.at_head
    at_head = hub.since(head, 10)
    assert at_head is not None and at_head.events == [] and at_head.scanned_to == head
    narrow = hub.since(hub.window_after, 10, Selection(frozenset({SUBMITTED})))
    assert narrow is not None and narrow.scanned_to == head
    assert [e.position for e in narrow.events] == [
        e.position for e in events if e.position > hub.window_after and e.type.name == SUBMITTED
    ]
    # The same FeedEvent objects as the window's, decoded once for every subscriber.
    assert whole.events[0] is hub.since(hub.window_after, 1).events[0]  # type: ignore[union-attr]

    hub.stop()  # started again: events committed meanwhile are not taken for the window's
    submit(ledger)
    hub.start()
    assert hub.since(head, 10) is None and hub.window_after == ledger.latest_position()


def test_a_waiter_whose_event_loop_closed_does_not_hold_back_the_others(
    ledger: Ledger, hub: Hub
) -> None:
    hub.start()
    head = hub.head
    gone = asyncio.new_event_loop()
    stranded = gone.create_task(hub.wait_beyond(head, 60))
    stranded._log_destroy_pending = False  # type: ignore[attr-defined]  # as intended
    gone.run_until_complete(asyncio.sleep(0.05))  # it waits now
    gone.close()  # ... on a loop that is closed, the task never cancelled

    assert asyncio.run(hub.wait_beyond(head, 0.05)) is False  # idle: times out
    assert len(hub._waiters) == 1  # ... and leaves no waiter behind (only the stranded one)
    woken: list[bool] = []
    other = threading.Thread(target=lambda: woken.append(asyncio.run(hub.wait_beyond(head, 30))))
    other.start()
    until(lambda: len(hub._waiters) == 2, "the second subscriber waits")
    submit(ledger)
    other.join(timeout=10)
    assert woken == [True]
    assert hub.error is None and hub.head == ledger.latest_position()
    assert hub._waiters == []  # none left behind by the waiter that timed out


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_notify_wakes_the_hub(ledger: Ledger, container: Container, backend: str) -> None:
    channel = getattr(ledger.recorder, "channel_name", "ledger_events")
    listener = NotifyListener(container.db.url.conninfo, channel, retry_seconds=0.2)
    hub = Hub(LogReader(ledger), window=100, poll_interval=60, listener=listener)
    hub.start()
    hub.register("sse", "worker", hub.head)
    try:
        until(lambda: listener.connections >= 1, "the listener connected")
        for _ in range(2):  # no in-process signal: only NOTIFY wakes it before the hour is up
            read_up_to(hub, submit(ledger))
        assert hub.since(0, 10) is None
        page = hub.since(hub.window_after, 100, EVERYTHING)
        assert page is not None and page.events[-1].position == ledger.latest_position()
    finally:
        hub.stop()
        listener.stop()
