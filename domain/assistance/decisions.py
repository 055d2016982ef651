"""The decisions on an assistance case (DOMAIN.md 3.1): confirm, deny, extend, terminate.

Confirmation and termination also take or give back the members' places (enrolment), saved
with the case in one transaction.
"""

from __future__ import annotations

from typing import Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.assistance.assessment import review_interval_months
from domain.assistance.case import AssistanceCase
from domain.assistance.commands import CaseCommands
from domain.assistance.standards import CASE_STANDARDS, STANDARD_ACTOR, bring_up_to_standards
from domain.shared.errors import NotFound
from domain.shared.ledger_base import CommandResult, Options
from domain.shared.parameters import ParameterSchedule, parameter_id
from domain.shared.values import Actor


class CaseDecisions(CaseCommands):
    def extend_processing(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Extend the case to 45 working days, with a reason (the due date moves)."""

        def act(case: AssistanceCase) -> None:
            case.extend_processing(
                actor.as_dict(), occurred_on, reason, calendar=self.working_day_calendar()
            )

        payload = {"occurred_on": occurred_on, "reason": reason}
        return self._case_step(case_id, actor, "extend_processing", payload, act, options)

    def confirm_eligibility(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, **options: Unpack[Options]
    ) -> CommandResult:
        """Confirmation (审核确认): the case takes its living members' places, in one save."""

        def act(case: AssistanceCase) -> list[Aggregate]:
            irregular = bool(case.assessment and case.assessment["irregular_income"])
            interval = review_interval_months(case.programme, irregular, case.able_to_work)
            changed = self.enrol_on_confirmation(case, actor, occurred_on, interval)
            self._apply_standards_set_in_advance(case, occurred_on)
            return changed

        payload = {"occurred_on": occurred_on}
        return self._case_step(case_id, actor, "confirm", payload, act, options)

    def _apply_standards_set_in_advance(self, case: AssistanceCase, occurred_on: str) -> None:
        """A raise recorded before the decision (e.g. July's, recorded in January) is applied
        from its month in the same save, so the case is paid the standard in force each month."""
        name = CASE_STANDARDS.get(case.programme)
        if name is None or case.status != "active":
            return
        try:
            schedule = self.load(parameter_id(self.district, name), ParameterSchedule, "parameter")
        except NotFound:
            return
        bring_up_to_standards(case, schedule.values, STANDARD_ACTOR, occurred_on)

    def deny_eligibility(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, reasons: list[str],
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A denial with reasons; the applicant is told within three working days."""

        def act(case: AssistanceCase) -> None:
            case.deny(actor.as_dict(), occurred_on, reasons, calendar=self.working_day_calendar())

        payload = {"occurred_on": occurred_on, "reasons": reasons}
        return self._case_step(case_id, actor, "deny", payload, act, options)

    def terminate_benefit(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, reason_code: str, reason: str,
        effective_month: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Termination (deregistration): the members' places are free from the effective month."""

        def act(case: AssistanceCase) -> list[Aggregate]:
            case.terminate(actor.as_dict(), occurred_on, reason_code, reason, effective_month)
            return self.end_if_terminated(case, reason_code, actor, occurred_on)

        payload = {
            "occurred_on": occurred_on, "reason_code": reason_code, "reason": reason,
            "effective_month": effective_month,
        }  # fmt: skip
        return self._case_step(case_id, actor, "terminate", payload, act, options)
