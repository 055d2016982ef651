"""Enrolment (DOMAIN.md 3.1): a person's one place in a DIBAO or TEKUN case, on the write side.

One aggregate per person and exclusive scope (its id derives from both; DIBAO and TEKUN share
one scope). It is saved in the same atomic save as the confirmation, termination or verified
death that changes it, so two confirmations for one person conflict on its version and at most
one is recorded. A place is held by one case from its first paid month; a termination ends
it at the termination's effective month, and a verified death closes it for good.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.assistance.assessment import EXCLUSIVE_PROGRAMMES
from domain.shared.guards import refuse
from domain.shared.values import Json

#: DIBAO and TEKUN exclude each other: one scope, so one aggregate per person for both.
EXCLUSIVE_SCOPE = "DIBAO+TEKUN"


def enrolment_id(person_id: str, scope: str = EXCLUSIVE_SCOPE) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:enrolment:{scope}:{person_id}")


def is_exclusive(programme: str) -> bool:
    return programme in EXCLUSIVE_PROGRAMMES


class Enrolment(Aggregate):
    """Opened -> Enrolled (case, from a month) -> Ended (at a month) -> Enrolled ...; Died."""

    class Opened(Aggregate.Created):
        person_id: str
        scope: str

    class Enrolled(Aggregate.Event):
        case_id: str
        programme: str
        first_paid_month: str
        actor: Json
        occurred_on: str

    class Ended(Aggregate.Event):
        case_id: str
        until_month: str
        reason_code: str
        actor: Json
        occurred_on: str

    class DeathRecorded(Aggregate.Event):
        date_of_death: str
        notification_id: str
        actor: Json
        occurred_on: str

    @staticmethod
    def create_id(person_id: str, scope: str = EXCLUSIVE_SCOPE, **_: Any) -> UUID:
        return enrolment_id(person_id, scope)

    @event(Opened)
    def __init__(self, person_id: str, scope: str = EXCLUSIVE_SCOPE) -> None:
        self.person_id = person_id
        self.scope = scope
        self.case_id: str | None = None
        self.programme: str | None = None
        self.first_paid_month: str | None = None
        self.until_month: str | None = None  # first month no longer this case's
        self.date_of_death: str | None = None
        self.death_notification: str | None = None

    @property
    def holder(self) -> str | None:
        """The case that holds the place with no end yet, if any."""
        return self.case_id if self.case_id is not None and self.until_month is None else None

    def free_from(self, case_id: str) -> str | None:
        """The first month the place is free for `case_id`; refuses while another case holds it.

        None means free at once (never enrolled, or the case holding it already ended before).
        """
        holder = self.holder
        if holder is not None and holder != case_id:
            raise refuse(
                "a counted member is already counted in another active DIBAO or TEKUN case; "
                "a person may be in one such case at a time",
                "double_enrolment",
                "members",
            )
        return self.until_month if holder is None else None

    def enrol(
        self, case_id: str, programme: str, first_paid_month: str, actor: Json, occurred_on: str
    ) -> None:
        if self.date_of_death is not None:
            raise refuse(
                "a counted member has a verified death and cannot be enrolled",
                "member_deceased",
                "members",
            )
        free = self.free_from(case_id)
        if free is not None and first_paid_month < free:
            raise refuse(
                "a counted member's place is still held by another case for the months asked",
                "double_enrolment",
                "members",
            )
        self._enrol(case_id, programme, first_paid_month, actor, occurred_on)

    @event(Enrolled)
    def _enrol(
        self, case_id: str, programme: str, first_paid_month: str, actor: Json, occurred_on: str
    ) -> None:
        self.case_id = case_id
        self.programme = programme
        self.first_paid_month = first_paid_month
        self.until_month = None

    def end(
        self, case_id: str, until_month: str, reason_code: str, actor: Json, occurred_on: str
    ) -> bool:
        """End the place if `case_id` holds it; answer whether anything changed."""
        if self.holder != case_id:
            return False
        self._end(case_id, until_month, reason_code, actor, occurred_on)
        return True

    @event(Ended)
    def _end(
        self, case_id: str, until_month: str, reason_code: str, actor: Json, occurred_on: str
    ) -> None:
        self.until_month = until_month

    def record_death(
        self, date_of_death: str, notification_id: str, actor: Json, occurred_on: str
    ) -> None:
        if self.date_of_death is None:
            self._record_death(date_of_death, notification_id, actor, occurred_on)

    @event(DeathRecorded)
    def _record_death(
        self, date_of_death: str, notification_id: str, actor: Json, occurred_on: str
    ) -> None:
        self.date_of_death = date_of_death
        self.death_notification = notification_id
