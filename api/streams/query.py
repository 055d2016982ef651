"""How the streams read their query and headers: integers as plain digits in a range (our own
422 naming the field, never echoing the value), repeated or comma-separated names, and which
of two representations `Accept` prefers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.shared.errors import InvalidInput


def integer_schema(low: int, high: int, default: int) -> Callable[[dict[str, Any]], None]:
    """How OpenAPI shows a query integer read as text (so that a bad one is our own 422)."""

    def shown(schema: dict[str, Any]) -> None:
        schema.pop("anyOf", None)
        schema.update(type="integer", minimum=low, maximum=high, default=default)

    return shown


def integer(raw: str | None, field: str, low: int, high: int, default: int) -> int:
    """A query integer from `low` to `high` (422 naming the field; the value is not echoed)."""
    if raw is None:
        return default
    text = raw.strip()
    digits = text.lstrip("0") or "0"  # leading zeros allowed, and no huge int() to parse
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(high)):
        raise InvalidInput(f"{field} must be an integer from {low} to {high}", field=field)
    value = int(digits)
    if not low <= value <= high:
        raise InvalidInput(f"{field} must be an integer from {low} to {high}", field=field)
    return value


def names(values: list[str] | None) -> list[str]:
    """Repeated and/or comma-separated values, blanks dropped."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def prefers(accept: str | None, kind: str, other: str) -> bool:
    """Whether `Accept` prefers `kind` to `other` (RFC 9110 q-values; a tie or no Accept at
    all: `other`, the default)."""
    weights: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[media.lower()] = max(q, weights.get(media.lower(), 0.0))

    def weight(wanted: str) -> float:  # the most specific range that matches it counts
        for candidate in (wanted, wanted.split("/")[0] + "/*", "*/*"):
            if candidate in weights:
                return weights[candidate]
        return 0.0

    return weight(kind) > weight(other)
