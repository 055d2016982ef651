"""The standard-change process: a new DIBAO or TEKUN standard (提标) recomputes active cases.

It tails the log for `ParameterSet` events of `dibao.standard` and `tekun.standard`, and for
`EligibilityConfirmed`, never past the position the `payable_cases` view has reached (that
view says which cases are active), and remembers its own position in `projection_tracking`.
A standard change recomputes the cases confirmed before it; a confirmation recomputes its
one case under every standard in force after its assessment, so a standard set in advance
(recorded before the case was even assessed) is applied too. The ledger commands it calls
skip a case already at that version, so running it again after a crash changes nothing. A
failure of a command stops the process there and shows in projectionStatus; a lost
connection is retried by the runner.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from domain.payroll.commands import STANDARD_PROGRAMMES
from domain.shared.errors import Unavailable
from domain.shared.parameters import ParameterSchedule, parameter_id
from domain.topics import topics_of
from projections import tracking
from projections.runner import ProjectionFailed
from projections.store import Database, is_transient
from projections.views.payable_cases import PayableCases

NAME = "standard_changes"


class StandardChanges:
    name = NAME

    def __init__(self, ledger: Ledger, db: Database, batch_size: int = 100):
        self.ledger = ledger
        self.db = db
        self.batch_size = batch_size
        self.changes = topics_of(ParameterSchedule.ParameterSet)  # type: ignore[attr-defined]
        self.confirmations = topics_of(AssistanceCase.EligibilityConfirmed)
        self.topics = self.changes + self.confirmations
        self.standards: dict[UUID, str] = {
            parameter_id(ledger.district, name): name for name in STANDARD_PROGRAMMES
        }

    def _track(self, position: int, handled: int) -> None:
        with self.db.transaction() as tx:
            tracking.advance(tx, NAME, position, handled)

    def _handle(self, topic: str, event: Any, position: int) -> bool:
        """Apply one standard change or one confirmation; False when it concerns no standard."""
        occurred_on: str = event.occurred_on
        if topic in self.confirmations:
            self.ledger.apply_standards_to_case(event.originator_id, occurred_on=occurred_on)
            return True
        name = self.standards.get(event.originator_id)
        if name is None:
            return False
        self.ledger.apply_standard_change(
            name, event.originator_version, up_to=position, occurred_on=occurred_on
        )
        return True

    def run_once(self) -> int:
        """Apply every standard change and confirmation the payable-cases view has seen."""
        done = 0
        limit = tracking.position(self.db, PayableCases.name)
        position = tracking.position(self.db, NAME)
        while position < limit:
            batch = self.ledger.recorder.select_notifications(
                start=position, limit=self.batch_size, stop=limit, topics=self.topics,
                inclusive_of_start=False,
            )  # fmt: skip
            for note in batch:
                event = self.ledger.mapper.to_domain_event(note)
                try:
                    handled = self._handle(note.topic, event, note.id)
                except Exception as e:
                    if is_transient(e) or isinstance(e, Unavailable):
                        raise  # the runner retries it, with pauses
                    kind = note.topic.rpartition(".")[2]
                    raise ProjectionFailed(
                        f"{NAME} cannot handle {kind} at position {note.id}: "
                        f"{type(e).__name__}: {e}",
                        note.id,
                    ) from e
                self._track(note.id, 1 if handled else 0)
                done += 1 if handled else 0
            if len(batch) < self.batch_size:
                self._track(limit, 0)  # nothing more up to the view: keep the lag honest
                break
            position = batch[-1].id
        return done
