"""Helpers shared by the stream tests: writers that keep committing, and the log's positions;
a subscription consumed in a thread of its own (`Consumer`); a server-sent events stream read
in a thread (`SseReader`). A throwaway PostgreSQL server is in tests/throwaway_postgres.py,
NATS in tests/nats_support.py."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from typing import Any

import pytest
from builders import WORKER, application, new_id_number

from domain.ledger import Ledger
from projections.feed.hub import Hub
from projections.feed.reader import EVERYTHING, READ_BATCH, LogReader, Selection
from projections.feed.subscription import Delivery, Disconnect, Item, KeepAlive, Subscription

#: For a test that does not depend on the store (the transport, the client), or needs
#: PostgreSQL itself (a held-open transaction, LISTEN): one backend instead of both.
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
POSTGRES_ONLY = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def commit_cases(ledger: Ledger, count: int) -> list[int]:
    """Submit `count` applications; the position each was committed at."""
    return [ledger.submit_application(application(), WORKER).position for _ in range(count)]


def commit_large_cases(ledger: Ledger, count: int, members: int = 40) -> None:
    """Submit `count` applications of `members` people each (2 events a member and one more,
    about 40 KB of envelopes each): enough bytes, quickly, to fill a stalled socket's buffers."""
    for _ in range(count):
        household = [
            {
                "name": "测试甲" * 5,
                "id_number": new_id_number(),
                "relation": "child",
                "counted": True,
            }
            for _ in range(members)
        ]
        household[0]["relation"] = "self"
        ledger.submit_application(application(members=household), WORKER)


class KeepWriting:
    """Commits applications from a thread (`count` of them, `pause` seconds apart, until
    `stop()`)."""

    def __init__(self, ledger: Ledger, count: int, pause: float = 0.0):
        self.ledger, self.count, self.pause = ledger, count, pause
        self.positions: list[int] = []
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        try:
            for _ in range(self.count):
                if self._stop.is_set():
                    break
                self.positions.extend(commit_cases(self.ledger, 1))
                if self.pause:
                    time.sleep(self.pause)
        except BaseException as e:
            self.errors.append(e)

    def start(self) -> KeepWriting:
        self._thread.start()
        return self

    def join(self, timeout: float = 60) -> list[int]:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the writer did not finish"
        assert not self.errors, self.errors
        return self.positions

    def __enter__(self) -> KeepWriting:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.join()


def log_positions(app: Any, after: int = 0, upto: int | None = None) -> list[int]:
    """Every position in the ledger's log after `after` (and up to `upto`), read afresh."""
    reader = LogReader(app)
    found: list[int] = []
    while True:
        page = reader.read(after, READ_BATCH, EVERYTHING)
        found += [e.position for e in page.events]
        after = page.scanned_to
        if page.at_head:
            break
    return [p for p in found if upto is None or p <= upto]


def until(condition: Any, what: str, timeout: float = 15.0) -> None:
    """Poll `condition()` (with a generous deadline)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Consumer:
    """Runs a subscription's `items()` on an event loop in a daemon thread, keeping each item.

    `pause` (set: consume, clear: hold) lets a test make it a slow consumer.
    """

    def __init__(self, subscription: Subscription):
        self.subscription = subscription
        self.items: list[Item] = []
        self.error: BaseException | None = None
        self.pause = threading.Event()
        self.pause.set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name="consumer", daemon=True)
        self._ended = threading.Event()

    def __enter__(self) -> Consumer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._task = self._loop.create_task(self._consume())
            self._loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        except BaseException as e:
            self.error = e
        finally:
            self._loop.close()
            self._ended.set()

    async def _consume(self) -> None:
        async for item in self.subscription.items():
            with self._lock:
                self.items.append(item)
            if isinstance(item, Disconnect):
                return
            while not self.pause.is_set():
                await asyncio.sleep(0.01)

    def stop(self) -> None:
        self.pause.set()
        if self._loop is not None and self._task is not None and not self._ended.is_set():
            with contextlib.suppress(RuntimeError):  # it ended meanwhile
                self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout=10)
        assert self.error is None, self.error

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def snapshot(self) -> list[Item]:
        with self._lock:
            return list(self.items)

    def positions(self) -> list[int]:
        return [e.position for i in self.snapshot() if isinstance(i, Delivery) for e in i.events]

    def keepalives(self) -> int:
        return sum(isinstance(i, KeepAlive) for i in self.snapshot())

    def disconnect(self) -> Disconnect | None:
        found = [i for i in self.snapshot() if isinstance(i, Disconnect)]
        return found[0] if found else None

    def wait_for_position(self, position: int, timeout: float = 10.0) -> list[int]:
        """Wait until it received an event at or past `position`; its positions so far."""
        until(
            lambda: self.error is not None or any(p >= position for p in self.positions()),
            f"the subscriber received position {position} (has {self.positions()[-3:]})",
            timeout,
        )
        assert self.error is None, self.error
        return self.positions()


def subscribe(
    hub: Hub, after: int, selection: Selection = EVERYTHING, *, batch: int = 7,
    keepalive: float = 0.3, max_lag: int | None = None,
) -> Consumer:  # fmt: skip
    """A consumer of a new subscription (small batches, frequent keep-alives), not started."""
    subscription = Subscription(
        hub, selection, after, kind="test", user="t", batch=batch, keepalive=keepalive,
        max_lag=max_lag,
    )  # fmt: skip
    return Consumer(subscription)


class SseReader:
    """Reads one server-sent events stream in a thread (examples/sse_client.py's parser)."""

    def __init__(self, client: Any, params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None):  # fmt: skip
        self.client, self.params, self.headers = client, params or {}, headers or {}
        self.records: list[Any] = []
        self.status: int | None = None
        self.error: BaseException | None = None
        self.ended = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from examples.sse_client import parse

        try:
            with self.client.stream("GET", "/api/v1/events/stream", params=self.params,
                                    headers=self.headers) as answer:  # fmt: skip
                self.status = answer.status_code
                for record in parse(answer.iter_lines()):
                    self.records.append(record)
                    if self._stop.is_set():
                        break
        except Exception as e:  # the test decides whether a cut was expected
            self.error = e
        finally:
            self.ended.set()

    def __enter__(self) -> SseReader:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)  # the next ping or event ends it

    @property
    def events(self) -> list[dict[str, Any]]:
        import json

        return [json.loads(r.data) for r in list(self.records) if r.event == "message" and r.data]

    @property
    def positions(self) -> list[int]:
        return [e["position"] for e in self.events]

    @property
    def last_id(self) -> int:
        records = list(self.records)
        return int(records[-1].last_id) if records and records[-1].last_id else 0

    def wait_for_position(self, position: int, timeout: float = 15.0) -> None:
        until(lambda: self.last_id >= position or self.ended.is_set(),
              f"the stream reaches {position}", timeout)  # fmt: skip
        assert self.last_id >= position, (self.status, self.error, self.records[-3:])
