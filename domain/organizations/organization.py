"""The SocialOrganization aggregate (DOMAIN.md 3.5): a registered non-profit (社会组织).

registered → annual inspections (年检) → grade 1A-5A (等级评估) or its revocation → either
liquidation (清算) then deregistration (注销), or revocation of the registration (撤销登记).
The rules follow 《社会组织评估管理办法》: graded only after two full years registered and a
passed inspection for the previous year; revoked after two consecutive years of missed or
failed inspections. Nothing is recorded after deregistration or revocation.
"""

from __future__ import annotations

from datetime import date, timedelta

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import InvalidInput
from domain.shared.guards import Guards, refuse
from domain.shared.values import Json
from domain.shared.vocabulary import INSPECTION_RESULTS, ORGANIZATION_GRADES
from domain.shared.vocabulary import ORGANIZATION_TYPES as ORGANIZATION_TYPES  # re-exported

YEARS_BEFORE_GRADING = 2  # full years registered [law]
GRADE_VALID_YEARS = 5  # [law]
ENDED = ("deregistered", "revoked")


def anniversary(day: date, years: int) -> date:
    """The same date `years` later; 29 February falls on 1 March (a full year has passed)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def grade_valid_until(decided_on: date) -> date:
    """The last day of a grade: five years from the decision, the decision day counted."""
    return anniversary(decided_on, GRADE_VALID_YEARS) - timedelta(days=1)


def text(value: str, field: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} is required", field=field)
    return value.strip()


class SocialOrganization(Guards, Aggregate):
    """Keeps only what its rules need: status, dates, the inspection record, the grade."""

    subject = "organisation"
    final = ENDED

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

    class OrganizationRegistered(Aggregate.Created):
        name: str
        organization_type: str
        district: str
        street: str
        actor: Json
        occurred_on: str

    class AnnualInspectionConcluded(Event):
        year: int
        result: str
        findings: str

        def apply(self, organization: SocialOrganization) -> None:
            organization.inspections[self.year] = self.result
            organization.last_step_on = self.occurred_on

    class GradeConfirmed(Event):
        grade: str
        decision_ref: str
        valid_until: str
        last_inspection: Json

        def apply(self, organization: SocialOrganization) -> None:
            organization.grade = self.grade
            organization.grade_valid_until = self.valid_until
            organization.last_step_on = self.occurred_on

    class GradeRevoked(Event):
        reason: str
        grade: str

        def apply(self, organization: SocialOrganization) -> None:
            organization.grade = None
            organization.grade_valid_until = None
            organization.last_step_on = self.occurred_on

    class LiquidationStarted(Event):
        reason: str

        def apply(self, organization: SocialOrganization) -> None:
            organization.status = "liquidating"
            organization.last_step_on = self.occurred_on

    class OrganizationDeregistered(Event):
        reason: str

        def apply(self, organization: SocialOrganization) -> None:
            organization.status = "deregistered"
            organization.last_step_on = self.occurred_on

    class RegistrationRevoked(Event):
        reason: str
        years: list[Json]

        def apply(self, organization: SocialOrganization) -> None:
            organization.status = "revoked"
            organization.last_step_on = self.occurred_on

    @event(OrganizationRegistered)
    def __init__(
        self, name: str, organization_type: str, district: str, street: str, actor: Json,
        occurred_on: str,
    ):  # fmt: skip
        self.street = street  # the access rule's area
        self.status = "registered"
        self.registered_on = occurred_on  # the registration date is the event's business date
        self.last_step_on = occurred_on  # no step may be dated before the one it follows
        self.inspections: dict[int, str] = {}
        self.grade: str | None = None
        self.grade_valid_until: str | None = None

    # -- annual inspections -----------------------------------------------------------------

    def conclude_inspection(
        self, actor: Json, occurred_on: str, year: int, result: str, findings: str = ""
    ) -> None:
        self._require_status(("registered", "liquidating"), "record an annual inspection")
        on = self._not_before(occurred_on, self.last_step_on, "the inspection")
        if result not in INSPECTION_RESULTS:
            raise InvalidInput(
                f"result must be one of {', '.join(INSPECTION_RESULTS)}", field="result"
            )
        first = int(self.registered_on[:4])
        if isinstance(year, bool) or not isinstance(year, int) or not first <= year < on.year:
            raise InvalidInput(
                f"an annual inspection covers a past year, from the year of registration "
                f"({first}) to {on.year - 1}",
                field="year",
            )
        if year in self.inspections:
            raise refuse(
                f"the annual inspection for {year} is already recorded "
                f"({self.inspections[year]}); there is one per year",
                "inspection_recorded",
                "year",
            )
        self.trigger_event(
            self.AnnualInspectionConcluded, year=year, result=result, findings=findings,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    # -- grading ----------------------------------------------------------------------------

    def confirm_grade(self, actor: Json, occurred_on: str, grade: str, decision_ref: str) -> None:
        """A grade needs two full years registered and a passed inspection for last year.

        基本合格 (basic pass) counts as passed, except twice in a row; 不合格 does not.
        """
        self._require_status("registered", "confirm a grade")
        on = self._not_before(occurred_on, self.last_step_on, "the grade")
        if grade not in ORGANIZATION_GRADES:
            raise InvalidInput(
                f"grade must be one of {', '.join(ORGANIZATION_GRADES)}", field="grade"
            )
        ref = text(decision_ref, "decision_ref", "the reference of the grading decision")
        earliest = anniversary(date.fromisoformat(self.registered_on), YEARS_BEFORE_GRADING)
        if on < earliest:
            raise refuse(
                f"an organisation is graded only after two full years registered: registered "
                f"on {self.registered_on}, it may be graded from {earliest.isoformat()}",
                "registered_too_recently",
            )
        last_year = on.year - 1
        result = self.inspections.get(last_year)
        if result is None:
            raise refuse(
                f"no annual inspection for {last_year} is recorded: an organisation is graded "
                "only after passing the previous year's inspection",
                "inspection_missing",
            )
        if result == "fail":
            raise refuse(
                f"the annual inspection for {last_year} failed: no grade before a passed one",
                "inspection_failed",
            )
        if result == "basic_pass" and self.inspections.get(last_year - 1) == "basic_pass":
            raise refuse(
                f"the annual inspections for {last_year - 1} and {last_year} were both a basic "
                "pass: no grade after two basic passes in a row",
                "inspection_failed",
            )
        until = grade_valid_until(on).isoformat()
        inspection = {"year": last_year, "result": result}
        self.trigger_event(
            self.GradeConfirmed, grade=grade, decision_ref=ref, valid_until=until,
            last_inspection=inspection, actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def revoke_grade(self, actor: Json, occurred_on: str, reason: str) -> None:
        self._require_status(("registered", "liquidating"), "revoke a grade")
        self._not_before(occurred_on, self.last_step_on, "the revocation of the grade")
        if self.grade is None or (self.grade_valid_until or "") < occurred_on:
            raise refuse("the organisation holds no grade in force to revoke", "no_grade")
        self.trigger_event(
            self.GradeRevoked, reason=text(reason, "reason", "a reason"), grade=self.grade,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    # -- the end: liquidation then deregistration, or revocation ----------------------------

    def start_liquidation(self, actor: Json, occurred_on: str, reason: str) -> None:
        self._require_status("registered", "start a liquidation")
        self._not_before(occurred_on, self.last_step_on, "the liquidation")
        self.trigger_event(
            self.LiquidationStarted, reason=text(reason, "reason", "a reason"), actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip

    def deregister(self, actor: Json, occurred_on: str, reason: str) -> None:
        if self.status == "registered":
            raise refuse(
                "an organisation is deregistered only after its liquidation: start the "
                "liquidation first",
                "liquidation_required",
            )
        self._require_status("liquidating", "deregister the organisation")
        self._not_before(occurred_on, self.last_step_on, "the deregistration")
        self.trigger_event(
            self.OrganizationDeregistered, reason=text(reason, "reason", "a reason"),
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def revoke_registration(self, actor: Json, occurred_on: str, reason: str) -> None:
        """Only after two consecutive years, before this one, missed or failed."""
        self._require_status(("registered", "liquidating"), "revoke the registration")
        on = self._not_before(occurred_on, self.last_step_on, "the revocation")
        reason = text(reason, "reason", "a reason")
        first, last = int(self.registered_on[:4]), on.year - 1
        record = {y: self.inspections.get(y, "missed") for y in range(first, last + 1)}
        bad = {y for y, result in record.items() if result in ("missed", "fail")}
        pairs = sorted(y for y in bad if y + 1 in bad)
        if not pairs:
            seen = (
                f"the record for {first}-{last} shows none"
                if first < last
                else ("fewer than two years have passed since the registration")
            )
            raise refuse(
                "registration is revoked only after two consecutive years of missed or failed "
                f"annual inspections; {seen}",
                "revocation_not_justified",
            )
        years = [{"year": y, "inspection": record[y]} for y in (pairs[-1], pairs[-1] + 1)]
        self.trigger_event(
            self.RegistrationRevoked, reason=reason, years=years, actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip
