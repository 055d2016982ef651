"""The standard-change process: a new DIBAO or TEKUN standard (提标) recomputes active cases.

It tails the log for `ParameterSet` events of `dibao.standard` and `tekun.standard`, never
past the position the `payable_cases` view has reached (that view says which cases are
active), and remembers its own position in `projection_tracking`. The ledger command it calls
skips a case already at that version, so running it again after a crash changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.ledger import Ledger
from domain.payroll.commands import STANDARD_PROGRAMMES
from domain.shared.parameters import ParameterSchedule, parameter_id
from projections.store import Database
from projections.views.payable_cases import PayableCases

NAME = "standard_changes"


class StandardChanges:
    name = NAME

    def __init__(self, ledger: Ledger, db: Database, batch_size: int = 100):
        self.ledger = ledger
        self.db = db
        self.batch_size = batch_size
        self.topic = get_topic(ParameterSchedule.ParameterSet)
        self.standards: dict[UUID, str] = {
            parameter_id(ledger.district, name): name for name in STANDARD_PROGRAMMES
        }

    def _position(self, name: str) -> int:
        value = self.db.scalar("SELECT position FROM projection_tracking WHERE name = %s", (name,))
        return int(value or 0)

    def _track(self, position: int, handled: int) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO projection_tracking (name, position, events_applied, updated_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET"
                " position = excluded.position, updated_at = excluded.updated_at,"
                " events_applied = projection_tracking.events_applied + excluded.events_applied",
                (NAME, position, handled, now),
            )

    def run_once(self) -> int:
        """Apply every standard change the payable-cases view has seen; return how many."""
        done = 0
        limit = self._position(PayableCases.name)
        position = self._position(NAME)
        while position < limit:
            batch = self.ledger.recorder.select_notifications(
                start=position, limit=self.batch_size, stop=limit, topics=[self.topic],
                inclusive_of_start=False,
            )  # fmt: skip
            for note in batch:
                event = self.ledger.mapper.to_domain_event(note)
                name = self.standards.get(event.originator_id)
                if name is not None:
                    self.ledger.apply_standard_change(
                        name, event.originator_version, up_to=note.id,
                        occurred_on=event.occurred_on,  # type: ignore[attr-defined]
                    )  # fmt: skip
                    done += 1
                self._track(note.id, 1 if name else 0)
            if len(batch) < self.batch_size:
                self._track(limit, 0)  # nothing more up to the view: keep the lag honest
                break
            position = batch[-1].id
        return done
