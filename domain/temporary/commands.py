"""The temporary-assistance commands of the Ledger (DOMAIN.md 3.2, 临时救助)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.shared.errors import InvalidInput
from domain.shared.ledger_base import CommandResult, LedgerBase, Options
from domain.shared.person_record import joined
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

#: The economic check's defaults when the request names no property or data source.
NO_PROPERTY: Json = {"vehicles": 0, "companies": 0, "real_estate_units": 0, "deposits_fen": 0}
DATA_SOURCE = "家庭经济状况核对平台"


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

        def act() -> tuple[Aggregate, ...]:
            if payload["type"] not in TYPES:
                raise InvalidInput(f"type must be one of {', '.join(TYPES)}", field="type")
            parse_date(payload["occurred_on"], "occurred_on")
            for name in ("street", "community", "incident"):
                if not (payload[name] or "").strip():
                    raise InvalidInput(f"a {name} is required", field=name)
            case = TemporaryAssistanceCase(
                assistance_type=payload["type"],
                district=self.district,
                street=payload["street"],
                community=payload["community"],
                members=check_household(payload["members"], self.pseudonyms),
                incident=payload["incident"],
                actor=actor.as_dict(),
                occurred_on=payload["occurred_on"],
            )
            people = list(case.household)
            on = payload["occurred_on"]
            return (
                case,
                *joined(self.repository, case.id, people, "temporary", actor.as_dict(), on),
            )

        return self.execute(
            act, actor=actor, idempotency_key=idempotency_key,
            fingerprint=self.fingerprint("request_help", "", payload),
            street=payload.get("street") or "",
        )  # fmt: skip

    def _temporary(
        self,
        case_id: UUID,
        actor: Actor,
        command: str,
        payload: Json,
        act: Callable[[TemporaryAssistanceCase], None],
        options: Options,
    ) -> CommandResult:
        """One step of a case; `command` is the fingerprint label an idempotent retry matches."""
        return self.change(
            case_id, TemporaryAssistanceCase, "temporary assistance case", act, actor,
            command=f"temporary assistance case:{command}", payload=payload, **options,
        )  # fmt: skip

    # -- EMERGENCY ------------------------------------------------------------------------

    def grant_advance_aid(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, amount_fen: int,
        case_conference: Json | None = None, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Advance aid paid at once (先行救助), within the cap and the actor's authority."""
        payload = {
            "occurred_on": occurred_on, "amount_fen": amount_fen,
            "case_conference": case_conference,
        }  # fmt: skip
        return self._temporary(
            case_id, actor, "grant_advance_aid", payload,
            lambda c: c.grant_advance_aid(
                actor=actor.as_dict(), occurred_on=occurred_on, amount_fen=amount_fen,
                limits=self._temporary_limits(advance=True), case_conference=case_conference,
            ),
            options,
        )  # fmt: skip

    def complete_paperwork(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, documents: list[str],
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The paperwork after advance aid; a late one is recorded as late."""
        return self._temporary(
            case_id, actor, "complete_paperwork",
            {"occurred_on": occurred_on, "documents": documents},
            lambda c: c.complete_paperwork(
                actor=actor.as_dict(), occurred_on=occurred_on, documents=documents
            ),
            options,
        )  # fmt: skip

    # -- EXPENDITURE ----------------------------------------------------------------------

    def complete_temporary_economic_check(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, incomes: list[Json],
        property: Json | None = None, public_servant_match: bool = False,
        data_source: str = DATA_SOURCE, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """The household's economic check (家庭经济状况核对) of an EXPENDITURE case."""
        holdings = dict(NO_PROPERTY) if property is None else property
        payload = {
            "occurred_on": occurred_on, "incomes": incomes, "property": holdings,
            "public_servant_match": public_servant_match, "data_source": data_source,
        }  # fmt: skip
        return self._temporary(
            case_id, actor, "complete_economic_check", payload,
            lambda c: c.complete_economic_check(
                actor=actor.as_dict(), occurred_on=occurred_on, incomes=incomes,
                property=holdings, public_servant_match=public_servant_match,
                data_source=data_source,
            ),
            options,
        )  # fmt: skip

    def record_temporary_home_visit(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, investigators: list[str],
        findings: str, district_level: bool = False, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A home visit of an EXPENDITURE case, by at least two investigators."""
        payload = {
            "occurred_on": occurred_on, "investigators": investigators,
            "district_level": district_level, "findings": findings,
        }  # fmt: skip
        return self._temporary(
            case_id, actor, "conduct_home_visit", payload,
            lambda c: c.conduct_home_visit(
                actor=actor.as_dict(), occurred_on=occurred_on, investigators=investigators,
                findings=findings, district_level=district_level,
            ),
            options,
        )  # fmt: skip

    def approve_temporary_grant(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, amount_fen: int,
        case_conference: Json | None = None, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """A grant after the check and the visit, by someone who did not visit."""
        payload = {
            "occurred_on": occurred_on, "amount_fen": amount_fen,
            "case_conference": case_conference,
        }  # fmt: skip
        return self._temporary(
            case_id, actor, "approve_grant", payload,
            lambda c: c.approve_grant(
                actor=actor.as_dict(), occurred_on=occurred_on, amount_fen=amount_fen,
                limits=self._temporary_limits(advance=False), case_conference=case_conference,
            ),
            options,
        )  # fmt: skip

    # -- either type ------------------------------------------------------------------------

    def deny_temporary_aid(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, reasons: list[str],
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Deny the request, with reasons, before any aid is paid."""
        return self._temporary(
            case_id, actor, "deny", {"occurred_on": occurred_on, "reasons": reasons},
            lambda c: c.deny(actor=actor.as_dict(), occurred_on=occurred_on, reasons=reasons),
            options,
        )  # fmt: skip

    def close_temporary_case(
        self, case_id: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Close after a grant, a denial or the paperwork of advance aid."""
        return self._temporary(
            case_id, actor, "close", {"occurred_on": occurred_on, "reason": reason},
            lambda c: c.close(actor=actor.as_dict(), occurred_on=occurred_on, reason=reason),
            options,
        )  # fmt: skip

    def _temporary_limits(self, advance: bool) -> LimitsOn:
        """Looks the parameters up only once the case's own guards have passed."""
        names = CAP_PARAMETERS + ([PAPERWORK_PARAMETER] if advance else [])

        def on(day: date) -> Limits:
            return Limits.from_parameters(self.parameters_in_force(names, day))

        return on
