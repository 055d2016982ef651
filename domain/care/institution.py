"""The CareInstitution aggregate (DOMAIN.md 3.4): an elderly-care institution and its beds.

Bed types are data: an institution carries whatever type names it was filed with (snake_case
identifiers); `DEFAULT_BED_TYPES` is only the district's usual list. The institution keeps,
per type, its beds and the beds `reserved` by approved conversions not yet completed, so a
conversion can never take beds that another approved conversion already counts on.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.care.beds import (
    DEFAULT_BED_TYPES,
    GRADES,
    MEDICAL_CAPABILITY_TYPES,
    check_bed_type,
    check_beds,
    check_valid_until,
)
from domain.care.beds import NON_INSTITUTIONAL_BED_TYPES as NON_INSTITUTIONAL_BED_TYPES
from domain.care.beds import NURSING as NURSING
from domain.care.beds import check_count as check_count
from domain.care.beds import check_text as check_text
from domain.care.beds import not_before as not_before
from domain.shared.errors import InvalidInput
from domain.shared.guards import refuse
from domain.shared.values import Json, parse_date


class CareInstitution(Aggregate):
    """Keeps what the bed rules need: beds and reservations per type, medical capability."""

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

    class InstitutionFiled(Aggregate.Created):
        district: str
        name: str
        street: str
        beds: dict[str, int]
        medical_capability: bool
        actor: Json
        occurred_on: str

    class GradeAwarded(Event):
        level: int
        valid_until: str
        evidence: str

    class StaffReported(Event):
        caregivers: int
        certified_caregivers: int

    class FireSafetyCertified(Event):
        certificate_ref: str
        valid_until: str

    class MedicalCapabilityRecorded(Event):
        capable: bool
        evidence: str

        def apply(self, institution: CareInstitution) -> None:
            institution.medical_capability = self.capable

    class BedsReserved(Event):
        conversion_id: UUID
        bed_type: str
        number: int

        def apply(self, institution: CareInstitution) -> None:
            institution.reservations[self.conversion_id.hex] = (self.bed_type, self.number)
            reserved = institution.reserved
            reserved[self.bed_type] = reserved.get(self.bed_type, 0) + self.number

    class BedsReleased(Event):
        conversion_id: UUID
        bed_type: str
        number: int

        def apply(self, institution: CareInstitution) -> None:
            del institution.reservations[self.conversion_id.hex]
            institution.reserved[self.bed_type] -= self.number

    class BedsReclassified(Event):
        conversion_id: UUID
        from_type: str
        to_type: str
        number: int

        def apply(self, institution: CareInstitution) -> None:
            del institution.reservations[self.conversion_id.hex]
            institution.reserved[self.from_type] -= self.number
            institution.beds[self.from_type] -= self.number
            institution.beds[self.to_type] = institution.beds.get(self.to_type, 0) + self.number

    @classmethod
    def file(
        cls, district: str, name: str, street: str, beds: object, medical_capability: object,
        actor: Json, occurred_on: str,
    ) -> CareInstitution:  # fmt: skip
        """Validate a filing (备案) and record it."""
        parse_date(occurred_on, "occurred_on")
        if not isinstance(medical_capability, bool):
            raise InvalidInput("say whether medical capability is recorded (true or false)",
                               field="medical_capability")  # fmt: skip
        return cls(
            district=district,
            name=check_text(name, "name", "the institution's name"),
            street=check_text(street, "street", "the street"),
            beds=check_beds(beds),
            medical_capability=medical_capability,
            actor=actor,
            occurred_on=occurred_on,
        )

    @event(InstitutionFiled)
    def __init__(
        self, district: str, name: str, street: str, beds: dict[str, int],
        medical_capability: bool, actor: Json, occurred_on: str,
    ):  # fmt: skip
        self.street = street
        self.filed_on = occurred_on
        self.beds = dict(beds)
        self.reserved: dict[str, int] = {}
        #: conversion id (hex) -> (bed type, number) of each approved, uncompleted conversion
        self.reservations: dict[str, tuple[str, int]] = {}
        self.medical_capability = medical_capability

    # -- grading, staff, fire safety, medical capability -------------------------------------

    def award_grade(
        self, level: object, valid_until: str, evidence: str, actor: Json, occurred_on: str
    ) -> None:
        not_before(occurred_on, self.filed_on, "the grade")
        if isinstance(level, bool) or not isinstance(level, int) or level not in GRADES:
            raise InvalidInput("an institution's grade is a level from 1 to 5", field="level")
        check_valid_until(valid_until, occurred_on)
        evidence = check_text(evidence, "evidence", "the grading decision's reference")
        self.trigger_event(
            self.GradeAwarded, level=level, valid_until=valid_until, evidence=evidence,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def report_staff(
        self, caregivers: object, certified_caregivers: object, actor: Json, occurred_on: str
    ) -> None:
        not_before(occurred_on, self.filed_on, "the staff report")
        total = check_count(caregivers, "caregivers")
        certified = check_count(certified_caregivers, "certified_caregivers")
        if certified > total:
            raise InvalidInput(
                f"certified caregivers ({certified}) cannot outnumber caregivers ({total})",
                field="certified_caregivers",
            )
        self.trigger_event(
            self.StaffReported, caregivers=total, certified_caregivers=certified, actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip

    def certify_fire_safety(
        self, certificate_ref: str, valid_until: str, actor: Json, occurred_on: str
    ) -> None:
        not_before(occurred_on, self.filed_on, "the fire-safety certificate")
        ref = check_text(certificate_ref, "certificate_ref", "the certificate's reference")
        check_valid_until(valid_until, occurred_on)
        self.trigger_event(
            self.FireSafetyCertified, certificate_ref=ref, valid_until=valid_until, actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip

    def record_medical_capability(
        self, capable: object, evidence: str, actor: Json, occurred_on: str
    ) -> None:
        not_before(occurred_on, self.filed_on, "the medical capability")
        if not isinstance(capable, bool):
            raise InvalidInput("capable must be true or false", field="capable")
        evidence = check_text(evidence, "evidence", "the evidence (licence or agreement)")
        self.trigger_event(
            self.MedicalCapabilityRecorded, capable=capable, evidence=evidence, actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip

    # -- beds: what conversions may take, reserve, release and reclassify ------------------------

    def available(self, bed_type: str) -> int:
        """Beds of the type not already counted on by an approved conversion."""
        return self.beds.get(bed_type, 0) - self.reserved.get(bed_type, 0)

    def check_conversion(
        self, from_type: object, to_type: object, number: object
    ) -> tuple[str, str, int]:
        """Refuse a conversion this institution cannot make now; answer it as checked."""
        source = check_bed_type(from_type, "from_type")
        target = check_bed_type(to_type, "to_type")
        beds = check_count(number, "number", minimum=1)
        if source == target:
            raise InvalidInput("the beds must change type: from_type equals to_type",
                               field="to_type")  # fmt: skip
        if target not in self.beds and target not in DEFAULT_BED_TYPES:
            raise InvalidInput(
                f"unknown bed type {target!r}: use one of the institution's types "
                f"({', '.join(sorted(self.beds))}) or of {', '.join(DEFAULT_BED_TYPES)}",
                field="to_type",
            )
        if target in MEDICAL_CAPABILITY_TYPES and not self.medical_capability:
            raise refuse(
                f"{target} beds need recorded medical capability (医养结合), and none is recorded "
                "for this institution",
                "medical_capability_required",
                "to_type",
            )
        have, reserved = self.beds.get(source, 0), self.reserved.get(source, 0)
        if beds > have - reserved:
            held = f", {reserved} of them reserved by approved conversions" if reserved else ""
            raise refuse(
                f"cannot convert {beds} {source} beds: the institution has {have}{held}, so at "
                f"most {max(0, have - reserved)} can be converted",
                "not_enough_beds",
                "number",
            )
        return source, target, beds

    def reserve_beds(
        self, conversion_id: UUID, from_type: str, to_type: str, number: int, actor: Json,
        occurred_on: str,
    ) -> None:  # fmt: skip
        """Hold the beds of an approved conversion until it completes or is rejected."""
        if conversion_id.hex in self.reservations:
            raise refuse("the beds of this conversion are already reserved", "already_reserved")
        self.check_conversion(from_type, to_type, number)
        self.trigger_event(
            self.BedsReserved, conversion_id=conversion_id, bed_type=from_type, number=number,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def release_beds(self, conversion_id: UUID, actor: Json, occurred_on: str) -> None:
        bed_type, number = self._reservation(conversion_id)
        self.trigger_event(
            self.BedsReleased, conversion_id=conversion_id, bed_type=bed_type, number=number,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def reclassify_beds(
        self, conversion_id: UUID, to_type: str, actor: Json, occurred_on: str
    ) -> None:
        """Complete a conversion: its reserved beds change type."""
        from_type, number = self._reservation(conversion_id)
        if to_type in MEDICAL_CAPABILITY_TYPES and not self.medical_capability:
            raise refuse(
                f"{to_type} beds need recorded medical capability, and the institution's "
                "was withdrawn after the approval",
                "medical_capability_required",
                "to_type",
            )
        self.trigger_event(
            self.BedsReclassified, conversion_id=conversion_id, from_type=from_type,
            to_type=to_type, number=number, actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def _reservation(self, conversion_id: UUID) -> tuple[str, int]:
        found = self.reservations.get(conversion_id.hex)
        if found is None:
            raise refuse("no beds are reserved for this conversion", "not_reserved")
        return found
