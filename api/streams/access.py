"""Who may read the integrator streams, which event types, and how each event is shown.

The one decision for the feed, server-sent events and the GraphQL subscription (the relay
publishes every event: it holds the database, like the console operator):
- the `streams` read rule (domain/shared/access.py): approvers, district supervisors,
  auditors and integrators; a street-bound caller is refused (`district_only`), the log being
  the district's;
- an integrator reads only the event types on its token, as `type:<Type>` grants
  (`type:Payout.PayoutSettled`, or `type:Payout.*` for all of an aggregate's): none at all is
  refused (`event_types_missing`), and asking for a type not granted is refused
  (`event_type_scope`); other roles read every type;
- asked-for types must be types of the ledger (422 naming the field `types`), and aggregate
  ids must be UUIDs (422, `aggregateIds`);
- data is redacted by api/permissions.py: masks unless the caller may see personal data
  *and* gave a purpose (`X-Purpose`, or `purpose` in the websocket's connection payload);
  without one such a caller gets masks, never a refusal. Events sent in full are recorded in
  the personal-data access record (one row per aggregate per batch, channel `feed`, `sse` or
  `subscription`) before they are sent, and a record that cannot be written sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api import access_record
from api.permissions import Disclosure, Subject, may_see_personal_data, redacted
from domain.shared.access import check_read
from domain.shared.errors import DomainError, Forbidden, InvalidInput
from domain.shared.values import Actor
from projections.feed.catalogue import UnknownEventType, resolve
from projections.feed.envelope import cloudevent, event_fields
from projections.feed.reader import MAX_POSITION, FeedEvent, Selection, parse_aggregate_ids
from projections.store import Database

TYPE_GRANT = "type:"
#: Most event types and aggregate ids one request may name.
MAX_NAMES = 200


@dataclass(frozen=True)
class StreamAccess:
    """What one caller may read of the streams, and how each event is shown to it."""

    actor: Actor
    selection: Selection
    source: str
    purpose: str | None = None
    via: str = "feed"

    @property
    def in_full(self) -> bool:
        return self.purpose is not None and may_see_personal_data(self.actor)

    def envelope(self, event: FeedEvent) -> dict[str, Any]:
        """The CloudEvent of one event for this caller (made once per event and masking)."""
        key = ("cloudevent", self.source, self.in_full)
        found = event.cache.get(key)
        if found is None:
            shown_as = self.actor if self.in_full else None  # no actor: masks
            found = cloudevent(event, self.source, lambda data: redacted(data, shown_as))
            event.cache[key] = found
        return found

    def envelopes(
        self, events: Sequence[FeedEvent], db: Database, request_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The batch as this caller sees it; reads in full recorded first (RecordFailed: 503)."""
        if self.in_full:
            disclosure = Disclosure(self.actor, self.purpose, request_id, via=self.via)
            for event in events:
                data = event_fields(event.event)
                for subject, part in subjects_of(event, data):
                    disclosure.redact(part, subject)
            if disclosure.reads:
                access_record.write(db, disclosure)
        return [self.envelope(e) for e in events]


#: Aggregates whose id is a case's id (the access record's `case_id`).
CASE_AGGREGATES = ("AssistanceCase", "TemporaryAssistanceCase")


def subjects_of(event: FeedEvent, data: dict[str, Any]) -> list[tuple[Subject, Any]]:
    """Whose data an event holds, for the access record: the whole event under its case (or
    its aggregate, when it belongs to none), and each part naming a `person_id` beside a
    `personal` block under that person too, so a person's reads are found by person id."""
    aggregate = event.type.name.split(".", 1)[0]
    case = data.get("case_id") or (aggregate in CASE_AGGREGATES and str(event.aggregate_id))
    case_id = str(case) if case else None
    found: list[tuple[Subject, Any]] = [(Subject(case_id=case_id or str(event.aggregate_id)), data)]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("person_id") and isinstance(value.get("personal"), dict):
                found.append((Subject(str(value["person_id"]), case_id), value))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner)

    walk(data)
    return found


