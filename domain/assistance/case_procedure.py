"""The procedure steps of an assistance case, from acceptance to the decision (DOMAIN.md 3.1).

A mixin of AssistanceCase: each command checks the rules and records one of the case's events;
the events and how they apply are declared in domain/assistance/case.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.assistance.assessment import household_assessed
from domain.assistance.deadlines import due_dates
from domain.assistance.rules import EXTENDED_CASE_DAYS, NOTICE_DAYS, CaseSteps
from domain.shared import procedure
from domain.shared.errors import InvalidInput
from domain.shared.guards import refuse
from domain.shared.parameters import InForce
from domain.shared.values import Json, add_months, month_of, parse_date
from domain.shared.working_days import WorkingDayCalendar, default_calendar


class ProcedureSteps(CaseSteps):
    # -- application ----------------------------------------------------------------------

    def accept(
        self, actor: Json, occurred_on: str, calendar: WorkingDayCalendar | None = None
    ) -> None:
        """Never refused for a year with no holiday notice: such a due date is provisional."""
        case = self._case
        case._require_status("submitted", "accept the application")
        case._not_before(occurred_on, case.submitted_on, "acceptance")
        dates, provisional = due_dates(
            calendar or default_calendar(),
            {"accepted_on": occurred_on, "submitted_on": case.submitted_on},
            names=("investigation_due", "decision_due", "case_due"),
        )
        case.trigger_event(
            case.ApplicationAccepted,
            actor=actor,
            occurred_on=occurred_on,
            investigation_due=dates["investigation_due"],
            decision_due=dates["decision_due"],
            case_due=dates["case_due"],
            provisional=tuple(provisional),
        )

    def complete_economic_check(self, actor: Json, occurred_on: str, **check: Any) -> None:
        case = self._case
        case._require_status("accepted", "record the economic check")
        case._not_before(occurred_on, case.accepted_on or "", "the economic check")
        unknown = {i["person_id"] for i in check["incomes"]} - set(case.counted)
        if unknown:
            raise InvalidInput("incomes name a person not counted in this case", field="incomes")
        case.trigger_event(
            case.EconomicCheckCompleted, actor=actor, occurred_on=occurred_on, **check
        )

    def conduct_home_visit(
        self, actor: Json, occurred_on: str, investigators: list[str], district_level: bool,
        findings: str,
    ) -> None:  # fmt: skip
        case = self._case
        case._require_status("accepted", "record a home visit")
        case._not_before(occurred_on, case.accepted_on or "", "the home visit")
        distinct = procedure.investigators(
            investigators, "investigators", "a home visit", "investigators"
        )
        case.trigger_event(
            case.HomeVisitConducted, actor=actor, occurred_on=occurred_on,
            investigators=distinct, district_level=district_level, findings=findings,
        )  # fmt: skip

    def assess_household(
        self, actor: Json, occurred_on: str, params: dict[str, InForce],
        supplements: list[Json], rigid_spending_fen: int = 0, irregular_income: bool = False,
    ) -> None:  # fmt: skip
        """The gap method on the case's own check, with the parameters in force that day."""
        case = self._case
        if case.check is None:
            self.record_assessment(actor, occurred_on)  # refuses with the rule that applies
        assert case.check is not None
        for i, s in enumerate(supplements):
            if s["person_id"] not in case.counted:
                raise InvalidInput(
                    "a supplement names a person not counted", field=f"supplements.{i}"
                )
        fields = household_assessed(
            case.programme, case.counted, case.check, params, supplements, rigid_spending_fen,
            irregular_income,
        )  # fmt: skip
        self.record_assessment(actor, occurred_on, **fields)

    def record_assessment(self, actor: Json, occurred_on: str, **assessment: Any) -> None:
        case = self._case
        case._require_status("accepted", "assess the household")
        if case.check is None:
            raise refuse("assess only after the economic check is completed", "check_missing")
        problem = case.valid_visit_problem()
        if problem:
            raise refuse(f"assess only after a valid home visit: {problem}", "visit_missing")
        case.trigger_event(
            case.HouseholdAssessed, actor=actor, occurred_on=occurred_on, **assessment
        )

    def post_public_notice(
        self, actor: Json, occurred_on: str, posted_from: str, posted_to: str
    ) -> None:
        case = self._case
        case._require_status("accepted", "post the public notice")
        if case.assessment is None:
            raise refuse("post the public notice only after the assessment", "assessment_missing")
        if case.notice is not None and case.notice_closed is None:
            raise refuse("a public notice is already posted", "notice_open")
        start = parse_date(posted_from, "posted_from")
        end = parse_date(posted_to, "posted_to")
        if posted_from < case.assessment["on"]:
            raise InvalidInput("the notice cannot start before the assessment", field="posted_from")
        if (end - start).days + 1 < NOTICE_DAYS:
            raise InvalidInput(
                f"a public notice must stay up at least {NOTICE_DAYS} days", field="posted_to"
            )
        case.trigger_event(
            case.PublicNoticePosted, actor=actor, occurred_on=occurred_on,
            posted_from=posted_from, posted_to=posted_to,
        )  # fmt: skip

    def close_public_notice(self, actor: Json, occurred_on: str, objections: list[str]) -> None:
        case = self._case
        case._require_status("accepted", "close the public notice")
        if case.notice is None or case.notice_closed is not None:
            raise refuse("no public notice is open", "notice_not_open")
        if occurred_on < case.notice["to"]:
            raise refuse(
                f"the public notice runs until {case.notice['to']}: close it on or after that day",
                "notice_too_short",
                "occurred_on",
            )
        case.trigger_event(
            case.PublicNoticeClosed, actor=actor, occurred_on=occurred_on, objections=objections
        )

    def extend_processing(
        self, actor: Json, occurred_on: str, reason: str,
        calendar: WorkingDayCalendar | None = None,
    ) -> None:  # fmt: skip
        case = self._case
        case._require_status("accepted", "extend the processing time")
        if case.case_days == EXTENDED_CASE_DAYS:
            raise refuse("the processing time is already extended to 45 working days", "extended")
        case._need_reason(reason)
        dates, provisional = due_dates(
            calendar or default_calendar(), {"submitted_on": case.submitted_on}, extended=True,
            names=("case_due",),
        )  # fmt: skip
        case.trigger_event(
            case.ProcessingExtended, actor=actor, occurred_on=occurred_on, reason=reason,
            case_due=dates["case_due"], provisional=tuple(provisional),
        )  # fmt: skip

    # -- decision ---------------------------------------------------------------------------

    def confirm(
        self, actor: Json, occurred_on: str, review_interval_months: int,
        first_paid_not_before: str | None = None, deferred_by_case: str | None = None,
    ) -> None:  # fmt: skip
        """`first_paid_not_before`: the month another exclusive case's place ends, if later."""
        case = self._case
        case._require_status("accepted", "confirm eligibility")
        problems = case.procedure_problems(occurred_on)
        if problems:
            raise refuse("cannot confirm: " + "; ".join(problems), "procedure_incomplete")
        assert case.assessment is not None
        if not case.assessment["eligible"]:
            raise refuse(
                "cannot confirm: the assessment found the household ineligible ("
                + "; ".join(case.assessment["reasons"]) + "); deny instead",
                "ineligible",
            )  # fmt: skip
        if procedure.took_part(actor["user"], case.investigators):
            raise refuse(
                "the approver investigated this case and may not also approve it",
                "approver_investigated",
            )
        decided = date.fromisoformat(occurred_on)
        first_paid_month = add_months(month_of(decided), 1)  # the month after the decision [law]
        deferred_by = None
        if first_paid_not_before is not None and first_paid_not_before > first_paid_month:
            first_paid_month, deferred_by = first_paid_not_before, deferred_by_case
        case.trigger_event(
            case.EligibilityConfirmed,
            actor=actor,
            occurred_on=occurred_on,
            approver=actor["user"],
            monthly_amount_fen=case.assessment["total_fen"],
            first_paid_month=first_paid_month,
            parameters=case.assessment["parameters"],
            next_review_due=add_months(month_of(decided), review_interval_months) + "-01",
            first_paid_deferred_by=deferred_by,
        )

    def deny(
        self, actor: Json, occurred_on: str, reasons: list[str],
        calendar: WorkingDayCalendar | None = None,
    ) -> None:  # fmt: skip
        case = self._case
        if case.status not in ("submitted", "accepted"):
            raise refuse(f"a case that is {case.status} cannot be denied", "wrong_status")
        if not [r for r in reasons if r.strip()]:
            raise InvalidInput("a denial needs at least one reason", field="reasons")
        case._not_before(occurred_on, case.submitted_on, "the denial")
        dates, provisional = due_dates(
            calendar or default_calendar(), {"decided_on": occurred_on},
            names=("denial_notice_due",),
        )  # fmt: skip
        case.trigger_event(
            case.EligibilityDenied, actor=actor, occurred_on=occurred_on, reasons=reasons,
            notice_due=dates["denial_notice_due"],
            provisional=("notice_due",) if provisional else (),
        )  # fmt: skip
