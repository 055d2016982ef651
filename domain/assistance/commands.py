"""The assistance-case commands of the Ledger (DOMAIN.md 3.1): submission up to the notice.

Every step is a typed method; the decisions are in decisions.py, the benefit's changes in
benefits.py. Each runs the case's own command method through `LedgerBase.change`, with the
fingerprint label (`command=`) the case's command had before, so stored keys still match.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.assistance.assessment import required_parameters
from domain.assistance.case import AssistanceCase
from domain.assistance.enrolment_commands import EnrolmentCommands
from domain.shared.calendar_commands import CalendarCommands
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.household import check_application
from domain.shared.ledger_base import CommandResult, Options
from domain.shared.person_record import joined
from domain.shared.values import Actor, Json, is_bank_account, parse_date

#: What a case step does to the loaded case; it may return other aggregates it changed.
CaseAct = Callable[[AssistanceCase], list[Aggregate] | None]


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

    def submit_application(
        self, application: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        def act() -> tuple[Aggregate, ...]:
            members = check_application(application, self.pseudonyms)
            self.refuse_deceased_or_enrolled(members, application["programme"])
            case = AssistanceCase(
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
            people = [m["person_id"] for m in members]
            on = application["occurred_on"]
            return (
                case,
                *joined(self.repository, case.id, people, "assistance", actor.as_dict(), on),
            )

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("submit", "", application),
            street=application.get("street") or "",
        )  # fmt: skip

    def _case_step(
        self, case_id: UUID, actor: Actor, command: str, payload: Json, act: CaseAct,
        options: Options,
    ) -> CommandResult:  # fmt: skip
        """Load the case, run `act` and save what it changed at once (LedgerBase.change).

        `command` and `payload` (the request's fields) fingerprint the request.
        """

        def run(case: AssistanceCase) -> tuple[Aggregate, ...] | None:
            also = act(case)  # saved with the case (e.g. its members' enrolments)
            return tuple(also) if also else None

        return self.change(
            case_id, AssistanceCase, "case", run, actor, command=command, payload=payload,
            **options,
        )  # fmt: skip

    # -- the procedure up to the public notice ------------------------------------------------
    # The due dates count working days on the ledger's calendar (shipped + recorded notices).

    def accept_application(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, **options: Unpack[Options]
    ) -> CommandResult:
        """Acceptance (受理): fixes the investigation, decision and case due dates."""

        def act(case: AssistanceCase) -> None:
            case.accept(actor.as_dict(), occurred_on, calendar=self.working_day_calendar())

        return self._case_step(case_id, actor, "accept", {"occurred_on": occurred_on}, act, options)

    def complete_case_economic_check(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, incomes: list[Json],
        property: Json, public_servant_match: bool = False,
        data_source: str = "家庭经济状况核对平台", **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The economic check (家庭经济状况核对): verified incomes and property."""
        incomes = [self.pseudonyms.resolve(i) for i in incomes]
        payload = {
            "occurred_on": occurred_on, "incomes": incomes, "property": property,
            "public_servant_match": public_servant_match, "data_source": data_source,
        }  # fmt: skip

        def act(case: AssistanceCase) -> None:
            case.complete_economic_check(
                actor.as_dict(), occurred_on, incomes=incomes, property=property,
                public_servant_match=public_servant_match, data_source=data_source,
            )  # fmt: skip

        return self._case_step(case_id, actor, "complete_economic_check", payload, act, options)

    def record_case_home_visit(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, investigators: list[str],
        findings: str, district_level: bool = False, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A home visit (入户调查) by two or more investigators."""
        payload = {
            "occurred_on": occurred_on, "investigators": investigators,
            "district_level": district_level, "findings": findings,
        }  # fmt: skip

        def act(case: AssistanceCase) -> None:
            case.conduct_home_visit(
                actor.as_dict(), occurred_on, investigators, district_level, findings
            )

        return self._case_step(case_id, actor, "conduct_home_visit", payload, act, options)

    def assess_household(
        self, case_id: UUID, actor: Actor, *, occurred_on: str,
        supplements: list[Json] | None = None, rigid_spending_fen: int = 0,
        irregular_income: bool = False, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The gap method on the case's check, with the parameters in force that day."""
        chosen = [self.pseudonyms.resolve(s) for s in supplements or []]
        payload = {
            "occurred_on": occurred_on, "supplements": chosen,
            "rigid_spending_fen": rigid_spending_fen, "irregular_income": irregular_income,
        }  # fmt: skip

        def act(case: AssistanceCase) -> None:
            if case.check is None:  # refuse with the rule before looking up any parameter
                case.record_assessment(actor.as_dict(), occurred_on)
            kinds = {s["kind"] for s in chosen}
            on = parse_date(occurred_on, "occurred_on")
            params = self.parameters_in_force(required_parameters(case.programme, kinds), on)
            case.assess_household(
                actor.as_dict(), occurred_on, params, chosen, rigid_spending_fen,
                irregular_income,
            )  # fmt: skip

        return self._case_step(case_id, actor, "record_assessment", payload, act, options)

    def post_public_notice(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, posted_from: str,
        posted_to: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The public notice (公示), at least seven days long."""
        payload = {"occurred_on": occurred_on, "posted_from": posted_from, "posted_to": posted_to}

        def act(case: AssistanceCase) -> None:
            case.post_public_notice(actor.as_dict(), occurred_on, posted_from, posted_to)

        return self._case_step(case_id, actor, "post_public_notice", payload, act, options)

    def close_public_notice(
        self, case_id: UUID, actor: Actor, *, occurred_on: str,
        objections: list[str] | None = None, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Close the notice on or after its last day; objections reopen the investigation."""
        raised = objections or []
        payload = {"occurred_on": occurred_on, "objections": raised}

        def act(case: AssistanceCase) -> None:
            case.close_public_notice(actor.as_dict(), occurred_on, raised)

        return self._case_step(case_id, actor, "close_public_notice", payload, act, options)

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
