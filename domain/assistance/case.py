"""The AssistanceCase aggregate (DOMAIN.md 3.1): an application from submission to termination.

The class is the case's event catalogue: each event a nested class with its fields and how it
applies. Events carry plain JSON values (ISO dates, YYYY-MM months, integer fen) so that they
replay unchanged years later; a field added later has a default, so older events still replay.
The commands that check the rules and then record an event are the mixins ProcedureSteps
(case_procedure.py) and BenefitSteps (case_benefits.py).
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from domain.assistance.benefit_schedule import BenefitSchedule
from domain.assistance.case_benefits import BenefitSteps
from domain.assistance.case_procedure import ProcedureSteps
from domain.assistance.rules import (
    CASE_DAYS,
    EXTENDED_CASE_DAYS,
    CaseChecks,
)
from domain.shared.values import (
    Json,
)


class AssistanceCase(ProcedureSteps, BenefitSteps, CaseChecks, Aggregate):
    """Keeps only the state its rules need; views hold everything shown to people."""

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

    class ApplicationSubmitted(Aggregate.Created):
        programme: str
        district: str
        street: str
        community: str
        members: list[Json]
        channel: str
        kin_of_staff: bool
        actor: Json
        occurred_on: str
        payee: Json | None = None  # {"person_id", "personal": {"bank_account"}}

    @event(ApplicationSubmitted)
    def __init__(
        self, programme: str, district: str, street: str, community: str, members: list[Json],
        channel: str, kin_of_staff: bool, actor: Json, occurred_on: str, payee: Json | None = None,
    ):  # fmt: skip
        self.programme = programme
        self.street = street
        self.payee = payee  # where money goes
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

    # -- application --------------------------------------------------------------------------

    class ApplicationAccepted(Event):
        investigation_due: str
        decision_due: str
        case_due: str
        provisional: tuple[str, ...] = ()  # due dates counted Mon-Fri for want of a notice

        def apply(self, case: AssistanceCase) -> None:
            case.status = "accepted"
            case.accepted_on = self.occurred_on

    class EconomicCheckCompleted(Event):
        incomes: list[Json]
        property: Json
        public_servant_match: bool
        data_source: str

        def apply(self, case: AssistanceCase) -> None:
            case.check = {
                "incomes": {i["person_id"]: i["verified_fen"] for i in self.incomes},
                "property": self.property,
                "public_servant_match": self.public_servant_match,
            }
            case.investigation_started_on = case.investigation_started_on or self.occurred_on

    class HomeVisitConducted(Event):
        investigators: list[str]
        district_level: bool
        findings: str

        def apply(self, case: AssistanceCase) -> None:
            on = self.occurred_on
            case.visits.append({"on": on, "district_level": self.district_level})
            if self.district_level and case.reinvestigate_since and on >= case.reinvestigate_since:
                case.reinvestigate_since = None
            case.investigators.update(self.investigators)
            case.investigation_started_on = case.investigation_started_on or on

    class HouseholdAssessed(Event):
        method: str
        income_per_head_fen: int
        threshold_fen: int
        standard_fen: int
        parameters: dict[str, str]
        eligible: bool
        ineligibility_reasons: list[str]
        amounts: list[Json]
        total_fen: int
        irregular_income: bool

        def apply(self, case: AssistanceCase) -> None:
            case.assessment = {
                "on": self.occurred_on,
                "eligible": self.eligible,
                "reasons": self.ineligibility_reasons,
                "total_fen": self.total_fen,
                "parameters": self.parameters,
                "irregular_income": self.irregular_income,
                "income_per_head_fen": self.income_per_head_fen,
                "amounts": self.amounts,
            }
            case.benefit.standards = {}
            case.benefit.record_standards(self.parameters)
            case.notice = None
            case.notice_closed = None

    class PublicNoticePosted(Event):
        posted_from: str
        posted_to: str

        def apply(self, case: AssistanceCase) -> None:
            case.notice = {"from": self.posted_from, "to": self.posted_to}
            case.notice_closed = None

    class PublicNoticeClosed(Event):
        objections: list[str]

        def apply(self, case: AssistanceCase) -> None:
            case.notice_closed = {"on": self.occurred_on, "objections": self.objections}
            if self.objections:
                case.reinvestigate_since = self.occurred_on

    class ProcessingExtended(Event):
        reason: str
        case_due: str
        provisional: tuple[str, ...] = ()

        def apply(self, case: AssistanceCase) -> None:
            case.case_days = EXTENDED_CASE_DAYS

    # -- decision -----------------------------------------------------------------------------

    class EligibilityConfirmed(Event):
        approver: str
        monthly_amount_fen: int
        first_paid_month: str
        parameters: dict[str, str]
        next_review_due: str
        first_paid_deferred_by: str | None = None  # the case whose months came first

        def apply(self, case: AssistanceCase) -> None:
            case.status = "active"
            case.monthly_amount_fen = self.monthly_amount_fen
            case.benefit.start(self.first_paid_month, self.monthly_amount_fen)

    class EligibilityDenied(Event):
        reasons: list[str]
        notice_due: str
        provisional: tuple[str, ...] = ()

        def apply(self, case: AssistanceCase) -> None:
            case.status = "denied"

    # -- while active -------------------------------------------------------------------------

    class ChangeReported(Event):
        description: str
        evidence: str

    class PeriodicReviewCompleted(Event):
        findings: str
        next_review_due: str

    class BenefitAdjusted(Event):
        monthly_amount_fen: int
        effective_month: str
        reason: str
        parameters: dict[str, str] | None = None  # the standard a raise (提标) was computed on

        def apply(self, case: AssistanceCase) -> None:
            case.monthly_amount_fen = self.monthly_amount_fen
            case.benefit.adjust(self.effective_month, self.monthly_amount_fen)
            case.benefit.record_standards(self.parameters)

    class BenefitSuspended(Event):
        from_month: str
        reason: str

        def apply(self, case: AssistanceCase) -> None:
            case.status = "suspended"
            case.suspended_from = self.from_month
            case.benefit.suspend(self.from_month)

    class BenefitResumed(Event):
        from_month: str
        reason: str

        def apply(self, case: AssistanceCase) -> None:
            case.status = "active"
            case.suspended_from = None
            case.benefit.resume(self.from_month)

    class GradualExitStarted(Event):
        from_month: str
        months: int
        until_month: str
        reason: str

        def apply(self, case: AssistanceCase) -> None:
            case.gradual_exit = {"from": self.from_month, "until": self.until_month}
            case.benefit.end_gradual_exit(self.until_month)

    class EarlyWarningRaised(Event):
        warning_id: str
        kind: str
        detail: str
        parameters: dict[str, str] | None = None  # the standard a review flag is about

        def apply(self, case: AssistanceCase) -> None:
            case.open_warnings.add(self.warning_id)
            case.benefit.record_standards(self.parameters)

    class EarlyWarningResolved(Event):
        warning_id: str
        resolution: str

        def apply(self, case: AssistanceCase) -> None:
            case.open_warnings.discard(self.warning_id)

    class PayeeChanged(Event):
        payee: Json

        def apply(self, case: AssistanceCase) -> None:
            case.payee = self.payee
            case.benefit.change_payee(self.payee["person_id"])

    class MemberDeathRecorded(Event):
        person_id: str
        date_of_death: str
        death_month: str
        notification_id: str
        review_due: str
        consequence: str

        def apply(self, case: AssistanceCase) -> None:
            case.benefit.record_death(self.person_id, self.death_month)
            case.review_due_by = self.review_due

    class BenefitTerminated(Event):
        reason_code: str
        reason: str
        effective_month: str

        def apply(self, case: AssistanceCase) -> None:
            case.status = "terminated"
            case.benefit.terminate(self.effective_month)
