"""Pydantic request and response bodies of the REST commands (snake_case, fen, ISO dates)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from api.rest.text import Line, Name, OptionalText, ShortText, Text, UserId
from domain.assistance.rules import MAX_GRADUAL_EXIT_MONTHS
from domain.shared.identity import id_number_problem
from domain.shared.values import BANK_ACCOUNT_PATTERN, LIST_MAX, MONTH_RE
from domain.shared.vocabulary import Channel, Programme, SupplementKind, TerminationReason

CHINA = ZoneInfo("Asia/Shanghai")


def _not_future(d: date) -> date:
    if d > datetime.now(CHINA).date():
        raise ValueError("the business date cannot be in the future")
    return d


def _valid_id_number(value: str) -> str:
    problem = id_number_problem(value)
    if problem:
        raise ValueError(f"not a valid resident ID number: {problem}")
    return value.upper()


BusinessDate = Annotated[date, AfterValidator(_not_future)]
Fen = Annotated[int, Field(ge=0, le=10**12, description="money in integer fen (分)")]
Month = Annotated[str, Field(pattern=MONTH_RE.pattern, examples=["2024-05"])]
IdNumber = Annotated[str, AfterValidator(_valid_id_number)]
#: A payee's bank account: the domain's BANK_ACCOUNT_PATTERN, so both refuse the same input.
BankAccount = Annotated[str, Field(pattern=BANK_ACCOUNT_PATTERN)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def to_domain(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Command(Body):
    occurred_on: BusinessDate = Field(description="the business date (the visit happened on ...)")


class Member(Body):
    name: ShortText
    id_number: IdNumber
    relation: Annotated[ShortText, Field(examples=["self", "spouse"])]
    counted: bool = True
    excluded_reason: OptionalText | None = None
    able_to_work: bool = False


class SubmitApplication(Command):
    programme: Programme
    street: ShortText
    community: ShortText
    channel: Channel = Channel.COUNTER
    kin_of_staff: bool = False
    members: Annotated[list[Member], Field(min_length=1, max_length=30)]
    payee_account: Annotated[
        BankAccount | None, Field(description="the applicant's bank account for payouts")
    ] = None


class PersonRef(Body):
    """Name a member by person_id, or by ID number (the command turns it into the person_id)."""

    person_id: Line | None = None
    id_number: IdNumber | None = None

    @model_validator(mode="after")
    def one_of(self) -> PersonRef:
        if (self.person_id is None) == (self.id_number is None):
            raise ValueError("give exactly one of person_id or id_number")
        return self


class Income(PersonRef):
    declared_fen: Fen
    verified_fen: Fen


class Property(Body):
    vehicles: Annotated[int, Field(ge=0, le=10_000)] = 0
    companies: Annotated[int, Field(ge=0, le=10_000)] = 0
    real_estate_units: Annotated[int, Field(ge=0, le=10_000)] = 0
    deposits_fen: Fen = 0


class EconomicCheck(Command):
    incomes: Annotated[list[Income], Field(max_length=LIST_MAX)]
    property: Property = Property()
    public_servant_match: bool = False
    data_source: Text = "家庭经济状况核对平台"

    def to_domain(self) -> dict[str, Any]:
        data = super().to_domain()
        data["incomes"] = [i.to_domain() for i in self.incomes]
        return data


class HomeVisit(Command):
    investigators: Annotated[
        list[UserId], Field(min_length=1, max_length=LIST_MAX, description="user ids, 2 or more")
    ]
    district_level: bool = False
    findings: Text


class Supplement(PersonRef):
    kind: SupplementKind


class Assessment(Command):
    supplements: Annotated[list[Supplement], Field(max_length=LIST_MAX)] = []
    rigid_spending_fen: Fen = 0
    irregular_income: bool = False

    def to_domain(self) -> dict[str, Any]:
        data = super().to_domain()
        data["supplements"] = [s.to_domain() for s in self.supplements]
        return data


class PublicNotice(Command):
    posted_from: date
    posted_to: date


class PublicNoticeClose(Command):
    objections: Annotated[list[Text], Field(max_length=LIST_MAX)] = []


class Decision(Command):
    pass


class Denial(Command):
    reasons: Annotated[list[Text], Field(min_length=1, max_length=LIST_MAX)]


class ChangeReport(Command):
    description: Text
    evidence: OptionalText = ""


class Review(Command):
    findings: Text
    irregular_income: bool = False


class Adjustment(Command):
    monthly_amount_fen: Fen
    effective_month: Month
    reason: Text


class MonthChange(Command):
    from_month: Month
    reason: Text


class GradualExit(Command):
    from_month: Month
    months: Annotated[int, Field(ge=1, le=MAX_GRADUAL_EXIT_MONTHS)]
    reason: Text


class Warning(Command):
    kind: Annotated[ShortText, Field(examples=["hospitalisation"])]
    detail: Text


class WarningResolution(Command):
    resolution: Text


class Termination(Command):
    reason_code: TerminationReason
    reason: Text
    effective_month: Month


class Extension(Command):
    reason: Text


class PayeeChange(PersonRef, Command):
    """A new payee: a counted living member, and the account payouts go to from now on."""

    payee_account: Annotated[BankAccount, Field(description="the new payee's bank account")]


class ParameterChange(Body):
    name: Annotated[Name, Field(examples=["dibao.standard"])]
    value: Annotated[int, Field(ge=-(10**12), le=10**12)]
    effective_from: date
    reason: Text
    occurred_on: BusinessDate | None = None


class CommandAnswer(BaseModel):
    id: UUID
    version: int = Field(description="the aggregate's new version (use it in If-Match)")
    position: int = Field(description="ledger position of the last event (use in X-Min-Position)")
