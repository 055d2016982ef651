"""The care-institution and bed-conversion commands of the Ledger (DOMAIN.md 3.4, 四床融合).

A conversion's approval, rejection and completion change the institution too (its reserved
and classified beds): both aggregates are saved together, the conversion answered about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.care.bed_conversion import BedConversion
from domain.care.institution import CareInstitution, not_before
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.ledger_base import CommandResult, LedgerBase, Options
from domain.shared.values import Actor, Json, parse_date


class InstitutionCommands(LedgerBase):
    def get_institution(
        self, institution_id: UUID, expected_version: int | None = None
    ) -> CareInstitution:
        return self.load(institution_id, CareInstitution, "care institution", expected_version)

    def get_bed_conversion(
        self, conversion_id: UUID, expected_version: int | None = None
    ) -> BedConversion:
        return self.load(conversion_id, BedConversion, "bed conversion", expected_version)

    # -- institutions -----------------------------------------------------------------------

    def file_institution(
        self, payload: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        """File (备案) an institution with its beds by type and its medical capability."""

        def act() -> Aggregate:
            return CareInstitution.file(
                district=self.district,
                name=payload.get("name", ""),
                street=payload.get("street", ""),
                beds=payload.get("beds"),
                medical_capability=payload.get("medical_capability", False),
                actor=actor.as_dict(),
                occurred_on=payload.get("occurred_on", ""),
            )

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("file_institution", "", payload),
            street=payload.get("street") or "",
        )  # fmt: skip

    def _institution(
        self,
        institution_id: UUID,
        actor: Actor,
        command: str,
        payload: Json,
        act: Callable[[CareInstitution], None],
        options: Options,
    ) -> CommandResult:
        """One step of an institution; `command` is the fingerprint label of a retry."""
        return self.change(
            institution_id, CareInstitution, "care institution", act, actor,
            command=f"care institution:{command}", payload=payload, **options,
        )  # fmt: skip

    def award_institution_grade(
        self, institution_id: UUID, actor: Actor, *, occurred_on: str, level: int,
        valid_until: str, evidence: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A grade 1-5 (养老机构等级评定), valid until a date."""
        payload = {
            "occurred_on": occurred_on, "level": level, "valid_until": valid_until,
            "evidence": evidence,
        }  # fmt: skip
        return self._institution(
            institution_id, actor, "award_grade", payload,
            lambda i: i.award_grade(
                level=level, valid_until=valid_until, evidence=evidence,
                actor=actor.as_dict(), occurred_on=occurred_on,
            ),
            options,
        )  # fmt: skip

    def report_institution_staff(
        self, institution_id: UUID, actor: Actor, *, occurred_on: str, caregivers: int,
        certified_caregivers: int, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The caregivers, and how many of them hold a vocational certificate."""
        payload = {
            "occurred_on": occurred_on, "caregivers": caregivers,
            "certified_caregivers": certified_caregivers,
        }  # fmt: skip
        return self._institution(
            institution_id, actor, "report_staff", payload,
            lambda i: i.report_staff(
                caregivers=caregivers, certified_caregivers=certified_caregivers,
                actor=actor.as_dict(), occurred_on=occurred_on,
            ),
            options,
        )  # fmt: skip

    def certify_fire_safety(
        self, institution_id: UUID, actor: Actor, *, occurred_on: str, certificate_ref: str,
        valid_until: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A fire-safety certificate, valid until a date."""
        payload = {
            "occurred_on": occurred_on, "certificate_ref": certificate_ref,
            "valid_until": valid_until,
        }  # fmt: skip
        return self._institution(
            institution_id, actor, "certify_fire_safety", payload,
            lambda i: i.certify_fire_safety(
                certificate_ref=certificate_ref, valid_until=valid_until,
                actor=actor.as_dict(), occurred_on=occurred_on,
            ),
            options,
        )  # fmt: skip

    def record_medical_capability(
        self, institution_id: UUID, actor: Actor, *, occurred_on: str, capable: bool,
        evidence: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Whether the institution has medical capability (医养结合), with the evidence."""
        payload = {"occurred_on": occurred_on, "capable": capable, "evidence": evidence}
        return self._institution(
            institution_id, actor, "record_medical_capability", payload,
            lambda i: i.record_medical_capability(
                capable=capable, evidence=evidence, actor=actor.as_dict(),
                occurred_on=occurred_on,
            ),
            options,
        )  # fmt: skip

    # -- bed conversions --------------------------------------------------------------------

    def apply_bed_conversion(
        self, payload: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        """Apply to convert beds; refused at once if the institution cannot make it now."""

        def act() -> Aggregate:
            on = payload.get("occurred_on", "")
            parse_date(on, "occurred_on")
            institution = self._institution_named(payload.get("institution_id"))
            self.authorize(actor, institution.street)
            not_before(on, institution.filed_on, "the application")
            from_type, to_type, number = institution.check_conversion(
                payload.get("from_type"), payload.get("to_type"), payload.get("number")
            )
            return BedConversion(
                district=self.district,
                institution_id=institution.id,
                street=institution.street,
                from_type=from_type,
                to_type=to_type,
                number=number,
                reason=(payload.get("reason") or "").strip(),
                actor=actor.as_dict(),
                occurred_on=on,
            )

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("apply_bed_conversion", "", payload),
        )  # fmt: skip

    def _conversion(
        self,
        conversion_id: UUID,
        actor: Actor,
        command: str,
        payload: Json,
        act: Callable[[BedConversion], Aggregate | None],
        options: Options,
    ) -> CommandResult:
        """One step of a conversion; `act` returns the institution when it changes it too."""
        return self.change(
            conversion_id, BedConversion, "bed conversion", act, actor,
            command=f"conversion:{command}", payload=payload, **options,
        )  # fmt: skip

    def inspect_bed_conversion(
        self, conversion_id: UUID, actor: Actor, *, occurred_on: str, passed: bool,
        inspectors: list[str], findings: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A site inspection by two or more inspectors; a failed one may be repeated."""
        payload = {
            "occurred_on": occurred_on, "passed": passed, "inspectors": inspectors,
            "findings": findings,
        }  # fmt: skip

        def act(conversion: BedConversion) -> None:
            conversion.inspect(passed, inspectors, findings, actor.as_dict(), occurred_on)

        return self._conversion(conversion_id, actor, "inspect", payload, act, options)

    def approve_bed_conversion(
        self, conversion_id: UUID, actor: Actor, *, occurred_on: str, decision_ref: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The district's approval: the institution's beds are reserved in the same save."""

        def act(conversion: BedConversion) -> Aggregate:
            institution = self.get_institution(conversion.institution_id)
            who = actor.as_dict()
            conversion.approve(decision_ref, who, occurred_on)
            institution.reserve_beds(
                conversion.id, conversion.from_type, conversion.to_type, conversion.number,
                who, occurred_on,
            )  # fmt: skip
            return institution

        payload = {"occurred_on": occurred_on, "decision_ref": decision_ref}
        return self._conversion(conversion_id, actor, "approve", payload, act, options)

    def reject_bed_conversion(
        self, conversion_id: UUID, actor: Actor, *, occurred_on: str, reasons: list[str],
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The district's rejection; an approved conversion's reserved beds are released."""

        def act(conversion: BedConversion) -> Aggregate | None:
            institution = self.get_institution(conversion.institution_id)
            held = conversion.status == "approved"
            conversion.reject(reasons, actor.as_dict(), occurred_on)
            if not held:
                return None
            institution.release_beds(conversion.id, actor.as_dict(), occurred_on)
            return institution

        payload = {"occurred_on": occurred_on, "reasons": reasons}
        return self._conversion(conversion_id, actor, "reject", payload, act, options)

    def complete_bed_conversion(
        self, conversion_id: UUID, actor: Actor, *, occurred_on: str, evidence: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The acceptance (验收): the institution's beds are reclassified in the same save."""

        def act(conversion: BedConversion) -> Aggregate:
            institution = self.get_institution(conversion.institution_id)
            conversion.complete(evidence, actor.as_dict(), occurred_on)
            institution.reclassify_beds(
                conversion.id, conversion.to_type, actor.as_dict(), occurred_on
            )
            return institution

        payload = {"occurred_on": occurred_on, "evidence": evidence}
        return self._conversion(conversion_id, actor, "complete", payload, act, options)

    def pay_conversion_subsidy(
        self, conversion_id: UUID, actor: Actor, *, occurred_on: str, amount_per_bed_fen: int,
        beds: int, reference: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A subsidy paid for converted beds, at most once per bed."""
        payload = {
            "occurred_on": occurred_on, "amount_per_bed_fen": amount_per_bed_fen, "beds": beds,
            "reference": reference,
        }  # fmt: skip

        def act(conversion: BedConversion) -> None:
            conversion.pay_subsidy(amount_per_bed_fen, beds, reference, actor.as_dict(),
                                   occurred_on)  # fmt: skip

        return self._conversion(conversion_id, actor, "pay_subsidy", payload, act, options)

    def _institution_named(self, value: object) -> CareInstitution:
        """The institution a request body names; an unknown one is bad input (422)."""
        try:
            institution_id = value if isinstance(value, UUID) else UUID(str(value))
            return self.get_institution(institution_id)
        except (ValueError, NotFound):
            raise InvalidInput("no care institution with this id", field="institution_id") from None
