"""The village-conversion commands of the Ledger (DOMAIN.md 3.6, 撤村转居)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Unpack
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.shared.errors import DomainError
from domain.shared.guards import refuse
from domain.shared.ledger_base import CommandResult, LedgerBase, Options
from domain.shared.values import Actor, Json, parse_date
from domain.villages.conversion import (
    DENOMINATOR_PARAMETER,
    NUMERATOR_PARAMETER,
    PERMILLE_PARAMETER,
    PassThreshold,
    VillageConversion,
    check_tasks,
    conversion_id,
    text,
)


class VillageCommands(LedgerBase):
    def get_village_conversion(
        self, conversion: UUID, expected_version: int | None = None
    ) -> VillageConversion:
        return self.load(conversion, VillageConversion, "village conversion", expected_version)

    def initiate_village_conversion(
        self, payload: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        """Start converting a village (撤村转居); one conversion per village."""

        def act() -> Aggregate:
            village = text(payload["village"], "village", "the village's name")
            street = text(payload["street"], "street", "a street")
            tasks = check_tasks(payload["tasks"])
            parse_date(payload["occurred_on"], "occurred_on")
            try:
                self.repository.get(conversion_id(self.district, street, village))
            except AggregateNotFoundError:
                pass
            else:
                raise refuse(
                    "a conversion of this village is already recorded", "already_initiated"
                )
            return VillageConversion(
                district=self.district, street=street, village=village, tasks=tasks,
                actor=actor.as_dict(), occurred_on=payload["occurred_on"],
            )  # fmt: skip

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("initiate_village_conversion", "", payload),
            street=payload.get("street") or "",
        )  # fmt: skip

    def _village(
        self,
        conversion: UUID,
        actor: Actor,
        command: str,
        payload: Json,
        act: Callable[[VillageConversion], None],
        options: Options,
    ) -> CommandResult:
        """One step of a conversion; `command` is the fingerprint label of a retry."""
        return self.change(
            conversion, VillageConversion, "village conversion", act, actor,
            command=f"village conversion:{command}", payload=payload, **options,
        )  # fmt: skip

    def verify_village_assets(
        self, conversion: UUID, actor: Actor, *, occurred_on: str, assets_fen: int,
        liabilities_fen: int, net_assets_fen: int, audit_ref: str | None = None,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The totals of the asset verification (清产核资)."""
        payload = {
            "occurred_on": occurred_on, "assets_fen": assets_fen,
            "liabilities_fen": liabilities_fen, "net_assets_fen": net_assets_fen,
            "audit_ref": audit_ref,
        }  # fmt: skip
        return self._village(
            conversion, actor, "verify_assets", payload,
            lambda c: c.verify_assets(
                actor=actor.as_dict(), occurred_on=occurred_on, assets_fen=assets_fen,
                liabilities_fen=liabilities_fen, net_assets_fen=net_assets_fen,
                audit_ref=audit_ref,
            ),
            options,
        )  # fmt: skip

    def confirm_village_membership(
        self, conversion: UUID, actor: Actor, *, occurred_on: str, members: int,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The members of the collective economic organisation (成员认定)."""
        return self._village(
            conversion, actor, "confirm_membership",
            {"occurred_on": occurred_on, "members": members},
            lambda c: c.confirm_membership(
                actor=actor.as_dict(), occurred_on=occurred_on, members=members
            ),
            options,
        )  # fmt: skip

    def restructure_collective(
        self, conversion: UUID, actor: Actor, *, occurred_on: str, entity_name: str,
        shareholders: int, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The collective becomes an economic cooperative, after assets and membership."""
        payload = {
            "occurred_on": occurred_on,
            "entity_name": entity_name,
            "shareholders": shareholders,
        }
        return self._village(
            conversion, actor, "restructure_collective", payload,
            lambda c: c.restructure_collective(
                actor=actor.as_dict(), occurred_on=occurred_on, entity_name=entity_name,
                shareholders=shareholders,
            ),
            options,
        )  # fmt: skip

    def vote_village_abolition(
        self, conversion: UUID, actor: Actor, *, occurred_on: str, eligible: int, present: int,
        votes_for: int, votes_against: int, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The abolition vote, against the pass threshold in force on its date."""
        payload = {
            "occurred_on": occurred_on, "eligible": eligible, "present": present,
            "votes_for": votes_for, "votes_against": votes_against,
        }  # fmt: skip
        return self._village(
            conversion, actor, "vote_abolition", payload,
            lambda c: c.vote_abolition(
                actor=actor.as_dict(), occurred_on=occurred_on, eligible=eligible,
                present=present, votes_for=votes_for, votes_against=votes_against,
                threshold=self._pass_threshold,
            ),
            options,
        )  # fmt: skip

    def deregister_village(
        self, conversion: UUID, actor: Actor, *, occurred_on: str, decision_ref: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The village's deregistration, only after a passed vote."""
        return self._village(
            conversion, actor, "deregister_village",
            {"occurred_on": occurred_on, "decision_ref": decision_ref},
            lambda c: c.deregister_village(
                actor=actor.as_dict(), occurred_on=occurred_on, decision_ref=decision_ref
            ),
            options,
        )  # fmt: skip

    def establish_residents_committee(
        self, conversion: UUID, actor: Actor, *, occurred_on: str, committee_name: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The residents' committee (社区居民委员会) that follows the deregistration."""
        return self._village(
            conversion, actor, "establish_residents_committee",
            {"occurred_on": occurred_on, "committee_name": committee_name},
            lambda c: c.establish_residents_committee(
                actor=actor.as_dict(), occurred_on=occurred_on, committee_name=committee_name
            ),
            options,
        )  # fmt: skip

    def complete_village_conversion(
        self, conversion: UUID, actor: Actor, *, occurred_on: str, summary: str = "",
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Complete the conversion once the residents' committee is established."""
        return self._village(
            conversion, actor, "complete", {"occurred_on": occurred_on, "summary": summary},
            lambda c: c.complete(actor=actor.as_dict(), occurred_on=occurred_on, summary=summary),
            options,
        )  # fmt: skip

    def _pass_threshold(self, day: date) -> PassThreshold:
        """Looked up only once the conversion's own guards have passed.

        The retired permille is never read: a ledger that has only that one is told to set
        the fraction rather than have 667 quietly refuse 4 of 6 (or 666 pass 1,333 of 2,000).
        """
        names = [NUMERATOR_PARAMETER, DENOMINATOR_PARAMETER]
        try:
            found = self.parameters_in_force(names, day)
        except DomainError as missing:
            if missing.code != "parameter_missing" or not self._has_retired_threshold(day):
                raise
            raise DomainError(
                f"{PERMILLE_PARAMETER} is no longer read: set the pass threshold as a fraction of "
                f"those present, {NUMERATOR_PARAMETER} and {DENOMINATOR_PARAMETER} (2 and 3 for "
                "two thirds), from a date on or before the vote",
                field=missing.field,
                code="parameter_missing",
            ) from None
        return PassThreshold.of(found[NUMERATOR_PARAMETER], found[DENOMINATOR_PARAMETER])

    def _has_retired_threshold(self, day: date) -> bool:
        try:
            self.parameters_in_force([PERMILLE_PARAMETER], day)
        except DomainError:
            return False
        return True
