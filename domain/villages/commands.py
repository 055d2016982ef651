"""The village-conversion commands of the Ledger (DOMAIN.md 3.6, 撤村转居)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.shared.guards import refuse
from domain.shared.ledger_base import CommandResult, LedgerBase
from domain.shared.parameters import InForce
from domain.shared.values import Actor, parse_date
from domain.villages.conversion import (
    THRESHOLD_PARAMETER,
    VillageConversion,
    check_tasks,
    conversion_id,
    text,
)

Json = dict[str, Any]

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

    def _pass_threshold(self, day: date) -> InForce:
        """Looked up only once the conversion's own guards have passed."""
        return self.parameters_in_force([THRESHOLD_PARAMETER], day)[THRESHOLD_PARAMETER]
