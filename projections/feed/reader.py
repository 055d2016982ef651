"""The one resumable log reader: the notification log after a position, filtered by event type
and aggregate, decoded once, in position order, never skipping an event.

Every way in (the paged feed, server-sent events, the GraphQL subscription, the NATS relay)
reads through `LogReader.read`, so they all mean the same thing. Why it never skips: the
store serialises inserts (PostgreSQL: the recorder's table lock; SQLite: one writer), so a
position is visible only once every lower position is committed or rolled back. The reader
reads the head first and then only up to it, so "nothing more up to the head" is a fact.

A page's `scanned_to` is where the next read starts: past every event it returned and past
the events it read and did not match, so a narrow filter does not read the same rows again.
An event that cannot be decoded is never skipped: a read returns what comes before it, and
the next read (starting right before it) raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from projections.feed.catalogue import EventType, catalogue, type_of_topic

__all__ = ["FeedEvent", "LogReader", "Page", "Selection"]

#: The largest position a caller may name (PostgreSQL BIGINT).
MAX_POSITION = 2**63 - 1
#: Notifications read per round trip; a page reads at most `SCAN_ROUNDS` of them per call.
READ_BATCH = 500
SCAN_ROUNDS = 20


@dataclass(frozen=True)
class Selection:
    """Which events a reader wants: by type name and by aggregate id (None: any)."""

    types: frozenset[str] | None = None
    aggregate_ids: frozenset[UUID] | None = None

    @property
    def everything(self) -> bool:
        return self.types is None and self.aggregate_ids is None

    def topics(self) -> tuple[str, ...]:
        """The stored topics of the chosen types (old spellings too); () for every type."""
        if self.types is None:
            return ()
        types = catalogue()
        return tuple(sorted(t for name in self.types for t in types[name].topics))

    def matches(self, event: FeedEvent) -> bool:
        if self.types is not None and event.type.name not in self.types:
            return False
        return self.aggregate_ids is None or event.aggregate_id in self.aggregate_ids

    def narrowed(self, types: frozenset[str] | None) -> Selection:
        """This selection within `types` (a token's event types): the intersection."""
        if types is None:
            return self
        chosen = types if self.types is None else self.types & types
        return Selection(frozenset(chosen), self.aggregate_ids)


EVERYTHING = Selection()


@dataclass(eq=False)
class FeedEvent:
    """One stored event, decoded once and shared by every subscriber that receives it."""

    position: int
    aggregate_id: UUID
    version: int
    type: EventType
    recorded_at: datetime
    event: Any
    #: Encodings made from it, by whoever makes them (e.g. the envelope per masking mode).
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        """Stable and unique per event: the aggregate's id and the event's version in it."""
        return f"{self.aggregate_id}/{self.version}"


@dataclass(frozen=True)
class Page:
    events: list[FeedEvent]
    #: Read up to here: the `after` of the next read (>= the last event's position).
    scanned_to: int
    #: The newest position when the read began.
    head: int

    @property
    def at_head(self) -> bool:
        return self.scanned_to >= self.head


class LogReader:
    """Reads the ledger's notification log through the library's recorder (either backend)."""

    def __init__(self, app: Application[Any]):
        self.app = app

    def head(self) -> int:
        return int(self.app.recorder.max_notification_id() or 0)

    def read(self, after: int, limit: int, selection: Selection = EVERYTHING) -> Page:
        """Up to `limit` matching events after position `after`, in position order.

        Reads at most SCAN_ROUNDS x READ_BATCH notifications, so a narrow filter over a long
        log answers with fewer events (even none) and a `scanned_to` to go on from.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        head = self.head()
        if selection.types is not None and not selection.types:
            return Page([], max(head, after), head)  # no type chosen: nothing to read
        topics = selection.topics()
        ids = selection.aggregate_ids
        events: list[FeedEvent] = []
        position = after
        for _ in range(SCAN_ROUNDS):
            if position >= head or len(events) >= limit:
                break
            want = READ_BATCH if selection.aggregate_ids is not None else limit - len(events)
            batch = self.app.recorder.select_notifications(
                start=position, limit=min(want, READ_BATCH), stop=head, topics=topics,
                inclusive_of_start=False,
            )  # fmt: skip
            if not batch:
                position = head  # nothing more up to the head read first: a fact, not a guess
                break
            for notification in batch:
                if ids is not None and _uuid(notification.originator_id) not in ids:
                    position = notification.id
                    continue  # another aggregate's: not decoded (nor deciphered) at all
                try:
                    event = self.decode(notification)
                except Exception:
                    if position > after:  # what it read before it; the next read raises
                        return Page(events, position, head)
                    raise
                position = notification.id
                if selection.matches(event):
                    events.append(event)
                    if len(events) >= limit:
                        break
            if len(batch) < min(want, READ_BATCH):
                position = head if len(events) < limit else position
                break
        return Page(events, max(position, after), head)

    def decode(self, notification: Notification) -> FeedEvent:
        event = self.app.mapper.to_domain_event(notification)
        stamp: datetime = event.timestamp  # type: ignore[attr-defined]
        return FeedEvent(
            position=notification.id,
            aggregate_id=notification.originator_id,  # type: ignore[arg-type]
            version=notification.originator_version,
            type=type_of_topic(notification.topic),
            recorded_at=stamp.astimezone(UTC),
            event=event,
        )


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def parse_aggregate_ids(values: Iterable[str]) -> frozenset[UUID]:
    """Aggregate ids as UUIDs; ValueError names the one that is not."""
    ids: set[UUID] = set()
    for value in values:
        try:
            ids.add(UUID(value.strip()))
        except (ValueError, AttributeError):
            raise ValueError("each aggregate id must be a UUID") from None
    return frozenset(ids)
