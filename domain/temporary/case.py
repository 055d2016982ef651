"""The TemporaryAssistanceCase aggregate (DOMAIN.md 3.2): temporary assistance (临时救助).

EMERGENCY: help requested → advance aid paid at once (先行救助) → paperwork within N days → closed.
EXPENDITURE: help requested → economic check and home visit → grant approved or denied → closed.
The class is the case's event catalogue: each event a nested class with its fields and how it
applies; events carry plain JSON values. The commands are the mixin TemporarySteps (case_steps).
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import InvalidInput
from domain.shared.guards import Guards
from domain.shared.household import member_person_id
from domain.shared.pseudonyms import Pseudonyms
from domain.shared.values import Json
from domain.shared.vocabulary import TEMPORARY_ASSISTANCE_TYPES
from domain.temporary.case_steps import TemporarySteps
from domain.temporary.limits import CAP_PARAMETERS as CAP_PARAMETERS
from domain.temporary.limits import PAPERWORK_PARAMETER as PAPERWORK_PARAMETER
from domain.temporary.limits import Limits as Limits
from domain.temporary.limits import LimitsOn as LimitsOn

TYPES = TEMPORARY_ASSISTANCE_TYPES


def check_household(members: list[Json], pseudonyms: Pseudonyms) -> list[Json]:
    """The members as recorded: person id and relation apart from `personal` data.

    The first member is the applicant: the household is counted under that person.
    """
    if not members:
        raise InvalidInput("name at least the applicant", field="members")
    recorded: list[Json] = []
    seen: set[str] = set()
    for i, m in enumerate(members):
        person_id = member_person_id(m, i, seen, pseudonyms)
        if not (m.get("name") or "").strip():
            raise InvalidInput("a member needs a name", field=f"members.{i}.name")
        recorded.append(
            {
                "person_id": person_id,
                "relation": m["relation"],
                "personal": {"name": m["name"], "id_number": m["id_number"].upper()},
            }
        )
    return recorded


class TemporaryAssistanceCase(TemporarySteps, Guards, Aggregate):
    """Keeps only what its rules need: type, status, the dates steps may not precede."""

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

    class HelpRequested(Aggregate.Created):
        assistance_type: str
        district: str
        street: str
        community: str
        members: list[Json]
        incident: str
        actor: Json
        occurred_on: str

    @event(HelpRequested)
    def __init__(
        self, assistance_type: str, district: str, street: str, community: str,
        members: list[Json], incident: str, actor: Json, occurred_on: str,
    ):  # fmt: skip
        self.assistance_type = assistance_type
        self.street = street  # the access rule's area
        self.status = "requested"
        self.last_step_on = occurred_on  # no step may be dated before the one it follows
        self.requested_on = occurred_on
        self.household = [m["person_id"] for m in members]
        self.paperwork_due: str | None = None
        self.checked_on: str | None = None
        self.visited_on: str | None = None
        self.investigators: set[str] = set()

    # -- EMERGENCY ----------------------------------------------------------------------------

    class AdvanceAidGranted(Event):
        amount_fen: int
        approver_level: str
        cap_fen: int
        street_limit_fen: int
        parameters: dict[str, str]
        case_conference: Json | None
        paperwork_due: str

        def apply(self, case: TemporaryAssistanceCase) -> None:
            case.status = "advanced"
            case.last_step_on = self.occurred_on
            case.paperwork_due = self.paperwork_due

    class PaperworkCompleted(Event):
        documents: list[str]
        paperwork_due: str
        late: bool

        def apply(self, case: TemporaryAssistanceCase) -> None:
            case.status = "documented"
            case.last_step_on = self.occurred_on

    # -- EXPENDITURE --------------------------------------------------------------------------

    class EconomicCheckCompleted(Event):
        incomes: list[Json]
        property: Json
        public_servant_match: bool
        data_source: str

        def apply(self, case: TemporaryAssistanceCase) -> None:
            case.checked_on = max(case.checked_on or self.occurred_on, self.occurred_on)

    class HomeVisitConducted(Event):
        investigators: list[str]
        findings: str
        district_level: bool

        def apply(self, case: TemporaryAssistanceCase) -> None:
            case.visited_on = max(case.visited_on or self.occurred_on, self.occurred_on)
            case.investigators.update(self.investigators)

    class GrantApproved(Event):
        amount_fen: int
        approver_level: str
        cap_fen: int
        street_limit_fen: int
        parameters: dict[str, str]
        case_conference: Json | None

        def apply(self, case: TemporaryAssistanceCase) -> None:
            case.status = "granted"
            case.last_step_on = self.occurred_on

    class GrantDenied(Event):
        reasons: list[str]

        def apply(self, case: TemporaryAssistanceCase) -> None:
            case.status = "denied"
            case.last_step_on = self.occurred_on

    class CaseClosed(Event):
        reason: str

        def apply(self, case: TemporaryAssistanceCase) -> None:
            case.status = "closed"
