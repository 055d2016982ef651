"""Bed types and the checks of what an institution records (DOMAIN.md 3.4).

Bed types are data (snake_case identifiers); the checks are shared by the institution and the
bed conversions, and refuse with the field that is wrong.
"""

from __future__ import annotations

import re

from domain.shared.errors import InvalidInput
from domain.shared.values import parse_date

#: The district's usual bed types: elderly care, nursing (护理型), medical (医疗),
#: home care (家庭养老床位, beds in people's homes) and hospice (安宁疗护).
DEFAULT_BED_TYPES = ("elderly_care", "nursing", "medical", "home_care", "hospice")
#: Types whose beds are not in the institution: they do not count as institutional beds.
NON_INSTITUTIONAL_BED_TYPES = frozenset({"home_care"})
#: The type whose share of institutional beds the district reports (护理型床位占比).
NURSING = "nursing"
#: Converting beds into these types needs recorded medical capability (医养结合).
MEDICAL_CAPABILITY_TYPES = frozenset({"nursing", "medical"})
BED_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
GRADES = range(1, 6)


def check_bed_type(name: object, field: str) -> str:
    if not isinstance(name, str) or not BED_TYPE_RE.match(name):
        raise InvalidInput(
            "a bed type is a lower-case identifier of letters, digits and _ "
            f"(e.g. {', '.join(DEFAULT_BED_TYPES)})",
            field=field,
        )
    return name


def check_count(value: object, field: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInput(f"must be a whole number of at least {minimum}", field=field)
    return value


def check_beds(beds: object) -> dict[str, int]:
    """Beds by type as recorded: valid type names, whole counts, at least one bed."""
    if not isinstance(beds, dict) or not beds:
        raise InvalidInput('give the beds by type, e.g. {"nursing": 120}', field="beds")
    checked = {
        check_bed_type(name, "beds"): check_count(count, f"beds.{name}")
        for name, count in sorted(beds.items())
    }
    if sum(checked.values()) == 0:
        raise InvalidInput("an institution has at least one bed", field="beds")
    return checked


def check_text(value: object, field: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} is required", field=field)
    return value.strip()


def not_before(occurred_on: str, earlier: str, what: str) -> None:
    parse_date(occurred_on, "occurred_on")
    if occurred_on < earlier:
        raise InvalidInput(f"{what} cannot be dated before {earlier}", field="occurred_on")


def check_valid_until(valid_until: str, occurred_on: str) -> str:
    parse_date(valid_until, "valid_until")
    if valid_until <= occurred_on:
        raise InvalidInput("valid_until must be after the date it was issued", field="valid_until")
    return valid_until
