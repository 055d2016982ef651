"""Tails the notification log into the views: exactly once, in batches, restartable anywhere.

Polling guarantees delivery; an in-process signal or PostgreSQL NOTIFY only wakes it early.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.application import Application

from projections.store import Database, Tx
from projections.view import Projection

log = logging.getLogger("caseledger.projections")
Progress = Callable[[str, int, int], None]


class Process(Protocol):
    name: str

    def run_once(self) -> int: ...


class ProjectionFailed(Exception):
    """A projection met an event it cannot handle: it stops there and says so."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.position = position


class ProjectionRunner:
    def __init__(
        self,
        app: Application[Any],
        db: Database,
        projections: Sequence[Projection],
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ):
        self.app = app
        self.db = db
        self.projections = list(projections)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        #: Processes that react to events by running commands (e.g. the death cascade).
        self.processes: list[Process] = []
        self._wake = threading.Event()
        self._running = threading.Lock()
        #: Notified after every commit, so in-process readers wait no longer than needed.
        self.progressed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self.failed: dict[str, str] = {}
        self._topics = {t for p in self.projections for t in p.topics()}

    # -- positions --------------------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        rows = self.db.query("SELECT name, position FROM projection_tracking")
        found = {r["name"]: int(r["position"]) for r in rows}
        return {p.name: found.get(p.name, 0) for p in self.projections}

    # -- catching up ------------------------------------------------------------------------

    def run_once(self, progress: Progress | None = None, *, processes: bool = True) -> int:
        """Apply everything recorded so far; return how many notifications were read."""
        with self._running:
            if not processes:
                return self._run_once(progress, background=False)
            return self._cycle(progress, background=False)

    def _cycle(self, progress: Progress | None, background: bool) -> int:
        """Views first, then the processes that act on them; views again if those acted."""
        total = self._run_once(progress, background)
        for process in self.processes:
            if process.run_once():
                total += self._run_once(progress, background)
        return total

    def _run_once(self, progress: Progress | None, background: bool = True) -> int:
        total = 0
        head = self.app.recorder.max_notification_id() or 0
        while not (background and self._stop.is_set()):  # a direct call always catches up
            positions = self.positions()
            active = [p for p in self.projections if p.name not in self.failed]
            if not active:
                break
            start = min(positions[p.name] for p in active)
            batch = self.app.recorder.select_notifications(
                start=start, limit=self.batch_size, inclusive_of_start=False
            )
            if not batch:
                break
            events = [
                (n.id, self.app.mapper.to_domain_event(n) if n.topic in self._topics else None)
                for n in batch
            ]
            for projection in active:
                todo = [(pos, e) for pos, e in events if pos > positions[projection.name]]
                if todo:
                    self._apply(projection, todo)
            total += len(batch)
            if progress:
                progress("catching up", batch[-1].id, max(head, batch[-1].id))
        return total

    def _apply(self, projection: Projection, todo: list[tuple[int, Any]]) -> None:
        try:
            self._apply_batch(projection, todo)
        except ProjectionFailed as failure:
            # Keep everything before the bad event, then stop there and say why.
            good = [(pos, e) for pos, e in todo if pos < failure.position]
            if good:
                self._apply_batch(projection, good)
            self.failed[projection.name] = str(failure)
            log.error("projection stopped: %s", failure)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            with self.db.transaction() as tx:
                tx.execute(
                    "INSERT INTO projection_tracking (name, position, updated_at, error,"
                    " error_position) VALUES (%s, 0, %s, %s, %s) ON CONFLICT (name) DO UPDATE"
                    " SET error = excluded.error, error_position = excluded.error_position",
                    (projection.name, now, str(failure), failure.position),
                )
        with self.progressed:
            self.progressed.notify_all()

    def _apply_batch(self, projection: Projection, todo: list[tuple[int, Any]]) -> None:
        with self.db.transaction() as tx:
            # Re-read the position under a row lock: another runner (thread or worker)
            # may have applied part of this batch since we looked.
            done = self._lock_position(tx, projection.name)
            todo = [(pos, e) for pos, e in todo if pos > done]
            if not todo:
                return
            for position, event in todo:
                if event is None:
                    continue
                try:
                    projection.apply(tx, event, position)
                except Exception as e:
                    raise ProjectionFailed(
                        f"{projection.name} cannot handle {type(event).__qualname__} at "
                        f"position {position}: {type(e).__name__}: {e}",
                        position,
                    ) from e
            applied = sum(1 for _, e in todo if e is not None)
            self._track(tx, projection.name, todo[-1][0], applied)

    def _lock_position(self, tx: Tx, name: str) -> int:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        tx.execute(
            "INSERT INTO projection_tracking (name, position, updated_at) VALUES (%s, 0, %s)"
            " ON CONFLICT (name) DO NOTHING",
            (name, now),
        )
        lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
        sql = f"SELECT position FROM projection_tracking WHERE name = %s{lock}"
        return int(tx.scalar(sql, (name,)))

    @staticmethod
    def _track(tx: Tx, name: str, position: int, applied: int) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        tx.execute(
            "INSERT INTO projection_tracking (name, position, events_applied, updated_at, error)"
            " VALUES (%s, %s, %s, %s, NULL) ON CONFLICT (name) DO UPDATE SET"
            " position = excluded.position,"
            " events_applied = projection_tracking.events_applied + excluded.events_applied,"
            " updated_at = excluded.updated_at, error = NULL, error_position = NULL",
            (name, position, applied, now),
        )

    # -- rebuilding -------------------------------------------------------------------------

    def reset(self, names: Sequence[str] | None = None) -> None:
        """Empty the named views (all by default) and their tracking, in one transaction."""
        chosen = [p for p in self.projections if names is None or p.name in names]
        with self.db.transaction() as tx:
            for projection in chosen:
                for table in projection.tables:
                    tx.execute(f"DELETE FROM {table}")
                tx.execute("DELETE FROM projection_tracking WHERE name = %s", (projection.name,))
                self.failed.pop(projection.name, None)

    # -- running in the background ----------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="projections", daemon=True)
        self._thread.start()
        if self.db.dialect == "postgres":
            self._listener = threading.Thread(target=self._listen, name="notify", daemon=True)
            self._listener.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                with self._running:
                    self._cycle(None, background=True)
            except Exception:  # a lost connection: keep polling, the log is the truth
                log.exception("projection runner error; retrying")
                time.sleep(self.poll_interval)
            self._wake.wait(self.poll_interval)

    def _listen(self) -> None:
        import psycopg

        channel = getattr(self.app.recorder, "channel_name", "ledger_events")
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.db.url.conninfo, autocommit=True) as conn:
                    conn.execute(f'LISTEN "{channel}"')
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self._wake.set()
            except psycopg.Error:
                time.sleep(self.poll_interval)


def wait_for_position(
    db: Database,
    names: Sequence[str],
    position: int,
    timeout: float,
    progressed: threading.Condition | None = None,
) -> bool:
    """True once every named projection has reached `position`, False after `timeout`.

    With the in-process runner's condition it wakes on each commit; otherwise it polls.
    """
    deadline = time.monotonic() + timeout
    while True:
        rows = db.query("SELECT name, position FROM projection_tracking")
        found = {r["name"]: int(r["position"]) for r in rows}
        if all(found.get(n, 0) >= position for n in names):
            return True
        if time.monotonic() >= deadline:
            return False
        if progressed is None:
            time.sleep(0.01)
        else:
            with progressed:
                progressed.wait(0.05)
