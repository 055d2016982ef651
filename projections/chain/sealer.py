"""The sealer: appends every stored event to the Merkle log, exactly once and in order.

A process of the runner (not a view: a rebuild never empties the log). Each batch commits its
leaves, the subtree nodes they complete and its tracking position in ONE transaction, after
re-reading that position under a row lock, so two runners at once never seal an event twice
and a crash mid-batch leaves nothing half-done. Hashing happens before the transaction opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.application import Application

from projections import tracking
from projections.chain import nodes
from projections.chain.canonical import leaf_hash_of
from projections.chain.tree import completed, frontier_nodes
from projections.store import Database, Tx

__all__ = ["NAME", "Sealer"]

NAME = "merkle_log"


class AfterSeal(Protocol):
    def after_seal(self) -> None: ...


class SealerMoved(Exception):
    """The sealer's tracking row points past the log: someone moved it (it stops, and says so)."""


class Sealer:
    """Runs in `ledger serve` and `ledger project`; `run_once` seals to the head."""

    name = NAME

    def __init__(self, app: Application[Any], db: Database, batch_size: int = 1000):
        self.app = app
        self.db = db
        self.batch_size = batch_size
        #: Called after each sealing pass (the signer cuts checkpoints there).
        self.then: list[AfterSeal] = []

    def run_once(self) -> int:
        """Seal everything recorded so far; 0: it issues no commands, views need not rerun.

        Up to the head as it is now, so that under a steady write load the checkpoints after
        it are still cut; what arrives meanwhile is the next pass's.
        """
        head = self.app.recorder.max_notification_id() or 0
        at = tracking.position(self.db, NAME)
        if at > head:
            raise SealerMoved(
                f"the sealer's position {at} is past the log's head {head}: its tracking row "
                "was moved; nothing after it would be sealed"
            )
        while at < head and self.seal_batch(head) > 0:
            at = tracking.position(self.db, NAME)
        for hook in self.then:
            hook.after_seal()
        return 0

    def seal_batch(self, stop: int | None = None) -> int:
        """Seal the next batch after the tracked position (up to `stop`); how many it read."""
        start = tracking.position(self.db, NAME)
        batch = self.app.recorder.select_notifications(
            start=start, limit=self.batch_size, stop=stop, inclusive_of_start=False
        )
        if not batch:
            return 0
        hashed = [(int(n.id), leaf_hash_of(n)) for n in batch]
        with self.db.transaction() as tx:
            done = tracking.lock_position(tx, NAME)
            todo = [(position, h) for position, h in hashed if position > done]
            if todo:
                self._append(tx, todo)
                tracking.advance(tx, NAME, todo[-1][0], len(todo))
        return len(batch)

    def _append(self, tx: Tx, todo: Sequence[tuple[int, bytes]]) -> None:
        """Dense leaf indexes after the sealed size, and every node the new leaves complete."""
        size = nodes.size(tx)
        edge = nodes.read_nodes(tx, frontier_nodes(size))
        frontier = {level: edge[(level, index)] for level, index in frontier_nodes(size)}
        leaves = [(size + i, position, h) for i, (position, h) in enumerate(todo)]
        made = completed(size, [h for _, h in todo], frontier)
        nodes.append(tx, leaves, made)

    # -- lag ----------------------------------------------------------------------------------

    def lag(self) -> tuple[int, float]:
        """Events recorded but not sealed, and the age in seconds of the oldest of them."""
        position = tracking.position(self.db, NAME)
        head = self.app.recorder.max_notification_id() or 0
        if head <= position:
            return 0, 0.0
        pending = self.app.recorder.select_notifications(
            start=position, limit=1, inclusive_of_start=False
        )
        if not pending:
            return 0, 0.0
        behind = int(self.db.scalar(_count_sql(self.db), (position,)) or 0)
        event = self.app.mapper.to_domain_event(pending[0])
        stamp: datetime = getattr(event, "timestamp")  # noqa: B009 - every event has one
        return behind, max(0.0, (datetime.now(UTC) - stamp).total_seconds())


def _count_sql(db: Database) -> str:
    """Stored events after a position, on either backend's event table."""
    if db.dialect == "postgres":
        return "SELECT COUNT(*) FROM ledger_events WHERE notification_id > %s"
    return "SELECT COUNT(*) FROM stored_events WHERE rowid > %s"
