"""The social-organisation commands of the Ledger (DOMAIN.md 3.5, 社会组织)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.shared.errors import InvalidInput
from domain.shared.ledger_base import CommandResult, LedgerBase
from domain.organizations.organization import ORGANIZATION_TYPES, SocialOrganization, text
from domain.shared.values import Actor, parse_date

Json = dict[str, Any]

#: The organisation's command methods the API may run by name; `_` methods only apply events.
COMMANDS = frozenset(
    {
        "conclude_inspection",
        "confirm_grade",
        "revoke_grade",
        "start_liquidation",
        "deregister",
        "revoke_registration",
    }
)


class OrganizationCommands(LedgerBase):
    def get_organization(
        self, organization_id: UUID, expected_version: int | None = None
    ) -> SocialOrganization:
        return self.load(organization_id, SocialOrganization, "organisation", expected_version)

    def register_organization(
        self, payload: Json, actor: Actor, idempotency_key: str | None = None
    ) -> CommandResult:
        """Record a registration (成立登记); its business date is the registration date."""

        def act() -> Aggregate:
            if payload["type"] not in ORGANIZATION_TYPES:
                raise InvalidInput(
                    f"type must be one of {', '.join(ORGANIZATION_TYPES)}", field="type"
                )
            parse_date(payload["occurred_on"], "occurred_on")
            return SocialOrganization(
                name=text(payload["name"], "name", "the organisation's name"),
                organization_type=payload["type"],
                district=self.district,
                street=text(payload["street"], "street", "a street"),
                actor=actor.as_dict(),
                occurred_on=payload["occurred_on"],
            )

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("register_organization", "", payload),
        )  # fmt: skip

    def change_organization(
        self, organization_id: UUID, command: str, payload: Json, actor: Actor,
        expected_version: int | None = None, idempotency_key: str | None = None,
    ) -> CommandResult:  # fmt: skip
        """Run one of the organisation's command methods by name (the API's sub-resources)."""
        return self.run_named(
            organization_id, SocialOrganization, "organisation", command, payload, actor,
            expected_version, idempotency_key, allowed=COMMANDS,
        )  # fmt: skip
