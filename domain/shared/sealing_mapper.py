"""The library's Mapper, sealing each `personal` block with its person's key on the way in.

Sealing happens before transcoding (and before the whole-event AESCipher, when one is set),
so the stored event holds only sealed values; loading opens them. Events stored before
per-person keys, with plain blocks, load as they are.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent

from domain.shared.personal_data import PersonalData


class SealingMapper(Mapper[UUID]):
    #: Set by the Ledger right after the library builds its mapper.
    personal: PersonalData

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        state = vars(domain_event)
        sealed = self.personal.seal_blocks(state)
        if sealed is not state:
            clone: Any = object.__new__(type(domain_event))
            object.__setattr__(clone, "__dict__", sealed)
            domain_event = clone
        return super().to_stored_event(domain_event)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        domain_event = super().to_domain_event(stored_event)
        state = vars(domain_event)
        opened = self.personal.open_blocks(state)
        if opened is not state:
            object.__setattr__(domain_event, "__dict__", opened)
        return domain_event
