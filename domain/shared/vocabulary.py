"""The ledger's fixed vocabularies, defined once: the domain checks them, the API reuses them.

Each is a `StrEnum`, so a member equals its plain string: events keep storing strings, a
request body typed with the enum still hands the domain strings (`model_dump(mode="json")`),
and /openapi.json lists the values once, as an enum.
"""

from __future__ import annotations

from enum import StrEnum


class Programme(StrEnum):
    """The assistance programmes (低保, 低保边缘, 支出型困难, 特困)."""

    DIBAO = "DIBAO"
    DIBAO_EDGE = "DIBAO_EDGE"
    HARDSHIP = "HARDSHIP"
    TEKUN = "TEKUN"


class Channel(StrEnum):
    """How an application came in."""

    COUNTER = "counter"
    ONLINE = "online"
    PROXY = "proxy"


class SupplementKind(StrEnum):
    """A member's supplement (分类施保); each has its parameter `supplement.<kind>`."""

    ELDERLY = "elderly"
    DISABLED = "disabled"
    MINOR = "minor"


class TerminationReason(StrEnum):
    """Why an assistance case ended (its `reason_code`)."""

    DEATH = "death"
    INCOME_ABOVE_STANDARD = "income_above_standard"
    PROPERTY = "property"
    MOVED_AWAY = "moved_away"
    NON_COOPERATION = "non_cooperation"
    FRAUD = "fraud"
    VOLUNTARY = "voluntary"
    GRADUAL_EXIT_ENDED = "gradual_exit_ended"


class TemporaryAssistanceType(StrEnum):
    """EMERGENCY: advance aid first, paperwork later (先行救助); EXPENDITURE: a checked grant."""

    EMERGENCY = "EMERGENCY"
    EXPENDITURE = "EXPENDITURE"


class OrganizationType(StrEnum):
    """社会团体, 社会服务机构 (民办非企业单位), 基金会."""

    SOCIAL_GROUP = "SOCIAL_GROUP"
    SOCIAL_SERVICE = "SOCIAL_SERVICE"
    FOUNDATION = "FOUNDATION"


class InspectionResult(StrEnum):
    """An organisation's annual inspection (年检): 合格, 基本合格, 不合格."""

    PASS = "pass"
    BASIC_PASS = "basic_pass"
    FAIL = "fail"


class OrganizationGrade(StrEnum):
    """An organisation's grade (等级评估), 1A lowest to 5A highest."""

    GRADE_1A = "1A"
    GRADE_2A = "2A"
    GRADE_3A = "3A"
    GRADE_4A = "4A"
    GRADE_5A = "5A"


class DeathSource(StrEnum):
    """Who reported a death (身后一件事)."""

    HOSPITAL = "hospital"
    CREMATORIUM = "crematorium"
    POLICE = "police"
    FAMILY = "family"


class SettlementOutcome(StrEnum):
    """A payout's line in the bank's settlement file."""

    SETTLED = "settled"
    FAILED = "failed"


PROGRAMMES = tuple(Programme)
#: Programmes whose enrolment is exclusive: one active case per person, never both at once.
EXCLUSIVE_PROGRAMMES = (Programme.DIBAO, Programme.TEKUN)
CHANNELS = tuple(Channel)
SUPPLEMENT_KINDS = tuple(SupplementKind)
TERMINATION_REASONS = tuple(TerminationReason)
TEMPORARY_ASSISTANCE_TYPES = tuple(TemporaryAssistanceType)
ORGANIZATION_TYPES = tuple(OrganizationType)
INSPECTION_RESULTS = tuple(InspectionResult)
ORGANIZATION_GRADES = tuple(OrganizationGrade)
DEATH_SOURCES = tuple(DeathSource)
SETTLEMENT_OUTCOMES = tuple(SettlementOutcome)
