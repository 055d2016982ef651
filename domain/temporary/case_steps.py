"""The steps of a temporary assistance case (DOMAIN.md 3.2) and the guards they share.

A mixin of TemporaryAssistanceCase: each command checks the rules and records one of the case's
events; the events and how they apply are declared in domain/temporary/case.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

from domain.shared import procedure
from domain.shared.errors import InvalidInput
from domain.shared.guards import refuse
from domain.shared.values import Json, parse_date
from domain.temporary.limits import APPROVER_LEVELS, Limits, LimitsOn, yuan

if TYPE_CHECKING:
    from domain.temporary.case import TemporaryAssistanceCase


class TemporarySteps:
    @property
    def _case(self) -> TemporaryAssistanceCase:
        """This mixin as the case it is part of: its state, guards and nested event classes."""
        return cast("TemporaryAssistanceCase", self)

    # -- EMERGENCY: advance aid first, paperwork after -------------------------------------

    def grant_advance_aid(
        self, actor: Json, occurred_on: str, amount_fen: int, limits: LimitsOn,
        case_conference: Json | None = None,
    ) -> None:  # fmt: skip
        case = self._case
        self._require_type("EMERGENCY", "grant advance aid (先行救助)")
        case._require_status("requested", "grant advance aid")
        on = case._not_before(occurred_on, case.requested_on, "advance aid")
        level, conference, found = self._check_amount(
            actor, on, amount_fen, limits, case_conference
        )
        if found.paperwork_days is None:
            raise refuse("the paperwork deadline is not known", "parameter_missing")
        case.trigger_event(
            case.AdvanceAidGranted, actor=actor, occurred_on=occurred_on, amount_fen=amount_fen,
            approver_level=level, cap_fen=found.cap_fen, street_limit_fen=found.street_limit_fen,
            parameters=found.parameters, case_conference=conference,
            paperwork_due=(on + timedelta(days=found.paperwork_days)).isoformat(),
        )  # fmt: skip

    def complete_paperwork(self, actor: Json, occurred_on: str, documents: list[str]) -> None:
        case = self._case
        self._require_type("EMERGENCY", "complete the paperwork of advance aid")
        case._require_status("advanced", "complete the paperwork (only after advance aid)")
        case._not_before(occurred_on, case.last_step_on, "the paperwork")
        if not [d for d in documents if d.strip()]:
            raise InvalidInput("name at least one document of the paperwork", field="documents")
        assert case.paperwork_due is not None
        case.trigger_event(
            case.PaperworkCompleted, actor=actor, occurred_on=occurred_on, documents=documents,
            paperwork_due=case.paperwork_due, late=occurred_on > case.paperwork_due,
        )  # fmt: skip

    # -- EXPENDITURE: the checks of 3.1, then a grant or a denial --------------------------

    def complete_economic_check(
        self, actor: Json, occurred_on: str, incomes: list[Json], property: Json,
        public_servant_match: bool, data_source: str,
    ) -> None:  # fmt: skip
        case = self._case
        self._require_type("EXPENDITURE", "record an economic check")
        case._require_status("requested", "record an economic check")
        case._not_before(occurred_on, case.requested_on, "the economic check")
        if {i["person_id"] for i in incomes} - set(case.household):
            raise InvalidInput("incomes name a person not in this household", field="incomes")
        case.trigger_event(
            case.EconomicCheckCompleted, actor=actor, occurred_on=occurred_on, incomes=incomes,
            property=property, public_servant_match=public_servant_match, data_source=data_source,
        )  # fmt: skip

    def conduct_home_visit(
        self, actor: Json, occurred_on: str, investigators: list[str], findings: str,
        district_level: bool = False,
    ) -> None:  # fmt: skip
        case = self._case
        self._require_type("EXPENDITURE", "record a home visit")
        case._require_status("requested", "record a home visit")
        case._not_before(occurred_on, case.requested_on, "the home visit")
        distinct = procedure.investigators(
            investigators, "investigators", "a home visit", "investigators"
        )
        if not findings.strip():
            raise InvalidInput("a home visit records its findings", field="findings")
        case.trigger_event(
            case.HomeVisitConducted, actor=actor, occurred_on=occurred_on,
            investigators=distinct, findings=findings, district_level=district_level,
        )  # fmt: skip

    def approve_grant(
        self, actor: Json, occurred_on: str, amount_fen: int, limits: LimitsOn,
        case_conference: Json | None = None,
    ) -> None:  # fmt: skip
        case = self._case
        self._require_type("EXPENDITURE", "approve a grant")
        case._require_status("requested", "approve a grant")
        on = case._not_before(occurred_on, case.requested_on, "the grant")
        missing = []
        if case.checked_on is None:
            missing.append("the economic check is not completed")
        if case.visited_on is None:
            missing.append("no home visit with at least two investigators is recorded")
        if missing:
            raise refuse("cannot approve the grant: " + "; ".join(missing), "procedure_incomplete")
        assert case.checked_on is not None and case.visited_on is not None
        case._not_before(occurred_on, max(case.checked_on, case.visited_on), "the grant")
        if procedure.took_part(actor["user"], case.investigators):
            raise refuse(
                "the approver visited this household and may not also approve the grant",
                "approver_investigated",
            )
        level, conference, found = self._check_amount(
            actor, on, amount_fen, limits, case_conference
        )
        case.trigger_event(
            case.GrantApproved, actor=actor, occurred_on=occurred_on, amount_fen=amount_fen,
            approver_level=level, cap_fen=found.cap_fen, street_limit_fen=found.street_limit_fen,
            parameters=found.parameters, case_conference=conference,
        )  # fmt: skip

    def deny(self, actor: Json, occurred_on: str, reasons: list[str]) -> None:
        case = self._case
        case._require_status("requested", "deny the request (only before any aid is paid)")
        case._not_before(occurred_on, case.requested_on, "the denial")
        if not [r for r in reasons if r.strip()]:
            raise InvalidInput("a denial needs at least one reason", field="reasons")
        case.trigger_event(case.GrantDenied, actor=actor, occurred_on=occurred_on, reasons=reasons)

    def close(self, actor: Json, occurred_on: str, reason: str) -> None:
        case = self._case
        if case.status == "advanced":
            raise refuse(
                "cannot close the case: the paperwork of the advance aid is not completed",
                "paperwork_missing",
            )
        case._require_status(("granted", "denied", "documented"), "close the case")
        case._not_before(occurred_on, case.last_step_on, "the closing")
        if not reason.strip():
            raise InvalidInput("a reason is required", field="reason")
        case.trigger_event(case.CaseClosed, actor=actor, occurred_on=occurred_on, reason=reason)

    # -- guards -----------------------------------------------------------------------------

    def _check_amount(
        self, actor: Json, on: date, amount_fen: int, limits_on: LimitsOn,
        case_conference: Json | None,
    ) -> tuple[str, Json | None, Limits]:  # fmt: skip
        """The approver level, and the amount within the cap and the actor's authority."""
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise InvalidInput(
                "the amount must be a positive whole number of fen", field="amount_fen"
            )
        conference = self._check_conference(case_conference, on.isoformat())
        level = APPROVER_LEVELS.get(actor["role"])
        if level is None:
            raise refuse(
                "temporary assistance is decided by a caseworker (street) or by an approver "
                "or admin (district)",
                "role_not_allowed",
            )
        limits = limits_on(on)
        if amount_fen > limits.cap_fen and conference is None:
            raise refuse(
                f"{yuan(amount_fen)} is above the cap of {yuan(limits.cap_fen)} "
                f"({limits.cap_multiple} x the DIBAO standard of {yuan(limits.standard_fen)}); "
                "above the cap only with a case conference decision (一事一议)",
                "over_cap",
                "amount_fen",
            )
        if level == "street" and amount_fen > min(limits.street_limit_fen, limits.cap_fen):
            raise refuse(
                f"{yuan(amount_fen)} is above the street's delegated limit of "
                f"{yuan(limits.street_limit_fen)}: the district must approve it",
                "district_approval_required",
                "amount_fen",
            )
        return level, conference, limits

    def _check_conference(self, conference: Json | None, occurred_on: str) -> Json | None:
        if conference is None:
            return None
        ref = (conference.get("decision_ref") or "").strip()
        if not ref:
            raise InvalidInput(
                "a case conference needs its decision reference",
                field="case_conference.decision_ref",
            )
        held = conference.get("held_on") or ""
        parse_date(held, "case_conference.held_on")
        requested_on = self._case.requested_on
        if not requested_on <= held <= occurred_on:
            raise InvalidInput(
                f"the case conference must be held between the request ({requested_on}) "
                "and the decision",
                field="case_conference.held_on",
            )
        return {"decision_ref": ref, "held_on": held}

    def _require_type(self, assistance_type: str, doing: str) -> None:
        kind = self._case.assistance_type
        if kind != assistance_type:
            raise refuse(
                f"cannot {doing}: this is an {kind} case (only {assistance_type} cases do that)",
                "wrong_type",
            )
