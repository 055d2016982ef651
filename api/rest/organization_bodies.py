"""Request bodies of the social-organisation commands (社会组织): snake_case, ISO dates."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from api.rest.bodies import Command
from api.rest.text import Name, OptionalText, ShortText, Text
from domain.shared.vocabulary import InspectionResult, OrganizationGrade, OrganizationType


class RegisterOrganization(Command):
    """A registration (成立登记); `occurred_on` is the registration date."""

    name: Name = Field(examples=["钟楼区志愿者协会"])
    type: OrganizationType = Field(
        description="SOCIAL_GROUP 社会团体, SOCIAL_SERVICE 社会服务机构 (民办非企业单位), "
        "FOUNDATION 基金会"
    )
    street: ShortText


class Inspection(Command):
    """The annual inspection (年检) of a past year, one per year."""

    year: Annotated[int, Field(ge=1949, le=9999, description="the year inspected")]
    result: InspectionResult = Field(description="pass 合格, basic_pass 基本合格, fail 不合格")
    findings: OptionalText = ""


class Grade(Command):
    """A grade (等级评估), valid five years from the decision date."""

    grade: OrganizationGrade
    decision_ref: Annotated[Name, Field(examples=["钟民社评〔2024〕5号"])]


class Reasoned(Command):
    """A revocation of the grade, a liquidation, a deregistration or a revocation."""

    reason: Text
