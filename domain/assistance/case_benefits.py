"""The steps of an active assistance case: changes, reviews, the benefit, warnings, the end.

A mixin of AssistanceCase: each command checks the rules and records one of the case's events;
the events and how they apply are declared in domain/assistance/case.py.
"""

from __future__ import annotations

from datetime import date

from domain.assistance.assessment import recomputed_amounts, standard_name
from domain.assistance.rules import (
    DEATH_REVIEW_MONTHS,
    MAX_GRADUAL_EXIT_MONTHS,
    TERMINATION_REASONS,
    CaseSteps,
)
from domain.shared.errors import InvalidInput
from domain.shared.guards import refuse
from domain.shared.values import Json, add_months, add_months_to_date, check_month, month_of

ACTIVE = ("active", "suspended")


class BenefitSteps(CaseSteps):
    def report_change(self, actor: Json, occurred_on: str, description: str, evidence: str) -> None:
        case = self._case
        case._require_status(ACTIVE, "report a change")
        case._need_reason(description, "description")
        case.trigger_event(
            case.ChangeReported, actor=actor, occurred_on=occurred_on, description=description,
            evidence=evidence,
        )  # fmt: skip

    def complete_review(
        self, actor: Json, occurred_on: str, findings: str, interval_months: int
    ) -> None:
        case = self._case
        case._require_status(ACTIVE, "record a periodic review")
        on = date.fromisoformat(occurred_on)
        due = add_months(month_of(on), interval_months) + "-01"
        case.trigger_event(
            case.PeriodicReviewCompleted, actor=actor, occurred_on=occurred_on, findings=findings,
            next_review_due=due,
        )  # fmt: skip

    def adjust(
        self, actor: Json, occurred_on: str, monthly_amount_fen: int, effective_month: str,
        reason: str,
    ) -> None:  # fmt: skip
        case = self._case
        case._require_status(ACTIVE, "adjust the benefit")
        case._need_reason(reason)
        check_month(effective_month, "effective_month")
        if not isinstance(monthly_amount_fen, int) or monthly_amount_fen < 0:
            raise InvalidInput("the amount must be whole fen, not negative", field="amount")
        if monthly_amount_fen == case.monthly_amount_fen:
            raise refuse("the new amount equals the amount in force", "no_change", "amount")
        case.trigger_event(
            case.BenefitAdjusted, actor=actor, occurred_on=occurred_on,
            monthly_amount_fen=monthly_amount_fen, effective_month=effective_month, reason=reason,
        )  # fmt: skip

    def apply_standard(
        self, actor: Json, occurred_on: str, name: str, version: int, standard_fen: int,
        effective_month: str,
    ) -> str | None:  # fmt: skip
        """A new standard (提标) from its month, by the gap method on the last assessment.

        Returns "adjusted", "flagged" or None (nothing recorded: a case of another standard,
        ended, already at that version, or whose amount would not change). A case whose amount
        would fall to zero keeps its amount and is flagged for review instead.
        """
        case = self._case
        if case.status not in ACTIVE or standard_name(case.programme) != name:
            return None
        if case.benefit.standards.get(name, 0) >= version or case.benefit.first_month is None:
            return None
        month = max(effective_month, case.benefit.first_month)
        ended = case.benefit.terminated_from
        if ended is not None and ended <= month:
            return None
        assert case.assessment is not None
        amounts = recomputed_amounts(case.programme, case.assessment, standard_fen)
        total = sum(a["base_fen"] + a["supplements_fen"] for a in amounts)
        reference = {name: f"{name}@v{version}"}
        if total <= 0:
            detail = (
                f"under {name}@v{version} from {month} the gap method gives no amount: "
                "review the case (the amount in force is kept until then)"
            )
            case.trigger_event(
                case.EarlyWarningRaised, actor=actor, occurred_on=occurred_on,
                warning_id=f"W{case.version + 1}", kind="standard_review", detail=detail,
                parameters=reference,
            )  # fmt: skip
            return "flagged"
        if total == case.benefit.amount_in_force(month):
            return None
        case.trigger_event(
            case.BenefitAdjusted, actor=actor, occurred_on=occurred_on, monthly_amount_fen=total,
            effective_month=month, parameters=reference,
            reason=f"standard change {name}@v{version} from {month} (提标), by the gap method",
        )  # fmt: skip
        return "adjusted"

    def suspend(self, actor: Json, occurred_on: str, from_month: str, reason: str) -> None:
        case = self._case
        case._require_status("active", "suspend the benefit")
        case._need_reason(reason)
        check_month(from_month, "from_month")
        case.trigger_event(
            case.BenefitSuspended, actor=actor, occurred_on=occurred_on, from_month=from_month,
            reason=reason,
        )  # fmt: skip

    def resume(self, actor: Json, occurred_on: str, from_month: str, reason: str) -> None:
        case = self._case
        case._require_status("suspended", "resume the benefit")
        case._need_reason(reason)
        check_month(from_month, "from_month")
        if case.suspended_from and from_month <= case.suspended_from:
            raise InvalidInput("resume after the month the suspension began", field="from_month")
        case.trigger_event(
            case.BenefitResumed, actor=actor, occurred_on=occurred_on, from_month=from_month,
            reason=reason,
        )  # fmt: skip

    def start_gradual_exit(
        self, actor: Json, occurred_on: str, from_month: str, months: int, reason: str
    ) -> None:
        case = self._case
        case._require_status("active", "start a gradual exit")
        if case.gradual_exit is not None:
            raise refuse("a gradual exit is already running", "gradual_exit_running")
        if not 1 <= months <= MAX_GRADUAL_EXIT_MONTHS:
            raise InvalidInput(
                f"a gradual exit lasts 1 to {MAX_GRADUAL_EXIT_MONTHS} months", field="months"
            )
        case._need_reason(reason)
        check_month(from_month, "from_month")
        case.trigger_event(
            case.GradualExitStarted, actor=actor, occurred_on=occurred_on, from_month=from_month,
            months=months, until_month=add_months(from_month, months - 1), reason=reason,
        )  # fmt: skip

    def raise_warning(self, actor: Json, occurred_on: str, kind: str, detail: str) -> None:
        case = self._case
        case._require_status(ACTIVE, "raise an early warning")
        case._need_reason(kind, "kind")
        # Derived from the version, so an idempotent retry names the same warning.
        case.trigger_event(
            case.EarlyWarningRaised, actor=actor, occurred_on=occurred_on,
            warning_id=f"W{case.version + 1}", kind=kind, detail=detail,
        )  # fmt: skip

    def change_payee(
        self, actor: Json, occurred_on: str, person_id: str, payee_account: str
    ) -> None:
        """A new payee account, e.g. after the payee died: held payouts go there from now."""
        case = self._case
        case._require_status(ACTIVE, "record a new payee account")
        if person_id not in case.counted:
            raise InvalidInput("the payee must be a member counted in this case", field="person_id")
        if person_id in case.benefit.deaths:
            raise refuse(
                "the payee must be a living member: this member's death is recorded",
                "payee_deceased",
                "person_id",
            )
        if not payee_account.isdigit() or not 12 <= len(payee_account) <= 30:
            raise InvalidInput("a bank account is 12 to 30 digits", field="payee_account")
        payee = {"person_id": person_id, "personal": {"bank_account": payee_account}}
        case.trigger_event(case.PayeeChanged, actor=actor, occurred_on=occurred_on, payee=payee)

    def resolve_warning(
        self, actor: Json, occurred_on: str, warning_id: str, resolution: str
    ) -> None:
        case = self._case
        if warning_id not in case.open_warnings:
            raise refuse(f"no open warning {warning_id} on this case", "warning_unknown")
        case._need_reason(resolution, "resolution")
        case.trigger_event(
            case.EarlyWarningResolved, actor=actor, occurred_on=occurred_on,
            warning_id=warning_id, resolution=resolution,
        )  # fmt: skip

    def terminate(
        self, actor: Json, occurred_on: str, reason_code: str, reason: str, effective_month: str
    ) -> None:
        case = self._case
        case._require_status(ACTIVE, "terminate the benefit")
        if reason_code not in TERMINATION_REASONS:
            raise InvalidInput(
                "reason_code must be one of " + ", ".join(TERMINATION_REASONS), field="reason_code"
            )
        case._need_reason(reason)
        check_month(effective_month, "effective_month")
        case.trigger_event(
            case.BenefitTerminated, actor=actor, occurred_on=occurred_on, reason_code=reason_code,
            reason=reason, effective_month=effective_month,
        )  # fmt: skip

    def record_member_death(
        self, actor: Json, occurred_on: str, person_id: str, date_of_death: str,
        notification_id: str,
    ) -> None:  # fmt: skip
        """A verified death (身后一件事): payouts stop after the death month; a TEKUN case
        ends the next month; a household case must be reviewed within three months [law]."""
        case = self._case
        case._require_status(ACTIVE, "record a member's death")
        if person_id not in case.counted:
            raise InvalidInput("the person is not counted in this case", field="person_id")
        if person_id in case.benefit.deaths:
            raise refuse("this death is already recorded on the case", "death_recorded")
        died = date.fromisoformat(date_of_death)
        month = month_of(died)
        review_due = add_months_to_date(died, DEATH_REVIEW_MONTHS).isoformat()
        tekun = case.programme == "TEKUN"
        consequence = (
            f"TEKUN support ends; terminated from {add_months(month, 1)}"
            if tekun
            else f"no payout for the deceased after {month}; household review due by {review_due}"
        )
        case.trigger_event(
            case.MemberDeathRecorded, actor=actor, occurred_on=occurred_on, person_id=person_id,
            date_of_death=date_of_death, death_month=month, notification_id=notification_id,
            review_due=review_due, consequence=consequence,
        )  # fmt: skip
        if tekun:
            case.trigger_event(
                case.BenefitTerminated, actor=actor, occurred_on=occurred_on, reason_code="death",
                reason="verified death of the supported person",
                effective_month=add_months(month, 1),
            )  # fmt: skip
