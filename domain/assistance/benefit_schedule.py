"""Which months a case is paid for, and how much: one rule for the aggregate and the views.

The schedule is rebuilt from a case's events (confirm, adjust, suspend, resume, terminate) and
stored as JSON by the `payable_cases` view, so a payroll run decides each month exactly as the
aggregate would, without loading thousands of aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PAYEE_DIED = "the payee has died: record a new payee account"


@dataclass
class BenefitSchedule:
    first_month: str | None = None
    #: (effective month, monthly amount in fen), in the order recorded; later wins per month.
    amounts: list[tuple[str, int]] = field(default_factory=list)
    #: [from month, resumed month or None]: the months from `from` up to `resumed` are unpaid.
    suspensions: list[list[str | None]] = field(default_factory=list)
    terminated_from: str | None = None
    #: Counted members, and the death month of those who died (a verified death, issue 4).
    counted: list[str] = field(default_factory=list)
    deaths: dict[str, str] = field(default_factory=dict)
    #: Whose account the money goes to (a person_id), and the gradual exit's last paid month.
    payee: str | None = None
    exit_until: str | None = None
    #: The version of each standard the amounts were computed with ({"dibao.standard": 3}).
    standards: dict[str, int] = field(default_factory=dict)

    def start(self, first_month: str, amount_fen: int) -> None:
        self.first_month = first_month
        self.amounts.append((first_month, amount_fen))

    def adjust(self, month: str, amount_fen: int) -> None:
        self.amounts.append((month, amount_fen))

    def suspend(self, month: str) -> None:
        self.suspensions.append([month, None])

    def resume(self, month: str) -> None:
        if self.suspensions and self.suspensions[-1][1] is None:
            self.suspensions[-1][1] = month

    def terminate(self, month: str) -> None:
        self.terminated_from = month

    def record_death(self, person_id: str, month: str) -> None:
        self.deaths[person_id] = month

    def record_standards(self, parameters: dict[str, str] | None) -> None:
        """Keep the versions of the standards (not of other parameters) the amounts used."""
        found = versions_of(parameters or {})
        self.standards.update({n: v for n, v in found.items() if n.endswith(".standard")})

    def change_payee(self, person_id: str) -> None:
        self.payee = person_id

    def end_gradual_exit(self, until_month: str) -> None:
        self.exit_until = until_month

    def learn_deaths(self, verified: dict[str, str]) -> None:
        """Apply verified deaths (person_id -> death month) the case itself never recorded."""
        for person in self.counted:
            if person in verified and person not in self.deaths:
                self.deaths[person] = verified[person]

    def amount_in_force(self, month: str) -> int:
        best: tuple[str, int] | None = None
        for effective, amount in self.amounts:  # recorded order: a later event wins a tie
            if effective <= month and (best is None or effective >= best[0]):
                best = (effective, amount)
        return best[1] if best else 0

    def payable(self, month: str) -> tuple[int, str | None]:
        """The amount due for a month, or 0 and the reason nothing is due [law]."""
        if self.first_month is None:
            return 0, "the case is not confirmed"
        if month < self.first_month:
            return 0, f"before the first paid month {self.first_month}"
        if self.terminated_from is not None and month >= self.terminated_from:
            return 0, f"at or after the termination effective {self.terminated_from}"
        if len(self.counted) == 1 and self.counted[0] in self.deaths:
            death = self.deaths[self.counted[0]]
            if month > death:
                return 0, f"after the death month {death} of the only counted member"
        if self.exit_until is not None and month > self.exit_until:
            return 0, f"after the gradual exit's last paid month {self.exit_until}"
        for start, resumed in self.suspensions:
            if start is not None and start <= month and (resumed is None or month < resumed):
                return 0, "the benefit is suspended for that month"
        amount = self.amount_in_force(month)
        if amount <= 0:
            return 0, "the amount in force is zero"
        if self.payee is not None and self.payee in self.deaths and month > self.deaths[self.payee]:
            return 0, PAYEE_DIED
        return amount, None

    def to_json(self) -> dict[str, Any]:
        return {
            "first_month": self.first_month,
            "amounts": [list(a) for a in self.amounts],
            "suspensions": self.suspensions,
            "terminated_from": self.terminated_from,
            "counted": self.counted,
            "deaths": self.deaths,
            "payee": self.payee,
            "exit_until": self.exit_until,
            "standards": self.standards,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenefitSchedule:
        return cls(
            first_month=data.get("first_month"),
            amounts=[(str(m), int(a)) for m, a in data.get("amounts", [])],
            suspensions=[list(s) for s in data.get("suspensions", [])],
            terminated_from=data.get("terminated_from"),
            counted=list(data.get("counted", [])),
            deaths=dict(data.get("deaths", {})),
            payee=data.get("payee"),
            exit_until=data.get("exit_until"),
            standards=dict(data.get("standards", {})),
        )


def versions_of(parameters: dict[str, str]) -> dict[str, int]:
    """{"dibao.standard": "dibao.standard@v3"} -> {"dibao.standard": 3}."""
    found = {}
    for name, reference in parameters.items():
        _, _, version = reference.rpartition("@v")
        if version.isdigit():
            found[name] = int(version)
    return found
