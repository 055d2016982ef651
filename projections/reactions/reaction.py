"""What a reaction is: it tails the log for some event types and issues commands for each.

It never reads past the position of the view it relies on (so that view already knows every
event before the one it handles), keeps its own position in the tracking table, and runs
commands that are idempotent, so that a crash anywhere is repaired by running it again: at
least once, with exactly-once effect. A command failing on one event stops the reaction
there (the runner reports it in projectionStatus); a lost connection is retried by the runner.
"""

from __future__ import annotations

from typing import Any, ClassVar

from domain.ledger import Ledger
from domain.shared.sealing_mapper import decode_all
from projections import tracking
from projections.runner import ProjectionFailed, retryable
from projections.store import Database


class Reaction:
    name: ClassVar[str]
    #: The view this reaction never overtakes.
    follows: ClassVar[str]

    def __init__(self, ledger: Ledger, db: Database, batch_size: int = 100):
        self.ledger = ledger
        self.db = db
        self.batch_size = batch_size

    def topics(self) -> list[str]:
        """The stored topics of the events it reacts to (old module paths included)."""
        raise NotImplementedError

    def handle(self, event: Any, position: int) -> bool:
        """Issue the commands one event calls for; True when it acted."""
        raise NotImplementedError

    def prepare(self, events: list[Any]) -> None:
        """Optionally act on a whole batch at once (fewer transactions); `handle` then still
        runs per event, in order, and must find the work done. A failure here is not final:
        the events are handled one by one, and the one that fails is named."""

    def _track(self, position: int, handled: int) -> None:
        with self.db.transaction() as tx:
            tracking.advance(tx, self.name, position, handled)

    def run_once(self) -> int:
        """Handle every event the followed view has seen; return how many it acted on."""
        done = 0
        limit = tracking.position(self.db, self.follows)
        position = tracking.position(self.db, self.name)
        topics = self.topics()
        while position < limit:
            batch = self.ledger.recorder.select_notifications(
                start=position, limit=self.batch_size, stop=limit, topics=topics,
                inclusive_of_start=False,
            )  # fmt: skip
            events = decode_all(self.ledger.mapper, batch)
            try:
                self.prepare(events)
            except Exception as e:  # deterministic: handle() below names the event that fails
                if retryable(e):
                    raise
            for note, event in zip(batch, events, strict=True):
                try:
                    acted = self.handle(event, note.id)
                except Exception as e:  # classified: transient is retried, the rest stops here
                    if retryable(e):
                        raise
                    raise ProjectionFailed(
                        f"{self.name} cannot handle {type(event).__name__} at position "
                        f"{note.id}: {type(e).__name__}: {e}",
                        note.id,
                    ) from e
                self._track(note.id, int(acted))
                done += int(acted)
            if len(batch) < self.batch_size:
                self._track(limit, 0)  # nothing more up to the view: keep the lag honest
                break
            position = batch[-1].id
        return done
