"""The BedConversion aggregate (DOMAIN.md 3.4, 四床融合): beds of one institution change type.

applied → site inspected (passed, or failed and inspected again) → approved or rejected →
completed (the institution's `BedsReclassified` is saved with it) → subsidy paid, at most once
per converted bed. The institution's side of each step (reserving, releasing, reclassifying
beds) is checked by `CareInstitution`; InstitutionCommands saves both in one transaction.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.care.institution import check_count, check_text, not_before
from domain.shared import procedure
from domain.shared.errors import InvalidInput
from domain.shared.guards import refuse
from domain.shared.values import Json

#: Conversions are decided by the district: an approver or an admin.
DECIDING_ROLES = frozenset({"approver", "admin"})
UNDECIDED = ("applied", "inspected", "inspection_failed")


class BedConversion(Aggregate):
    """Keeps the step reached, the inspectors (who may not approve) and the beds subsidised."""

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

    class ConversionApplied(Aggregate.Created):
        district: str
        institution_id: UUID
        street: str
        from_type: str
        to_type: str
        number: int
        reason: str
        actor: Json
        occurred_on: str

    class SiteInspected(Event):
        passed: bool
        inspectors: list[str]
        findings: str

        def apply(self, conversion: BedConversion) -> None:
            conversion.status = "inspected" if self.passed else "inspection_failed"
            conversion.last_step_on = self.occurred_on
            conversion.inspectors.update(self.inspectors)

    class ConversionApproved(Event):
        decision_ref: str

        def apply(self, conversion: BedConversion) -> None:
            conversion.status = "approved"
            conversion.last_step_on = self.occurred_on

    class ConversionRejected(Event):
        reasons: list[str]

        def apply(self, conversion: BedConversion) -> None:
            conversion.status = "rejected"
            conversion.last_step_on = self.occurred_on

    class ConversionCompleted(Event):
        evidence: str

        def apply(self, conversion: BedConversion) -> None:
            conversion.status = "completed"
            conversion.last_step_on = self.occurred_on

    class SubsidyPaid(Event):
        amount_per_bed_fen: int
        beds: int
        total_fen: int
        reference: str

        def apply(self, conversion: BedConversion) -> None:
            conversion.subsidised += self.beds
            conversion.last_step_on = self.occurred_on

    @event(ConversionApplied)
    def __init__(
        self, district: str, institution_id: UUID, street: str, from_type: str, to_type: str,
        number: int, reason: str, actor: Json, occurred_on: str,
    ):  # fmt: skip
        self.institution_id = institution_id
        self.street = street  # the access rule's area
        self.from_type = from_type
        self.to_type = to_type
        self.number = number
        self.status = "applied"
        self.last_step_on = occurred_on  # no step may be dated before the one it follows
        self.inspectors: set[str] = set()
        self.subsidised = 0

    def inspect(
        self, passed: object, inspectors: list[str], findings: str, actor: Json, occurred_on: str
    ) -> None:
        """Inspect the site; a failed inspection may be followed by another one."""
        self._require(UNDECIDED, "record a site inspection")
        not_before(occurred_on, self.last_step_on, "the site inspection")
        if not isinstance(passed, bool):
            raise InvalidInput("say whether the site passed (true or false)", field="passed")
        distinct = procedure.investigators(
            inspectors, "inspectors", "a site inspection", "inspectors"
        )
        findings = check_text(findings, "findings", "the inspection's findings")
        self.trigger_event(
            self.SiteInspected, passed=passed, inspectors=distinct, findings=findings,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def check_approval(self, actor: Json, occurred_on: str) -> None:
        """Refuse an approval out of order or by the wrong person (before the beds are held)."""
        if self.status == "applied":
            raise refuse("cannot approve: the site has not been inspected", "inspection_required")
        if self.status == "inspection_failed":
            raise refuse(
                "cannot approve: the last site inspection failed; inspect the site again",
                "inspection_failed",
            )
        self._require(("inspected",), "approve the conversion")
        not_before(occurred_on, self.last_step_on, "the approval")
        self._require_deciding_role(actor, "approve")
        if procedure.took_part(actor["user"], self.inspectors):
            raise refuse(
                "the approver inspected this site and may not also approve the conversion",
                "approver_inspected",
            )

    def approve(self, decision_ref: str, actor: Json, occurred_on: str) -> None:
        self.check_approval(actor, occurred_on)
        ref = check_text(decision_ref, "decision_ref", "the approval's decision reference")
        self.trigger_event(
            self.ConversionApproved, decision_ref=ref, actor=actor, occurred_on=occurred_on
        )

    def reject(self, reasons: list[str], actor: Json, occurred_on: str) -> None:
        """Reject before completion; an approved conversion's reserved beds are released."""
        self._require((*UNDECIDED, "approved"), "reject the conversion")
        not_before(occurred_on, self.last_step_on, "the rejection")
        self._require_deciding_role(actor, "reject")
        kept = [r.strip() for r in reasons if isinstance(r, str) and r.strip()]
        if not kept:
            raise InvalidInput("a rejection needs at least one reason", field="reasons")
        self.trigger_event(
            self.ConversionRejected, reasons=kept, actor=actor, occurred_on=occurred_on
        )

    def complete(self, evidence: str, actor: Json, occurred_on: str) -> None:
        self._require(("approved",), "complete the conversion (only after its approval)")
        not_before(occurred_on, self.last_step_on, "the completion")
        evidence = check_text(evidence, "evidence", "the acceptance record (验收) reference")
        self.trigger_event(
            self.ConversionCompleted, evidence=evidence, actor=actor, occurred_on=occurred_on
        )

    def pay_subsidy(
        self, amount_per_bed_fen: object, beds: object, reference: str, actor: Json,
        occurred_on: str,
    ) -> None:  # fmt: skip
        """Pay for converted beds; each bed at most once, however many payments there are."""
        self._require(("completed",), "pay a subsidy (only for a completed conversion)")
        not_before(occurred_on, self.last_step_on, "the subsidy")
        per_bed = check_count(amount_per_bed_fen, "amount_per_bed_fen", minimum=1)
        count = check_count(beds, "beds", minimum=1)
        ref = check_text(reference, "reference", "the payment's reference")
        if self.subsidised + count > self.number:
            raise refuse(
                f"a subsidy is paid at most once per converted bed: {self.number} beds were "
                f"converted and {self.subsidised} already subsidised, so at most "
                f"{self.number - self.subsidised} more",
                "subsidy_already_paid",
                "beds",
            )
        self.trigger_event(
            self.SubsidyPaid, amount_per_bed_fen=per_bed, beds=count, total_fen=per_bed * count,
            reference=ref, actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    # -- guards -----------------------------------------------------------------------------

    def _require(self, allowed: tuple[str, ...], doing: str) -> None:
        if self.status not in allowed:
            raise refuse(
                f"cannot {doing}: the conversion is {self.status} (needs {' or '.join(allowed)})",
                "wrong_status",
            )

    @staticmethod
    def _require_deciding_role(actor: Json, doing: str) -> None:
        if actor["role"] not in DECIDING_ROLES:
            raise refuse(
                f"only the district (an approver or admin) may {doing} a bed conversion",
                "role_not_allowed",
            )
