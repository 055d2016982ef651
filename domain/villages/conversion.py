"""The VillageConversion aggregate (DOMAIN.md 3.6): a village becomes a residents' community.

撤村转居: initiated → assets verified (清产核资) and membership confirmed (成员认定), in either
order → collective restructured (集体经济组织改制) → abolition voted (a failed vote may be held
again) → village deregistered → residents' committee established → completed.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import InvalidInput
from domain.shared.guards import Guards, refuse
from domain.shared.values import Json
from domain.villages.threshold import DENOMINATOR_PARAMETER as DENOMINATOR_PARAMETER
from domain.villages.threshold import NUMERATOR_PARAMETER as NUMERATOR_PARAMETER
from domain.villages.threshold import PERMILLE_PARAMETER as PERMILLE_PARAMETER
from domain.villages.threshold import PassThreshold as PassThreshold
from domain.villages.threshold import ThresholdOn
from domain.villages.threshold import share_permille as share_permille


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


class VillageConversion(Guards, Aggregate):
    """Keeps only what its rules need: the step reached, its date, the members counted."""

    subject = "conversion"

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

        def apply(self, conversion: VillageConversion) -> None:
            conversion.last_step_on = self.occurred_on  # the next step may not precede it

    class ConversionInitiated(Aggregate.Created):
        district: str
        street: str
        village: str
        tasks: list[str]
        actor: Json
        occurred_on: str

    class AssetsVerified(Event):
        assets_fen: int
        liabilities_fen: int
        net_assets_fen: int
        audit_ref: str | None

        def apply(self, conversion: VillageConversion) -> None:
            super().apply(conversion)
            conversion.assets_verified = True

    class MembershipConfirmed(Event):
        members: int

        def apply(self, conversion: VillageConversion) -> None:
            super().apply(conversion)
            conversion.members = self.members

    class CollectiveRestructured(Event):
        entity_name: str
        shareholders: int

        def apply(self, conversion: VillageConversion) -> None:
            super().apply(conversion)
            conversion.status = "restructured"

    class AbolitionVoted(Event):
        eligible: int
        present: int
        votes_for: int
        votes_against: int
        share_permille: int
        threshold_permille: int
        passed: bool
        parameters: dict[str, str]
        # Votes stored before the fraction carry no numerator/denominator (0): their threshold
        # was threshold_permille / 1000, and `passed` was decided then.
        pass_numerator: int = 0
        pass_denominator: int = 0

        def apply(self, conversion: VillageConversion) -> None:
            super().apply(conversion)
            if self.passed:
                conversion.status = "abolition_passed"

    class VillageDeregistered(Event):
        decision_ref: str

        def apply(self, conversion: VillageConversion) -> None:
            super().apply(conversion)
            conversion.status = "deregistered"

    class ResidentsCommitteeEstablished(Event):
        committee_name: str

        def apply(self, conversion: VillageConversion) -> None:
            super().apply(conversion)
            conversion.status = "committee_established"

    class ConversionCompleted(Event):
        summary: str

        def apply(self, conversion: VillageConversion) -> None:
            super().apply(conversion)
            conversion.status = "completed"

    @staticmethod
    def create_id(district: str, street: str, village: str, **_: Any) -> UUID:
        return conversion_id(district, street, village)

    @event(ConversionInitiated)
    def __init__(
        self, district: str, street: str, village: str, tasks: list[str], actor: Json,
        occurred_on: str,
    ):  # fmt: skip
        # initiated -> restructured -> abolition_passed -> deregistered
        #   -> committee_established -> completed
        self.street = street  # the access rule's area
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
        self.trigger_event(
            self.AssetsVerified, actor=actor, occurred_on=occurred_on, assets_fen=assets,
            liabilities_fen=liabilities, net_assets_fen=net_assets_fen, audit_ref=audit_ref,
        )  # fmt: skip

    def confirm_membership(self, actor: Json, occurred_on: str, members: int) -> None:
        self._require_status("initiated", "confirm the membership")
        self._not_before(occurred_on, self.last_step_on, "the membership confirmation")
        if self.members is not None:
            raise refuse("the membership is already confirmed", "already_recorded")
        self.trigger_event(
            self.MembershipConfirmed, actor=actor, occurred_on=occurred_on,
            members=count(members, "members", 1),
        )  # fmt: skip

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
        self.trigger_event(
            self.CollectiveRestructured, actor=actor, occurred_on=occurred_on, entity_name=name,
            shareholders=shareholders,
        )  # fmt: skip

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
        self.trigger_event(
            self.AbolitionVoted, actor=actor, occurred_on=occurred_on, eligible=eligible,
            present=present, votes_for=votes_for, votes_against=votes_against,
            share_permille=share_permille(votes_for, present), threshold_permille=rule.permille,
            passed=rule.passes(votes_for, present), parameters=rule.parameters,
            pass_numerator=rule.numerator, pass_denominator=rule.denominator,
        )  # fmt: skip

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
        self.trigger_event(
            self.VillageDeregistered, actor=actor, occurred_on=occurred_on, decision_ref=ref
        )

    def establish_residents_committee(
        self, actor: Json, occurred_on: str, committee_name: str
    ) -> None:
        self._require_status("deregistered", "establish the residents' committee")
        self._not_before(occurred_on, self.last_step_on, "the residents' committee")
        name = text(committee_name, "committee_name", "the committee's name")
        self.trigger_event(
            self.ResidentsCommitteeEstablished, actor=actor, occurred_on=occurred_on,
            committee_name=name,
        )  # fmt: skip

    def complete(self, actor: Json, occurred_on: str, summary: str = "") -> None:
        self._require_status("committee_established", "complete the conversion")
        self._not_before(occurred_on, self.last_step_on, "the completion")
        self.trigger_event(
            self.ConversionCompleted, actor=actor, occurred_on=occurred_on,
            summary=summary.strip(),
        )  # fmt: skip

    # -- guards -----------------------------------------------------------------------------

    def _require_surveys(self, doing: str) -> None:
        missing = []
        if not self.assets_verified:
            missing.append("the assets are not verified (清产核资)")
        if self.members is None:
            missing.append("the membership is not confirmed (成员认定)")
        if missing:
            raise refuse(f"cannot {doing}: " + "; ".join(missing), "procedure_incomplete")
