"""The assistance-case commands of the Ledger (DOMAIN.md 3.1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.assistance.assessment import (
    required_parameters,
    review_interval_months,
)
from domain.assistance.case import AssistanceCase
from domain.assistance.enrolment_commands import EnrolmentCommands
from domain.shared.calendar_commands import CalendarCommands
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.guards import refuse
from domain.shared.household import check_application
from domain.shared.ledger_base import CommandResult
from domain.shared.values import Actor, Json, is_bank_account, parse_date


def payee_of(members: list[Json], account: str | None) -> Json | None:
    """The applicant (first counted member) is the payee; the account is personal data."""
    if not account:
        return None
    if not is_bank_account(account):
        raise InvalidInput("a bank account is 12 to 30 digits", field="payee_account")
    applicant = next(m for m in members if m["counted"])
    return {"person_id": applicant["person_id"], "personal": {"bank_account": account}}


class CaseCommands(EnrolmentCommands, CalendarCommands):
    def get_case(self, case_id: UUID, expected_version: int | None = None) -> AssistanceCase:
        return self.load(case_id, AssistanceCase, "case", expected_version)

    # -- assistance cases -------------------------------------------------------------------

    def submit_application(
        self, application: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        def act() -> Aggregate:
            members = check_application(application)
            self.refuse_deceased_or_enrolled(members, application["programme"])
            return AssistanceCase(
                programme=application["programme"],
                district=self.district,
                street=application["street"],
                community=application["community"],
                members=members,
                channel=application["channel"],
                kin_of_staff=application["kin_of_staff"],
                actor=actor.as_dict(),
                occurred_on=application["occurred_on"],
                payee=payee_of(members, application.get("payee_account")),
            )

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("submit", "", application),
        )  # fmt: skip

    def change_case(
        self,
        case_id: UUID,
        command: str,
        payload: Json,
        actor: Actor,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Run one of the case's command methods by name (the API's sub-resources)."""
        handler = getattr(self, f"_case_{command}", None)

        def act() -> Aggregate | tuple[Aggregate, ...]:
            case = self.get_case(case_id, expected_version)
            parse_date(payload["occurred_on"], "occurred_on")
            also: list[Aggregate] | None = None  # saved with the case (e.g. its enrolments)
            if handler is not None:
                also = handler(case, actor, payload)
            else:
                getattr(case, command)(actor=actor.as_dict(), **payload)
            return (case, *also) if also else case

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint(command, str(case_id), payload),
        )  # fmt: skip

    # The due dates count working days on the ledger's calendar (shipped + recorded notices).
    def _case_accept(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        case.accept(actor=actor.as_dict(), calendar=self.working_day_calendar(), **payload)

    def _case_extend_processing(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        case.extend_processing(
            actor=actor.as_dict(), calendar=self.working_day_calendar(), **payload
        )

    def _case_deny(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        case.deny(actor=actor.as_dict(), calendar=self.working_day_calendar(), **payload)

    def _case_record_assessment(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        if case.check is None:  # refuse with the rule before looking up any parameter
            case.record_assessment(actor.as_dict(), payload["occurred_on"])
        supplements = payload.get("supplements", [])
        kinds = {s["kind"] for s in supplements}
        on = parse_date(payload["occurred_on"], "occurred_on")
        params = self.parameters_in_force(required_parameters(case.programme, kinds), on)
        case.assess_household(
            actor.as_dict(), payload["occurred_on"], params, supplements,
            payload.get("rigid_spending_fen", 0), bool(payload.get("irregular_income", False)),
        )  # fmt: skip

    def _case_change_payee(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        """The case may not know a verified death yet (the cascade runs later): ask the register."""
        person_id = payload["person_id"]
        if self.verified_death(person_id, self.enrolment_of(person_id)) is not None:
            raise refuse(
                "the payee must be a living member: this member's death is verified",
                "payee_deceased",
                "person_id",
            )
        case.change_payee(actor=actor.as_dict(), **payload)

    def _case_confirm(self, case: AssistanceCase, actor: Actor, payload: Json) -> list[Aggregate]:
        irregular = bool(case.assessment and case.assessment["irregular_income"])
        interval = review_interval_months(case.programme, irregular, case.able_to_work)
        return self.enrol_on_confirmation(case, actor, payload["occurred_on"], interval)

    def _case_terminate(self, case: AssistanceCase, actor: Actor, payload: Json) -> list[Aggregate]:
        case.terminate(actor=actor.as_dict(), **payload)
        return self.end_if_terminated(case, payload["reason_code"], actor, payload["occurred_on"])

    def _case_complete_review(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        irregular = bool(payload.get("irregular_income", False))
        interval = review_interval_months(case.programme, irregular, case.able_to_work)
        case.complete_review(actor.as_dict(), payload["occurred_on"], payload["findings"], interval)

    # -- auditors ---------------------------------------------------------------------------

    def case_events(self, case_id: UUID) -> list[Any]:
        self.get_case(case_id)
        return list(self.events.get(case_id))

    def case_as_of(
        self, case_id: UUID, version: int | None = None, at: datetime | None = None
    ) -> AssistanceCase:
        """Replay the case up to a version or a recorded time: what the ledger knew then."""
        if at is not None:
            upto = [e for e in self.case_events(case_id) if e.timestamp <= at]
            if not upto:
                raise NotFound(f"the case did not exist yet at {at.isoformat()}", field="at")
            version = upto[-1].originator_version
        case: Aggregate = self.repository.get(case_id, version=version)
        assert isinstance(case, AssistanceCase)
        return case
