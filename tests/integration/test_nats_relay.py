"""`ledger relay` against a real NATS JetStream, on both backends: every event exactly once,
in position order, with its subject and headers; after kill -9 at random moments; after a
crash between the broker's acknowledgement and the position row; a purged stream refused;
two relays at once never interleave."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from builders import WORKER, application, new_id_number
from fastapi.testclient import TestClient

from api.app import create_app
from api.container import Container
from api.settings import Settings
from api.streams import relay_command, relay_position
from api.streams.relay_nats import Relay, RelayOptions, RelayRefused
from api.streams.relay_position import RelayPosition
from domain.ledger import Ledger
from projections.feed.envelope import source_of
from projections.feed.notify import NotifyListener
from projections.feed.reader import EVERYTHING, FeedEvent, LogReader
from tests.nats_support import (
    add_stream,
    delete_stream,
    nats_server_binary,
    nats_url,  # noqa: F401 - the session fixture
    purge_stream,
    stream_last_sequence,
    stream_messages,
    throwaway_nats,
)
from tests.stream_support import free_port

pytestmark = pytest.mark.nats
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A district of its own: the stream and its subjects are this test's alone."""
    return settings.model_copy(update={"district": f"9{uuid.uuid4().int % 10**7:07d}"})


@pytest.fixture
def stream(settings: Settings, nats_url: str) -> Iterator[str]:  # noqa: F811
    name = f"CASELEDGER_{settings.district}"
    yield name
    delete_stream(nats_url, name)


def commit(ledger: Ledger, applications: int) -> None:
    for _ in range(applications):
        ledger.submit_application(application(), WORKER)


def every_event(ledger: Ledger) -> list[FeedEvent]:
    reader, found, after = LogReader(ledger), [], 0
    while True:
        page = reader.read(after, 500, EVERYTHING)
        found += page.events
        after = page.scanned_to
        if page.at_head:
            return found


def relay_for(container: Container, url: str, **options: object) -> Relay:
    options = {"poll_interval": 0.05, **options}
    chosen = RelayOptions(url, container.settings.district, **options)  # type: ignore[arg-type]
    return Relay(
        chosen, LogReader(container.ledger), container.db, source_of(container.settings.origin)
    )


@contextmanager
def running(relay: Relay, listener: NotifyListener | None = None) -> Iterator[None]:
    """`relay_command.run` in a thread of its own while the block runs."""
    stop = threading.Event()

    async def main() -> None:
        halt = asyncio.Event()
        task = asyncio.create_task(relay_command.run(relay, halt, listener))
        while not stop.is_set() and not task.done():
            await asyncio.sleep(0.02)
        halt.set()
        await task

    thread = threading.Thread(target=asyncio.run, args=(main(),))
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=15)


