"""Erasure of a person's data by destroying the person's data keys (PIPL Art. 47).

The PersonalDataErased event is saved first, as the durable intent, then the keys it names
are destroyed; a crash in between is finished by the erasure process (or the next call).
Refused while the person is in a case that is not final, or inside the retention period.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.assistance.case import AssistanceCase
from domain.assistance.enrolment_commands import EnrolmentCommands
from domain.shared.errors import DomainError, InvalidInput, NotFound
from domain.shared.ledger_base import CommandResult
from domain.shared.person_record import PersonRecord, record_of
from domain.shared.values import Actor, parse_date
from domain.temporary.case import TemporaryAssistanceCase

RETENTION_PARAMETER = "privacy.retention_years"
#: Without the parameter set: the longer term of the DIBAO archive rules (approval files at
#: least 3 years after the benefit stops; day-to-day records at least 5 years).
DEFAULT_RETENTION_YEARS = 5
#: Statuses after which a case records nothing more: its members' data may then be erased.
FINAL_STATUSES = {
    AssistanceCase: ("denied", "terminated"),
    TemporaryAssistanceCase: ("denied", "closed"),
}


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class ErasureCommands(EnrolmentCommands):
    def erase_personal_data(
        self, person_id: str, actor: Actor, *, legal_basis: str, occurred_on: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:  # fmt: skip
        """Record the erasure of a person's personal data, then destroy the person's keys."""
        self.authorize(actor)  # the access table: the admin only (separation of duties)
        if not legal_basis.strip():
            raise InvalidInput("an erasure needs its legal basis", field="legal_basis")
        on = parse_date(occurred_on, "occurred_on")

        def act() -> Aggregate:
            record = record_of(self.repository, person_id)
            live = self.personal.store.live_key(person_id)
            if record is None and live is None:
                raise NotFound(f"no person with id {person_id}", field="id")
            record = record or PersonRecord(person_id)
            self._refuse_while_needed(record, on)
            record.erase(legal_basis, [live.key_id] if live else [], actor.as_dict(), occurred_on)
            return record

        payload = {"legal_basis": legal_basis, "occurred_on": occurred_on}
        result = self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("erase_personal_data", person_id, payload),
        )  # fmt: skip
        self.personal.erase(person_id)  # the event is durable: now the keys go
        return result

    def finish_erasure(self, person_id: str, key_ids: list[str]) -> None:
        """Destroy the keys an erasure named (idempotent: the recovery after a crash)."""
        self.personal.erase(person_id, key_ids)

    def _refuse_while_needed(self, record: PersonRecord, on: date) -> None:
        """No erasure while a case needs the data, nor inside the retention period after it."""
        enrolment = self.enrolment_of(record.person_id)
        if enrolment.holder is not None:
            raise _refused("the person holds a place in an active DIBAO/TEKUN case")
        ended: list[date] = []
        for case_id in record.cases:
            case: Aggregate = self.repository.get(UUID(case_id))
            final = FINAL_STATUSES.get(type(case), ())
            if getattr(case, "status", None) not in final:
                raise _refused("the person is a member of a case that is not closed")
            last = next(iter(self.events.get(case.id, desc=True, limit=1)))
            ended.append(parse_date(getattr(last, "occurred_on", on.isoformat()), "occurred_on"))
        if not ended:
            return
        years = self._retention_years(on)
        if on < years_after(max(ended), years):
            raise _refused(
                f"inside the retention period: {RETENTION_PARAMETER} = {years} years from the "
                "end of the person's last case",
                code="erasure_inside_retention",
            )

    def _retention_years(self, on: date) -> int:
        try:
            return self.parameters_in_force([RETENTION_PARAMETER], on)[RETENTION_PARAMETER].value
        except DomainError:  # never set: the default of the archive rules
            return DEFAULT_RETENTION_YEARS


def _refused(reason: str, code: str = "erasure_case_active") -> DomainError:
    return DomainError(f"the personal data cannot be erased: {reason}", code=code)
