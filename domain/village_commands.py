"""The village-conversion commands of the Ledger (DOMAIN.md 3.6, 撤村转居)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.case_checks import refuse
from domain.errors import InvalidInput, NotFound, StaleVersion
from domain.ledger_base import CommandResult, LedgerBase
from domain.parameters import InForce
from domain.values import Actor, parse_date
from domain.village_conversion import (
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
        try:
            found: Aggregate = self.repository.get(conversion)
        except AggregateNotFoundError:
            raise NotFound(f"no village conversion with id {conversion}", field="id") from None
        if not isinstance(found, VillageConversion):
            raise NotFound(f"no village conversion with id {conversion}", field="id")
        if expected_version is not None and found.version != expected_version:
            raise StaleVersion(
                f"the conversion is at version {found.version}, not {expected_version}: "
                "reload it before changing it",
                field="If-Match",
            )
        return found

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
        self,
        conversion: UUID,
        command: str,
        payload: Json,
        actor: Actor,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Run one of the conversion's command methods by name (the API's sub-resources)."""
        if command not in COMMANDS:
            raise InvalidInput(f"unknown village conversion command {command!r}", field="command")

        def act() -> Aggregate:
            found = self.get_village_conversion(conversion, expected_version)
            kwargs = dict(payload)
            if command == "vote_abolition":
                kwargs["threshold"] = self._pass_threshold
            getattr(found, command)(actor=actor.as_dict(), **kwargs)
            return found

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint(f"village:{command}", str(conversion), payload),
        )  # fmt: skip

    def _pass_threshold(self, day: date) -> InForce:
        """Looked up only once the conversion's own guards have passed."""
        return self.parameters_in_force([THRESHOLD_PARAMETER], day)[THRESHOLD_PARAMETER]