def wait_for_head(relay: Relay, ledger: Ledger, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while relay.at.position < ledger.latest_position():
        assert time.monotonic() < deadline, f"the relay did not reach the head in {seconds} s"
        time.sleep(0.05)


async def drain(relay: Relay) -> None:
    """Connect, reconcile and publish up to the head."""
    if relay.js is None:
        await relay.connect()
        await relay.reconcile()
    while relay.at.position < relay.reader.head():
        await relay.step()


def publish_all(relay: Relay) -> None:
    async def run() -> None:
        try:
            await drain(relay)
        finally:
            await relay.close_quietly()

    asyncio.run(run())


def assert_exactly_once_in_order(url: str, stream: str, ledger: Ledger, district: str) -> None:
    events = every_event(ledger)
    messages = stream_messages(url, stream)
    assert [m.sequence for m in messages] == list(range(1, len(events) + 1))
    assert [m.headers["Ledger-Position"] for m in messages] == [str(e.position) for e in events]
    for message, event in zip(messages, events, strict=True):
        assert message.headers["Nats-Msg-Id"] == event.id == message.data["id"]
        assert message.subject == f"caseledger.{district}.{event.type.area}.{event.type.name}"
        assert message.data["position"] == event.position
        assert message.data["type"] == event.type.name


def test_nats_relay_publishes_every_event_once_in_order_live_and_masked(
    container: Container,
    stream: str,
    nats_url: str,  # noqa: F811
) -> None:
    ledger = container.ledger
    commit(ledger, 5)  # before the relay starts: replayed
    # Polling only every 30 s: what is committed later arrives only if the relay is woken,
    # by PostgreSQL NOTIFY (the runner's listener) or, on SQLite, by the in-process commit.
    relay = relay_for(container, nats_url, batch=3, poll_interval=30.0)  # several batches
    listener = container.runner.listener
    if listener is None:
        ledger.listeners.append(relay.wake)
    with running(relay, listener):
        for _ in range(2):
            wait_for_head(relay, ledger)
            time.sleep(0.3)  # it waits now
            commit(ledger, 5)  # woken: published live, well before it would poll
        wait_for_head(relay, ledger)
    district = container.settings.district
    assert_exactly_once_in_order(nats_url, stream, ledger, district)
    messages = stream_messages(nats_url, stream)
    first = messages[0]
    assert first.subject == f"caseledger.{district}.assistance.AssistanceCase.ApplicationSubmitted"
    assert first.headers["Nats-Expected-Last-Sequence"] == "0"
    assert messages[3].headers["Nats-Expected-Last-Sequence"] == "3"
    assert first.data["specversion"] == "1.0" and first.data["source"].startswith("urn:")
    assert "测试甲" not in str([m.data for m in messages])  # masked: no name in the stream
    head = ledger.latest_position()
    stored = relay_position.load(container.db, stream)
    assert stored == RelayPosition(head, len(messages))
    commit(ledger, 1)  # not yet relayed: /metrics shows the relay behind
    with TestClient(create_app(container=container)) as client:
        metrics = client.get("/metrics").text
    assert f'caseledger_relay_position{{stream="{stream}"}} {head}\n' in metrics
    behind = ledger.latest_position() - head
    assert (
        behind > 0 and f'caseledger_relay_lag_positions{{stream="{stream}"}} {behind}\n' in metrics
    )
    options = relay.options
    status = relay_command.status(container, options)
    at_head = ledger.latest_position()
    assert (
        f"position {head}, stream sequence {len(messages)}, head {at_head}, lag {behind} "
        in status[0]
    )
    assert f"last sequence {len(messages)}" in status[-1]


def test_nats_relay_resumes_without_duplicate_when_the_stream_is_ahead_of_its_row(
    container: Container,
    stream: str,
    nats_url: str,  # noqa: F811
) -> None:
    ledger = container.ledger
    commit(ledger, 4)
    publish_all(relay_for(container, nats_url))
    published = relay_position.load(container.db, stream)
    assert published is not None and published.sequence == len(every_event(ledger))
    # The crash window: published and acknowledged, the row not yet written.
    relay_position.save(container.db, stream, RelayPosition(every_event(ledger)[1].position, 2))
    commit(ledger, 2)
    again = relay_for(container, nats_url)
    publish_all(again)
    assert again.conflicts == 0
    assert_exactly_once_in_order(nats_url, stream, ledger, container.settings.district)
    assert relay_position.load(container.db, stream) == RelayPosition(
        ledger.latest_position(), len(every_event(ledger))
    )


def test_nats_relay_refuses_a_purged_or_deleted_stream_unless_from_start(
    container: Container,
    stream: str,
    nats_url: str,  # noqa: F811
) -> None:
    ledger = container.ledger
    commit(ledger, 3)
    publish_all(relay_for(container, nats_url))
    purge_stream(nats_url, stream)
    with pytest.raises(RelayRefused, match=r"holds no message.*purged or deleted"):
        publish_all(relay_for(container, nats_url))
    # --from-start into the purged stream: the broker's duplicate window still holds the ids.
    with pytest.raises(RelayRefused, match="purged within its duplicate window"):
        publish_all(relay_for(container, nats_url, from_start=True))
    delete_stream(nats_url, stream)
    with pytest.raises(RelayRefused, match="holds no message"):
        publish_all(relay_for(container, nats_url))  # recreated empty, the row still ahead
    publish_all(relay_for(container, nats_url, from_start=True))
    assert_exactly_once_in_order(nats_url, stream, ledger, container.settings.district)


def test_nats_relay_refuses_a_stream_it_cannot_use(
    container: Container,
    stream: str,
    nats_url: str,  # noqa: F811
) -> None:
    district = container.settings.district
    commit(container.ledger, 1)
    add_stream(nats_url, stream, [f"elsewhere.{district}.>"])  # the name taken, other subjects
    with pytest.raises(RelayRefused, match=rf"exists but does not take caseledger\.{district}"):
        publish_all(relay_for(container, nats_url))
    delete_stream(nats_url, stream)
    add_stream(nats_url, stream, [f"caseledger.{district}.>"])  # the subjects taken by another
    try:
        with pytest.raises(RelayRefused, match="NATS refused to create stream OTHER"):
            publish_all(relay_for(container, nats_url, stream=f"OTHER{district}"))
    finally:
        delete_stream(nats_url, stream)
    assert relay_position.rows(container.db) == []


def test_nats_relay_refuses_an_event_larger_than_the_servers_max_payload(
    container: Container,
    stream: str,
) -> None:
    household = [
        {"name": f"测试{i}", "id_number": new_id_number(), "relation": "child", "counted": True}
        for i in range(8)
    ]
    body = application()
    container.ledger.submit_application({**body, "members": body["members"] + household}, WORKER)
    with throwaway_nats(nats_server_binary(), max_payload=1000) as small:
        relay = relay_for(container, small)
        with pytest.raises(RelayRefused, match=r"position 1 is \d+ bytes.*max_payload \(1000\)"):
            publish_all(relay)
        assert relay_position.load(container.db, stream) == RelayPosition(0, 0)


def test_nats_two_relays_cannot_interleave(
    container: Container,
    stream: str,
    nats_url: str,  # noqa: F811
) -> None:
    ledger = container.ledger
    commit(ledger, 4)
    first, second = relay_for(container, nats_url), relay_for(container, nats_url, batch=2)

    async def race() -> None:
        for relay in (first, second):
            await relay.connect()
            await relay.reconcile()  # both start from the same, empty stream
        await drain(first)
        commit(ledger, 2)
        await drain(second)  # its first batch expects sequence 0: refused, it reconciles
        commit(ledger, 3)
        await asyncio.gather(drain(first), drain(second))  # at the same time
        for relay in (first, second):
            await relay.close_quietly()

    asyncio.run(race())
    assert second.conflicts >= 1
    assert_exactly_once_in_order(nats_url, stream, ledger, container.settings.district)
    # A new event (no repeat for the duplicate window to drop) expecting a stale sequence:
    # the broker refuses it (wrong last sequence), the relay reconciles and publishes it next.
    commit(ledger, 1)
    stale = relay_for(container, nats_url)

    async def behind() -> None:
        await stale.connect()
        end = await stale.reconcile()
        stale.at = RelayPosition(end.position, end.sequence - 1)
        await drain(stale)
        await stale.close_quietly()

    asyncio.run(behind())
    assert stale.conflicts == 1
    assert_exactly_once_in_order(nats_url, stream, ledger, container.settings.district)


def test_nats_relay_killed_at_random_moments_publishes_everything_once(
    container: Container,
    settings: Settings,
    stream: str,
    nats_url: str,  # noqa: F811
) -> None:
    ledger, rng = container.ledger, random.Random()
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": settings.database_url,
        "LEDGER_DISTRICT": settings.district, "LEDGER_POLL_INTERVAL": "0.05",
        "LEDGER_LOAD_DEMO_WHEN_EMPTY": "false", "LEDGER_CLOCK": "false",
        "LEDGER_SIGNING_KEY_FILE": str(settings.signing_key_file), "LEDGER_LOG_LEVEL": "WARNING",
    }  # fmt: skip
    command = [sys.executable, "-c", "from api.cli import main; main()", "relay", "--nats",
               nats_url, "--batch", "5"]  # fmt: skip
    committing = threading.Event()
    committing.set()

    def keep_committing() -> None:
        while committing.is_set():
            commit(ledger, 1)
            time.sleep(0.05)

    committer = threading.Thread(target=keep_committing)
    commit(ledger, 10)
    committer.start()
    try:
        for _ in range(5):
            before = stream_last_sequence(nats_url, stream)
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)  # fmt: skip
            deadline = time.monotonic() + 30
            while stream_last_sequence(nats_url, stream) <= before:
                assert process.poll() is None, process.communicate()[1].decode()[-2000:]
                assert time.monotonic() < deadline, "the relay published nothing within 30 s"
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.4))  # somewhere in a batch, or between batches
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
    finally:
        committing.clear()
        committer.join(timeout=30)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)  # fmt: skip
    try:
        commit(ledger, 1)  # one more, so the last relay is seen running when it publishes it
        deadline, head = time.monotonic() + 30, len(every_event(ledger))
        while stream_last_sequence(nats_url, stream) < head:
            assert process.poll() is None, process.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "the relay did not catch up within 30 s"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=20)
    assert process.returncode == 0, errors.decode()[-2000:]
    assert_exactly_once_in_order(nats_url, stream, ledger, settings.district)
    purge_stream(nats_url, stream)
    refused = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert refused.returncode == 2, refused.stderr.decode()[-2000:]
    assert "purged or deleted" in refused.stderr.decode()


def test_nats_relay_waits_for_nats_and_goes_on_after_the_broker_restarts(
    container: Container, tmp_path: Path
) -> None:
    ledger, binary, port = container.ledger, nats_server_binary(), free_port()
    store, stream = tmp_path / "jetstream", f"CASELEDGER_{container.settings.district}"
    commit(ledger, 2)
    relay = relay_for(container, f"nats://127.0.0.1:{port}")
    ledger.listeners.append(relay.wake)
    with running(relay):
        time.sleep(0.5)  # no NATS yet: the relay keeps trying
        assert relay.at == RelayPosition()
        with throwaway_nats(binary, port=port, store=store):
            wait_for_head(relay, ledger)
        commit(ledger, 2)  # while the broker is down
        time.sleep(0.5)
        with throwaway_nats(binary, port=port, store=store) as url:
            wait_for_head(relay, ledger)
            assert_exactly_once_in_order(url, stream, ledger, container.settings.district)
