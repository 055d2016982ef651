"""Request bodies of the care-institution and bed-conversion commands (四床融合).

Bed types are data: any lower-case identifier (`elderly_care`, `nursing`, `medical`,
`home_care`, `hospice` are the district's usual ones). Validity dates may lie in the future.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.rest.bodies import Command, Fen
from api.rest.text import Name, OptionalText, Reference, ShortText, Text, UserId
from domain.care.beds import BED_TYPE_RE, GRADES
from domain.shared.values import LIST_MAX

BedType = Annotated[
    str,
    Field(pattern=BED_TYPE_RE.pattern, examples=["nursing", "elderly_care"],
          description="a bed type: a lower-case identifier"),
]  # fmt: skip
BedCount = Annotated[int, Field(ge=0, le=100_000)]
Ref = Reference


class FileInstitution(Command):
    """File (备案) an institution with its beds by type."""

    name: Annotated[Name, Field(examples=["钟楼区社会福利中心"])]
    street: Annotated[ShortText, Field(examples=["新闸街道"])]
    beds: Annotated[
        dict[BedType, BedCount],
        Field(min_length=1, max_length=LIST_MAX,
              examples=[{"nursing": 120, "elderly_care": 10, "home_care": 30}],
              description="beds by type; home_care (家庭养老床位) beds are not institutional"),
    ]  # fmt: skip
    medical_capability: bool = Field(
        default=False, description="medical capability recorded (医养结合): needed for "
        "converting beds into nursing or medical beds",
    )  # fmt: skip


class Grade(Command):
    level: Annotated[
        int, Field(ge=min(GRADES), le=max(GRADES), description="grade level 1 to 5 (养老机构等级)")
    ]
    valid_until: date = Field(description="the last day the grade is valid")
    evidence: Ref = Field(
        description="the grading decision's reference", examples=["常民〔2023〕12号"]
    )


class Staff(Command):
    caregivers: Annotated[int, Field(ge=0, le=100_000)]
    certified_caregivers: Annotated[
        int, Field(ge=0, le=100_000, description="caregivers with a vocational certificate")
    ]


class FireSafety(Command):
    certificate_ref: Ref
    valid_until: date


class MedicalCapability(Command):
    capable: bool
    evidence: Ref = Field(description="the medical licence or the agreement with a hospital")


class ApplyConversion(Command):
    institution_id: UUID
    from_type: BedType
    to_type: BedType
    number: Annotated[int, Field(ge=1, le=100_000, description="beds to convert")]
    reason: OptionalText = ""


class Inspection(Command):
    passed: bool
    inspectors: Annotated[
        list[UserId],
        Field(min_length=1, max_length=LIST_MAX, description="two or more different user ids"),
    ]
    findings: Text


class Approval(Command):
    decision_ref: Ref = Field(description="the approval's decision reference")


class Rejection(Command):
    reasons: Annotated[list[Text], Field(min_length=1, max_length=LIST_MAX)]


class Completion(Command):
    evidence: Ref = Field(description="the acceptance record (验收) of the converted beds")


class Subsidy(Command):
    amount_per_bed_fen: Annotated[Fen, Field(gt=0)]
    beds: Annotated[int, Field(ge=1, le=100_000, description="beds paid for in this payment")]
    reference: Ref = Field(description="the payment voucher's reference")
