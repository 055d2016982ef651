"""The write-side enrolment rules the case and death commands share (DOMAIN.md 3.1, 3.7).

No view is read here: everything comes from aggregates loaded by id, and every Enrolment a
command relies on is saved with it, so a concurrent change makes the save conflict.
"""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.assistance.case import AssistanceCase
from domain.assistance.enrolment import Enrolment, enrolment_id, is_exclusive
from domain.shared.guards import refuse
from domain.shared.ledger_base import LedgerBase
from domain.shared.values import Actor, Json


class EnrolmentCommands(LedgerBase):
    def enrolment_of(self, person_id: str) -> Enrolment:
        """The person's exclusive-scope Enrolment, or a new (unsaved) one."""
        try:
            found: Aggregate = self.repository.get(enrolment_id(person_id))
        except AggregateNotFoundError:
            return Enrolment(person_id)
        assert isinstance(found, Enrolment)
        return found

    def verified_death(self, person_id: str, enrolment: Enrolment) -> str | None:
        """The date of a verified death of the person, as the write side knows it."""
        if enrolment.date_of_death is not None:
            return enrolment.date_of_death
        on_file = self.death_on_file(person_id)
        return on_file[0] if on_file else None

    def death_notification_of(self, person_id: str, enrolment: Enrolment) -> str:
        """The id of the notification that verified the person's death."""
        if enrolment.death_notification is not None:
            return enrolment.death_notification
        on_file = self.death_on_file(person_id)
        return on_file[1] if on_file else ""

    def death_on_file(self, person_id: str) -> tuple[str, str] | None:
        """(date of death, notification id) of a death verified before enrolments recorded it.

        The deaths area answers it (DeathCommands overrides this), so that assistance does
        not import deaths; every verification since also records the death on the Enrolment.
        """
        return None

    def refuse_deceased_or_enrolled(self, members: list[Json], programme: str) -> None:
        """Submission: no counted member may have died or hold another exclusive case."""
        for i, m in enumerate(members):
            if not m["counted"]:
                continue
            enrolment = self.enrolment_of(m["person_id"])
            died = self.verified_death(m["person_id"], enrolment)
            if died is not None:
                raise refuse(
                    f"member {i + 1} has a verified death and cannot be counted",
                    "member_deceased",
                    f"members.{i}",
                )
            if is_exclusive(programme):
                enrolment.free_from("")

    def enrol_on_confirmation(
        self, case: AssistanceCase, actor: Actor, occurred_on: str, interval: int
    ) -> list[Aggregate]:
        """Confirm the case and take every living counted member's place, in one save.

        Refused when every counted member has died or another case holds a place with no
        end; deferred to the month another case's place ends; a member who died before the
        decision is recorded on the case at once, so its review falls due.
        """
        enrolments = {p: self.enrolment_of(p) for p in case.counted}
        deaths = {p: d for p, e in enrolments.items() if (d := self.verified_death(p, e))}
        if len(deaths) == len(case.counted):
            raise refuse(
                "cannot confirm: every counted member has a verified death",
                "member_deceased",
                "members",
            )
        living = [enrolments[p] for p in case.counted if p not in deaths]
        exclusive = is_exclusive(case.programme)
        not_before: str | None = None
        deferred_by: str | None = None
        for enrolment in living if exclusive else []:
            free = enrolment.free_from(str(case.id))
            if free is not None and (not_before is None or free > not_before):
                not_before, deferred_by = free, enrolment.case_id
        case.confirm(
            actor.as_dict(), occurred_on, interval,
            first_paid_not_before=not_before, deferred_by_case=deferred_by,
        )  # fmt: skip
        changed: list[Aggregate] = []
        if exclusive:
            first = case.benefit.first_month
            assert first is not None
            for enrolment in living:
                enrolment.enrol(str(case.id), case.programme, first, actor.as_dict(), occurred_on)
            changed.extend(living)
        for person_id, died in deaths.items():
            notification = self.death_notification_of(person_id, enrolments[person_id])
            case.record_member_death(actor.as_dict(), occurred_on, person_id, died, notification)
        return changed + self.end_if_terminated(case, "death", actor, occurred_on)

    def end_if_terminated(
        self, case: AssistanceCase, reason_code: str, actor: Actor, occurred_on: str
    ) -> list[Aggregate]:
        """A terminated exclusive case gives its places back from the effective month."""
        month = case.benefit.terminated_from
        if case.status != "terminated" or month is None or not is_exclusive(case.programme):
            return []
        changed: list[Aggregate] = []
        for person_id in case.counted:
            enrolment = self.enrolment_of(person_id)
            if enrolment.end(str(case.id), month, reason_code, actor.as_dict(), occurred_on):
                changed.append(enrolment)
        return changed
