"""The village-conversion commands of the Ledger (DOMAIN.md 3.6, 撤村转居)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.shared.errors import DomainError
from domain.shared.guards import refuse
from domain.shared.ledger_base import CommandResult, LedgerBase
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

#: The conversion's command methods the API may run by name; `_` methods only apply events.
COMMANDS = frozenset(
    {
        "verify_assets",
        "confirm_membership",
        "restructure_collective",
        "vote_abolition",
        "deregister_village",
        "establish_residents_committee",
        "complete",
    }
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
        )  # fmt: skip

    def change_village_conversion(
        self, conversion: UUID, command: str, payload: Json, actor: Actor,
        expected_version: int | None = None, idempotency_key: str | None = None,
    ) -> CommandResult:  # fmt: skip
        """Run one of the conversion's command methods by name (the API's sub-resources)."""

        def threshold(_: VillageConversion) -> Json:
            return {"threshold": self._pass_threshold} if command == "vote_abolition" else {}

        return self.run_named(
            conversion, VillageConversion, "village conversion", command, payload, actor,
            expected_version, idempotency_key, allowed=COMMANDS, extra=threshold,
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
