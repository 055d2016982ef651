"""One subscriber's way through the log: replay from its position, then live, in order.

Shared by server-sent events and the GraphQL subscription (the transports only encode and
send). It pulls: a batch at a time, from the database while it replays and from the hub's
window once it is live, so its buffer is one batch and a slow subscriber holds back no one.
A subscriber that was live and then falls behind the window (or `max_lag` positions) is told
so with `Disconnect` and ends: it resumes from its position, replaying from the database.
While nothing happens it gets a `KeepAlive` every `keepalive` seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from projections.feed.hub import Hub, SubscriberState
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
        clock = asyncio.get_running_loop().time
        last_yield = clock()  # a keep-alive is due `keepalive` seconds after the last item
        while True:
            page = self.hub.since(self.position, self.batch, self.selection)
            if page is None or (self.live and self.hub.head - self.position > self.max_lag):
                if self.live:
                    yield self._fell_behind()
                    return
                page = await asyncio.to_thread(
                    self.hub.reader.read, self.position, self.batch, self.selection
                )
            else:
                self.live = True
            if page.events:
                yield Delivery(page.events, page.scanned_to)
                state.delivered += len(page.events)  # asked for more: those were sent
                last_yield = clock()
            self.position = state.position = max(self.position, page.scanned_to)
            if page.events:
                continue
            # Nothing matched. Due even while unmatched events keep coming (or a long replay
            # finds none): the transport pings and the client's position moves.
            due = self.keepalive - (clock() - last_yield)
            if due <= 0 or (
                self.position >= self.hub.head
                and not await self.hub.wait_beyond(self.position, due)
            ):
                yield KeepAlive(self.position)
                last_yield = clock()

    def _fell_behind(self) -> Disconnect:
        behind = self.hub.head - self.position
        return Disconnect(
            FELL_BEHIND,
            f"the subscriber fell {behind} positions behind the live stream (at most "
            f"{self.max_lag}); reconnect with after={self.position} to catch up from there",
            self.position,
        )
