"""The CareInstitution aggregate (DOMAIN.md 3.4): an elderly-care institution and its beds.

Bed types are data: an institution carries whatever type names it was filed with (snake_case
identifiers); `DEFAULT_BED_TYPES` is only the district's usual list. The institution keeps,
per type, its beds and the beds `reserved` by approved conversions not yet completed, so a
conversion can never take beds that another approved conversion already counts on.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import InvalidInput
from domain.shared.guards import refuse
from domain.shared.values import Json, parse_date

#: The district's usual bed types: elderly care, nursing (护理型), medical (医疗),
#: home care (家庭养老床位, beds in people's homes) and hospice (安宁疗护).
DEFAULT_BED_TYPES = ("elderly_care", "nursing", "medical", "home_care", "hospice")
#: Types whose beds are not in the institution: they do not count as institutional beds.
NON_INSTITUTIONAL_BED_TYPES = frozenset({"home_care"})
#: The type whose share of institutional beds the district reports (护理型床位占比).
NURSING = "nursing"
#: Converting beds into these types needs recorded medical capability (医养结合).
MEDICAL_CAPABILITY_TYPES = frozenset({"nursing", "medical"})
BED_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
GRADES = range(1, 6)


def check_bed_type(name: object, field: str) -> str:
    if not isinstance(name, str) or not BED_TYPE_RE.match(name):
        raise InvalidInput(
            "a bed type is a lower-case identifier of letters, digits and _ "
            f"(e.g. {', '.join(DEFAULT_BED_TYPES)})",
            field=field,
        )
    return name


def check_count(value: object, field: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInput(f"must be a whole number of at least {minimum}", field=field)
    return value


def check_beds(beds: object) -> dict[str, int]:
    """Beds by type as recorded: valid type names, whole counts, at least one bed."""
    if not isinstance(beds, dict) or not beds:
        raise InvalidInput('give the beds by type, e.g. {"nursing": 120}', field="beds")
    checked = {
        check_bed_type(name, "beds"): check_count(count, f"beds.{name}")
        for name, count in sorted(beds.items())
    }
    if sum(checked.values()) == 0:
        raise InvalidInput("an institution has at least one bed", field="beds")
    return checked


def check_text(value: object, field: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} is required", field=field)
    return value.strip()


def not_before(occurred_on: str, earlier: str, what: str) -> None:
    parse_date(occurred_on, "occurred_on")
    if occurred_on < earlier:
        raise InvalidInput(f"{what} cannot be dated before {earlier}", field="occurred_on")


def check_valid_until(valid_until: str, occurred_on: str) -> str:
    parse_date(valid_until, "valid_until")
    if valid_until <= occurred_on:
        raise InvalidInput("valid_until must be after the date it was issued", field="valid_until")
    return valid_until


class CareInstitution(Aggregate):
    """Keeps what the bed rules need: beds and reservations per type, medical capability."""

    if TYPE_CHECKING:  # the @event decorators below create these classes at runtime
        InstitutionFiled: ClassVar[type[Aggregate.Event]]
        GradeAwarded: ClassVar[type[Aggregate.Event]]
        StaffReported: ClassVar[type[Aggregate.Event]]
        FireSafetyCertified: ClassVar[type[Aggregate.Event]]
        MedicalCapabilityRecorded: ClassVar[type[Aggregate.Event]]
        BedsReserved: ClassVar[type[Aggregate.Event]]
        BedsReleased: ClassVar[type[Aggregate.Event]]
        BedsReclassified: ClassVar[type[Aggregate.Event]]

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

    @event("InstitutionFiled")
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
        self._grade(level, valid_until, evidence, actor, occurred_on)

    @event("GradeAwarded")
    def _grade(
        self, level: int, valid_until: str, evidence: str, actor: Json, occurred_on: str
    ) -> None:
        pass

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
        self._staff(total, certified, actor, occurred_on)

    @event("StaffReported")
    def _staff(
        self, caregivers: int, certified_caregivers: int, actor: Json, occurred_on: str
    ) -> None:
        pass

    def certify_fire_safety(
        self, certificate_ref: str, valid_until: str, actor: Json, occurred_on: str
    ) -> None:
        not_before(occurred_on, self.filed_on, "the fire-safety certificate")
        ref = check_text(certificate_ref, "certificate_ref", "the certificate's reference")
        check_valid_until(valid_until, occurred_on)
        self._fire_safety(ref, valid_until, actor, occurred_on)

    @event("FireSafetyCertified")
    def _fire_safety(
        self, certificate_ref: str, valid_until: str, actor: Json, occurred_on: str
    ) -> None:
        pass

    def record_medical_capability(
        self, capable: object, evidence: str, actor: Json, occurred_on: str
    ) -> None:
        not_before(occurred_on, self.filed_on, "the medical capability")
        if not isinstance(capable, bool):
            raise InvalidInput("capable must be true or false", field="capable")
        evidence = check_text(evidence, "evidence", "the evidence (licence or agreement)")
        self._medical(capable, evidence, actor, occurred_on)

    @event("MedicalCapabilityRecorded")
    def _medical(self, capable: bool, evidence: str, actor: Json, occurred_on: str) -> None:
        self.medical_capability = capable

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
        self._reserve(conversion_id, from_type, number, actor, occurred_on)

    @event("BedsReserved")
    def _reserve(
        self, conversion_id: UUID, bed_type: str, number: int, actor: Json, occurred_on: str
    ) -> None:
        self.reservations[conversion_id.hex] = (bed_type, number)
        self.reserved[bed_type] = self.reserved.get(bed_type, 0) + number

    def release_beds(self, conversion_id: UUID, actor: Json, occurred_on: str) -> None:
        bed_type, number = self._reservation(conversion_id)
        self._release(conversion_id, bed_type, number, actor, occurred_on)

    @event("BedsReleased")
    def _release(
        self, conversion_id: UUID, bed_type: str, number: int, actor: Json, occurred_on: str
    ) -> None:
        del self.reservations[conversion_id.hex]
        self.reserved[bed_type] -= number

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
        self._reclassify(conversion_id, from_type, to_type, number, actor, occurred_on)

    @event("BedsReclassified")
    def _reclassify(
        self, conversion_id: UUID, from_type: str, to_type: str, number: int, actor: Json,
        occurred_on: str,
    ) -> None:  # fmt: skip
        del self.reservations[conversion_id.hex]
        self.reserved[from_type] -= number
        self.beds[from_type] -= number
        self.beds[to_type] = self.beds.get(to_type, 0) + number

    def _reservation(self, conversion_id: UUID) -> tuple[str, int]:
        found = self.reservations.get(conversion_id.hex)
        if found is None:
            raise refuse("no beds are reserved for this conversion", "not_reserved")
        return found
