"""Who may see personal data, and its masks: the one place the access rules live.

Names, ID numbers and bank accounts are shown in full only to the roles in
`PERSONAL_DATA_ROLES`; everyone else (and a caller with no actor) sees masks. GraphQL applies
these through `api.graphql_permissions`; REST responses carry no personal data today. The
later role/area access control extends `may_see_personal_data`, not its callers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

from domain.shared.identity import mask_id_number, mask_name
from domain.shared.personal_data import ERASED, is_sealed
from domain.shared.values import Actor

#: Roles that see names, ID numbers and bank accounts unmasked; everyone else sees masks.
PERSONAL_DATA_ROLES = frozenset({"caseworker", "approver", "auditor", "admin"})


def may_see_personal_data(actor: Actor | None) -> bool:
    return actor is not None and actor.role in PERSONAL_DATA_ROLES


def mask_account(account: str) -> str:
    """Keep the last 4 digits, so a payee can recognise the account without reading it."""
    if len(account) <= 4:
        return "*" * len(account)
    return "*" * (len(account) - 4) + account[-4:]


class Personal(Enum):
    """The kinds of personal data, each with its mask."""

    NAME = "name"
    ID_NUMBER = "id_number"
    BANK_ACCOUNT = "bank_account"

    def mask(self, value: str) -> str:
        return MASKS[self](value)


MASKS: dict[Personal, Callable[[str], str]] = {
    Personal.NAME: mask_name,
    Personal.ID_NUMBER: mask_id_number,
    Personal.BANK_ACCOUNT: mask_account,
}


class Opener(Protocol):
    """Opens a sealed value (domain.shared.personal_data.PersonalData)."""

    def open(self, value: Any) -> Any: ...


def opened(value: str | None, personal: Opener | None) -> str | None:
    """The plain value of a sealed one; a sealed value that cannot be opened here shows ERASED."""
    if not is_sealed(value):
        return value
    return ERASED if personal is None else str(personal.open(value))


def shown(
    value: str | None, kind: Personal, actor: Actor | None, personal: Opener | None = None
) -> str | None:
    """The value as this actor may see it: in full, masked, or absent when there is none.

    A view holds it sealed with the person's key: opened first (`[erased]` once destroyed).
    """
    value = opened(value, personal)
    if value == ERASED:
        return value
    if value is None or may_see_personal_data(actor):
        return value
    return kind.mask(value)


#: Keys of a `personal` block in event data, and what they hold; any other key is left out.
PERSONAL_KEYS = {
    "name": Personal.NAME,
    "id_number": Personal.ID_NUMBER,
    "bank_account": Personal.BANK_ACCOUNT,
}


def redacted(value: Any, actor: Actor | None) -> Any:
    """Event data made JSON-safe, its `personal` blocks masked for roles that may not see them."""
    visible = may_see_personal_data(actor)
    return _redact(value, visible)


def _redact(value: Any, visible: bool) -> Any:
    if isinstance(value, dict):
        if not visible and isinstance(value.get("personal"), dict):
            block = value["personal"]
            value = {**value, "personal": {
                key: block[key] if block[key] in (None, ERASED)
                else PERSONAL_KEYS[key].mask(str(block[key]))
                for key in block if key in PERSONAL_KEYS
            }}  # fmt: skip
        return {k: _redact(v, visible) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, visible) for v in value]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