def granted_types(actor: Actor) -> frozenset[str] | None:
    """The event types an integrator's token grants (None: every type, for other roles)."""
    if actor.role != "integrator":
        return None
    names = [g[len(TYPE_GRANT) :] for g in actor.grants if g.startswith(TYPE_GRANT)]
    chosen: set[str] = set()
    for name in names:
        try:
            chosen |= resolve([name])
        except UnknownEventType:
            continue  # a grant for a type this ledger does not have grants nothing
    if not chosen:
        raise Forbidden(
            "rule `event_types_missing`: an integrator's token must grant the event types it "
            "reads (`type:<Type>` grants, e.g. type:Payout.PayoutSettled or type:Payout.*)",
            code="event_types_missing",
        )
    return frozenset(chosen)


def stream_access(
    actor: Actor | None, source: str, types: Sequence[str] | None = None,
    aggregate_ids: Sequence[str] | None = None, *, purpose: str | None = None, via: str = "feed",
) -> StreamAccess:  # fmt: skip
    """Check the caller and its filter; Forbidden (403) or InvalidInput (422) names why."""
    check_read("events", actor)  # role_not_allowed, street_missing, district_only
    assert actor is not None  # check_read refuses an anonymous caller
    allowed = granted_types(actor)
    chosen: frozenset[str] | None = None
    names = [t.strip() for t in types or () if t.strip()]
    if names:  # `types=` given empty filters nothing out (it chose no type to read, not none)
        if len(names) > MAX_NAMES:
            raise InvalidInput(f"name at most {MAX_NAMES} event types", field="types")
        chosen = _resolved(names)
        if allowed is not None and not chosen <= allowed:
            outside = sorted(chosen - allowed)
            raise Forbidden(
                f"rule `event_type_scope`: the token does not grant {', '.join(outside[:5])}",
                code="event_type_scope",
            )
    ids = None
    if aggregate_ids:
        if len(aggregate_ids) > MAX_NAMES:
            raise InvalidInput(f"name at most {MAX_NAMES} aggregate ids", field="aggregateIds")
        try:
            ids = parse_aggregate_ids(aggregate_ids)
        except ValueError as e:
            raise InvalidInput(str(e), field="aggregateIds") from None
    selection = Selection(chosen, ids).narrowed(allowed)
    return StreamAccess(actor, selection, source, purpose, via)


def _resolved(names: list[str]) -> frozenset[str]:
    """The types named; 422 naming which one is unknown by its place (the text is not echoed:
    a caller's mistake may hold anything)."""
    chosen: set[str] = set()
    for place, name in enumerate(names, 1):
        try:
            chosen |= resolve([name])
        except UnknownEventType:
            raise InvalidInput(
                f"type {place} of those named is not an event type of the ledger "
                "(GET /api/v1/events/types lists them)",
                field="types",
            ) from None
    return frozenset(chosen)


def check_after(after: int | None, field: str = "after") -> int:
    """A resume position: an integer from 0 to the largest BIGINT (422 otherwise)."""
    if after is None:
        return 0
    if after < 0 or after > MAX_POSITION:
        raise InvalidInput(f"must be an integer from 0 to {MAX_POSITION}", field=field)
    return after


def check_resume(after: int, head: int, field: str = "after") -> int:
    """A resume position no later than the ledger's head (409 `after_beyond_head` otherwise).

    A position past the head is no place this ledger has been: a restored database, another
    district's ledger, or a broker's stream sequence taken for a position. Accepting it would
    skip every event committed until the head reached it, silently."""
    if after > head:
        raise DomainError(
            f"{field} is beyond the ledger's head (position {head}): positions are this "
            "ledger's own (`position`, the Ledger-Position header), not a broker's stream "
            "sequence; resume from the last position received from this ledger",
            field=field,
            code="after_beyond_head",
        )
    return after
