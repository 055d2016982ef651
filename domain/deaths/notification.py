"""DeathNotification (身后一件事, DOMAIN.md 3.7): one notice of a death settles every benefit.

One aggregate per person (its id derives from the pseudonymous person id), so there is at
most one verified death per person. A report may be retracted before it is verified, and the
person reported again later; a verified death is final.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import DomainError, InvalidInput
from domain.shared.values import Json
from domain.shared.vocabulary import DEATH_SOURCES


def notification_id(person_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:death:{person_id}")


class DeathNotification(Aggregate):
    """reported -> verified | retracted; retracted -> reported again."""

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

    class DeathReported(Aggregate.Created):
        person_id: str
        personal: Json
        date_of_death: str
        source: str
        actor: Json
        occurred_on: str

    class DeathReportedAgain(Event):
        person_id: str  # whose `personal` block it is (absent from reports stored before keys)
        personal: Json
        date_of_death: str
        source: str

        def apply(self, notification: DeathNotification) -> None:
            notification._reported(self.date_of_death, self.source)

    class DeathVerified(Event):
        evidence: str
        date_of_death: str

        def apply(self, notification: DeathNotification) -> None:
            notification.status = "verified"
            notification.verified_on = self.occurred_on

    class DeathReportRetracted(Event):
        reason: str

        def apply(self, notification: DeathNotification) -> None:
            notification.status = "retracted"

    @staticmethod
    def create_id(person_id: str, **_: Any) -> UUID:
        return notification_id(person_id)

    @event(DeathReported)
    def __init__(
        self, person_id: str, personal: Json, date_of_death: str, source: str, actor: Json,
        occurred_on: str,
    ):  # fmt: skip
        self.person_id = person_id
        self.verified_on = ""  # the day its DeathVerified happened, once verified
        self._reported(date_of_death, source)

    def _reported(self, date_of_death: str, source: str) -> None:
        self.status = "reported"
        self.date_of_death = date_of_death
        self.source = source

    @staticmethod
    def check_report(date_of_death: str, source: str, occurred_on: str) -> None:
        if source not in DEATH_SOURCES:
            raise InvalidInput(f"source must be one of {', '.join(DEATH_SOURCES)}", field="source")
        if date_of_death > occurred_on:
            raise InvalidInput(
                "the date of death cannot be after the day it is reported", field="date_of_death"
            )

    def report_again(
        self, personal: Json, date_of_death: str, source: str, actor: Json, occurred_on: str
    ) -> None:
        if self.status == "verified":
            raise DomainError(
                "a verified death is already recorded for this person", code="death_verified"
            )
        if self.status == "reported":
            raise DomainError(
                "a report for this person is waiting to be verified or retracted",
                code="death_reported",
            )
        self.check_report(date_of_death, source, occurred_on)
        self.trigger_event(
            self.DeathReportedAgain, person_id=self.person_id, personal=personal,
            date_of_death=date_of_death,
            source=source, actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def verify(self, actor: Json, occurred_on: str, evidence: str) -> None:
        if self.status != "reported":
            raise DomainError(
                f"only a reported death can be verified; this one is {self.status}",
                code="wrong_status",
            )
        if occurred_on < self.date_of_death:
            raise InvalidInput("a death cannot be verified before it happened", field="occurred_on")
        if not evidence.strip():
            raise InvalidInput("a verification needs its evidence", field="evidence")
        self.trigger_event(
            self.DeathVerified, evidence=evidence, date_of_death=self.date_of_death,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def retract(self, actor: Json, occurred_on: str, reason: str) -> None:
        if self.status != "reported":
            raise DomainError(
                f"only an unverified report can be retracted; this one is {self.status}",
                code="wrong_status",
            )
        if not reason.strip():
            raise InvalidInput("a retraction needs a reason", field="reason")
        self.trigger_event(
            self.DeathReportRetracted, reason=reason, actor=actor, occurred_on=occurred_on
        )
