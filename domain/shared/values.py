"""Small value types shared by every aggregate: actors, months, dates, money."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from domain.shared.errors import InvalidInput

#: A JSON object as events carry it (plain values, replayable years later).
Json = dict[str, Any]
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Actor:
    """Who did it: taken from the authenticated caller, recorded on every event."""

    user: str
    role: str
    unit: str | None = None
    #: Extra rights on the token (e.g. "pii", or "type:CaseConfirmed" for an integrator); never
    #: recorded on events.
    grants: frozenset[str] = frozenset()

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user, "role": self.role, "unit": self.unit}


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput("not an ISO date (YYYY-MM-DD)", field=field) from None


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def add_months(month: str, n: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_months_to_date(d: date, n: int) -> date:
    """The same day n months later, or the month's last day (2024-01-31 + 1 = 2024-02-29)."""
    month = add_months(month_of(d), n)
    year, mon = int(month[:4]), int(month[5:7])
    for day in range(min(d.day, 31), 27, -1):
        try:
            return date(year, mon, day)
        except ValueError:
            continue
    return date(year, mon, min(d.day, 28))


def check_month(value: str, field: str) -> str:
    if not isinstance(value, str) or not MONTH_RE.match(value):
        raise InvalidInput("not a month in the form YYYY-MM", field=field)
    return value


def check_choices(values: Sequence[str], allowed: Iterable[str], field: str) -> None:
    """Each value one of `allowed`; a refusal names the allowed values, never the one given."""
    known = list(allowed)
    wrong = [i for i, v in enumerate(values, start=1) if v not in known]
    if wrong:
        items = ", ".join(str(i) for i in wrong)
        raise InvalidInput(
            f"{field} may name only {', '.join(known)}; item {items} is none of these",
            field=field,
        )


# -- text: the bounds every text field has, defined once (the API's annotated types reuse them) --

#: A person's name, a street or community, a relation, a kind (姓名, 街道, 社区).
SHORT_TEXT_MAX = 50
#: The name of an institution, organisation, village or entity; a decision reference.
NAME_MAX = 100
#: A document's or payment's reference number.
REFERENCE_MAX = 200
#: A user id (an investigator, an inspector, the caller).
USER_ID_MAX = 100
#: Free text: findings, reasons, descriptions (may span several lines).
FREE_TEXT_MAX = 2000
#: Items in a list of text (reasons, documents, objections, investigators, tasks).
LIST_MAX = 50
#: A bank account number is 12 to 30 digits (the API's pattern says the same).
BANK_ACCOUNT_MIN_DIGITS = 12
BANK_ACCOUNT_MAX_DIGITS = 30
BANK_ACCOUNT_PATTERN = rf"^\d{{{BANK_ACCOUNT_MIN_DIGITS},{BANK_ACCOUNT_MAX_DIGITS}}}$"
#: The only control characters free text may hold: line feed and tab.
MULTILINE_ALLOWED = frozenset("\n\t")


def is_bank_account(value: str) -> bool:
    """Whether a payee account is well formed: only digits, BANK_ACCOUNT_*_DIGITS of them."""
    return value.isdigit() and BANK_ACCOUNT_MIN_DIGITS <= len(value) <= BANK_ACCOUNT_MAX_DIGITS


def control_character(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first control character (or lone surrogate) in the text, as U+XXXX, or None.

    NUL stops PostgreSQL's JSON and a lone surrogate cannot be encoded: either would freeze
    the views at that event, so text holding one is refused before it is recorded.
    """
    found = _control_pattern(allowed).search(value)
    return f"U+{ord(found.group()):04X}" if found else None


@cache
def _control_pattern(allowed: frozenset[str]) -> re.Pattern[str]:
    codes = [c for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in allowed]
    return re.compile("[" + "".join(f"\\x{c:02x}" for c in codes) + "\\ud800-\\udfff]")


def find_control_character(value: object, path: str = "") -> tuple[str, str] | None:
    """The field path and code point of the first control character anywhere in a value.

    Free text may hold line feeds and tabs; nothing else below U+0020 (nor DEL, the C1 block
    or a lone surrogate) is accepted anywhere, keys of mappings included.
    """
    if isinstance(value, str):
        found = control_character(value, MULTILINE_ALLOWED)
        return (path or "value", found) if found else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and control_character(key):
                return path or "value", control_character(key) or ""
            inner = f"{path}.{key}" if path else str(key)
            hit = find_control_character(item, inner)
            if hit:
                return hit
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, item in enumerate(value):
            hit = find_control_character(item, f"{path}.{i}" if path else str(i))
            if hit:
                return hit
    return None


def refuse_control_characters(value: object, path: str = "") -> None:
    """Raise InvalidInput naming the field when a value holds a control character."""
    hit = find_control_character(value, path)
    if hit:
        field, code = hit
        raise InvalidInput(f"{field} contains a control character ({code}); remove it", field=field)
