"""The TemporaryAssistanceCase aggregate (DOMAIN.md 3.2): temporary assistance (临时救助).

EMERGENCY: help requested → advance aid paid at once (先行救助) → paperwork within N days → closed.
EXPENDITURE: help requested → economic check and home visit → grant approved or denied → closed.
Events carry plain JSON values; guards run in the public methods, the `_` methods only apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from eventsourcing.domain import Aggregate, event

from domain.shared import procedure
from domain.shared.errors import InvalidInput
from domain.shared.guards import Guards, refuse
from domain.shared.household import member_person_id
from domain.shared.parameters import InForce
from domain.shared.values import Json, parse_date
from domain.shared.vocabulary import TEMPORARY_ASSISTANCE_TYPES

TYPES = TEMPORARY_ASSISTANCE_TYPES
#: Who decides at which level: a street caseworker, or the district (approver, admin).
APPROVER_LEVELS = {"caseworker": "street", "approver": "district", "admin": "district"}
CAP_PARAMETERS = ["temporary.cap_multiple", "dibao.standard", "temporary.street_limit_fen"]
PAPERWORK_PARAMETER = "temporary.paperwork_days"


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f} yuan"


@dataclass(frozen=True)
class Limits:
    """The cap and the street's delegated limit in force on a date, with their versions."""

    cap_fen: int
    street_limit_fen: int
    cap_multiple: int
    standard_fen: int
    paperwork_days: int | None
    parameters: dict[str, str]

    @classmethod
    def from_parameters(cls, found: Mapping[str, InForce]) -> Limits:
        multiple, standard = found["temporary.cap_multiple"], found["dibao.standard"]
        paperwork = found.get(PAPERWORK_PARAMETER)
        return cls(
            cap_fen=multiple.value * standard.value,
            street_limit_fen=found["temporary.street_limit_fen"].value,
            cap_multiple=multiple.value,
            standard_fen=standard.value,
            paperwork_days=paperwork.value if paperwork else None,
            parameters={name: p.reference for name, p in sorted(found.items())},
        )


LimitsOn = Callable[[date], Limits]


def check_household(members: list[Json]) -> list[Json]:
    """The members as recorded: person id and relation apart from `personal` data.

    The first member is the applicant: the household is counted under that person.
    """
    if not members:
        raise InvalidInput("name at least the applicant", field="members")
    recorded: list[Json] = []
    seen: set[str] = set()
    for i, m in enumerate(members):
        person_id = member_person_id(m, i, seen)
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


