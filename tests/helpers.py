"""What every test says, defined once: the district's parameters, actors, events, refusals.

`PARAMETERS` is the one parameter history of the test district (the order fixes the
versions: dibao.standard 105,000 is v2, 108,000 v3, 111,000 v4).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import AggregateNotFoundError

from domain.ledger import Ledger
from domain.payroll.commands import PayableCase
from domain.shared.errors import DomainError
from domain.shared.values import Actor

ADMIN = Actor("admin-district", "admin", "钟楼区民政局")
REGISTRAR = ADMIN
#: A checkpoint signing key for tests (`ledger signing-key`): public, it signs nothing real.
SIGNING_KEY = (
    "PRIVATE+KEY+caseledger.local/320404+3667c36b+AXNsOhmo8+gqQB1b/LQSVTWsbNHW3WLtsbg3+9wKw8tl"
)

PARAMETERS: list[tuple[str, int, str]] = [
    ("dibao.standard", 105_000, "2023-01-01"),
    ("dibao.standard", 108_000, "2023-07-01"),
    ("dibao.standard", 111_000, "2024-07-01"),
    ("tekun.standard", 140_400, "2023-01-01"),
    ("tekun.standard", 144_300, "2024-07-01"),
    ("dibao_edge.multiple_permille", 1500, "2023-01-01"),
    ("hardship.multiple_permille", 2000, "2023-01-01"),
    ("assets.deposit_months", 24, "2023-01-01"),
    ("assets.max_real_estate_units", 1, "2023-01-01"),
    ("supplement.elderly", 10_000, "2023-01-01"),
    ("supplement.disabled", 20_000, "2023-01-01"),
    ("supplement.minor", 10_000, "2023-01-01"),
    ("temporary.cap_multiple", 6, "2023-01-01"),
    ("temporary.street_limit_fen", 300_000, "2023-01-01"),
    ("temporary.paperwork_days", 10, "2023-01-01"),
]


def set_parameters(
    ledger: Ledger, parameters: Iterable[tuple[str, int, str]] = PARAMETERS
) -> Ledger:
    """Set the test district's parameters, as the bureau's admin would."""
    for name, value, effective_from in parameters:
        ledger.set_parameter(name, value, effective_from, "test value", ADMIN, "2023-01-03")
    return ledger


def events(ledger: Ledger, aggregate_id: UUID, name: str | None = None) -> list[Any]:
    """The aggregate's stored events, optionally only those of one class name."""
    return [e for e in ledger.events.get(aggregate_id) if name is None or type(e).__name__ == name]


def names(ledger: Ledger, aggregate_id: UUID) -> list[str]:
    return [type(e).__name__ for e in events(ledger, aggregate_id)]


def last_event(ledger: Ledger, aggregate_id: UUID, name: str) -> Any:
    found = events(ledger, aggregate_id, name)
    assert found, f"no {name} recorded"
    return found[-1]


def _version(ledger: Ledger, aggregate_id: UUID | None) -> int | None:
    if aggregate_id is None:
        return None
    try:
        return int(ledger.repository.get(aggregate_id).version)
    except AggregateNotFoundError:
        return None


@contextmanager
def refused(
    ledger: Ledger,
    code: str,
    error: type[DomainError] = DomainError,
    *,
    aggregate_id: UUID | None = None,
    field: str | None = None,
    not_in_message: Iterable[str] = (),
) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """The command inside raises `error` with `code` (and `field`), and nothing is recorded:
    the ledger's last position and the aggregate's version stay where they were."""
    position = ledger.latest_position()
    version = _version(ledger, aggregate_id)
    with pytest.raises(error) as caught:
        yield caught
    assert caught.value.code == code, caught.value.message
    if field is not None:
        assert caught.value.field == field, caught.value.message
    assert ledger.latest_position() == position
    assert _version(ledger, aggregate_id) == version
    for personal in not_in_message:
        assert personal not in caught.value.message


class FakePayableCases:
    """The payable_cases view, answered from the aggregates themselves (a fake, not a mock)."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.case_ids: list[UUID] = []

    def confirmed(self, programme: str, up_to: int) -> tuple[list[PayableCase], int]:
        cases = [self.ledger.get_case(i) for i in self.case_ids]
        found = [
            PayableCase(c.id, c.programme, c.street, c.benefit, c.payee)
            for c in cases
            if c.programme == programme and c.benefit.first_month is not None
        ]
        return found, up_to
