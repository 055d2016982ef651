"""Guards every case aggregate shares: the status a command needs, dates in order, reasons.

A plain mixin: it records nothing, it only refuses with a typed error a caseworker understands.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from domain.shared.errors import DomainError, InvalidInput
from domain.shared.values import parse_date


def refuse(message: str, code: str, field: str | None = None) -> DomainError:
    return DomainError(message, field=field, code=code)


class Guards:
    status: str
    #: What a refusal calls the record: "the case is ...", "the organisation is ...".
    subject: ClassVar[str] = "case"
    #: Statuses after which nothing more is recorded; a refusal then says so.
    final: ClassVar[tuple[str, ...]] = ()

    def _require_status(self, allowed: str | tuple[str, ...], doing: str) -> None:
        allowed = (allowed,) if isinstance(allowed, str) else allowed
        if self.status in allowed:
            return
        if self.status in self.final:
            raise refuse(
                f"cannot {doing}: the {self.subject} is {self.status}; nothing is recorded "
                "after that",
                "wrong_status",
            )
        raise refuse(
            f"cannot {doing}: the {self.subject} is {self.status} (needs {' or '.join(allowed)})",
            "wrong_status",
        )

    @staticmethod
    def _not_before(occurred_on: str, earlier: str, what: str) -> date:
        on = parse_date(occurred_on, "occurred_on")
        if occurred_on < earlier:
            raise InvalidInput(f"{what} cannot be dated before {earlier}", field="occurred_on")
        return on

    @staticmethod
    def _need_reason(reason: str, field: str = "reason") -> None:
        if not reason or not reason.strip():
            raise InvalidInput(f"a {field} is required", field=field)
