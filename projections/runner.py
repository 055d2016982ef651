"""Tails the notification log into the views: exactly once, in batches, restartable anywhere.

Polling guarantees delivery; an in-process signal or PostgreSQL NOTIFY only wakes it early.
A view or process stops only when its own code fails on an event; a lost connection, a lock,
a deadlock or a timeout is retried with growing pauses, and it resumes by itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from eventsourcing.application import Application

from domain.shared.errors import Unavailable
from domain.shared.personal_data import PersonalData
from projections import tracking
from projections.applying import Applying, ProjectionFailed, after, decode_batch, describe
from projections.backends import is_transient
from projections.feed.notify import NotifyListener
from projections.store import Database
from projections.view import Projection

__all__ = ["ProjectionFailed", "ProjectionRunner"]

log = logging.getLogger("caseledger.projections")
Progress = Callable[[str, int, int], None]
BATCH = 500  # notifications per transaction when close to the head
CATCH_UP_BATCH = 5000  # when further behind: a rebuild, a restart after a pause


class Process(Protocol):
    @property
    def name(self) -> str: ...

    def run_once(self) -> int: ...


class ProjectionRunner(Applying):
    def __init__(
        self,
        app: Application[Any],
        db: Database,
        projections: Sequence[Projection],
        batch_size: int = BATCH,
        poll_interval: float = 1.0,
        max_backoff: float = 30.0,
        catch_up_batch_size: int | None = None,
    ):
        self.app = app
        self.db = db
        self.projections = list(projections)
        self.batch_size = batch_size
        #: Read when the views are more than a batch behind (a rebuild, a restart): fewer,
        #: larger transactions, while memory stays bounded by this many decoded events. A
        #: runner given a batch size of its own keeps to it unless told this one too.
        if catch_up_batch_size is None:
            catch_up_batch_size = CATCH_UP_BATCH if batch_size == BATCH else batch_size
        self.catch_up_batch_size = max(batch_size, catch_up_batch_size)
        #: Every view's part of a batch in one transaction (False: one per view, the old way).
        self.batched = True
        #: Shared batches applied again view by view after an error (see _apply_together).
        self.fallbacks = 0
        #: Events read in catch-up batches, and how many when the view tables were last
        #: analysed (PostgreSQL): see _refresh_statistics.
        self._caught_up = 0
        self._analysed_at = 0
        #: How many times the view tables were analysed during a catch-up, and from how many
        #: caught-up events on.
        self.analyses = 0
        self.analyse_from = 20_000
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        #: Processes that react to events by running commands (e.g. the death cascade).
        self.processes: list[Process] = []
        #: Processes that follow no view (the Merkle log's sealer): they run in a thread of
        #: their own, so a long pass of the views never holds them back.
        self.independent: list[Process] = []
        self._independent_running = threading.Lock()
        self._independent_wake = threading.Event()
        self._independent_thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._running = threading.Lock()
        #: Notified after every commit, so in-process readers wait no longer than needed.
        self.progressed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: PostgreSQL LISTEN, shared with the other readers of this process (the streams).
        self.listener: NotifyListener | None = None
        if db.dialect == "postgres":
            channel = getattr(app.recorder, "channel_name", "ledger_events")
            self.listener = NotifyListener(db.url.conninfo, channel, poll_interval)
            self.listener.callbacks.append(self._wake.set)
        #: Stopped for good (until a restart or rebuild): name -> why.
        self.failed: dict[str, str] = {}
        #: Hit a transient error that the background loop is retrying: name -> what.
        self.retrying: dict[str, str] = {}
        self._topics = {t for p in self.projections for t in p.topics()}
        self.personal: PersonalData | None = getattr(app, "personal", None)
        for projection in self.projections:
            projection.personal = self.personal
            projection.pseudonyms = getattr(app, "pseudonyms", None)

    # -- positions --------------------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        return tracking.positions(self.db, [p.name for p in self.projections])

    @property
    def every_process(self) -> list[Process]:
        return [*self.processes, *self.independent]

    # -- catching up ------------------------------------------------------------------------

    def run_once(
        self, progress: Progress | None = None, *, processes: bool = True, until: int | None = None
    ) -> int:
        """Apply everything recorded so far; return how many notifications were read.

        With `until` (and no processes), only up to that position: a bounded rebuild."""
        with self._running:
            if not processes:
                return self._run_once(progress, background=False, until=until)
            total = self._cycle(progress, background=False)
        self._independents()
        return total

    def _independents(self) -> None:
        with self._independent_running:
            for process in self.independent:
                if process.name not in self.failed:
                    self._process(process)

    def _cycle(self, progress: Progress | None, background: bool) -> int:
        """Views first, then the processes that act on them; views again if those acted."""
        total = self._views(progress, background)
        for process in self.processes:
            if process.name not in self.failed and self._process(process):
                total += self._views(progress, background)
        return total

    def _views(self, progress: Progress | None, background: bool) -> int:
        names = [p.name for p in self.projections if p.name not in self.failed]
        try:
            total = self._run_once(progress, background)
        except Exception as error:
            # A view's own failure was handled in _apply; this is the store (or the runner,
            # e.g. an event it cannot decode): retried by the loop, and shown meanwhile.
            self.retrying.update(dict.fromkeys(names, describe(error)))
            raise
        for name in names:
            self.retrying.pop(name, None)
        return total

    def _process(self, process: Process) -> int:
        """Run one process; a deterministic failure stops it and is recorded like a view's."""
        try:
            acted = process.run_once()
        except Exception as error:
            if retryable(error):
                self.retrying[process.name] = describe(error)
                raise
            if isinstance(error, ProjectionFailed):
                message, at = str(error), error.position
            else:
                at = tracking.position(self.db, process.name) + 1
                message = f"{process.name} stopped after position {at - 1}: {describe(error)}"
            self.failed[process.name] = message
            self.retrying.pop(process.name, None)
            log.error("process stopped: %s", message)
            tracking.record_failure(self.db, process.name, message, at)
            return 0
        self.retrying.pop(process.name, None)
        return acted

    def _run_once(
        self, progress: Progress | None, background: bool = True, until: int | None = None
    ) -> int:
        total = 0
        # Up to the head as it is now, not whatever arrives meanwhile: under a steady write
        # load the processes that run after the views (reactions, the audit findings, the
        # sealer) would otherwise wait until the writes stop.
        head = self.app.recorder.max_notification_id() or 0
        if until is not None:
            head = min(head, until)
        while not (background and self._stop.is_set()):  # a direct call always catches up
            positions = self.positions()
            active = [p for p in self.projections if p.name not in self.failed]
            if not active:
                break
            start = min(positions[p.name] for p in active)
            if start >= head:
                break
            limit = self.catch_up_batch_size if head - start > self.batch_size else self.batch_size
            batch = self.app.recorder.select_notifications(
                start=start, limit=limit, stop=head, inclusive_of_start=False
            )
            if not batch:
                break
            events = decode_batch(self.app, batch, self._topics)
            if self.personal is not None:  # committed before any view transaction needs them
                self.personal.ensure_keys(vars(e) for _, e in events if e is not None)
            work = [(p, after(events, positions[p.name])) for p in active]
            work = [(p, todo) for p, todo in work if todo]
            if self.batched and len(work) > 1:
                self._apply_together(work)
            else:
                for projection, todo in work:
                    self._apply(projection, todo)
            total += len(batch)
            if limit == self.catch_up_batch_size:
                self._caught_up += len(batch)
                self._refresh_statistics()
            if progress:
                progress("catching up", batch[-1].id, max(head, batch[-1].id))
        return total

    # -- rebuilding -------------------------------------------------------------------------

    def reset(self, names: Sequence[str] | None = None) -> None:
        """Empty the named views (all by default) and their tracking, in one transaction."""
        chosen = [p for p in self.projections if names is None or p.name in names]
        with self.db.transaction() as tx:
            for projection in chosen:
                projection.clear(tx)
                tracking.forget(tx, projection.name)
                self.failed.pop(projection.name, None)
                self.retrying.pop(projection.name, None)

    # -- running in the background ----------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()
        self._independent_wake.set()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="projections", daemon=True)
        self._thread.start()
        if self.independent:
            self._independent_thread = threading.Thread(
                target=self._independent_loop, name="independent-processes", daemon=True
            )
            self._independent_thread.start()
        if self.listener is not None:
            self.listener.start()

    def stop(self) -> None:
        self._stop.set()
        if self.listener is not None:
            self.listener.stop()
        self._wake.set()
        self._independent_wake.set()
        for thread in (self._thread, self._independent_thread):
            if thread:
                thread.join(timeout=10)

    def _loop(self) -> None:
        self._looping(self._wake, self._background_cycle)

    def _independent_loop(self) -> None:
        self._looping(self._independent_wake, self._independents)

    def _background_cycle(self) -> None:
        with self._running:
            self._cycle(None, background=True)

    def _looping(self, wake: threading.Event, cycle: Callable[[], Any]) -> None:
        failures = 0
        while not self._stop.is_set():
            wake.clear()
            try:
                cycle()
            except Exception as error:
                # Views and processes stop themselves on their own failures (above); what
                # reaches here is the store being unreachable, or a bug of the runner itself:
                # both are logged and retried, with pauses that grow up to max_backoff.
                failures += 1
                pause = min(self.poll_interval * 2 ** min(failures, 16), self.max_backoff)
                if retryable(error):
                    log.warning("projections: %s; retrying in %.1fs", describe(error), pause)
                else:
                    log.exception("projection runner error; retrying in %.1fs", pause)
                self._stop.wait(pause)
                continue
            failures = 0
            wake.wait(self.poll_interval)


def retryable(error: BaseException) -> bool:
    """The store was unreachable, or a view the process waits on is behind: try again later."""
    return is_transient(error) or isinstance(error, Unavailable)
