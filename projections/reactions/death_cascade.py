"""The death-notification process (身后一件事): a verified death settles every case it touches.

It follows the `person_enrolment` view (which says who is counted where) and records the
death on every active case that counts the person; the command is idempotent.
"""

from __future__ import annotations

from typing import Any

from domain.deaths.notification import DeathNotification
from domain.topics import topics_of
from projections.reactions.reaction import Reaction
from projections.views.person_enrolment import EnrolmentView, PersonEnrolment

NAME = "death_cascade"


class DeathCascade(Reaction):
    name = NAME
    follows = PersonEnrolment.name

    def topics(self) -> list[str]:
        return topics_of(DeathNotification.DeathVerified)

    def handle(self, event: Any, position: int) -> bool:
        person = self.ledger.get_death(event.originator_id).person_id
        # No wait: the batch never goes past the position the view has reached.
        found = EnrolmentView(self.db).active_enrolments([person], up_to=None)
        self.ledger.apply_death_consequences(event.originator_id, [e.case_id for e in found])
        return True
