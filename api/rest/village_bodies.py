"""Request bodies of the village-conversion commands (撤村转居): snake_case, fen, ISO dates."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from api.rest.bodies import Command, Fen
from api.rest.text import Line, Name, OptionalText, ShortText

Count = Annotated[int, Field(ge=0, le=10**7)]


class InitiateConversion(Command):
    village: Name = Field(examples=["庆丰村"])
    street: Annotated[ShortText, Field(examples=["新闸街道"])]
    tasks: Annotated[
        list[Name],
        Field(min_length=1, max_length=50, description="the task list (工作任务清单)"),
    ]


class AssetsVerification(Command):
    """The totals of the asset verification (清产核资)."""

    assets_fen: Fen
    liabilities_fen: Fen
    net_assets_fen: Annotated[
        int, Field(ge=-(10**12), le=10**12, description="assets minus liabilities, in fen")
    ]
    audit_ref: Line | None = None


class MembershipConfirmation(Command):
    """The members of the collective economic organisation (成员认定)."""

    members: Annotated[int, Field(ge=1, le=10**7)]


class Restructuring(Command):
    """The collective becomes an economic cooperative (股份经济合作社)."""

    entity_name: Name = Field(examples=["庆丰股份经济合作社"])
    shareholders: Annotated[int, Field(ge=1, le=10**7)]


class AbolitionVote(Command):
    """The villagers' vote on abolishing the village; a vote without quorum is refused.

    Passed when votes_for / present reaches the fraction in force: abstentions and spoilt
    ballots of those present count against.
    """

    eligible: Annotated[int, Field(ge=1, le=10**7, description="voters entitled to vote")]
    present: Count
    votes_for: Count
    votes_against: Count


class VillageDeregistration(Command):
    decision_ref: Annotated[Name, Field(description="the district government's approval")]


class ResidentsCommittee(Command):
    committee_name: Name = Field(examples=["庆丰社区居民委员会"])


class Completion(Command):
    summary: OptionalText = ""
