"""The pure parts of the streams' core: the catalogue's names, selections, the envelope's
fields and sequence, and the streams' access decision (types, grants, bounds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from api.streams.access import MAX_NAMES, check_after, stream_access
from domain.shared.errors import Forbidden, InvalidInput
from domain.shared.values import Actor
from projections.feed.catalogue import UnknownEventType, catalogue, resolve
from projections.feed.envelope import SEQUENCE_DIGITS, event_fields, sequence
from projections.feed.reader import MAX_POSITION, FeedEvent, Selection, parse_aggregate_ids

SUBMITTED = "AssistanceCase.ApplicationSubmitted"
SETTLED = "Payout.PayoutSettled"
APPROVER = Actor("approver-1", "approver", "钟楼区民政局")


def integrator(*grants: str) -> Actor:
    return Actor("bank", "integrator", None, grants=frozenset(grants))


def feed_event(type_name: str, aggregate_id: UUID) -> FeedEvent:
    return FeedEvent(1, aggregate_id, 1, catalogue()[type_name], datetime.now(UTC), object())


def test_type_names_are_qualified_unique_and_a_wildcard_names_an_aggregates_types() -> None:
    types = catalogue()
    assert SUBMITTED in types and all("." in name for name in types)
    assert all(t.topics for t in types.values())
    payouts = resolve(["Payout.*"])
    assert SETTLED in payouts and all(name.startswith("Payout.") for name in payouts)
    for wrong in (["Payout"], ["Nothing.*"], ["ApplicationSubmitted"], [".*"], ["*"]):
        with pytest.raises(UnknownEventType):
            resolve(wrong)


def test_a_selection_matches_by_type_and_aggregate_and_narrows_to_a_grant() -> None:
    mine, other = uuid4(), uuid4()
    event = feed_event(SUBMITTED, mine)
    assert Selection().matches(event) and Selection().everything
    assert Selection(frozenset({SUBMITTED})).matches(event)
    assert not Selection(frozenset({SETTLED})).matches(event)
    assert Selection(aggregate_ids=frozenset({mine})).matches(event)
    assert not Selection(frozenset({SUBMITTED}), frozenset({other})).matches(event)
    assert Selection().topics() == ()
    assert set(Selection(frozenset({SUBMITTED})).topics()) == set(catalogue()[SUBMITTED].topics)

    granted = frozenset({SETTLED})
    assert Selection().narrowed(granted).types == granted
    assert Selection(frozenset({SUBMITTED, SETTLED})).narrowed(granted).types == granted
    assert Selection(frozenset({SUBMITTED})).narrowed(granted).types == frozenset()
    assert Selection(frozenset({SUBMITTED})).narrowed(None).types == {SUBMITTED}


def test_the_sequence_sorts_as_text_up_to_the_largest_position() -> None:
    assert sequence(0) == "0" * SEQUENCE_DIGITS
    assert len(sequence(MAX_POSITION)) == SEQUENCE_DIGITS
    assert sorted([sequence(10), sequence(9), sequence(MAX_POSITION)]) == [
        sequence(9), sequence(10), sequence(MAX_POSITION),
    ]  # fmt: skip


def test_event_fields_leave_out_the_envelopes_and_a_field_the_stored_event_lacks() -> None:
    @dataclass(frozen=True)
    class Reported:
        originator_id: UUID
        originator_version: int
        timestamp: datetime
        person_id: str
        source: str

    old = object.__new__(Reported)  # as decoded from a state stored before person_id existed
    object.__setattr__(old, "originator_id", uuid4())
    object.__setattr__(old, "originator_version", 2)
    object.__setattr__(old, "timestamp", datetime.now(UTC))
    object.__setattr__(old, "source", "hospital")
    assert event_fields(old) == {"source": "hospital"}


def test_aggregate_ids_must_be_uuids() -> None:
    one = uuid4()
    assert parse_aggregate_ids([f" {one} ", str(one)]) == {one}
    for wrong in (["nope"], [""], ["1234"]):
        with pytest.raises(ValueError, match="UUID"):
            parse_aggregate_ids(wrong)


def test_stream_access_decides_types_grants_and_bounds() -> None:
    everything = stream_access(APPROVER, "urn:x")
    assert everything.selection.everything and not everything.in_full
    assert stream_access(APPROVER, "urn:x", purpose="review").in_full
    assert stream_access(APPROVER, "urn:x", ["", " "]).selection.everything  # `types=` empty
    assert stream_access(APPROVER, "urn:x", [f" {SUBMITTED} "]).selection.types == {SUBMITTED}

    bank = stream_access(integrator("type:Payout.*", "type:Gone.Nowhere"), "urn:x")
    assert bank.selection.types == resolve(["Payout.*"])  # an unknown grant grants nothing
    assert not stream_access(integrator("type:Payout.*"), "urn:x", purpose="p").in_full
    with pytest.raises(Forbidden) as refused:
        stream_access(integrator("pii"), "urn:x")
    assert refused.value.code == "event_types_missing"
    with pytest.raises(Forbidden) as refused:
        stream_access(integrator(f"type:{SETTLED}"), "urn:x", [SUBMITTED])
    assert refused.value.code == "event_type_scope"
    with pytest.raises(Forbidden):
        stream_access(Actor("w", "caseworker", "新闸街道"), "urn:x")  # street-bound
    with pytest.raises(Forbidden):
        stream_access(None, "urn:x")

    for types, ids, field in (
        (["Nothing.Here"], None, "types"),
        ([SUBMITTED] * (MAX_NAMES + 1), None, "types"),
        (None, ["not-a-uuid"], "aggregateIds"),
        (None, [str(uuid4())] * (MAX_NAMES + 1), "aggregateIds"),
    ):
        with pytest.raises(InvalidInput) as bad:
            stream_access(APPROVER, "urn:x", types, ids)
        assert bad.value.field == field

    assert check_after(None) == 0 and check_after(MAX_POSITION) == MAX_POSITION
    for wrong in (-1, MAX_POSITION + 1):
        with pytest.raises(InvalidInput):
            check_after(wrong)
