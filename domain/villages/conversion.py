"""The VillageConversion aggregate (DOMAIN.md 3.6): a village becomes a residents' community.

撤村转居: initiated → assets verified (清产核资) and membership confirmed (成员认定), in either
order → collective restructured (集体经济组织改制) → abolition voted (a failed vote may be held
again) → village deregistered → residents' committee established → completed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import DomainError, InvalidInput
from domain.shared.guards import Guards, refuse
from domain.shared.parameters import InForce
from domain.shared.values import Json

#: The pass threshold, an exact fraction of the voters present (2 and 3: 三分之二以上).
NUMERATOR_PARAMETER = "village.pass_numerator"
DENOMINATOR_PARAMETER = "village.pass_denominator"
#: The threshold as it was first set, in permille: retired, its stored events still load.
PERMILLE_PARAMETER = "village.pass_threshold_permille"


@dataclass(frozen=True)
class PassThreshold:
    """Passed when votes_for / present >= numerator / denominator, compared in integers.

    以上 includes the number itself: at two thirds, 4 of 6 present pass and 1,333 of 2,000
    do not (66.65 %), which no permille can say: 667 refuses 4 of 6, 666 passes 1,333.
    """

    numerator: int
    denominator: int
    parameters: dict[str, str]  # parameter name -> the version in force (recorded on the vote)

    @classmethod
    def of(cls, numerator: InForce, denominator: InForce) -> PassThreshold:
        refs = {p.name: p.reference for p in (numerator, denominator)}
        found = cls(numerator.value, denominator.value, refs)
        if not (found.denominator > 0 and found.denominator < 2 * found.numerator
                and found.numerator <= found.denominator):  # fmt: skip
            raise DomainError(
                f"the pass threshold in force is {found.numerator}/{found.denominator}: it must "
                "be more than one half and at most one; fix the parameters before the vote",
                field=NUMERATOR_PARAMETER,
                code="parameter_invalid",
            )
        return found

    def passes(self, votes_for: int, present: int) -> bool:
        return votes_for * self.denominator >= self.numerator * present

    @property
    def permille(self) -> int:
        """For display only, rounded half up (2/3 shows as 667); `passes` decides."""
        return (self.numerator * 2000 + self.denominator) // (2 * self.denominator)


ThresholdOn = Callable[[date], PassThreshold]


def conversion_id(district: str, street: str, village: str) -> UUID:
    """One conversion per village: initiating it twice names the same aggregate."""
    return uuid5(NAMESPACE_URL, f"caseledger:village-conversion:{district}:{street}:{village}")


def text(value: str, field: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} is required", field=field)
    return value.strip()


def check_tasks(tasks: list[str]) -> list[str]:
    """The task list (工作任务清单), each task once and named."""
    if not isinstance(tasks, list) or not tasks:
        raise InvalidInput("name at least one task of the conversion", field="tasks")
    cleaned = [text(t, f"tasks.{i}", "a task's name") for i, t in enumerate(tasks)]
    if len(set(cleaned)) < len(cleaned):
        raise InvalidInput("a task is listed twice", field="tasks")
    return cleaned


def count(value: Any, field: str, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InvalidInput(f"{field} must be a whole number of at least {least}", field=field)
    return value


def share_permille(votes_for: int, present: int) -> int:
    """The share of votes for among those present, in permille, rounded half up: for display.

    Rounded as a person reads a share: 200 of 300 is 666.7 ‰, so 667. Never compared: 1,333
    of 2,000 also shows 667 and fails at two thirds (PassThreshold.passes).
    """
    return (votes_for * 2000 + present) // (2 * present)


class VillageConversion(Guards, Aggregate):
    """Keeps only what its rules need: the step reached, its date, the members counted."""

    subject = "conversion"

    if TYPE_CHECKING:  # the @event decorators below create these classes at runtime
        ConversionInitiated: ClassVar[type[Aggregate.Event]]
        AssetsVerified: ClassVar[type[Aggregate.Event]]
        MembershipConfirmed: ClassVar[type[Aggregate.Event]]
        CollectiveRestructured: ClassVar[type[Aggregate.Event]]
        AbolitionVoted: ClassVar[type[Aggregate.Event]]
        VillageDeregistered: ClassVar[type[Aggregate.Event]]
        ResidentsCommitteeEstablished: ClassVar[type[Aggregate.Event]]
        ConversionCompleted: ClassVar[type[Aggregate.Event]]

    @staticmethod
    def create_id(district: str, street: str, village: str, **_: Any) -> UUID:
        return conversion_id(district, street, village)

    @event("ConversionInitiated")
    def __init__(
        self, district: str, street: str, village: str, tasks: list[str], actor: Json,
        occurred_on: str,
    ):  # fmt: skip
        # initiated -> restructured -> abolition_passed -> deregistered
        #   -> committee_established -> completed
        self.status = "initiated"
        self.last_step_on = occurred_on  # no step may be dated before the one it follows
        self.assets_verified = False
        self.members: int | None = None

    # -- the surveys: assets and membership, in either order --------------------------------

    def verify_assets(
        self, actor: Json, occurred_on: str, assets_fen: int, liabilities_fen: int,
        net_assets_fen: int, audit_ref: str | None = None,
    ) -> None:  # fmt: skip
        self._require_status("initiated", "verify the assets")
        self._not_before(occurred_on, self.last_step_on, "the asset verification")
        if self.assets_verified:
            raise refuse("the assets are already verified", "already_recorded")
        assets = count(assets_fen, "assets_fen")
        liabilities = count(liabilities_fen, "liabilities_fen")
        net = net_assets_fen
        if isinstance(net, bool) or not isinstance(net, int) or net != assets - liabilities:
            raise InvalidInput(
                "net assets must equal assets minus liabilities", field="net_assets_fen"
            )
        self._assets(actor, occurred_on, assets, liabilities, net_assets_fen, audit_ref)

    @event("AssetsVerified")
    def _assets(
        self, actor: Json, occurred_on: str, assets_fen: int, liabilities_fen: int,
        net_assets_fen: int, audit_ref: str | None,
    ) -> None:  # fmt: skip
        self.assets_verified = True
        self.last_step_on = occurred_on

    def confirm_membership(self, actor: Json, occurred_on: str, members: int) -> None:
        self._require_status("initiated", "confirm the membership")
        self._not_before(occurred_on, self.last_step_on, "the membership confirmation")
        if self.members is not None:
            raise refuse("the membership is already confirmed", "already_recorded")
        self._membership(actor, occurred_on, count(members, "members", 1))

    @event("MembershipConfirmed")
    def _membership(self, actor: Json, occurred_on: str, members: int) -> None:
        self.members = members
        self.last_step_on = occurred_on

    # -- restructuring and the vote ---------------------------------------------------------

    def restructure_collective(
        self, actor: Json, occurred_on: str, entity_name: str, shareholders: int
    ) -> None:
        self._require_status("initiated", "restructure the collective")
        self._require_surveys("restructure the collective")
        self._not_before(occurred_on, self.last_step_on, "the restructuring")
        name = text(entity_name, "entity_name", "the name of the new economic cooperative")
        assert self.members is not None
        if count(shareholders, "shareholders", 1) > self.members:
            raise InvalidInput(
                f"shareholders cannot outnumber the {self.members} confirmed members",
                field="shareholders",
            )
        self._restructure(actor, occurred_on, name, shareholders)

    @event("CollectiveRestructured")
    def _restructure(
        self, actor: Json, occurred_on: str, entity_name: str, shareholders: int
    ) -> None:
        self.status = "restructured"
        self.last_step_on = occurred_on

    def vote_abolition(
        self, actor: Json, occurred_on: str, eligible: int, present: int, votes_for: int,
        votes_against: int, threshold: ThresholdOn,
    ) -> None:  # fmt: skip
        """Quorum: more than half of those eligible present. Passed: for / present >= threshold.

        The base is those present (到会人员), not the votes cast: an abstention or a spoilt
        ballot counts against, as the quorum is also counted in people present.
        """
        if self.status not in ("initiated", "restructured"):
            raise refuse(
                f"cannot hold an abolition vote: the conversion is {self.status}, the abolition "
                "was already voted",
                "wrong_status",
            )
        self._require_surveys("hold an abolition vote")
        if self.status != "restructured":
            raise refuse(
                "cannot hold an abolition vote: the collective is not restructured yet",
                "procedure_incomplete",
            )
        on = self._not_before(occurred_on, self.last_step_on, "the vote")
        eligible = count(eligible, "eligible", 1)
        present = count(present, "present")
        votes_for = count(votes_for, "votes_for")
        votes_against = count(votes_against, "votes_against")
        if present > eligible:
            raise InvalidInput("more voters present than eligible", field="present")
        if votes_for + votes_against > present:
            raise InvalidInput("more votes cast than voters present", field="votes_for")
        if present * 2 <= eligible:
            raise refuse(
                f"no quorum: {present} of {eligible} eligible voters present, more than half "
                "must be; the vote is not recorded",
                "no_quorum",
                "present",
            )
        rule = threshold(on)
        self._vote(
            actor, occurred_on, eligible, present, votes_for, votes_against,
            share_permille(votes_for, present), rule.permille, rule.passes(votes_for, present),
            rule.parameters, rule.numerator, rule.denominator,
        )  # fmt: skip

    @event("AbolitionVoted")
    def _vote(
        self, actor: Json, occurred_on: str, eligible: int, present: int, votes_for: int,
        votes_against: int, share_permille: int, threshold_permille: int, passed: bool,
        parameters: dict[str, str], pass_numerator: int = 0, pass_denominator: int = 0,
    ) -> None:  # fmt: skip
        # Votes stored before the fraction carry no numerator/denominator (0): their threshold
        # was threshold_permille / 1000, and `passed` was decided then.
        if passed:
            self.status = "abolition_passed"
        self.last_step_on = occurred_on

    # -- after a passed vote ----------------------------------------------------------------

    def deregister_village(self, actor: Json, occurred_on: str, decision_ref: str) -> None:
        if self.status in ("initiated", "restructured"):
            raise refuse(
                "the village is deregistered only after a passed abolition vote",
                "vote_not_passed",
            )
        self._require_status("abolition_passed", "deregister the village")
        self._not_before(occurred_on, self.last_step_on, "the deregistration")
        ref = text(decision_ref, "decision_ref", "the reference of the approval")
        self._deregister(actor, occurred_on, ref)

    @event("VillageDeregistered")
    def _deregister(self, actor: Json, occurred_on: str, decision_ref: str) -> None:
        self.status = "deregistered"
        self.last_step_on = occurred_on

    def establish_residents_committee(
        self, actor: Json, occurred_on: str, committee_name: str
    ) -> None:
        self._require_status("deregistered", "establish the residents' committee")
        self._not_before(occurred_on, self.last_step_on, "the residents' committee")
        name = text(committee_name, "committee_name", "the committee's name")
        self._committee(actor, occurred_on, name)

    @event("ResidentsCommitteeEstablished")
    def _committee(self, actor: Json, occurred_on: str, committee_name: str) -> None:
        self.status = "committee_established"
        self.last_step_on = occurred_on

    def complete(self, actor: Json, occurred_on: str, summary: str = "") -> None:
        self._require_status("committee_established", "complete the conversion")
        self._not_before(occurred_on, self.last_step_on, "the completion")
        self._complete(actor, occurred_on, summary.strip())

    @event("ConversionCompleted")
    def _complete(self, actor: Json, occurred_on: str, summary: str) -> None:
        self.status = "completed"
        self.last_step_on = occurred_on

    # -- guards -----------------------------------------------------------------------------

    def _require_surveys(self, doing: str) -> None:
        missing = []
        if not self.assets_verified:
            missing.append("the assets are not verified (清产核资)")
        if self.members is None:
            missing.append("the membership is not confirmed (成员认定)")
        if missing:
            raise refuse(f"cannot {doing}: " + "; ".join(missing), "procedure_incomplete")
