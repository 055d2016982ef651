"""The log reader's edges, on the in-memory ledger: an empty log, a position beyond the head,
one event a page, no type chosen, and a narrow filter over more than one page's scan."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from builders import WORKER, application

from domain.ledger import Ledger
from projections.feed import reader as reader_module
from projections.feed.reader import EVERYTHING, LogReader, Selection


def submitted(ledger: Ledger, count: int) -> list[str]:
    return [str(ledger.submit_application(application(), WORKER).id) for _ in range(count)]


def test_an_empty_log_reads_nothing_and_stays_where_it_was() -> None:
    page = LogReader(Ledger()).read(0, 10)
    assert (page.events, page.scanned_to, page.head, page.at_head) == ([], 0, 0, True)
    assert LogReader(Ledger()).read(7, 10).scanned_to == 7  # a cursor is never moved back


def test_a_position_beyond_the_head_reads_nothing_and_keeps_the_cursor(ledger: Ledger) -> None:
    head = ledger.latest_position()
    page = LogReader(ledger).read(head + 50, 10)
    assert (page.events, page.scanned_to, page.head) == ([], head + 50, head)


def test_one_event_a_page_walks_the_log_in_order(ledger: Ledger) -> None:
    submitted(ledger, 2)
    reader = LogReader(ledger)
    everything = [e.position for e in reader.read(0, 1000).events]
    walked, after = [], 0
    while True:
        page = reader.read(after, 1)
        assert len(page.events) <= 1
        walked += [e.position for e in page.events]
        if page.at_head:
            break
        assert page.scanned_to == page.events[-1].position  # a full page stops at its event
        after = page.scanned_to
    assert walked == everything
    with pytest.raises(ValueError):
        reader.read(0, 0)


def test_no_type_chosen_reads_nothing_and_moves_to_the_head(ledger: Ledger) -> None:
    head = ledger.latest_position()
    page = LogReader(ledger).read(0, 10, Selection(types=frozenset()))
    assert (page.events, page.scanned_to) == ([], head)
    assert LogReader(ledger).read(head + 5, 10, Selection(types=frozenset())).scanned_to == head + 5
    assert Selection(types=None).narrowed(frozenset()).types == frozenset()  # a token's none


def test_a_narrow_filter_scans_a_bounded_stretch_and_resumes_from_it(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_module, "READ_BATCH", 2)
    monkeypatch.setattr(reader_module, "SCAN_ROUNDS", 3)  # at most 6 notifications a read
    ids = submitted(ledger, 6)  # 3 events each: the case's, its member's 2
    head = ledger.latest_position()
    reader = LogReader(ledger)
    last = Selection(aggregate_ids=frozenset({UUID(ids[-1])}))
    found, after, reads = [], 0, 0
    while True:
        page = reader.read(after, 10, last)
        reads += 1
        assert page.scanned_to - after <= 6 or page.at_head
        found += page.events
        after = page.scanned_to
        if page.at_head:
            break
    assert [str(e.aggregate_id) for e in found] == [ids[-1]] and reads > 1
    assert after == head
    unknown = reader.read(0, 10, Selection(aggregate_ids=frozenset({uuid4()})))
    assert unknown.events == [] and 0 < unknown.scanned_to < head  # bounded, not the head


def test_everything_matches_every_event(ledger: Ledger) -> None:
    submitted(ledger, 1)
    page = LogReader(ledger).read(0, 1000, EVERYTHING)
    assert [e.position for e in page.events] == list(range(1, ledger.latest_position() + 1))
