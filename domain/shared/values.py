"""Small value types shared by every aggregate: actors, months, dates, money."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
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

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user, "role": self.role, "unit": self.unit}


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not an ISO date (YYYY-MM-DD)", field=field) from None


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
        raise InvalidInput(f"{value!r} is not a month in the form YYYY-MM", field=field)
    return value
