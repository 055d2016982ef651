"""Group commit: the stored events of concurrent saves go to the store in one transaction.

The store serialises writers on its table lock (PostgreSQL) or its file lock (SQLite), so N
concurrent commands pay the lock, the round trips and the commit N times, one after another.
Here the first caller to find no commit under way leads: it takes every save queued so far,
inserts their events in one `insert_events` call (one transaction, positions in queue order)
and hands each member its own notification ids. Saves that arrive while it commits queue up
for the next leader. Nobody returns before the transaction holding its events has committed.

A conflict (IntegrityError: a version already taken, a derived id already used) names no
culprit, so the batch is then inserted again member by member: only the guilty ones get the
IntegrityError. Any other failure fails every member of the batch: none is acknowledged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from eventsourcing.persistence import IntegrityError, StoredEvent

Insert = Callable[[Sequence[StoredEvent]], Sequence[int] | None]


@dataclass(eq=False)
class _Save:
    events: Sequence[StoredEvent]
    ids: Sequence[int] | None = None
    error: BaseException | None = None
    done: bool = field(default=False)


class GroupCommit:
    """Coalesces concurrent `insert_events` calls of one recorder into shared transactions."""

    #: Saves waiting behind a commit in this process, all committers together (for tests that
    #: wait until writers are queued, as they would wait for the store's lock without us).
    queued_in_process: ClassVar[int] = 0
    _count_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, insert: Insert, max_batch: int = 256) -> None:
        self._insert = insert
        self._max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Save] = []
        self._busy = False
        #: Commits made and saves they held (the batch sizes' mean, for the benchmark).
        self.commits = 0
        self.saves = 0

    def insert(self, events: Sequence[StoredEvent]) -> Sequence[int] | None:
        """Insert these events with whatever else is queued; answer once they are durable."""
        me = _Save(events)
        with self._cond:
            self._queue.append(me)
            if self._busy:
                self._count(+1)
                try:
                    while not me.done and self._busy:
                        self._cond.wait()
                finally:
                    self._count(-1)
            if not me.done:  # nobody took it: lead the next batch
                self._busy = True
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
        if not me.done:
            try:
                self._commit(batch)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
        if me.error is not None:
            raise me.error
        return me.ids

    def _commit(self, batch: list[_Save]) -> None:
        try:
            try:
                ids = self._insert([e for save in batch for e in save.events])
            except IntegrityError as e:
                if len(batch) == 1:
                    batch[0].error = e
                else:
                    self._one_by_one(batch)
            except BaseException as e:  # the transaction failed: nothing of it is stored
                for save in batch:
                    save.error = e
            else:
                self._share(batch, ids)
            self.commits += 1
            self.saves += len(batch)
        finally:
            for save in batch:
                if save.ids is None and save.error is None and save.events:
                    save.error = RuntimeError("the group commit ended without an answer")
                save.done = True

    def _one_by_one(self, batch: list[_Save]) -> None:
        for save in batch:
            try:
                save.ids = self._insert(save.events)
            except BaseException as e:
                save.error = e

    @staticmethod
    def _share(batch: list[_Save], ids: Sequence[int] | None) -> None:
        at = 0
        for save in batch:
            n = len(save.events)
            save.ids = list(ids[at : at + n]) if ids is not None else []
            at += n

    @classmethod
    def _count(cls, delta: int) -> None:
        with cls._count_lock:
            cls.queued_in_process += delta
