"""The temporary-assistance commands of the Ledger (DOMAIN.md 3.2, 临时救助)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.errors import InvalidInput, NotFound, StaleVersion
from domain.ledger_base import CommandResult, LedgerBase
from domain.temporary_case import (
    CAP_PARAMETERS,
    PAPERWORK_PARAMETER,
    TYPES,
    Limits,
    LimitsOn,
    TemporaryAssistanceCase,
    check_household,
)
from domain.values import Actor, parse_date

Json = dict[str, Any]

#: The case's command methods the API may run by name; `_` methods only apply events.
COMMANDS = frozenset(
    {
        "grant_advance_aid",
        "complete_paperwork",
        "complete_economic_check",
        "conduct_home_visit",
        "approve_grant",
        "deny",
        "close",
    }
)


class TemporaryCommands(LedgerBase):
    def get_temporary_case(
        self, case_id: UUID, expected_version: int | None = None
    ) -> TemporaryAssistanceCase:
        try:
            case: Aggregate = self.repository.get(case_id)
        except AggregateNotFoundError:
            raise NotFound(f"no temporary assistance case with id {case_id}", field="id") from None
        if not isinstance(case, TemporaryAssistanceCase):
            raise NotFound(f"no temporary assistance case with id {case_id}", field="id")
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(
                f"the case is at version {case.version}, not {expected_version}: "
                "reload it before changing it",
                field="If-Match",
            )
        return case

    def request_help(
        self, payload: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        """Open a case: an EMERGENCY (advance aid first) or an EXPENDITURE (checks first)."""

        def act() -> Aggregate:
            if payload["type"] not in TYPES:
                raise InvalidInput(f"type must be one of {', '.join(TYPES)}", field="type")
            parse_date(payload["occurred_on"], "occurred_on")
            for name in ("street", "community", "incident"):
                if not (payload[name] or "").strip():
                    raise InvalidInput(f"a {name} is required", field=name)
            return TemporaryAssistanceCase(
                assistance_type=payload["type"],
                district=self.district,
                street=payload["street"],
                community=payload["community"],
                members=check_household(payload["members"]),
                incident=payload["incident"],
                actor=actor.as_dict(),
                occurred_on=payload["occurred_on"],
            )

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("request_help", "", payload),
        )  # fmt: skip

    def change_temporary_case(
        self,
        case_id: UUID,
        command: str,
        payload: Json,
        actor: Actor,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Run one of the case's command methods by name (the API's sub-resources)."""
        if command not in COMMANDS:
            raise InvalidInput(f"unknown temporary assistance command {command!r}", field="command")

        def act() -> Aggregate:
            case = self.get_temporary_case(case_id, expected_version)
            parse_date(payload.get("occurred_on", ""), "occurred_on")
            kwargs = dict(payload)
            if command in ("grant_advance_aid", "approve_grant"):
                kwargs["limits"] = self._temporary_limits(advance=command == "grant_advance_aid")
            getattr(case, command)(actor=actor.as_dict(), **kwargs)
            return case

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint(f"temporary:{command}", str(case_id), payload),
        )  # fmt: skip

    def _temporary_limits(self, advance: bool) -> LimitsOn:
        """Looks the parameters up only once the case's own guards have passed."""
        names = CAP_PARAMETERS + ([PAPERWORK_PARAMETER] if advance else [])

        def on(day: date) -> Limits:
            return Limits.from_parameters(self.parameters_in_force(names, day))

        return on
