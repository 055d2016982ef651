"""The care-institution and bed-conversion commands of the Ledger (DOMAIN.md 3.4, 四床融合).

A conversion's approval, rejection and completion change the institution too (its reserved
and classified beds): both aggregates are saved together, the conversion answered about.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.care.bed_conversion import BedConversion
from domain.care.institution import CareInstitution, not_before
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.ledger_base import CommandResult, LedgerBase
from domain.shared.values import Actor, Json, parse_date

A = TypeVar("A", bound=Aggregate)

#: The institution's command methods the API may run by name; `_` methods only apply events.
INSTITUTION_COMMANDS = frozenset(
    {"award_grade", "report_staff", "certify_fire_safety", "record_medical_capability"}
)
CONVERSION_COMMANDS = frozenset({"inspect", "approve", "reject", "complete", "pay_subsidy"})


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
        )  # fmt: skip

    def change_institution(
        self, institution_id: UUID, command: str, payload: Json, actor: Actor,
        expected_version: int | None = None, idempotency_key: str | None = None,
    ) -> CommandResult:  # fmt: skip
        """Run one of the institution's command methods by name (grade, staff, ...)."""
        return self.run_named(
            institution_id, CareInstitution, "care institution", command, payload, actor,
            expected_version, idempotency_key, allowed=INSTITUTION_COMMANDS,
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

    def change_bed_conversion(
        self, conversion_id: UUID, command: str, payload: Json, actor: Actor,
        expected_version: int | None = None, idempotency_key: str | None = None,
    ) -> CommandResult:  # fmt: skip
        """One step of a conversion; approval, rejection and completion save the institution."""
        if command not in CONVERSION_COMMANDS:
            raise InvalidInput(f"unknown bed conversion command {command!r}", field="command")

        def act() -> Aggregate | tuple[Aggregate, ...]:
            conversion = self.get_bed_conversion(conversion_id, expected_version)
            who, on = actor.as_dict(), payload.get("occurred_on", "")
            parse_date(on, "occurred_on")
            if command == "inspect":
                conversion.inspect(payload.get("passed"), payload.get("inspectors") or [],
                                   payload.get("findings", ""), who, on)  # fmt: skip
                return conversion
            if command == "pay_subsidy":
                conversion.pay_subsidy(payload.get("amount_per_bed_fen"), payload.get("beds"),
                                       payload.get("reference", ""), who, on)  # fmt: skip
                return conversion
            institution = self.get_institution(conversion.institution_id)
            if command == "approve":
                conversion.approve(payload.get("decision_ref", ""), who, on)
                institution.reserve_beds(
                    conversion.id, conversion.from_type, conversion.to_type, conversion.number,
                    who, on,
                )  # fmt: skip
            elif command == "reject":
                held = conversion.status == "approved"
                conversion.reject(payload.get("reasons") or [], who, on)
                if not held:
                    return conversion
                institution.release_beds(conversion.id, who, on)
            else:
                conversion.complete(payload.get("evidence", ""), who, on)
                institution.reclassify_beds(conversion.id, conversion.to_type, who, on)
            return conversion, institution

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint(f"conversion:{command}", str(conversion_id), payload),
        )  # fmt: skip

    def _institution_named(self, value: object) -> CareInstitution:
        """The institution a request body names; an unknown one is bad input (422)."""
        try:
            institution_id = value if isinstance(value, UUID) else UUID(str(value))
            return self.get_institution(institution_id)
        except (ValueError, NotFound):
            raise InvalidInput("no care institution with this id", field="institution_id") from None
