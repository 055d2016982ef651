"""The rebuild benchmark's baselines and its memory gauge (bench/rebuild.py uses them).

- `read_and_decode`: the floor, reading the log and decoding every event, no view written;
- `library_runner`: every view's handlers driven by the library's own per-event runner
  (`eventsourcing.projection.ProjectionRunner`, its subscription and its tracking table):
  one transaction per event, as the library's projections work;
- `Peak`: the resident set's high-water mark over one phase (Linux `/proc`), else the
  process's `getrusage` maximum.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection as LibraryProjection
from eventsourcing.projection import ProjectionRunner as LibraryRunner
from scratch_database import progress_bar

from api.container import Container, ledger_env
from domain.ledger import Ledger
from domain.shared.sealing_mapper import decode_all
from projections.backends import DatabaseUrl
from projections.registry import all_projections
from projections.store import Tx

LIBRARY_VIEWS = "bench_library_views"  # its tracking table: bench_library_views_tracking
STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


class Peak:
    """Peak resident memory (MB) between `start()` and `mb()`."""

    def __init__(self) -> None:
        self.resettable = False

    def start(self) -> None:
        try:
            CLEAR_REFS.write_text("5")  # resets VmHWM to the current resident size
            self.resettable = True
        except OSError:
            self.resettable = False

    def mb(self) -> float:
        if self.resettable:
            for line in STATUS.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_and_decode(container: Container, stop: int, batch: int = 5000) -> dict[str, Any]:
    """Read the log up to `stop` in batches and decode every event: no view is written."""
    recorder, mapper = container.ledger.recorder, container.ledger.mapper
    peak, read, start_at = Peak(), 0, 0
    peak.start()
    with progress_bar(28) as bar:
        task = bar.add_task("baseline: read + decode", total=stop)
        started = time.perf_counter()
        while start_at < stop:
            found = recorder.select_notifications(
                start=start_at, limit=batch, stop=stop, inclusive_of_start=False
            )
            if not found:
                break
            decode_all(mapper, found)  # as the runner decodes a batch
            read += len(found)
            start_at = found[-1].id
            bar.update(task, completed=start_at)
        seconds = time.perf_counter() - started
    return {"events": read, "seconds": seconds, "rate": read / seconds, "peak_rss_mb": peak.mb()}


def library_runner(container: Container, stop: int, events: int) -> dict[str, Any]:
    """Every view through the library's ProjectionRunner up to `stop` (`events` notifications
    there), one transaction per event: views reset first, its tracking table dropped after."""
    if container.db.dialect != "postgres":
        raise RuntimeError("the library baseline runs on PostgreSQL")
    ledger = container.ledger
    projections = all_projections()
    for p in projections:
        p.personal, p.pseudonyms = ledger.personal, ledger.pseudonyms
    topics = tuple(sorted({t for p in projections for t in p.topics()}))
    personal = ledger.personal

    class Views(PostgresTrackingRecorder):
        """The materialised view: our views' tables, written with the tracking record."""

        def apply(self, event: Any, tracking: Tracking) -> None:
            personal.ensure_keys([vars(event)])  # committed first, as our runner does
            with self.datastore.transaction(commit=True) as curs:
                tx = Tx("postgres", curs)
                for projection in projections:
                    projection.apply(tx, event, tracking.notification_id)
                tx.flush()  # what the views deferred, as Database.transaction does
                self._insert_tracking(curs, tracking)

    class Handlers(LibraryProjection[Views]):
        name = LIBRARY_VIEWS

        def process_event(self, domain_event: Any, tracking: Tracking) -> None:
            self.view.apply(domain_event, tracking)

    Handlers.topics = topics

    class App(Ledger):
        name = Ledger.name  # the library names the events table after the application

        def __init__(self, env: Any) -> None:
            super().__init__(
                env, district=ledger.district, pseudonyms=ledger.pseudonyms, personal=personal
            )

    url = DatabaseUrl.parse(container.settings.database_url)
    env = ledger_env(container.settings, url) | {f"{LIBRARY_VIEWS.upper()}_CREATE_TABLE": "y"}
    target = container.db.scalar(
        "SELECT max(notification_id) FROM ledger_events WHERE notification_id <= %s"
        " AND topic = ANY(%s)",
        [stop, list(topics)],
    )
    drop_tracking(container)
    container.runner.reset()
    peak = Peak()
    peak.start()
    with progress_bar(28) as bar:
        task = bar.add_task("baseline: library runner", total=stop)
        started = time.perf_counter()
        runner = LibraryRunner(
            application_class=App, projection_class=Handlers, view_class=Views, env=env
        )
        try:
            reached = 0
            while reached < (target or 0):
                runner.run_forever(timeout=0.5)  # re-raises the runner's error, if any
                reached = runner.view.max_tracking_id(ledger.name) or 0
                bar.update(task, completed=reached)
            seconds = time.perf_counter() - started
        finally:
            runner.stop()
            # stop() does not wait for the event in hand: let it finish before the drop.
            thread = getattr(runner, "_processing_thread", None)
            if thread is not None:
                thread.join(timeout=30)
            runner.app.close()
    drop_tracking(container)
    return {"events": events, "seconds": seconds, "rate": events / seconds,
            "peak_rss_mb": peak.mb()}  # fmt: skip


def drop_tracking(container: Container) -> None:
    with container.db.transaction() as tx:
        tx.execute(f"DROP TABLE IF EXISTS {LIBRARY_VIEWS}_tracking")


def count_notifications(container: Container, stop: int) -> int:
    return int(
        container.db.scalar(
            "SELECT count(*) FROM ledger_events WHERE notification_id <= %s", [stop]
        )
    )


def position_of_nth(container: Container, n: int) -> int:
    """The position of the log's n-th notification (its head when it holds fewer)."""
    found = container.db.scalar(
        "SELECT notification_id FROM ledger_events ORDER BY notification_id OFFSET %s LIMIT 1",
        [max(0, n - 1)],
    )
    return int(found) if found is not None else container.ledger.latest_position()


Sampler = Callable[[str, int, int], None]
