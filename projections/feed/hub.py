"""Follows the head of the log once per process and shares it with every live subscriber.

One thread reads what is committed (woken by the in-process signal or PostgreSQL NOTIFY, and
always polling), decodes each event once, and keeps the newest `window` events in memory. A
subscriber that is live reads from that window, so two hundred subscribers cost one read of
the database, not two hundred; one that is further behind reads the database itself
(`LogReader`) until it reaches the window. The hub never waits for a subscriber.

While no one subscribes, the hub reads no events: woken, it only moves its `head` to the
log's (one cheap query, so /metrics and waiters still see the head move) and empties the
window. The first subscriber wakes it, and it reads on from that head; a subscriber older than
the emptied window reads the database itself until it reaches it, as any subscriber behind the
window does. So a worker that serves commands and no stream pays nothing per commit here.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from projections.feed.notify import NotifyListener
from projections.feed.reader import (
    EVERYTHING,
    READ_BATCH,
    FeedEvent,
    LogReader,
    Page,
    Selection,
)

log = logging.getLogger("caseledger.feed")

#: Longest wait between two reads while the store fails (seconds).
MAX_BACKOFF = 10.0


@dataclass
class SubscriberState:
    """What /metrics shows of one subscriber (no personal data: the user name only)."""

    id: int
    kind: str
    user: str
    position: int
    connected_at: float = field(default_factory=time.time)
    delivered: int = 0


class Hub:
    def __init__(
        self, reader: LogReader, window: int = 10_000, poll_interval: float = 1.0,
        listener: NotifyListener | None = None, readers: int = 4,
    ):  # fmt: skip
        self.reader = reader
        self.window = window
        self.poll_interval = poll_interval
        self.listener = listener
        self._lock = threading.Lock()
        self._events: list[FeedEvent] = []  # in position order
        self._positions: list[int] = []
        self._seen: list[float] = []  # when the hub read each (time.time())
        #: Everything after this position and up to `head` is in the window.
        self.window_after = 0
        #: Read up to here (every event up to it is in the window or older than it).
        self.head = 0
        self._started = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._ids = itertools.count(1)
        self.subscribers: dict[int, SubscriberState] = {}
        #: The last error that held the hub back (None when it is reading normally).
        self.error: str | None = None
        #: Threads for subscribers' own reads of the database (those behind the window): their
        #: own, so a crowd replaying (or a read stuck while the store is down) takes none of
        #: the default executor's, which GraphQL's queries use.
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="feed-read")

    # -- running ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive() and not self._stop.is_set():
            return
        head = self.reader.head()
        with self._lock:  # started again: what it read before is not a window without gaps
            del self._events[:], self._positions[:], self._seen[:]
            self.head = self.window_after = head
        self._started = True
        self._stop = threading.Event()  # a thread still stopping (a read hung) keeps its own
        if self.listener is not None:
            self.listener.callbacks.append(self.wake)
            self.listener.start()
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name="feed-hub", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self.listener is not None and self.wake in self.listener.callbacks:
            self.listener.callbacks.remove(self.wake)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._release_waiters()

    def wake(self) -> None:
        """Something was committed (any thread may call it)."""
        self._wake.set()

    def _run(self, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set():
            self._wake.clear()
            try:
                if self.following():
                    self.catch_up(stop)
                else:
                    self.jump(stop)
                failures, self.error = 0, None
            except Exception as error:  # the store unreachable, or an event it cannot decode
                failures += 1
                self.error = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
                log.warning("feed hub: %s; retrying", self.error)
                # Back off, but retry at once when woken after the first interval: the LISTEN
                # connection coming back (it wakes on connecting) means the server is back.
                stop.wait(self.poll_interval)
                self._wake.wait(min(self.poll_interval * 2 ** min(failures, 4), MAX_BACKOFF))
                continue
            self._wake.wait(self.poll_interval)

    def catch_up(self, stop: threading.Event | None = None) -> int:
        """Read everything committed after `head` into the window; return how many events."""
        stop = self._stop if stop is None else stop
        read = 0
        while not stop.is_set():
            page = self.reader.read(self.head, READ_BATCH, EVERYTHING)
            now = time.time()
            with self._lock:
                if stop.is_set():  # stopped (and maybe started anew) while it read: not ours
                    break
                before = self.head
                for event in page.events:
                    if event.position <= self.head:
                        continue  # the window's positions only ever increase
                    self._events.append(event)
                    self._positions.append(event.position)
                    self._seen.append(now)
                self.head = max(self.head, page.scanned_to)
                self._trim()
            read += len(page.events)
            if self.head > before:
                self._release_waiters()
            if page.at_head:
                break
        return read

    def following(self) -> bool:
        """Whether anyone subscribes, so that the hub must keep a window of the log."""
        return bool(self.subscribers)

    def jump(self, stop: threading.Event | None = None) -> None:
        """No one subscribes: move `head` to the log's and empty the window, reading no event.

        Everything after `window_after` up to `head` is still in the window (none of it), so a
        subscriber that comes later reads the database up to here and the window after it.
        """
        stop = self._stop if stop is None else stop
        head = self.reader.head()
        with self._lock:
            if stop.is_set() or self.subscribers or head <= self.head:
                return  # stopped, someone came meanwhile (it reads on), or nothing new
            del self._events[:], self._positions[:], self._seen[:]
            self.head = self.window_after = head
        self._release_waiters()

    def _trim(self) -> None:
        extra = len(self._events) - self.window
        if extra > max(self.window // 4, 1):
            self.window_after = self._positions[extra - 1]
            del self._events[:extra], self._positions[:extra], self._seen[:extra]

    # -- reading ----------------------------------------------------------------------------

    def since(self, after: int, limit: int, selection: Selection = EVERYTHING) -> Page | None:
        """Matching events after `after` from the window, or None when `after` is older."""
        with self._lock:
            if not self._started or after < self.window_after:
                return None
            start = bisect.bisect_right(self._positions, after)
            chosen = []
            scanned = max(after, self.head)
            for index in range(start, len(self._events)):
                event = self._events[index]
                if selection.matches(event):
                    chosen.append(event)
                    if len(chosen) >= limit:
                        scanned = event.position
                        break
            return Page(chosen, scanned, self.head)

    def read(self, after: int, limit: int, selection: Selection) -> asyncio.Future[Page]:
        """The database's page after `after`, read in one of the hub's reader threads."""
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._readers, self.reader.read, after, limit, selection)

    def seen_after(self, position: int) -> float | None:
        """When the hub read the first event after `position` (None: none, or out of window)."""
        with self._lock:
            index = bisect.bisect_right(self._positions, position)
            return self._seen[index] if index < len(self._seen) else None

    async def wait_beyond(self, position: int, timeout: float) -> bool:
        """Wait until the hub has read past `position`; False when `timeout` passed first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            future: asyncio.Future[None] = loop.create_future()
            waiter = (loop, future)
            with self._lock:
                if self.head > position:
                    return True
                self._waiters.append(waiter)
            try:
                # Not wait_for: in Python 3.11 it returns when the future is done at the
                # moment the waiting task is cancelled, and the cancellation is lost.
                async with asyncio.timeout(max(0.0, deadline - loop.time())):
                    await future
            except TimeoutError:
                return self.head > position
            finally:  # timed out or cancelled: an idle subscriber leaves no waiter behind
                with self._lock:
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)
            if self._stop.is_set() or loop.time() >= deadline:
                return self.head > position

    def _release_waiters(self) -> None:
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            try:
                loop.call_soon_threadsafe(_settle, future)
            except RuntimeError:  # its event loop closed meanwhile: no one waits there now
                continue

    # -- subscribers, for /metrics ----------------------------------------------------------

    def register(self, kind: str, user: str, position: int) -> SubscriberState:
        state = SubscriberState(next(self._ids), kind, user, position)
        with self._lock:
            first = not self.subscribers
            self.subscribers[state.id] = state
        if first:
            self.wake()  # it was idle: read on from its head now, not at the next commit
        return state

    def unregister(self, state: SubscriberState) -> None:
        with self._lock:
            self.subscribers.pop(state.id, None)

    def lag(self, state: SubscriberState) -> tuple[int, float]:
        """How far one subscriber is behind the head: in positions and in seconds."""
        behind = max(0, self.head - state.position)
        if not behind:
            return 0, 0.0
        seen = self.seen_after(state.position)
        return behind, max(0.0, time.time() - (seen if seen is not None else state.connected_at))


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
