"""The social-organisation commands of the Ledger (DOMAIN.md 3.5, 社会组织)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.organizations.organization import ORGANIZATION_TYPES, SocialOrganization, text
from domain.shared.errors import InvalidInput
from domain.shared.ledger_base import CommandResult, LedgerBase, Options
from domain.shared.values import Actor, Json, parse_date


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
            street=payload.get("street") or "",
        )  # fmt: skip

    def _organization(
        self,
        organization_id: UUID,
        actor: Actor,
        command: str,
        payload: Json,
        act: Callable[[SocialOrganization], None],
        options: Options,
    ) -> CommandResult:
        return self.change(
            organization_id, SocialOrganization, "organisation", act, actor,
            command=f"organisation:{command}", payload=payload, **options,
        )  # fmt: skip

    def conclude_organization_inspection(
        self, organization_id: UUID, actor: Actor, *, occurred_on: str, year: int, result: str,
        findings: str = "", **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The annual inspection (年检) of a past year: pass, basic_pass or fail."""
        payload = {"occurred_on": occurred_on, "year": year, "result": result, "findings": findings}
        return self._organization(
            organization_id, actor, "conclude_inspection", payload,
            lambda o: o.conclude_inspection(actor.as_dict(), occurred_on, year, result, findings),
            options,
        )  # fmt: skip

    def confirm_organization_grade(
        self, organization_id: UUID, actor: Actor, *, occurred_on: str, grade: str,
        decision_ref: str, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A grade 1A-5A (等级评估), valid five years."""
        payload = {"occurred_on": occurred_on, "grade": grade, "decision_ref": decision_ref}
        return self._organization(
            organization_id, actor, "confirm_grade", payload,
            lambda o: o.confirm_grade(actor.as_dict(), occurred_on, grade, decision_ref), options,
        )  # fmt: skip

    def revoke_organization_grade(
        self, organization_id: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        return self._organization(
            organization_id, actor, "revoke_grade", {"occurred_on": occurred_on, "reason": reason},
            lambda o: o.revoke_grade(actor.as_dict(), occurred_on, reason), options,
        )  # fmt: skip

    def start_liquidation(
        self, organization_id: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The liquidation (清算) that must come before a deregistration."""
        return self._organization(
            organization_id, actor, "start_liquidation",
            {"occurred_on": occurred_on, "reason": reason},
            lambda o: o.start_liquidation(actor.as_dict(), occurred_on, reason), options,
        )  # fmt: skip

    def deregister_organization(
        self, organization_id: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Deregistration (注销登记), only after the liquidation."""
        return self._organization(
            organization_id, actor, "deregister", {"occurred_on": occurred_on, "reason": reason},
            lambda o: o.deregister(actor.as_dict(), occurred_on, reason), options,
        )  # fmt: skip

    def revoke_registration(
        self, organization_id: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Revocation (撤销登记) after two consecutive years missed or failed."""
        return self._organization(
            organization_id, actor, "revoke_registration",
            {"occurred_on": occurred_on, "reason": reason},
            lambda o: o.revoke_registration(actor.as_dict(), occurred_on, reason), options,
        )  # fmt: skip
