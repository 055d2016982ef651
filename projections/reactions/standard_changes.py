"""The standard-change process: a new DIBAO or TEKUN standard (提标) recomputes active cases.

It follows the `payable_cases` view (which says which cases are active) and reacts to
`ParameterSet` of `dibao.standard` / `tekun.standard` and to `EligibilityConfirmed`. A
standard change recomputes the cases confirmed before it; a confirmation recomputes its one
case under every standard in force from its first paid month, so a standard set in advance
(recorded before the case was even assessed) is applied too. The ledger commands skip a case
already at that version, so running them again after a crash changes nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from domain.payroll.standards import STANDARD_PROGRAMMES
from domain.shared.parameters import ParameterSchedule, parameter_id
from domain.topics import topics_of
from projections.reactions.reaction import Reaction
from projections.store import Database
from projections.views.payable_cases import PayableCases

NAME = "standard_changes"


class StandardChanges(Reaction):
    name = NAME
    follows = PayableCases.name

    def __init__(self, ledger: Ledger, db: Database, batch_size: int = 100):
        super().__init__(ledger, db, batch_size)
        self.standards: dict[UUID, str] = {
            parameter_id(ledger.district, name): name for name in STANDARD_PROGRAMMES
        }
        #: Cases a batch already brought up to their standards (see `prepare`).
        self.prepared: set[UUID] = set()

    def topics(self) -> list[str]:
        return topics_of(ParameterSchedule.ParameterSet) + topics_of(
            AssistanceCase.EligibilityConfirmed
        )

    def prepare(self, events: list[Any]) -> None:
        """Bring the confirmations before the batch's first standard change up to their
        standards together, 100 cases per transaction (a demo or an import confirms many)."""
        self.prepared = set()
        cases: dict[UUID, str | None] = {}
        for event in events:
            if not isinstance(event, AssistanceCase.EligibilityConfirmed):
                break  # a standard change comes first: the rest wait for handle(), in order
            cases[event.originator_id] = event.occurred_on
        if cases:
            self.ledger.apply_standards_to_cases(cases)
            self.prepared = set(cases)

    def handle(self, event: Any, position: int) -> bool:
        """Apply one standard change or one confirmation; False when it concerns no standard."""
        if isinstance(event, AssistanceCase.EligibilityConfirmed):
            if event.originator_id not in self.prepared:
                self.ledger.apply_standards_to_case(
                    event.originator_id, occurred_on=event.occurred_on
                )
            return True
        name = self.standards.get(event.originator_id)
        if name is None:
            return False
        self.ledger.apply_standard_change(
            name, event.originator_version, up_to=position, occurred_on=event.occurred_on
        )
        return True
