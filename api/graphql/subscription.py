"""The GraphQL subscription `events(after, types, aggregateIds)` over graphql-transport-ws.

The same stream as the feed and server-sent events (README "Integrator streams"): replay
after `after`, then live, in position order, each event a CloudEvent, through one
`projections.feed.subscription.Subscription` over the process's hub (so it shows in
/metrics). Access is `api/streams/access.py`'s, with the actor and purpose the socket gave
when it connected (api/graphql/sockets.py). The stream ends with an error, then `complete`:
- `fell_behind` (with `position`: resubscribe with `after` set to it) when the subscriber
  fell behind the live window;
- `token_expired` when the token's `exp` passes (reconnect with a fresh token);
- `RECORD_FAILED` when a read in full could not be recorded (nothing more is sent).
Refusals come before anything is sent: bad arguments, the access rules, and `streams_full`
when `stream_max_subscribers` streams (of every kind) are open, `streams_full_for_user` when
the user holds `stream_max_per_user` of them (api/streams/limits.py).

`after` is an `Int`, as ../shared/API.md gives it (a client's `$after: Int` variable must keep
working), which holds positions up to 2^31 - 1: centuries of a district's events. What the
stream sends is 64-bit: `position` is the `Long` scalar (a JSON number; JavaScript reads it
exactly up to 2^53, so `sequence`, the same position as zero-padded text, is there too).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, NewType, cast

import strawberry
from graphql import IntValueNode, StringValueNode, ValueNode
from strawberry.scalars import JSON

from api.graphql.context import Info
from api.streams.access import StreamAccess, check_after, check_resume, stream_access
from api.streams.counters import count_disconnect
from api.streams.limits import check_capacity
from domain.shared.errors import DomainError, InvalidInput
from projections.feed.envelope import source_of
from projections.feed.reader import MAX_POSITION
from projections.feed.subscription import Delivery, Disconnect, Item
from projections.feed.subscription import Subscription as FeedSubscription
from projections.store import Database

KIND = "subscription"
TOKEN_EXPIRED = "token_expired"

Long = NewType("Long", int)


def _long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError("a Long is an integer")
    number = int(value)  # a string of digits too (ValueError otherwise)
    if not -(2**63) <= number <= MAX_POSITION:
        raise ValueError("a Long has 64 bits")
    return number


def _long_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> int:
    if isinstance(node, IntValueNode | StringValueNode):
        return _long(node.value)
    raise TypeError("a Long is an integer")


LONG = strawberry.scalar(
    name="Long",
    description="A 64-bit integer (a ledger position), sent as a JSON number.",
    serialize=int,
    parse_value=_long,
    parse_literal=_long_literal,
)


class StreamEnded(DomainError):
    """The subscription ends: why (`code`) and the position to resume after."""

    status = 409

    def __init__(self, code: str, message: str, position: int):
        super().__init__(message, code=code)
        self.extra = {"position": position}


@strawberry.type(description="One committed event, as a CloudEvents 1.0 envelope.")
class CloudEvent:
    id: strawberry.ID = strawberry.field(description="Stable and unique: `<aggregate>/<version>`.")
    specversion: str
    source: str = strawberry.field(description="The district's ledger: `urn:caseledger:<origin>`.")
    type: str = strawberry.field(description="The event type, e.g. `Payout.PayoutSettled`.")
    subject: str = strawberry.field(description="The aggregate id.")
    time: str = strawberry.field(description="When it was recorded (UTC, ISO 8601).")
    datacontenttype: str
    position: Long = strawberry.field(description="The ledger position: resume after it.")
    sequence: str = strawberry.field(description="The position zero-padded to 20 digits.")
    data: JSON = strawberry.field(description="The event's fields, personal data masked.")

    @classmethod
    def from_envelope(cls, envelope: dict[str, Any]) -> CloudEvent:
        fields = {k: envelope[k] for k in _FIELDS}
        return cls(**fields)


_FIELDS = (
    "id", "specversion", "source", "type", "subject", "time", "datacontenttype", "position",
    "sequence", "data",
)  # fmt: skip


async def _until(
    items: AsyncIterator[Item], expires_at: float, position: int
) -> AsyncIterator[Item]:
    """The subscription's items until the token expires; then StreamEnded(token_expired)."""
    while True:
        remaining = expires_at - time.time()
        try:
            if remaining <= 0:
                raise TimeoutError
            # In this task, not wait_for's own: Python 3.11's wait_for can swallow the
            # cancellation of a subscriber that went, when the item arrives at that moment.
            async with asyncio.timeout(remaining):
                item = await anext(items)
        except StopAsyncIteration:
            return
        except TimeoutError:
            count_disconnect(KIND, TOKEN_EXPIRED)
            raise StreamEnded(
                TOKEN_EXPIRED,
                "the token has expired; reconnect with a fresh token and subscribe with "
                f"after={position} to resume",
                position,
            ) from None
        position = item.position if isinstance(item, Disconnect) else item.scanned_to
        yield item


async def events_resolver(
    info: Info,
    after: int | None = None,
    types: list[str] | None = None,
    aggregate_ids: list[strawberry.ID] | None = None,
) -> AsyncIterator[CloudEvent]:
    """Check the caller and the arguments (an error before anything is sent), then stream."""
    context = info.context
    if context.expires_at is None:  # plain HTTP: no socket whose token expiry is watched
        raise InvalidInput(
            "subscribe over a websocket (graphql-transport-ws) at /graphql", field="events"
        )
    container = context.container
    settings = container.settings
    access = stream_access(
        context.actor, source_of(settings.origin), types, [str(i) for i in aggregate_ids or []],
        purpose=context.disclosure.purpose, via=KIND,
    )  # fmt: skip
    check_capacity(container.hub, settings, access.actor.user)  # every stream's kind counts
    head = await asyncio.to_thread(container.hub.reader.head)
    subscription = FeedSubscription(
        container.hub, access.selection, check_resume(check_after(after), head), kind=KIND,
        user=access.actor.user, keepalive=settings.stream_keepalive_seconds,
    )  # fmt: skip
    return _events(subscription, access, container.db, context.expires_at)


async def _events(
    subscription: FeedSubscription, access: StreamAccess, db: Database, expires_at: float
) -> AsyncGenerator[CloudEvent, None]:
    items = subscription.items()
    try:
        async for item in _until(items, expires_at, subscription.position):
            if isinstance(item, Disconnect):
                count_disconnect(KIND, item.code)
                raise StreamEnded(item.code, item.reason, item.position)
            if not isinstance(item, Delivery):
                continue  # a keep-alive: the protocol's own ping keeps the socket open
            try:
                envelopes = await asyncio.to_thread(access.envelopes, item.events, db)
            except DomainError as e:
                count_disconnect(KIND, e.code)
                raise
            for envelope in envelopes:
                yield CloudEvent.from_envelope(envelope)
    finally:
        await cast(Any, items).aclose()


@strawberry.type
class Subscription:
    events: AsyncIterator[CloudEvent] = strawberry.subscription(
        resolver=events_resolver,
        description="Every committed event after `after` (0: from the start), then live, in "
        "position order; `types` and `aggregateIds` narrow it. Over graphql-transport-ws, "
        "the token in connection_init.",
    )
