"""One subscriber's way through the log: replay from its position, then live, in order.

Shared by server-sent events and the GraphQL subscription (the transports only encode and
send). It pulls: a batch at a time, from the database while it replays and from the hub's
window once it is live, so its buffer is one batch and a slow subscriber holds back no one.
A subscriber that was live (it had caught up with the head) and then falls behind the window
(or `max_lag` positions) is told so with `Disconnect` and ends: it resumes from its position,
replaying from the database. A subscriber still catching up is never cut off for that.
While nothing reaches it (nothing happens, or nothing matches its filter) it gets a
`KeepAlive` every `keepalive` seconds.

When the store is unreachable (PostgreSQL down or restarting) the stream stays open: a
replaying subscriber retries its read with backoff (a `KeepAlive` per attempt), a live one
waits for the hub, which retries likewise; both go on where they were once it is back. Only
a read that cannot succeed by retrying (a bug, an event that cannot be decoded) ends the
stream, with `Disconnect("read_failed")` naming the position to resume from.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from projections.backends import is_transient
from projections.feed.hub import MAX_BACKOFF, Hub, SubscriberState
from projections.feed.reader import FeedEvent, Selection

__all__ = ["Delivery", "Disconnect", "KeepAlive", "Subscription"]


@dataclass(frozen=True)
class Delivery:
    events: list[FeedEvent]
    #: Resume after this position (past the events, and past what was read and not matched).
    scanned_to: int


@dataclass(frozen=True)
class KeepAlive:
    scanned_to: int


@dataclass(frozen=True)
class Disconnect:
    """Why the subscription ends, and where to resume."""

    code: str
    reason: str
    position: int


Item = Delivery | KeepAlive | Disconnect

FELL_BEHIND = "fell_behind"
READ_FAILED = "read_failed"

log = logging.getLogger("caseledger.feed")


class Subscription:
    def __init__(
        self, hub: Hub, selection: Selection, after: int, *, kind: str, user: str,
        batch: int = 500, keepalive: float = 15.0, max_lag: int | None = None,
    ):  # fmt: skip
        self.hub = hub
        self.selection = selection
        self.position = after
        self.kind = kind
        self.user = user
        self.batch = batch
        self.keepalive = keepalive
        self.max_lag = hub.window if max_lag is None else max_lag
        self.live = False

    async def items(self) -> AsyncIterator[Item]:
        """Deliveries in position order, keep-alives while idle, and a last Disconnect if the
        subscriber fell behind. Register for /metrics while it runs."""
        state = self.hub.register(self.kind, self.user, self.position)
        try:
            async for item in self._items(state):
                yield item
        finally:
            self.hub.unregister(state)

    async def _items(self, state: SubscriberState) -> AsyncIterator[Item]:
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()  # when it last yielded: a narrow filter still hears a beat
        failures = 0
        while True:
            page = self.hub.since(self.position, self.batch, self.selection)
            if page is None or (self.live and self.hub.head - self.position > self.max_lag):
                if self.live:
                    yield self._fell_behind()
                    return
                read = self.hub.read(self.position, self.batch, self.selection)
                try:
                    while not read.done():  # a slow read (the store down) still beats
                        await asyncio.wait({read}, timeout=self._beat_in(loop, quiet_since))
                        if not read.done():
                            yield KeepAlive(self.position)
                            quiet_since = loop.time()
                finally:
                    read.cancel()  # done, or the stream closed: a thread still reading drops it
                error = None if read.cancelled() else read.exception()
                if error is not None:
                    if not is_transient(error):  # a bug, or an event it cannot decode
                        yield self._read_failed(error)
                        return
                    failures += 1  # the store is unreachable: wait, keep the stream, retry
                    yield KeepAlive(self.position)
                    quiet_since = loop.time()
                    await asyncio.sleep(min(self.hub.poll_interval * 2**failures, MAX_BACKOFF))
                    continue
                page = read.result()
                failures = 0
                from_window = False
            else:
                from_window = True
            if page.events:
                yield Delivery(page.events, page.scanned_to)
                quiet_since = loop.time()
                state.delivered += len(page.events)  # asked for more: those were sent
            self.position = state.position = max(self.position, page.scanned_to)
            if from_window and self.position >= page.head:
                self.live = True  # caught up with the head: from now on it must keep up
            if page.events:
                continue
            if self.position >= self.hub.head:
                if not await self.hub.wait_beyond(self.position, self._beat_in(loop, quiet_since)):
                    yield KeepAlive(self.position)
                    quiet_since = loop.time()
            elif loop.time() - quiet_since >= self.keepalive:  # scanning, nothing matched yet
                yield KeepAlive(self.position)
                quiet_since = loop.time()

    def _beat_in(self, loop: asyncio.AbstractEventLoop, quiet_since: float) -> float:
        """Seconds until the next keep-alive is due."""
        return max(0.0, self.keepalive - (loop.time() - quiet_since))

    def _fell_behind(self) -> Disconnect:
        behind = self.hub.head - self.position
        return Disconnect(
            FELL_BEHIND,
            f"the subscriber fell {behind} positions behind the live stream (at most "
            f"{self.max_lag}); reconnect with after={self.position} to catch up from there",
            self.position,
        )

    def _read_failed(self, error: BaseException) -> Disconnect:
        log.error("subscription read failed at %s: %s", self.position, type(error).__name__)
        return Disconnect(
            READ_FAILED,
            f"the log could not be read after position {self.position}; reconnect with "
            f"after={self.position} to resume from there",
            self.position,
        )
