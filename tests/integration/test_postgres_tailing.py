"""A delayed PostgreSQL commit never lets a tailing reader skip an event."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from builders import WORKER, application

from api.container import Container
from domain.ledger import Ledger


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_delayed_commit_never_lets_a_tailing_reader_skip_an_event(
    ledger: Ledger, container: Container, backend: str
) -> None:
    recorder: Any = ledger.recorder
    slow = threading.Event()
    original = recorder._fetch_ids_after_insert_events

    def delayed(curs: Any, stored: Any, **kw: Any) -> Any:
        ids = original(curs, stored, **kw)
        if slow.is_set() and threading.current_thread().name == "slow-writer":
            time.sleep(1.5)  # ids are taken, the commit has not happened yet
        return ids

    recorder._fetch_ids_after_insert_events = delayed
    start = ledger.latest_position()

    seen: list[int] = []
    done = threading.Event()

    def tail() -> None:
        last = start
        while not done.is_set() or last < ledger.latest_position():
            for n in recorder.select_notifications(
                start=last, limit=1000, inclusive_of_start=False
            ):
                seen.append(n.id)
                last = n.id
            time.sleep(0.01)

    reader = threading.Thread(target=tail)
    reader.start()
    slow.set()
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            ledger.submit_application(application(), WORKER)
        except BaseException as e:
            errors.append(e)

    writer = threading.Thread(target=submit, name="slow-writer")
    writer.start()
    time.sleep(0.3)
    fast = [threading.Thread(target=submit) for _ in range(3)]
    for t in fast:
        t.start()
    for t in [writer, *fast]:
        t.join()
    done.set()
    reader.join()

    assert not errors
    everything = [n.id for n in recorder.select_notifications(start=start + 1, limit=1000)]
    assert len(everything) == 4
    assert seen == everything  # in order, nothing skipped, nothing twice
