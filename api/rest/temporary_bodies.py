"""Request bodies of the temporary-assistance commands (临时救助): snake_case, fen, ISO dates."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from api.rest.bodies import Body, BusinessDate, Command, Fen, IdNumber
from api.rest.text import Name, ShortText, Text
from domain.shared.values import LIST_MAX
from domain.shared.vocabulary import TemporaryAssistanceType

PositiveFen = Annotated[Fen, Field(gt=0, description="money in integer fen (分), above zero")]


class HouseholdMember(Body):
    name: ShortText
    id_number: IdNumber
    relation: Annotated[ShortText, Field(examples=["self", "spouse"])]


class RequestHelp(Command):
    type: TemporaryAssistanceType = Field(
        description="EMERGENCY: advance aid first, paperwork after (先行救助); "
        "EXPENDITURE: economic check and home visit, then a grant"
    )
    street: ShortText
    community: ShortText
    members: Annotated[
        list[HouseholdMember],
        Field(min_length=1, max_length=30, description="the household; the first is the applicant"),
    ]
    incident: Text = Field(description="what happened (fire, illness, accident, ...)")


class CaseConference(Body):
    """The case conference decision (一事一议) that allows an amount above the cap."""

    decision_ref: Annotated[Name, Field(examples=["钟民〔2023〕7号"])]
    held_on: BusinessDate


class Payment(Command):
    amount_fen: PositiveFen
    case_conference: CaseConference | None = Field(
        default=None, description="required when the amount is above the cap"
    )


class AdvanceAid(Payment):
    """Advance aid, paid at once; the paperwork is due within `temporary.paperwork_days`."""


class Grant(Payment):
    """A grant after the economic check and the home visit."""


class Paperwork(Command):
    documents: Annotated[
        list[Text],
        Field(min_length=1, max_length=LIST_MAX, description="references of the documents filed"),
    ]


class Closing(Command):
    reason: Text
