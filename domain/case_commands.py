"""The assistance-case commands of the Ledger (DOMAIN.md 3.1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.assessment import EXCLUSIVE_PROGRAMMES, required_parameters, review_interval_months
from domain.assistance_case import AssistanceCase
from domain.death_notification import DeathNotification, notification_id
from domain.errors import DomainError, InvalidInput, NotFound
from domain.guards import refuse
from domain.household import check_application
from domain.ledger_base import CommandResult, LedgerBase
from domain.values import Actor, parse_date

Json = dict[str, Any]


def payee_of(members: list[Json], account: str | None) -> Json | None:
    """The applicant (first counted member) is the payee; the account is personal data."""
    if not account:
        return None
    if not account.isdigit() or not 12 <= len(account) <= 30:
        raise InvalidInput("a bank account is 12 to 30 digits", field="payee_account")
    applicant = next(m for m in members if m["counted"])
    return {"person_id": applicant["person_id"], "personal": {"bank_account": account}}


class CaseCommands(LedgerBase):
    def get_case(self, case_id: UUID, expected_version: int | None = None) -> AssistanceCase:
        return self.load(case_id, AssistanceCase, "case", expected_version)

    # -- assistance cases -------------------------------------------------------------------

    def submit_application(
        self, application: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        def act() -> Aggregate:
            members = check_application(application)
            if application["programme"] in EXCLUSIVE_PROGRAMMES:
                self._check_enrolment(
                    members, application["programme"], None, up_to=self.latest_position()
                )
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

        def act() -> Aggregate:
            case = self.get_case(case_id, expected_version)
            parse_date(payload["occurred_on"], "occurred_on")
            if handler is not None:
                handler(case, actor, payload)
            else:
                getattr(case, command)(actor=actor.as_dict(), **payload)
            return case

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint(command, str(case_id), payload),
        )  # fmt: skip

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
        """The case may not know a verified death yet (the cascade runs later): ask its notice."""
        try:
            death: Aggregate = self.repository.get(notification_id(payload["person_id"]))
            verified = isinstance(death, DeathNotification) and death.status == "verified"
        except AggregateNotFoundError:
            verified = False
        if verified:
            raise refuse(
                "the payee must be a living member: this member's death is verified",
                "payee_deceased",
                "person_id",
            )
        case.change_payee(actor=actor.as_dict(), **payload)

    def _case_confirm(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        if case.programme in EXCLUSIVE_PROGRAMMES and case.status == "accepted":
            members = [{"person_id": p, "counted": True} for p in case.counted]
            self._check_enrolment(members, case.programme, case.id, up_to=self.latest_position())
        irregular = bool(case.assessment and case.assessment["irregular_income"])
        interval = review_interval_months(case.programme, irregular, case.able_to_work)
        case.confirm(actor.as_dict(), payload["occurred_on"], interval)

    def _case_complete_review(self, case: AssistanceCase, actor: Actor, payload: Json) -> None:
        irregular = bool(payload.get("irregular_income", False))
        interval = review_interval_months(case.programme, irregular, case.able_to_work)
        case.complete_review(actor.as_dict(), payload["occurred_on"], payload["findings"], interval)

    def _check_enrolment(
        self, members: list[Json], programme: str, case_id: UUID | None, up_to: int | None
    ) -> None:
        if self.enrolments is None:
            return
        counted = [m["person_id"] for m in members if m["counted"]]
        for enrolment in self.enrolments.active_enrolments(counted, up_to):
            if enrolment.case_id == case_id or enrolment.programme not in EXCLUSIVE_PROGRAMMES:
                continue
            raise DomainError(
                f"person {enrolment.person_id} is already counted in the active "
                f"{enrolment.programme} case {enrolment.case_id}; a person may be in one "
                "active DIBAO or TEKUN case at a time",
                field="members",
                code="double_enrolment",
            )

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
