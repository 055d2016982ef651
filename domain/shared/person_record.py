"""PersonRecord: the cases a person's data was collected for, and its erasure (PIPL Art. 47).

One aggregate per person, with an id derived from the (keyed) person id. Every submission
saves it with the case, so the erasure, saved on the same aggregate, conflicts with a case
opened at the same time instead of missing it: the write side knows every case to check.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate, event

from domain.shared.values import Json


def person_record_id(person_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:person:{person_id}")


class PersonRecord(Aggregate):
    class Opened(Aggregate.Created):
        person_id: str

    class CaseJoined(Aggregate.Event):
        """The person is a member of a case (an assistance or a temporary case)."""

        case_id: str
        kind: str
        actor: Json
        occurred_on: str

        def apply(self, record: PersonRecord) -> None:
            record.cases[self.case_id] = self.kind

    class PersonalDataErased(Aggregate.Event):
        """The durable intent: the keys named here are destroyed (now, or on recovery)."""

        legal_basis: str
        key_ids: list[str]
        actor: Json
        occurred_on: str

        def apply(self, record: PersonRecord) -> None:
            record.erased_on = self.occurred_on

    @staticmethod
    def create_id(person_id: str, **_: Any) -> UUID:
        return person_record_id(person_id)

    @event(Opened)
    def __init__(self, person_id: str):
        self.person_id = person_id
        self.cases: dict[str, str] = {}  # case id -> "assistance" | "temporary"
        self.erased_on: str | None = None

    def join(self, case_id: str, kind: str, actor: Json, occurred_on: str) -> None:
        if case_id not in self.cases:
            self.trigger_event(
                self.CaseJoined, case_id=case_id, kind=kind, actor=actor, occurred_on=occurred_on
            )

    def erase(self, legal_basis: str, key_ids: list[str], actor: Json, occurred_on: str) -> None:
        self.trigger_event(
            self.PersonalDataErased, legal_basis=legal_basis, key_ids=key_ids, actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip


def record_of(repository: Repository[UUID], person_id: str) -> PersonRecord | None:
    """The person's record, or None when no case has collected their data yet."""
    try:
        found: Aggregate = repository.get(person_record_id(person_id))
    except AggregateNotFoundError:
        return None
    assert isinstance(found, PersonRecord)
    return found


def joined(
    repository: Repository[UUID], case_id: UUID, person_ids: list[str], kind: str,
    actor: Json, occurred_on: str,
) -> tuple[PersonRecord, ...]:  # fmt: skip
    """Each member's PersonRecord with the case added, to be saved with the case."""
    records = []
    for person_id in person_ids:
        record = record_of(repository, person_id) or PersonRecord(person_id)
        record.join(str(case_id), kind, actor, occurred_on)
        records.append(record)
    return tuple(records)
