"""The one log reader (projections/feed/reader.py): filters, paging by `scanned_to`, old topic
spellings, and holes in the positions; on both backends."""

from __future__ import annotations

import json

import psycopg
import pytest
from builders import WORKER, application
from eventsourcing.persistence import IntegrityError, StoredEvent

from api.container import Container
from api.demo.district import DemoDistrict
from api.permissions import redacted
from domain.ledger import Ledger
from domain.shared.values import Actor
from projections.feed.catalogue import catalogue
from projections.feed.envelope import cloudevent
from projections.feed.reader import EVERYTHING, FeedEvent, LogReader, Page, Selection
from tests.integration.test_stored_topics import stored_events

SUBMITTED = "AssistanceCase.ApplicationSubmitted"


def read_all(reader: LogReader, selection: Selection, after: int = 0, limit: int = 3) -> list[Page]:
    pages = []
    while True:
        page = reader.read(after, limit, selection)
        assert page.scanned_to >= after  # never backwards
        assert all(e.position > after for e in page.events)  # never the same event again
        if page.events:
            assert page.scanned_to >= page.events[-1].position
        pages.append(page)
        if page.at_head:
            return pages
        after = page.scanned_to


def positions(pages: list[Page]) -> list[int]:
    return [e.position for p in pages for e in p.events]


@pytest.fixture
def cases(ledger: Ledger) -> list[int]:
    """Four applications (the positions their commands answered)."""
    return [ledger.submit_application(application(), WORKER).position for _ in range(4)]


def test_filters_paging_and_resuming(ledger: Ledger, cases: list[int]) -> None:
    reader = LogReader(ledger)
    everything = [e for p in read_all(reader, EVERYTHING, limit=1000) for e in p.events]
    assert [e.position for e in everything] == sorted({e.position for e in everything})
    assert everything[-1].position == reader.head()
    case_ids = {e.aggregate_id for e in everything if e.type.name == SUBMITTED}
    some = frozenset(list(case_ids)[:2])
    person_types = frozenset(t for t in catalogue() if t.startswith("PersonRecord."))

    def expected(keep: object) -> list[int]:
        return [e.position for e in everything if keep(e)]  # type: ignore[operator]

    by_type = Selection(frozenset({SUBMITTED}))
    by_aggregate = Selection(aggregate_ids=some)
    both = Selection(frozenset({SUBMITTED}) | person_types, some)
    for limit in (1, 2, 1000):
        assert positions(read_all(reader, by_type, limit=limit)) == expected(
            lambda e: e.type.name == SUBMITTED
        )
        assert positions(read_all(reader, by_aggregate, limit=limit)) == expected(
            lambda e: e.aggregate_id in some
        )
        assert positions(read_all(reader, both, limit=limit)) == expected(
            lambda e: e.aggregate_id in some and e.type.name == SUBMITTED
        )
    assert len(expected(lambda e: e.type.name == SUBMITTED)) == 4
    nothing = reader.read(0, 10, Selection(frozenset()))
    assert nothing.events == [] and nothing.at_head

    # A narrow filter goes on after what it read and did not match.
    last = everything[-1]
    page = reader.read(0, 10, Selection(aggregate_ids=frozenset({last.aggregate_id})))
    assert page.events and page.scanned_to == reader.head()  # next read starts at the head
    beyond = reader.read(reader.head(), 10)
    assert beyond.events == [] and beyond.scanned_to == reader.head()
    far = reader.read(reader.head() + 1000, 10)  # a position past the head: nothing, no error
    assert far.events == [] and far.scanned_to == reader.head() + 1000 and far.at_head

    # It resumes exactly after any position.
    every = [e.position for e in everything]
    for index, position in enumerate(every):
        page = reader.read(position, 2)
        assert [e.position for e in page.events] == every[index + 1 : index + 3]


def test_events_stored_under_old_topic_spellings_match_their_type_and_are_json(
    container: Container,
) -> None:
    old = stored_events()
    container.ledger.recorder.insert_events(old)
    reader = LogReader(container.ledger)
    found = positions(read_all(reader, Selection(frozenset({SUBMITTED})), limit=5))
    stored = [e for e in old if e.topic.endswith(":AssistanceCase.ApplicationSubmitted")]
    assert stored and all(not e.topic.startswith("domain.assistance.") for e in stored)
    assert len(found) == len(stored)
    by_old_id = {e.aggregate_id for e in reader.read(0, 1000).events if e.position in found}
    assert by_old_id == {e.originator_id for e in stored}

    # Every one is JSON in both masking modes (one stored before a field was added to its
    # class shows the fields it holds).
    approver = Actor("approver-1", "approver", "钟楼区民政局")
    for event in LogReader(container.ledger).read(0, 1000).events:
        for actor in (None, approver):
            envelope = cloudevent(event, "urn:caseledger:test", lambda d, a=actor: redacted(d, a))
            assert json.loads(json.dumps(envelope))["position"] == event.position


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_rolled_back_insert_leaves_a_hole_the_reader_reads_across(
    ledger: Ledger, backend: str, database_url: str
) -> None:
    reader = LogReader(ledger)
    first = ledger.submit_application(application(), WORKER)
    existing: FeedEvent = reader.read(0, 1000).events[-1]
    stored = ledger.mapper.to_stored_event(existing.event)
    clash = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, stored.state)
    with pytest.raises(IntegrityError):  # a version taken twice: the insert rolls back
        ledger.recorder.insert_events([clash])
    with psycopg.connect(database_url) as conn:
        taken = conn.execute("SELECT last_value FROM ledger_events_notification_id_seq")
        hole = int((taken.fetchone() or (0,))[0])
    assert hole > reader.head()  # its id was taken and never committed
    after = ledger.submit_application(application(), WORKER)
    assert after.position > hole
    events = reader.read(first.position - 1, 1000).events
    assert hole not in [e.position for e in events]
    assert events[-1].position == reader.head() and reader.head() > hole
    paged = positions(read_all(reader, EVERYTHING, after=first.position - 1, limit=1))
    assert paged == [e.position for e in events]


@pytest.mark.parametrize("backend", ["sqlite"])  # the encoding is the backends' same
def test_every_event_of_the_demo_district_is_json_in_both_masking_modes(
    container: Container, backend: str
) -> None:
    container.runner.start()  # the demo's payroll runs read the views
    DemoDistrict(container.ledger).load(households=0)  # its fixed history alone
    reader = LogReader(container.ledger)
    approver = Actor("approver-1", "approver", "钟楼区民政局")
    types, after = set(), 0
    while True:
        page = reader.read(after, 500)
        for event in page.events:
            types.add(event.type.name)
            masked = cloudevent(event, "urn:caseledger:test", lambda d: redacted(d, None))
            full = cloudevent(event, "urn:caseledger:test", lambda d: redacted(d, approver))
            assert json.loads(json.dumps(masked))["id"] == json.loads(json.dumps(full))["id"]
        if page.at_head:
            break
        after = page.scanned_to
    assert len(types) >= 70  # most of the ledger's event types (the old export has others)
