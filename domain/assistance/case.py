"""The AssistanceCase aggregate (DOMAIN.md 3.1): an application from submission to termination.

Events carry plain JSON values (ISO dates, YYYY-MM months, integer fen) so that they replay
unchanged years later. Guards run in the public command methods; the `_` methods only apply.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate, event

from domain.assistance.assessment import household_assessed, recomputed_amounts, standard_name
from domain.assistance.benefit_schedule import BenefitSchedule
from domain.assistance.deadlines import due_dates
from domain.assistance.rules import (
    CASE_DAYS,
    DEATH_REVIEW_MONTHS,
    EXTENDED_CASE_DAYS,
    MAX_GRADUAL_EXIT_MONTHS,
    NOTICE_DAYS,
    TERMINATION_REASONS,
    CaseChecks,
)
from domain.shared import procedure
from domain.shared.errors import InvalidInput
from domain.shared.guards import refuse
from domain.shared.parameters import InForce
from domain.shared.values import (
    Json,
    add_months,
    add_months_to_date,
    check_month,
    is_bank_account,
    month_of,
    parse_date,
)
from domain.shared.working_days import WorkingDayCalendar, default_calendar


class AssistanceCase(CaseChecks, Aggregate):
    """Keeps only the state its rules need; views hold everything shown to people."""

    if TYPE_CHECKING:  # the @event decorators below create these classes at runtime
        ApplicationSubmitted: ClassVar[type[Aggregate.Event]]
        ApplicationAccepted: ClassVar[type[Aggregate.Event]]
        EconomicCheckCompleted: ClassVar[type[Aggregate.Event]]
        HomeVisitConducted: ClassVar[type[Aggregate.Event]]
        HouseholdAssessed: ClassVar[type[Aggregate.Event]]
        PublicNoticePosted: ClassVar[type[Aggregate.Event]]
        PublicNoticeClosed: ClassVar[type[Aggregate.Event]]
        ProcessingExtended: ClassVar[type[Aggregate.Event]]
        EligibilityConfirmed: ClassVar[type[Aggregate.Event]]
        EligibilityDenied: ClassVar[type[Aggregate.Event]]
        ChangeReported: ClassVar[type[Aggregate.Event]]
        PeriodicReviewCompleted: ClassVar[type[Aggregate.Event]]
        BenefitAdjusted: ClassVar[type[Aggregate.Event]]
        BenefitSuspended: ClassVar[type[Aggregate.Event]]
        BenefitResumed: ClassVar[type[Aggregate.Event]]
        GradualExitStarted: ClassVar[type[Aggregate.Event]]
        EarlyWarningRaised: ClassVar[type[Aggregate.Event]]
        EarlyWarningResolved: ClassVar[type[Aggregate.Event]]
        BenefitTerminated: ClassVar[type[Aggregate.Event]]
        MemberDeathRecorded: ClassVar[type[Aggregate.Event]]
        PayeeChanged: ClassVar[type[Aggregate.Event]]

    @event("ApplicationSubmitted")
    def __init__(
        self,
        programme: str,
        district: str,
        street: str,
        community: str,
        members: list[Json],
        channel: str,
        kin_of_staff: bool,
        actor: Json,
        occurred_on: str,
        payee: Json | None = None,
    ):
        self.programme = programme
        self.street = street
        self.payee = payee  # {"person_id", "personal": {"bank_account"}}: where money goes
        self.status = "submitted"
        self.submitted_on = occurred_on
        self.kin_of_staff = kin_of_staff
        self.counted = [m["person_id"] for m in members if m["counted"]]
        self.able_to_work = any(m.get("able_to_work") for m in members if m["counted"])
        self.accepted_on: str | None = None
        self.investigation_started_on: str | None = None
        self.check: Json | None = None
        self.visits: list[Json] = []
        self.assessment: Json | None = None
        self.notice: Json | None = None
        self.notice_closed: Json | None = None
        self.reinvestigate_since: str | None = None  # objections at the notice [law]
        self.investigators: set[str] = set()
        self.case_days = CASE_DAYS
        self.monthly_amount_fen = 0
        self.suspended_from: str | None = None
        self.benefit = BenefitSchedule(counted=list(self.counted))
        self.review_due_by: str | None = None  # a review forced by a member's death
        self.gradual_exit: Json | None = None
        self.open_warnings: set[str] = set()
        self.benefit.payee = payee["person_id"] if payee else None

    # -- application ----------------------------------------------------------------------

    def accept(
        self, actor: Json, occurred_on: str, calendar: WorkingDayCalendar | None = None
    ) -> None:
        """Never refused for a year with no holiday notice: such a due date is provisional."""
        self._require_status("submitted", "accept the application")
        self._not_before(occurred_on, self.submitted_on, "acceptance")
        dates, provisional = due_dates(
            calendar or default_calendar(),
            {"accepted_on": occurred_on, "submitted_on": self.submitted_on},
            names=("investigation_due", "decision_due", "case_due"),
        )
        self._accept(
            actor=actor,
            occurred_on=occurred_on,
            investigation_due=dates["investigation_due"],
            decision_due=dates["decision_due"],
            case_due=dates["case_due"],
            provisional=tuple(provisional),
        )

    @event("ApplicationAccepted")
    def _accept(
        self,
        actor: Json,
        occurred_on: str,
        investigation_due: str,
        decision_due: str,
        case_due: str,
        provisional: tuple[str, ...] = (),  # the due dates counted Mon-Fri for want of a notice
    ) -> None:
        self.status = "accepted"
        self.accepted_on = occurred_on

    def complete_economic_check(self, actor: Json, occurred_on: str, **check: Any) -> None:
        self._require_status("accepted", "record the economic check")
        self._not_before(occurred_on, self.accepted_on or "", "the economic check")
        unknown = {i["person_id"] for i in check["incomes"]} - set(self.counted)
        if unknown:
            raise InvalidInput("incomes name a person not counted in this case", field="incomes")
        self._complete_check(actor=actor, occurred_on=occurred_on, **check)

    @event("EconomicCheckCompleted")
    def _complete_check(
        self,
        actor: Json,
        occurred_on: str,
        incomes: list[Json],
        property: Json,
        public_servant_match: bool,
        data_source: str,
    ) -> None:
        self.check = {
            "incomes": {i["person_id"]: i["verified_fen"] for i in incomes},
            "property": property,
            "public_servant_match": public_servant_match,
        }
        self.investigation_started_on = self.investigation_started_on or occurred_on

    def conduct_home_visit(
        self, actor: Json, occurred_on: str, investigators: list[str], district_level: bool,
        findings: str,
    ) -> None:  # fmt: skip
        self._require_status("accepted", "record a home visit")
        self._not_before(occurred_on, self.accepted_on or "", "the home visit")
        distinct = procedure.investigators(
            investigators, "investigators", "a home visit", "investigators"
        )
        self._visit(actor, occurred_on, distinct, district_level, findings)

    @event("HomeVisitConducted")
    def _visit(
        self, actor: Json, occurred_on: str, investigators: list[str], district_level: bool,
        findings: str,
    ) -> None:  # fmt: skip
        self.visits.append({"on": occurred_on, "district_level": district_level})
        if district_level and self.reinvestigate_since and occurred_on >= self.reinvestigate_since:
            self.reinvestigate_since = None
        self.investigators.update(investigators)
        self.investigation_started_on = self.investigation_started_on or occurred_on

    def assess_household(
        self, actor: Json, occurred_on: str, params: dict[str, InForce],
        supplements: list[Json], rigid_spending_fen: int = 0, irregular_income: bool = False,
    ) -> None:  # fmt: skip
        """The gap method on the case's own check, with the parameters in force that day."""
        if self.check is None:
            self.record_assessment(actor, occurred_on)  # refuses with the rule that applies
        assert self.check is not None
        for i, s in enumerate(supplements):
            if s["person_id"] not in self.counted:
                raise InvalidInput(
                    "a supplement names a person not counted", field=f"supplements.{i}"
                )
        fields = household_assessed(
            self.programme, self.counted, self.check, params, supplements, rigid_spending_fen,
            irregular_income,
        )  # fmt: skip
        self.record_assessment(actor, occurred_on, **fields)

    def record_assessment(self, actor: Json, occurred_on: str, **assessment: Any) -> None:
        self._require_status("accepted", "assess the household")
        if self.check is None:
            raise refuse("assess only after the economic check is completed", "check_missing")
        problem = self.valid_visit_problem()
        if problem:
            raise refuse(f"assess only after a valid home visit: {problem}", "visit_missing")
        self._assess(actor=actor, occurred_on=occurred_on, **assessment)

    @event("HouseholdAssessed")
    def _assess(
        self,
        actor: Json,
        occurred_on: str,
        method: str,
        income_per_head_fen: int,
        threshold_fen: int,
        standard_fen: int,
        parameters: dict[str, str],
        eligible: bool,
        ineligibility_reasons: list[str],
        amounts: list[Json],
        total_fen: int,
        irregular_income: bool,
    ) -> None:
        self.assessment = {
            "on": occurred_on,
            "eligible": eligible,
            "reasons": ineligibility_reasons,
            "total_fen": total_fen,
            "parameters": parameters,
            "irregular_income": irregular_income,
            "income_per_head_fen": income_per_head_fen,
            "amounts": amounts,
        }
        self.benefit.standards = {}
        self.benefit.record_standards(parameters)
        self.notice = None
        self.notice_closed = None

    def post_public_notice(
        self, actor: Json, occurred_on: str, posted_from: str, posted_to: str
    ) -> None:
        self._require_status("accepted", "post the public notice")
        if self.assessment is None:
            raise refuse("post the public notice only after the assessment", "assessment_missing")
        if self.notice is not None and self.notice_closed is None:
            raise refuse("a public notice is already posted", "notice_open")
        start = parse_date(posted_from, "posted_from")
        end = parse_date(posted_to, "posted_to")
        if posted_from < self.assessment["on"]:
            raise InvalidInput("the notice cannot start before the assessment", field="posted_from")
        if (end - start).days + 1 < NOTICE_DAYS:
            raise InvalidInput(
                f"a public notice must stay up at least {NOTICE_DAYS} days", field="posted_to"
            )
        self._post_notice(actor, occurred_on, posted_from, posted_to)

    @event("PublicNoticePosted")
    def _post_notice(self, actor: Json, occurred_on: str, posted_from: str, posted_to: str) -> None:
        self.notice = {"from": posted_from, "to": posted_to}
        self.notice_closed = None

    def close_public_notice(self, actor: Json, occurred_on: str, objections: list[str]) -> None:
        self._require_status("accepted", "close the public notice")
        if self.notice is None or self.notice_closed is not None:
            raise refuse("no public notice is open", "notice_not_open")
        if occurred_on < self.notice["to"]:
            raise refuse(
                f"the public notice runs until {self.notice['to']}: close it on or after that day",
                "notice_too_short",
                "occurred_on",
            )
        self._close_notice(actor, occurred_on, objections)

    @event("PublicNoticeClosed")
    def _close_notice(self, actor: Json, occurred_on: str, objections: list[str]) -> None:
        self.notice_closed = {"on": occurred_on, "objections": objections}
        if objections:
            self.reinvestigate_since = occurred_on

    def extend_processing(
        self, actor: Json, occurred_on: str, reason: str,
        calendar: WorkingDayCalendar | None = None,
    ) -> None:  # fmt: skip
        self._require_status("accepted", "extend the processing time")
        if self.case_days == EXTENDED_CASE_DAYS:
            raise refuse("the processing time is already extended to 45 working days", "extended")
        self._need_reason(reason)
        dates, provisional = due_dates(
            calendar or default_calendar(), {"submitted_on": self.submitted_on}, extended=True,
            names=("case_due",),
        )  # fmt: skip
        self._extend(actor, occurred_on, reason, dates["case_due"], tuple(provisional))

    @event("ProcessingExtended")
    def _extend(
        self, actor: Json, occurred_on: str, reason: str, case_due: str,
        provisional: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        self.case_days = EXTENDED_CASE_DAYS

    # -- decision ---------------------------------------------------------------------------

    def confirm(
        self, actor: Json, occurred_on: str, review_interval_months: int,
        first_paid_not_before: str | None = None, deferred_by_case: str | None = None,
    ) -> None:  # fmt: skip
        """`first_paid_not_before`: the month another exclusive case's place ends, if later."""
        self._require_status("accepted", "confirm eligibility")
        problems = self.procedure_problems(occurred_on)
        if problems:
            raise refuse("cannot confirm: " + "; ".join(problems), "procedure_incomplete")
        assert self.assessment is not None
        if not self.assessment["eligible"]:
            raise refuse(
                "cannot confirm: the assessment found the household ineligible ("
                + "; ".join(self.assessment["reasons"]) + "); deny instead",
                "ineligible",
            )  # fmt: skip
        if procedure.took_part(actor["user"], self.investigators):
            raise refuse(
                "the approver investigated this case and may not also approve it",
                "approver_investigated",
            )
        decided = date.fromisoformat(occurred_on)
        first_paid_month = add_months(month_of(decided), 1)  # the month after the decision [law]
        deferred_by = None
        if first_paid_not_before is not None and first_paid_not_before > first_paid_month:
            first_paid_month, deferred_by = first_paid_not_before, deferred_by_case
        self._confirm(
            actor=actor,
            occurred_on=occurred_on,
            approver=actor["user"],
            monthly_amount_fen=self.assessment["total_fen"],
            first_paid_month=first_paid_month,
            parameters=self.assessment["parameters"],
            next_review_due=add_months(month_of(decided), review_interval_months) + "-01",
            first_paid_deferred_by=deferred_by,
        )

    @event("EligibilityConfirmed")
    def _confirm(
        self, actor: Json, occurred_on: str, approver: str, monthly_amount_fen: int,
        first_paid_month: str, parameters: dict[str, str], next_review_due: str,
        first_paid_deferred_by: str | None = None,
    ) -> None:  # fmt: skip
        """`first_paid_deferred_by`: the case whose months came first (none when not deferred)."""
        self.status = "active"
        self.monthly_amount_fen = monthly_amount_fen
        self.benefit.start(first_paid_month, monthly_amount_fen)

    def deny(
        self, actor: Json, occurred_on: str, reasons: list[str],
        calendar: WorkingDayCalendar | None = None,
    ) -> None:  # fmt: skip
        if self.status not in ("submitted", "accepted"):
            raise refuse(f"a case that is {self.status} cannot be denied", "wrong_status")
        if not [r for r in reasons if r.strip()]:
            raise InvalidInput("a denial needs at least one reason", field="reasons")
        self._not_before(occurred_on, self.submitted_on, "the denial")
        dates, provisional = due_dates(
            calendar or default_calendar(), {"decided_on": occurred_on},
            names=("denial_notice_due",),
        )  # fmt: skip
        guessed = ("notice_due",) if provisional else ()
        self._deny(actor, occurred_on, reasons, dates["denial_notice_due"], guessed)

    @event("EligibilityDenied")
    def _deny(
        self, actor: Json, occurred_on: str, reasons: list[str], notice_due: str,
        provisional: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        self.status = "denied"

    # -- while active -------------------------------------------------------------------------

    def report_change(self, actor: Json, occurred_on: str, description: str, evidence: str) -> None:
        self._require_status(("active", "suspended"), "report a change")
        self._need_reason(description, "description")
        self._report_change(actor, occurred_on, description, evidence)

    @event("ChangeReported")
    def _report_change(
        self, actor: Json, occurred_on: str, description: str, evidence: str
    ) -> None:
        pass

    def complete_review(
        self, actor: Json, occurred_on: str, findings: str, interval_months: int
    ) -> None:
        self._require_status(("active", "suspended"), "record a periodic review")
        on = date.fromisoformat(occurred_on)
        due = add_months(month_of(on), interval_months) + "-01"
        self._review(actor, occurred_on, findings, due)

    @event("PeriodicReviewCompleted")
    def _review(self, actor: Json, occurred_on: str, findings: str, next_review_due: str) -> None:
        pass

    def adjust(
        self, actor: Json, occurred_on: str, monthly_amount_fen: int, effective_month: str,
        reason: str,
    ) -> None:  # fmt: skip
        self._require_status(("active", "suspended"), "adjust the benefit")
        self._need_reason(reason)
        check_month(effective_month, "effective_month")
        if not isinstance(monthly_amount_fen, int) or monthly_amount_fen < 0:
            raise InvalidInput("the amount must be whole fen, not negative", field="amount")
        if monthly_amount_fen == self.monthly_amount_fen:
            raise refuse("the new amount equals the amount in force", "no_change", "amount")
        self._adjust(actor, occurred_on, monthly_amount_fen, effective_month, reason)

    @event("BenefitAdjusted")
    def _adjust(
        self, actor: Json, occurred_on: str, monthly_amount_fen: int, effective_month: str,
        reason: str, parameters: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.monthly_amount_fen = monthly_amount_fen
        self.benefit.adjust(effective_month, monthly_amount_fen)
        self.benefit.record_standards(parameters)

    def apply_standard(
        self, actor: Json, occurred_on: str, name: str, version: int, standard_fen: int,
        effective_month: str,
    ) -> str | None:  # fmt: skip
        """A new standard (提标) from its month, by the gap method on the last assessment.

        Returns "adjusted", "flagged" or None (nothing recorded: a case of another standard,
        ended, already at that version, or whose amount would not change). A case whose amount
        would fall to zero keeps its amount and is flagged for review instead.
        """
        if self.status not in ("active", "suspended") or standard_name(self.programme) != name:
            return None
        if self.benefit.standards.get(name, 0) >= version or self.benefit.first_month is None:
            return None
        month = max(effective_month, self.benefit.first_month)
        ended = self.benefit.terminated_from
        if ended is not None and ended <= month:
            return None
        assert self.assessment is not None
        amounts = recomputed_amounts(self.programme, self.assessment, standard_fen)
        total = sum(a["base_fen"] + a["supplements_fen"] for a in amounts)
        reference = {name: f"{name}@v{version}"}
        if total <= 0:
            detail = (
                f"under {name}@v{version} from {month} the gap method gives no amount: "
                "review the case (the amount in force is kept until then)"
            )
            self._raise_warning(
                actor, occurred_on, f"W{self.version + 1}", "standard_review", detail, reference
            )
            return "flagged"
        if total == self.benefit.amount_in_force(month):
            return None
        reason = f"standard change {name}@v{version} from {month} (提标), by the gap method"
        self._adjust(actor, occurred_on, total, month, reason, reference)
        return "adjusted"

    def suspend(self, actor: Json, occurred_on: str, from_month: str, reason: str) -> None:
        self._require_status("active", "suspend the benefit")
        self._need_reason(reason)
        check_month(from_month, "from_month")
        self._suspend(actor, occurred_on, from_month, reason)

    @event("BenefitSuspended")
    def _suspend(self, actor: Json, occurred_on: str, from_month: str, reason: str) -> None:
        self.status = "suspended"
        self.suspended_from = from_month
        self.benefit.suspend(from_month)

    def resume(self, actor: Json, occurred_on: str, from_month: str, reason: str) -> None:
        self._require_status("suspended", "resume the benefit")
        self._need_reason(reason)
        check_month(from_month, "from_month")
        if self.suspended_from and from_month <= self.suspended_from:
            raise InvalidInput("resume after the month the suspension began", field="from_month")
        self._resume(actor, occurred_on, from_month, reason)

    @event("BenefitResumed")
    def _resume(self, actor: Json, occurred_on: str, from_month: str, reason: str) -> None:
        self.status = "active"
        self.suspended_from = None
        self.benefit.resume(from_month)

    def start_gradual_exit(
        self, actor: Json, occurred_on: str, from_month: str, months: int, reason: str
    ) -> None:
        self._require_status("active", "start a gradual exit")
        if self.gradual_exit is not None:
            raise refuse("a gradual exit is already running", "gradual_exit_running")
        if not 1 <= months <= MAX_GRADUAL_EXIT_MONTHS:
            raise InvalidInput(
                f"a gradual exit lasts 1 to {MAX_GRADUAL_EXIT_MONTHS} months", field="months"
            )
        self._need_reason(reason)
        check_month(from_month, "from_month")
        until = add_months(from_month, months - 1)
        self._gradual_exit(actor, occurred_on, from_month, months, until, reason)

    @event("GradualExitStarted")
    def _gradual_exit(
        self, actor: Json, occurred_on: str, from_month: str, months: int, until_month: str,
        reason: str,
    ) -> None:  # fmt: skip
        self.gradual_exit = {"from": from_month, "until": until_month}
        self.benefit.end_gradual_exit(until_month)

    def raise_warning(self, actor: Json, occurred_on: str, kind: str, detail: str) -> None:
        self._require_status(("active", "suspended"), "raise an early warning")
        self._need_reason(kind, "kind")
        # Derived from the version, so an idempotent retry names the same warning.
        self._raise_warning(actor, occurred_on, f"W{self.version + 1}", kind, detail)

    @event("EarlyWarningRaised")
    def _raise_warning(
        self, actor: Json, occurred_on: str, warning_id: str, kind: str, detail: str,
        parameters: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.open_warnings.add(warning_id)
        self.benefit.record_standards(parameters)

    def change_payee(
        self, actor: Json, occurred_on: str, person_id: str, payee_account: str
    ) -> None:
        """A new payee account, e.g. after the payee died: held payouts go there from now."""
        self._require_status(("active", "suspended"), "record a new payee account")
        if person_id not in self.counted:
            raise InvalidInput("the payee must be a member counted in this case", field="person_id")
        if person_id in self.benefit.deaths:
            raise refuse(
                "the payee must be a living member: this member's death is recorded",
                "payee_deceased",
                "person_id",
            )
        if not is_bank_account(payee_account):
            raise InvalidInput("a bank account is 12 to 30 digits", field="payee_account")
        payee = {"person_id": person_id, "personal": {"bank_account": payee_account}}
        self._change_payee(actor, occurred_on, payee)

    @event("PayeeChanged")
    def _change_payee(self, actor: Json, occurred_on: str, payee: Json) -> None:
        self.payee = payee
        self.benefit.change_payee(payee["person_id"])

    def resolve_warning(
        self, actor: Json, occurred_on: str, warning_id: str, resolution: str
    ) -> None:
        if warning_id not in self.open_warnings:
            raise refuse(f"no open warning {warning_id} on this case", "warning_unknown")
        self._need_reason(resolution, "resolution")
        self._resolve_warning(actor, occurred_on, warning_id, resolution)

    @event("EarlyWarningResolved")
    def _resolve_warning(
        self, actor: Json, occurred_on: str, warning_id: str, resolution: str
    ) -> None:
        self.open_warnings.discard(warning_id)

    def terminate(
        self, actor: Json, occurred_on: str, reason_code: str, reason: str, effective_month: str
    ) -> None:
        self._require_status(("active", "suspended"), "terminate the benefit")
        if reason_code not in TERMINATION_REASONS:
            raise InvalidInput(
                "reason_code must be one of " + ", ".join(TERMINATION_REASONS), field="reason_code"
            )
        self._need_reason(reason)
        check_month(effective_month, "effective_month")
        self._terminate(actor, occurred_on, reason_code, reason, effective_month)

    def record_member_death(
        self, actor: Json, occurred_on: str, person_id: str, date_of_death: str,
        notification_id: str,
    ) -> None:  # fmt: skip
        """A verified death (身后一件事): payouts stop after the death month; a TEKUN case
        ends the next month; a household case must be reviewed within three months [law]."""
        self._require_status(("active", "suspended"), "record a member's death")
        if person_id not in self.counted:
            raise InvalidInput("the person is not counted in this case", field="person_id")
        if person_id in self.benefit.deaths:
            raise refuse("this death is already recorded on the case", "death_recorded")
        died = date.fromisoformat(date_of_death)
        month = month_of(died)
        review_due = add_months_to_date(died, DEATH_REVIEW_MONTHS).isoformat()
        tekun = self.programme == "TEKUN"
        consequence = (
            f"TEKUN support ends; terminated from {add_months(month, 1)}"
            if tekun
            else f"no payout for the deceased after {month}; household review due by {review_due}"
        )
        self._member_death(actor, occurred_on, person_id, date_of_death, month, notification_id,
                           review_due, consequence)  # fmt: skip
        if tekun:
            self._terminate(
                actor, occurred_on, "death", "verified death of the supported person",
                add_months(month, 1),
            )  # fmt: skip

    @event("MemberDeathRecorded")
    def _member_death(
        self, actor: Json, occurred_on: str, person_id: str, date_of_death: str,
        death_month: str, notification_id: str, review_due: str, consequence: str,
    ) -> None:  # fmt: skip
        self.benefit.record_death(person_id, death_month)
        self.review_due_by = review_due

    @event("BenefitTerminated")
    def _terminate(
        self, actor: Json, occurred_on: str, reason_code: str, reason: str, effective_month: str
    ) -> None:
        self.status = "terminated"
        self.benefit.terminate(effective_month)
