"""The temporary-assistance commands of the Ledger (DOMAIN.md 3.2, 临时救助)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.shared.errors import InvalidInput
from domain.shared.ledger_base import CommandResult, LedgerBase
from domain.shared.values import Actor, Json, parse_date
from domain.temporary.case import (
    CAP_PARAMETERS,
    PAPERWORK_PARAMETER,
    TYPES,
    Limits,
    LimitsOn,
    TemporaryAssistanceCase,
    check_household,
)

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
        return self.load(
            case_id, TemporaryAssistanceCase, "temporary assistance case", expected_version
        )

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
        self, case_id: UUID, command: str, payload: Json, actor: Actor,
        expected_version: int | None = None, idempotency_key: str | None = None,
    ) -> CommandResult:  # fmt: skip
        """Run one of the case's command methods by name (the API's sub-resources)."""

        def limits(_: TemporaryAssistanceCase) -> Json:
            if command not in ("grant_advance_aid", "approve_grant"):
                return {}
            return {"limits": self._temporary_limits(advance=command == "grant_advance_aid")}

        return self.run_named(
            case_id, TemporaryAssistanceCase, "temporary assistance case", command, payload,
            actor, expected_version, idempotency_key, allowed=COMMANDS, extra=limits,
        )  # fmt: skip

    def _temporary_limits(self, advance: bool) -> LimitsOn:
        """Looks the parameters up only once the case's own guards have passed."""
        names = CAP_PARAMETERS + ([PAPERWORK_PARAMETER] if advance else [])

        def on(day: date) -> Limits:
            return Limits.from_parameters(self.parameters_in_force(names, day))

        return on