class TemporaryAssistanceCase(Guards, Aggregate):
    """Keeps only what its rules need: type, status, the dates steps may not precede."""

    if TYPE_CHECKING:  # the @event decorators below create these classes at runtime
        HelpRequested: ClassVar[type[Aggregate.Event]]
        AdvanceAidGranted: ClassVar[type[Aggregate.Event]]
        PaperworkCompleted: ClassVar[type[Aggregate.Event]]
        EconomicCheckCompleted: ClassVar[type[Aggregate.Event]]
        HomeVisitConducted: ClassVar[type[Aggregate.Event]]
        GrantApproved: ClassVar[type[Aggregate.Event]]
        GrantDenied: ClassVar[type[Aggregate.Event]]
        CaseClosed: ClassVar[type[Aggregate.Event]]

    @event("HelpRequested")
    def __init__(
        self,
        assistance_type: str,
        district: str,
        street: str,
        community: str,
        members: list[Json],
        incident: str,
        actor: Json,
        occurred_on: str,
    ):
        self.assistance_type = assistance_type
        self.status = "requested"
        self.last_step_on = occurred_on  # no step may be dated before the one it follows
        self.requested_on = occurred_on
        self.household = [m["person_id"] for m in members]
        self.paperwork_due: str | None = None
        self.checked_on: str | None = None
        self.visited_on: str | None = None
        self.investigators: set[str] = set()

    # -- EMERGENCY: advance aid first, paperwork after -------------------------------------

    def grant_advance_aid(
        self, actor: Json, occurred_on: str, amount_fen: int, limits: LimitsOn,
        case_conference: Json | None = None,
    ) -> None:  # fmt: skip
        self._require_type("EMERGENCY", "grant advance aid (先行救助)")
        self._require_status("requested", "grant advance aid")
        on = self._not_before(occurred_on, self.requested_on, "advance aid")
        level, conference, found = self._check_amount(
            actor, on, amount_fen, limits, case_conference
        )
        if found.paperwork_days is None:
            raise refuse("the paperwork deadline is not known", "parameter_missing")
        due = (on + timedelta(days=found.paperwork_days)).isoformat()
        self._advance(
            actor, occurred_on, amount_fen, level, found.cap_fen, found.street_limit_fen,
            found.parameters, conference, due,
        )  # fmt: skip

    @event("AdvanceAidGranted")
    def _advance(
        self, actor: Json, occurred_on: str, amount_fen: int, approver_level: str, cap_fen: int,
        street_limit_fen: int, parameters: dict[str, str], case_conference: Json | None,
        paperwork_due: str,
    ) -> None:  # fmt: skip
        self.status = "advanced"
        self.last_step_on = occurred_on
        self.paperwork_due = paperwork_due

    def complete_paperwork(self, actor: Json, occurred_on: str, documents: list[str]) -> None:
        self._require_type("EMERGENCY", "complete the paperwork of advance aid")
        self._require_status("advanced", "complete the paperwork (only after advance aid)")
        self._not_before(occurred_on, self.last_step_on, "the paperwork")
        if not [d for d in documents if d.strip()]:
            raise InvalidInput("name at least one document of the paperwork", field="documents")
        assert self.paperwork_due is not None
        late = occurred_on > self.paperwork_due
        self._paperwork(actor, occurred_on, documents, self.paperwork_due, late)

    @event("PaperworkCompleted")
    def _paperwork(
        self, actor: Json, occurred_on: str, documents: list[str], paperwork_due: str, late: bool
    ) -> None:
        self.status = "documented"
        self.last_step_on = occurred_on

    # -- EXPENDITURE: the checks of 3.1, then a grant or a denial --------------------------

    def complete_economic_check(
        self, actor: Json, occurred_on: str, incomes: list[Json], property: Json,
        public_servant_match: bool, data_source: str,
    ) -> None:  # fmt: skip
        self._require_type("EXPENDITURE", "record an economic check")
        self._require_status("requested", "record an economic check")
        self._not_before(occurred_on, self.requested_on, "the economic check")
        if {i["person_id"] for i in incomes} - set(self.household):
            raise InvalidInput("incomes name a person not in this household", field="incomes")
        self._check(actor, occurred_on, incomes, property, public_servant_match, data_source)

    @event("EconomicCheckCompleted")
    def _check(
        self, actor: Json, occurred_on: str, incomes: list[Json], property: Json,
        public_servant_match: bool, data_source: str,
    ) -> None:  # fmt: skip
        self.checked_on = max(self.checked_on or occurred_on, occurred_on)

    def conduct_home_visit(
        self, actor: Json, occurred_on: str, investigators: list[str], findings: str,
        district_level: bool = False,
    ) -> None:  # fmt: skip
        self._require_type("EXPENDITURE", "record a home visit")
        self._require_status("requested", "record a home visit")
        self._not_before(occurred_on, self.requested_on, "the home visit")
        distinct = procedure.investigators(
            investigators, "investigators", "a home visit", "investigators"
        )
        if not findings.strip():
            raise InvalidInput("a home visit records its findings", field="findings")
        self._visit(actor, occurred_on, distinct, findings, district_level)

    @event("HomeVisitConducted")
    def _visit(
        self, actor: Json, occurred_on: str, investigators: list[str], findings: str,
        district_level: bool,
    ) -> None:  # fmt: skip
        self.visited_on = max(self.visited_on or occurred_on, occurred_on)
        self.investigators.update(investigators)

    def approve_grant(
        self, actor: Json, occurred_on: str, amount_fen: int, limits: LimitsOn,
        case_conference: Json | None = None,
    ) -> None:  # fmt: skip
        self._require_type("EXPENDITURE", "approve a grant")
        self._require_status("requested", "approve a grant")
        on = self._not_before(occurred_on, self.requested_on, "the grant")
        missing = []
        if self.checked_on is None:
            missing.append("the economic check is not completed")
        if self.visited_on is None:
            missing.append("no home visit with at least two investigators is recorded")
        if missing:
            raise refuse("cannot approve the grant: " + "; ".join(missing), "procedure_incomplete")
        assert self.checked_on is not None and self.visited_on is not None
        self._not_before(occurred_on, max(self.checked_on, self.visited_on), "the grant")
        if procedure.took_part(actor["user"], self.investigators):
            raise refuse(
                "the approver visited this household and may not also approve the grant",
                "approver_investigated",
            )
        level, conference, found = self._check_amount(
            actor, on, amount_fen, limits, case_conference
        )
        self._grant(
            actor, occurred_on, amount_fen, level, found.cap_fen, found.street_limit_fen,
            found.parameters, conference,
        )  # fmt: skip

    @event("GrantApproved")
    def _grant(
        self, actor: Json, occurred_on: str, amount_fen: int, approver_level: str, cap_fen: int,
        street_limit_fen: int, parameters: dict[str, str], case_conference: Json | None,
    ) -> None:  # fmt: skip
        self.status = "granted"
        self.last_step_on = occurred_on

    def deny(self, actor: Json, occurred_on: str, reasons: list[str]) -> None:
        self._require_status("requested", "deny the request (only before any aid is paid)")
        self._not_before(occurred_on, self.requested_on, "the denial")
        if not [r for r in reasons if r.strip()]:
            raise InvalidInput("a denial needs at least one reason", field="reasons")
        self._deny(actor, occurred_on, reasons)

    @event("GrantDenied")
    def _deny(self, actor: Json, occurred_on: str, reasons: list[str]) -> None:
        self.status = "denied"
        self.last_step_on = occurred_on

    def close(self, actor: Json, occurred_on: str, reason: str) -> None:
        if self.status == "advanced":
            raise refuse(
                "cannot close the case: the paperwork of the advance aid is not completed",
                "paperwork_missing",
            )
        self._require_status(("granted", "denied", "documented"), "close the case")
        self._not_before(occurred_on, self.last_step_on, "the closing")
        if not reason.strip():
            raise InvalidInput("a reason is required", field="reason")
        self._close(actor, occurred_on, reason)

    @event("CaseClosed")
    def _close(self, actor: Json, occurred_on: str, reason: str) -> None:
        self.status = "closed"

    # -- guards -----------------------------------------------------------------------------

    def _check_amount(
        self, actor: Json, on: date, amount_fen: int, limits_on: LimitsOn,
        case_conference: Json | None,
    ) -> tuple[str, Json | None, Limits]:  # fmt: skip
        """The approver level, and the amount within the cap and the actor's authority."""
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise InvalidInput(
                "the amount must be a positive whole number of fen", field="amount_fen"
            )
        conference = self._check_conference(case_conference, on.isoformat())
        level = APPROVER_LEVELS.get(actor["role"])
        if level is None:
            raise refuse(
                "temporary assistance is decided by a caseworker (street) or by an approver "
                "or admin (district)",
                "role_not_allowed",
            )
        limits = limits_on(on)
        if amount_fen > limits.cap_fen and conference is None:
            raise refuse(
                f"{yuan(amount_fen)} is above the cap of {yuan(limits.cap_fen)} "
                f"({limits.cap_multiple} x the DIBAO standard of {yuan(limits.standard_fen)}); "
                "above the cap only with a case conference decision (一事一议)",
                "over_cap",
                "amount_fen",
            )
        if level == "street" and amount_fen > min(limits.street_limit_fen, limits.cap_fen):
            raise refuse(
                f"{yuan(amount_fen)} is above the street's delegated limit of "
                f"{yuan(limits.street_limit_fen)}: the district must approve it",
                "district_approval_required",
                "amount_fen",
            )
        return level, conference, limits

    def _check_conference(self, conference: Json | None, occurred_on: str) -> Json | None:
        if conference is None:
            return None
        ref = (conference.get("decision_ref") or "").strip()
        if not ref:
            raise InvalidInput(
                "a case conference needs its decision reference",
                field="case_conference.decision_ref",
            )
        held = conference.get("held_on") or ""
        parse_date(held, "case_conference.held_on")
        if not self.requested_on <= held <= occurred_on:
            raise InvalidInput(
                f"the case conference must be held between the request ({self.requested_on}) "
                "and the decision",
                field="case_conference.held_on",
            )
        return {"decision_ref": ref, "held_on": held}

    def _require_type(self, assistance_type: str, doing: str) -> None:
        if self.assistance_type != assistance_type:
            raise refuse(
                f"cannot {doing}: this is an {self.assistance_type} case "
                f"(only {assistance_type} cases do that)",
                "wrong_type",
            )
