"""Small value types shared by every aggregate: actors, months, dates, money."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import InvalidInput

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Actor:
    """Who did it: taken from the authenticated caller, recorded on every event."""

    user: str
    role: str
    unit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user, "role": self.role, "unit": self.unit}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        return cls(user=data["user"], role=data["role"], unit=data.get("unit"))


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not an ISO date (YYYY-MM-DD)", field=field) from None


def check_month(value: str, field: str) -> str:
    if not isinstance(value, str) or not MONTH_RE.match(value):
        raise InvalidInput(f"{value!r} is not a month in the form YYYY-MM", field=field)
    return value


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def add_months(month: str, n: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_months_to_date(d: date, n: int) -> date:
    """Same day n months later, clamped to the month's end (2024-01-31 + 1 = 2024-02-29)."""
    month = add_months(month_of(d), n)
    year, mon = int(month[:4]), int(month[5:7])
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, mon, min(d.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def months_between(start: str, end: str) -> int:
    """Number of months from start to end (2024-01 to 2024-03 is 2)."""
    return (int(end[:4]) * 12 + int(end[5:7])) - (int(start[:4]) * 12 + int(start[5:7]))


def check_fen(value: int, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput("money must be a non-negative whole number of fen", field=field)
    return value
