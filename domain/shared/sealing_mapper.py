"""The library's Mapper, sealing each `personal` block with its person's key on the way in.

Sealing happens before transcoding (and before the whole-event AESCipher, when one is set),
so the stored event holds only sealed values; loading opens them. Events stored before
per-person keys, with plain blocks, load as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
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

    def to_domain_events(
        self, stored_events: Sequence[StoredEvent]
    ) -> list[DomainEventProtocol[UUID]]:
        """Many events at once: their personal data's keys are read in one go, not each."""
        events = [super(SealingMapper, self).to_domain_event(s) for s in stored_events]
        states = [vars(e) for e in events]
        for event, state, opened in zip(
            events, states, self.personal.open_many_blocks(states), strict=True
        ):
            if opened is not state:
                object.__setattr__(event, "__dict__", opened)
        return events


def decode_all(mapper: Mapper[UUID], stored_events: Sequence[StoredEvent]) -> list[Any]:
    """Decode many stored events: together (keys read once) when the mapper seals."""
    if isinstance(mapper, SealingMapper):
        return mapper.to_domain_events(stored_events)
    return [mapper.to_domain_event(s) for s in stored_events]
