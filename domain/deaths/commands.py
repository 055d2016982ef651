"""The death-notification commands of the Ledger, and the consequences of a verified death."""

from __future__ import annotations

from typing import Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.assistance.case import AssistanceCase
from domain.assistance.enrolment_commands import EnrolmentCommands
from domain.deaths.notification import DeathNotification, notification_id
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.identity import id_number_problem
from domain.shared.ledger_base import CommandResult, Options
from domain.shared.values import Actor, Json, parse_date

#: The process that applies a verified death's consequences records them as this actor.
CASCADE_ACTOR = Actor("death-notification-process", "system", "钟楼区民政局")


class DeathCommands(EnrolmentCommands):
    def death_on_file(self, person_id: str) -> tuple[str, str] | None:
        try:
            found = self.get_death(notification_id(person_id))
        except NotFound:
            return None
        return (found.date_of_death, str(found.id)) if found.status == "verified" else None

    def get_death(self, key: UUID, expected_version: int | None = None) -> DeathNotification:
        return self.load(key, DeathNotification, "death notification", expected_version)

    def report_death(
        self, payload: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        """Record a report from a hospital, crematorium, police station or the family."""
        problem = id_number_problem(payload["id_number"])
        if problem:
            raise InvalidInput(f"the ID number is not valid: {problem}", field="id_number")
        person = self.pseudonyms.person_id(payload["id_number"])
        on, died = payload["occurred_on"], payload["date_of_death"]
        parse_date(died, "date_of_death")
        personal = {"name": payload["name"], "id_number": payload["id_number"].upper()}

        def act() -> Aggregate:
            DeathNotification.check_report(died, payload["source"], on)
            try:
                found = self.get_death(notification_id(person))
            except NotFound:
                return DeathNotification(
                    person, personal, died, payload["source"], actor.as_dict(), on
                )
            found.report_again(personal, died, payload["source"], actor.as_dict(), on)
            return found

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("report_death", person, payload),
        )  # fmt: skip

    def verify_death(
        self, key: UUID, actor: Actor, *, occurred_on: str, evidence: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Verify a reported death, with the evidence.

        The death is also recorded on the person's Enrolment in the same save, so a
        confirmation counting the person at that moment conflicts and, retried, is refused.
        """

        def act(found: DeathNotification) -> Aggregate:
            found.verify(actor.as_dict(), occurred_on, evidence)
            enrolment = self.enrolment_of(found.person_id)
            enrolment.record_death(found.date_of_death, str(found.id), actor.as_dict(),
                                   occurred_on)  # fmt: skip
            return enrolment

        return self.change(
            key, DeathNotification, "death notification", act, actor, command="verify",
            payload={"occurred_on": occurred_on, "evidence": evidence}, **options,
        )  # fmt: skip

    def retract_death_report(
        self, key: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Retract a report that has not been verified, with the reason."""
        return self.change(
            key, DeathNotification, "death notification",
            lambda found: found.retract(actor.as_dict(), occurred_on, reason), actor,
            command="retract", payload={"occurred_on": occurred_on, "reason": reason}, **options,
        )  # fmt: skip

    def apply_death_consequences(self, key: UUID, case_ids: list[UUID]) -> list[UUID]:
        """Record the verified death on each of `case_ids` that still counts the person.

        The caller (the death process) finds the cases in the person_enrolment view.
        Idempotent: a case that already records this death is left alone, so the process can
        run it again after a crash. A TEKUN case it terminates gives its place back in the
        same save. Returns the cases changed by this call.
        """
        self.authorize(CASCADE_ACTOR)
        death = self.get_death(key)
        if death.status != "verified":
            return []
        changed = []
        for case_id in case_ids:
            while True:
                case: Aggregate = self.repository.get(case_id)
                assert isinstance(case, AssistanceCase)
                if death.person_id in case.benefit.deaths or case.status not in (
                    "active", "suspended",
                ):  # fmt: skip
                    break
                case.record_member_death(
                    CASCADE_ACTOR.as_dict(), death.verified_on, death.person_id,
                    death.date_of_death, str(key),
                )  # fmt: skip
                ended = self.end_if_terminated(case, "death", CASCADE_ACTOR, death.verified_on)
                try:
                    self.save(case, *ended)
                except IntegrityError:  # a caseworker changed the case meanwhile: reload
                    continue
                changed.append(case.id)
                break
        if changed:
            self.saved()
        return changed
