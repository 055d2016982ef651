"""Applying a batch of the log to the views: all in one transaction, or view by view.

The runner (projections/runner.py) reads the batch; this writes it. One shared transaction
is the fast path; when a view's own code fails in it, the batch is applied again view by view
so that the others advance and the failing view stops exactly before its bad event.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.application import Application

from domain.shared.sealing_mapper import decode_all
from projections import tracking
from projections.backends import is_transient
from projections.store import Database
from projections.view import Projection

log = logging.getLogger("caseledger.projections")


class ProjectionFailed(Exception):
    """A projection or process met an event it cannot handle: it stops there and says so."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.position = position


class Applying:
    """The runner's writing half (a mixin of ProjectionRunner, which sets these)."""

    db: Database
    projections: list[Projection]
    failed: dict[str, str]
    fallbacks: int
    progressed: threading.Condition
    analyses: int
    analyse_from: int
    _caught_up: int
    _analysed_at: int

    def _refresh_statistics(self) -> None:
        """ANALYZE the view tables each time a catch-up has read 4x as many events as at the
        last time (from `analyse_from` on): a few times in a whole rebuild.

        A rebuild starts from empty tables, and PostgreSQL keeps the plan of a prepared
        statement made while they were small (a sequential scan, say) however large they
        grow: the rebuild then slowed along the log. New statistics make it plan afresh.
        A server with autovacuum does this by itself, later; this one may not have it."""
        due = max(self.analyse_from, 4 * self._analysed_at)
        if self.db.dialect != "postgres" or self._caught_up < due:
            return
        tables = sorted({t for p in self.projections for t in (*p.tables, *p.shared_tables)})
        with self.db.transaction() as tx:
            tx.execute(f"ANALYZE {', '.join(tables)}")
        self._analysed_at = self._caught_up
        self.analyses += 1

    def _apply_together(self, work: list[tuple[Projection, list[tuple[int, Any]]]]) -> None:
        """Every view's events of one batch in one transaction, its writes pipelined.

        Any error of a view's own code (or SQL) rolls the whole batch back, and the batch is
        applied again view by view, each in its own transaction: the views that can handle it
        advance, and the one that cannot stops exactly before its bad event, as before.
        """
        try:
            with self.db.transaction() as tx, tx.pipeline():
                done = tracking.lock_positions(tx, [p.name for p, _ in work])
                advanced: list[tuple[str, int, int]] = []
                for projection, todo in work:
                    todo = after(todo, done[projection.name])
                    if not todo:
                        continue
                    projection.prefetch(tx, todo)
                    for position, event in todo:
                        if event is not None:
                            projection.apply(tx, event, position)
                    applied = len(todo) - sum(1 for _, e in todo if e is None)
                    advanced.append((projection.name, todo[-1][0], applied))
                tracking.advance_many(tx, advanced)
        except Exception as error:
            if is_transient(error):
                raise  # not a view's fault: the loop retries the whole batch
            self.fallbacks += 1
            log.warning(
                "a view failed in a shared batch (%s); applying it view by view",
                describe(error),
            )
            for projection, todo in work:
                self._apply(projection, todo)
            return
        with self.progressed:
            self.progressed.notify_all()

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
            tracking.record_failure(self.db, projection.name, str(failure), failure.position)
        with self.progressed:
            self.progressed.notify_all()

    def _apply_batch(self, projection: Projection, todo: list[tuple[int, Any]]) -> None:
        with self.db.transaction() as tx:
            # Re-read the position under a row lock: another runner (thread or worker)
            # may have applied part of this batch since we looked.
            tx.deferring = False  # each write at once: an error names the event it came from
            done = tracking.lock_position(tx, projection.name)
            todo = [(pos, e) for pos, e in todo if pos > done]
            if not todo:
                return
            for position, event in todo:
                if event is None:
                    continue
                try:
                    projection.apply(tx, event, position)
                except Exception as e:
                    if is_transient(e):
                        raise  # not the view's fault: the loop retries the whole batch
                    raise ProjectionFailed(
                        f"{projection.name} cannot handle {type(event).__qualname__} at "
                        f"position {position}: {type(e).__name__}: {e}",
                        position,
                    ) from e
            applied = sum(1 for _, e in todo if e is not None)
            tracking.advance(tx, projection.name, todo[-1][0], applied)


def after(events: list[tuple[int, Any]], position: int) -> list[tuple[int, Any]]:
    """The events past `position` (all of them, without a copy, in the usual case)."""
    if not events or events[0][0] > position:
        return events
    return [(pos, e) for pos, e in events if pos > position]


def describe(error: BaseException) -> str:
    """The error's class and the first line of its message (driver messages hold no rows)."""
    first = str(error).strip().splitlines()
    return f"{type(error).__name__}: {first[0]}" if first else type(error).__name__


def decode_batch(app: Application[Any], batch: Sequence[Any], topics: set[str]) -> list[Any]:
    """(position, event) for each notification, None for those of a topic no view handles;
    decoded together, so the personal data's keys are read once a batch, not once a person."""
    wanted = [n for n in batch if n.topic in topics]
    decoded = decode_all(app.mapper, wanted)
    by_id = {n.id: e for n, e in zip(wanted, decoded, strict=True)}
    return [(n.id, by_id.get(n.id)) for n in batch]
