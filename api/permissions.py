"""Who may see personal data, its masks, the purpose of a read, and what a read records.

The one place these rules live, for every GraphQL type (through api/graphql/permissions.py),
every REST answer, the CLI and the streams: nothing is masked by hand at a field.

- Caseworkers and approvers see names, ID numbers, bank accounts and phone numbers in full;
  auditors and integrators only with the `pii` grant on their token; supervisors, admins and a
  caller with no actor see masks.
- A read in full needs a purpose (the `X-Purpose` header, or `--purpose` on the CLI) and is
  recorded: a `Disclosure` collects, per request, which fields of which subject were shown in
  full; api/access_record.py writes it before the answer is sent.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

from domain.shared.errors import DomainError
from domain.shared.identity import mask_id_number, mask_name
from domain.shared.personal_data import ERASED, is_sealed
from domain.shared.values import Actor

#: Roles that see personal data unmasked, whatever their token's grants.
PERSONAL_DATA_ROLES = frozenset({"caseworker", "approver"})
#: Roles that see it unmasked only with the `pii` grant on their token.
GRANTED_ROLES = frozenset({"auditor", "integrator"})
PII_GRANT = "pii"
#: The person at the server's console running `ledger history --user U --purpose P`; no token
#: carries this role (api/auth.ROLES), and it reads in full only for a purpose, recorded.
OPERATOR = "operator"


def may_see_personal_data(actor: Actor | None) -> bool:
    if actor is None:
        return False
    if actor.role in PERSONAL_DATA_ROLES:
        return True
    return actor.role in GRANTED_ROLES | {OPERATOR} and PII_GRANT in actor.grants


def operator(user: str) -> Actor:
    """The console operator who names a purpose on the CLI (the database is theirs anyway)."""
    if not user.strip() or len(user) > 100 or not user.isprintable():
        raise ValueError("--user must be a short printable name")
    return Actor(user.strip(), OPERATOR, None, grants=frozenset({PII_GRANT}))


def mask_account(account: str) -> str:
    """Keep the last 4 digits, so a payee can recognise the account without reading it."""
    if len(account) <= 4:
        return "*" * len(account)
    return "*" * (len(account) - 4) + account[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits (138****5678), as Chinese services print them."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


class Personal(Enum):
    """The kinds of personal data, each with its mask."""

    NAME = "name"
    ID_NUMBER = "id_number"
    BANK_ACCOUNT = "bank_account"
    PHONE = "phone"

    def mask(self, value: str) -> str:
        return MASKS[self](value)


MASKS: dict[Personal, Callable[[str], str]] = {
    Personal.NAME: mask_name,
    Personal.ID_NUMBER: mask_id_number,
    Personal.BANK_ACCOUNT: mask_account,
    Personal.PHONE: mask_phone,
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
    "phone": Personal.PHONE,
}


def redacted(value: Any, actor: Actor | None) -> Any:
    """Event data made JSON-safe, its `personal` blocks masked for roles that may not see them."""
    visible = may_see_personal_data(actor)
    return _redact(value, visible, actor)


def _redact(value: Any, visible: bool, actor: Actor | None) -> Any:
    if isinstance(value, dict):
        if isinstance(value.get("personal"), dict):
            block = value["personal"]
            known = {
                key: shown(None if block[key] is None else str(block[key]), kind, actor)
                for key, kind in PERSONAL_KEYS.items()
                if key in block
            }
            others = {k: v for k, v in block.items() if k not in PERSONAL_KEYS}
            value = {**value, "personal": {**others, **known} if visible else known}
        return {k: _redact(v, visible, actor) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, visible, actor) for v in value]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def personal_kinds(value: Any) -> set[Personal]:
    """The kinds of personal data that event data holds (non-null values in `personal` blocks)."""
    found: set[Personal] = set()
    if isinstance(value, dict):
        block = value.get("personal")
        if isinstance(block, dict):
            found |= {
                kind for key, kind in PERSONAL_KEYS.items() if block.get(key) not in (None, ERASED)
            }
        for v in value.values():
            found |= personal_kinds(v)
    elif isinstance(value, list | tuple):
        for v in value:
            found |= personal_kinds(v)
    return found


# -- the purpose of a read in full, and the record of it ------------------------------------

PURPOSE_HEADER = "X-Purpose"
MAX_PURPOSE = 200


class PurposeInvalid(DomainError):
    """The purpose given is not a short reason (400)."""

    status = 400
    default_code = "PURPOSE_INVALID"


class PurposeRequired(DomainError):
    """Personal data asked for in full without a purpose (400)."""

    status = 400
    default_code = "PURPOSE_REQUIRED"


class RecordFailed(DomainError):
    """The read could not be recorded, so it is not answered (503)."""

    status = 503
    default_code = "RECORD_FAILED"


def purpose_from(raw: str | None, field_name: str = PURPOSE_HEADER) -> str | None:
    """The purpose trimmed, or None when none was given; refuses one that is no short reason.

    An HTTP header arrives decoded as Latin-1: its UTF-8 bytes (核对低保资格) are decoded
    again; the CLI's `--purpose` is text already. The message never echoes the text.
    """
    if raw is None:
        return None
    text = raw
    if field_name == PURPOSE_HEADER:
        try:
            text = raw.encode("latin-1").decode("utf-8")
        except UnicodeEncodeError:
            pass  # not from the wire: text already
        except UnicodeDecodeError:
            raise PurposeInvalid(f"{field_name} must be UTF-8 text", field=field_name) from None
    text = text.strip()
    if not text:
        raise PurposeInvalid(
            f"{field_name} is blank: give a short reason for reading personal data",
            field=field_name,
        )
    if len(text) > MAX_PURPOSE:
        raise PurposeInvalid(
            f"{field_name} must be at most {MAX_PURPOSE} characters", field=field_name
        )
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text):
        raise PurposeInvalid(
            f"{field_name} must not hold control characters or line breaks", field=field_name
        )
    return text


def require_purpose(field_name: str = PURPOSE_HEADER) -> PurposeRequired:
    return PurposeRequired(
        f"personal data is shown in full only for a purpose: send the {field_name} header "
        "with a short reason (or ask without the personal fields)",
        field=field_name,
    )


@dataclass(frozen=True)
class Subject:
    """Whose the data is: a person, a case, or both (at least one)."""

    person_id: str | None = None
    case_id: str | None = None


@dataclass
class Disclosure:
    """One request's reads of personal data: shows each value as the actor may see it, and
    remembers, per subject, which kinds it showed in full (the rows of the access record)."""

    actor: Actor | None
    purpose: str | None = None
    request_id: str | None = None
    via: str = "graphql"
    purpose_field: str = PURPOSE_HEADER
    #: What opens the views' sealed values (the ledger's per-person keys); None: shown erased.
    personal: Opener | None = None
    reads: dict[Subject, set[Personal]] = field(default_factory=dict)

    @property
    def in_full(self) -> bool:
        return may_see_personal_data(self.actor)

    def check_purpose(self) -> None:
        """Refuse a read in full without a purpose; a masked read needs none."""
        if self.in_full and self.purpose is None:
            raise require_purpose(self.purpose_field)

    def show(self, value: str | None, kind: Personal, subject: Subject) -> str | None:
        value = opened(value, self.personal)
        if value is not None and value != ERASED and self.in_full:
            self.check_purpose()
            self.reads.setdefault(subject, set()).add(kind)
        return shown(value, kind, self.actor)

    def redact(self, data: Any, subject: Subject) -> Any:
        if self.in_full:
            kinds = personal_kinds(data)
            if kinds:
                self.check_purpose()
                self.reads.setdefault(subject, set()).update(kinds)
        return redacted(data, self.actor)
