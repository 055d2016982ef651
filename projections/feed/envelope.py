"""The CloudEvents 1.0 envelope every integrator receives, from the feed, SSE, the GraphQL
subscription and NATS alike (../shared/API.md "Event envelope").

`position` is the ledger position as an integer; `sequence` the same, zero-padded to 20
digits so it sorts as text (CloudEvents' own Integer is 32-bit and would wrap). `data` is the
event's own fields, with its `personal` blocks passed through the caller's `redact` (the one
permissions module decides; this module never masks by itself).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any

from projections.feed.reader import FeedEvent

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
SEQUENCE_DIGITS = 20
#: Attributes of the envelope, not of `data`.
_ENVELOPE = {"originator_id", "originator_version", "originator_topic", "timestamp"}

Redact = Callable[[Any], Any]


def sequence(position: int) -> str:
    return f"{position:0{SEQUENCE_DIGITS}d}"


def event_fields(event: Any) -> dict[str, Any]:
    """The event's own fields (its actor and business day included), without the envelope's.

    Only the fields the stored event holds: one stored before a field was added to its class
    (a `DeathReportedAgain` before `person_id`) has no value for it, and shows none.
    """
    if is_dataclass(event):
        held = vars(event)
        return {
            f.name: held[f.name]
            for f in fields(event)
            if f.name in held and f.name not in _ENVELOPE
        }
    return {k: v for k, v in vars(event).items() if k not in _ENVELOPE}


def source_of(origin: str) -> str:
    """The envelope's `source`: the district ledger, named as its verifiable log is."""
    return f"urn:caseledger:{origin}"


def cloudevent(event: FeedEvent, source: str, redact: Redact) -> dict[str, Any]:
    """The envelope of one event as JSON-ready data."""
    return {
        "specversion": SPEC_VERSION,
        "id": event.id,
        "source": source,
        "type": event.type.name,
        "subject": str(event.aggregate_id),
        "time": event.recorded_at.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "position": event.position,
        "sequence": sequence(event.position),
        "data": redact(event_fields(event.event)),
    }
