"""The erasure process: finishes every recorded erasure by destroying the keys it names.

The erasure command destroys the keys right after it saves PersonalDataErased; this process
repeats it for each such event, so a crash between the two is repaired (destroying is
idempotent). It follows `person_enrolment`, which every case event reaches first.
"""

from __future__ import annotations

from typing import Any

from domain.shared.person_record import PersonRecord
from domain.topics import topics_of
from projections.reactions.reaction import Reaction
from projections.views.person_enrolment import PersonEnrolment

NAME = "erasures"


class Erasures(Reaction):
    name = NAME
    follows = PersonEnrolment.name

    def topics(self) -> list[str]:
        return topics_of(PersonRecord.PersonalDataErased)

    def handle(self, event: Any, position: int) -> bool:
        record: Any = self.ledger.repository.get(event.originator_id)
        assert isinstance(record, PersonRecord)
        self.ledger.finish_erasure(record.person_id, list(event.key_ids))
        return True
