"""The steps of an active assistance case (DOMAIN.md 3.1): changes, reviews, the benefit's
amount and months, early warnings and the payee."""

from __future__ import annotations

from typing import Unpack
from uuid import UUID

from domain.assistance.assessment import review_interval_months
from domain.assistance.case import AssistanceCase
from domain.assistance.commands import CaseCommands
from domain.shared.errors import InvalidInput
from domain.shared.guards import refuse
from domain.shared.ledger_base import CommandResult, Options
from domain.shared.values import Actor


class BenefitCommands(CaseCommands):
    def report_change(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, description: str,
        evidence: str = "", **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A change in the household, reported with its evidence."""

        def act(case: AssistanceCase) -> None:
            case.report_change(actor.as_dict(), occurred_on, description, evidence)

        payload = {"occurred_on": occurred_on, "description": description, "evidence": evidence}
        return self._case_step(case_id, actor, "report_change", payload, act, options)

    def complete_review(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, findings: str,
        irregular_income: bool = False, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A periodic review; the next one falls due by the programme's interval."""

        def act(case: AssistanceCase) -> None:
            interval = review_interval_months(case.programme, irregular_income, case.able_to_work)
            case.complete_review(actor.as_dict(), occurred_on, findings, interval)

        payload = {
            "occurred_on": occurred_on, "findings": findings, "irregular_income": irregular_income
        }  # fmt: skip
        return self._case_step(case_id, actor, "complete_review", payload, act, options)

    def adjust_benefit(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, monthly_amount_fen: int,
        effective_month: str, reason: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A new monthly amount from a month, with a reason."""

        def act(case: AssistanceCase) -> None:
            case.adjust(actor.as_dict(), occurred_on, monthly_amount_fen, effective_month, reason)

        payload = {
            "occurred_on": occurred_on, "monthly_amount_fen": monthly_amount_fen,
            "effective_month": effective_month, "reason": reason,
        }  # fmt: skip
        return self._case_step(case_id, actor, "adjust", payload, act, options)

    def suspend_benefit(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, from_month: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """No payout from a month until the benefit is resumed."""

        def act(case: AssistanceCase) -> None:
            case.suspend(actor.as_dict(), occurred_on, from_month, reason)

        payload = {"occurred_on": occurred_on, "from_month": from_month, "reason": reason}
        return self._case_step(case_id, actor, "suspend", payload, act, options)

    def resume_benefit(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, from_month: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Payouts again from a month after the suspension began."""

        def act(case: AssistanceCase) -> None:
            case.resume(actor.as_dict(), occurred_on, from_month, reason)

        payload = {"occurred_on": occurred_on, "from_month": from_month, "reason": reason}
        return self._case_step(case_id, actor, "resume", payload, act, options)

    def start_gradual_exit(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, from_month: str, months: int,
        reason: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A gradual exit (渐退) of 1 to 6 months: the schedule ends with it."""

        def act(case: AssistanceCase) -> None:
            case.start_gradual_exit(actor.as_dict(), occurred_on, from_month, months, reason)

        payload = {
            "occurred_on": occurred_on, "from_month": from_month, "months": months,
            "reason": reason,
        }  # fmt: skip
        return self._case_step(case_id, actor, "start_gradual_exit", payload, act, options)

    def raise_warning(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, kind: str, detail: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """An early warning (预警), named after the case's version so a retry names it again."""

        def act(case: AssistanceCase) -> None:
            case.raise_warning(actor.as_dict(), occurred_on, kind, detail)

        payload = {"occurred_on": occurred_on, "kind": kind, "detail": detail}
        return self._case_step(case_id, actor, "raise_warning", payload, act, options)

    def resolve_warning(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, warning_id: str,
        resolution: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Resolve an open early warning, saying how."""

        def act(case: AssistanceCase) -> None:
            case.resolve_warning(actor.as_dict(), occurred_on, warning_id, resolution)

        payload = {"occurred_on": occurred_on, "warning_id": warning_id, "resolution": resolution}
        return self._case_step(case_id, actor, "resolve_warning", payload, act, options)

    def change_payee(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, person_id: str | None = None,
        payee_account: str, id_number: str | None = None, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A new payee account: a counted living member, named by person id or ID number."""
        person_id = self.pseudonyms.resolve({"person_id": person_id, "id_number": id_number})[
            "person_id"
        ]
        if not person_id:
            raise InvalidInput("give exactly one of person_id or id_number", field="person_id")

        def act(case: AssistanceCase) -> None:
            # The case may not know a verified death yet (the cascade runs later): ask.
            if self.verified_death(person_id, self.enrolment_of(person_id)) is not None:
                raise refuse(
                    "the payee must be a living member: this member's death is verified",
                    "payee_deceased",
                    "person_id",
                )
            case.change_payee(actor.as_dict(), occurred_on, person_id, payee_account)

        payload = {
            "occurred_on": occurred_on, "person_id": person_id, "payee_account": payee_account
        }  # fmt: skip
        return self._case_step(case_id, actor, "change_payee", payload, act, options)
