"""Effective-dated parameters set by the bureau: every change is itself an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate, event

from domain.shared.errors import DomainError, InvalidInput
from domain.shared.values import parse_date


@dataclass(frozen=True)
class ParameterSpec:
    """What a parameter means, its unit and its sane range."""

    name: str
    unit: str
    description: str
    minimum: int = 0
    maximum: int = 10**9


#: The parameters that may be set. Retired names stay readable in stored events, not here:
#: village.pass_threshold_permille gave way to village.pass_numerator/denominator (a
#: permille cannot say two thirds).
SPECS: dict[str, ParameterSpec] = {
    s.name: s
    for s in [
        ParameterSpec("dibao.standard", "fen/month", "DIBAO standard per person (低保标准)", 1),
        ParameterSpec("tekun.standard", "fen/month", "TEKUN basic living standard (特困供养)", 1),
        ParameterSpec(
            "dibao_edge.multiple_permille",
            "permille",
            "DIBAO_EDGE income limit as a multiple of the standard (1500 = 1.5x)",
            1000,
            5000,
        ),
        ParameterSpec(
            "hardship.multiple_permille",
            "permille",
            "HARDSHIP income limit, after rigid spending, as a multiple of the standard",
            1000,
            5000,
        ),
        ParameterSpec(
            "assets.deposit_months",
            "months",
            "Deposits allowed per counted member, in months of the standard",
            0,
            240,
        ),
        ParameterSpec("assets.max_real_estate_units", "units", "Homes a household may own", 0, 10),
        ParameterSpec("supplement.elderly", "fen/month", "Supplement per member aged 70+"),
        ParameterSpec(
            "supplement.disabled", "fen/month", "Supplement per severely disabled member"
        ),
        ParameterSpec("supplement.minor", "fen/month", "Supplement per minor in the household"),
        ParameterSpec(
            "privacy.retention_years",
            "years",
            "Years a person's data is kept after the end of the person's last case, before it "
            "may be erased (5 when never set: the DIBAO archive rules)",
            0,
            100,
        ),
        ParameterSpec(
            "temporary.cap_multiple",
            "x standard",
            "Temporary assistance cap per case, as a multiple of the monthly DIBAO standard",
            1,
            60,
        ),
        ParameterSpec(
            "temporary.street_limit_fen",
            "fen",
            "Grants up to this amount may be approved by the street; above, by the district",
        ),
        ParameterSpec(
            "village.pass_numerator",
            "parts",
            "Votes for needed to abolish a village, as a fraction of the voters present "
            "(到会人员), numerator: 2 of 2/3 (三分之二以上, the fraction itself passes). "
            "The fraction must be more than 1/2 and at most 1",
            1,
            1000,
        ),
        ParameterSpec(
            "village.pass_denominator",
            "parts",
            "Denominator of that fraction of the voters present: 3 of 2/3",
            1,
            1000,
        ),
        ParameterSpec(
            "temporary.paperwork_days",
            "days",
            "Days after emergency advance aid (先行救助) within which the paperwork is due",
            1,
            90,
        ),
        ParameterSpec(
            "temporary.repeat_window_days",
            "days",
            "Days within which several temporary grants to one household count together "
            "against the cap (audit rule A13; 90 when never set)",
            1,
            3650,
        ),
    ]
}


def parameter_id(district: str, name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:parameter:{district}:{name}")


@dataclass(frozen=True)
class InForce:
    """A parameter's value on a date and the version that set it (recorded on decisions)."""

    name: str
    value: int
    version: int
    effective_from: str

    @property
    def reference(self) -> str:
        return f"{self.name}@v{self.version}"


class ParameterSchedule(Aggregate):
    """One parameter of one district, with its effective-dated values."""

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: dict[str, Any]
        occurred_on: str

    class ParameterScheduleOpened(Aggregate.Created):
        district: str
        name: str
        actor: dict[str, Any]
        occurred_on: str

    class ParameterSet(Event):
        value: int
        effective_from: str
        reason: str

        def apply(self, schedule: ParameterSchedule) -> None:
            # The version is the one this event will carry once applied.
            schedule.values.append((self.effective_from, self.value, schedule.version + 1))

    @staticmethod
    def create_id(district: str, name: str, **_: Any) -> UUID:
        return parameter_id(district, name)

    @event(ParameterScheduleOpened)
    def __init__(self, district: str, name: str, actor: dict[str, Any], occurred_on: str):
        self.district = district
        self.name = name
        self.values: list[tuple[str, int, int]] = []  # (effective_from, value, version)

    def set_value(
        self, value: int, effective_from: str, reason: str, actor: dict[str, Any], occurred_on: str
    ) -> None:
        spec = SPECS[self.name]
        if not isinstance(value, int) or not spec.minimum <= value <= spec.maximum:
            raise InvalidInput(
                f"{self.name} must be between {spec.minimum} and {spec.maximum} ({spec.unit})",
                field="value",
            )
        parse_date(effective_from, "effective_from")
        if not reason.strip():
            raise InvalidInput("a parameter change needs a reason", field="reason")
        self.trigger_event(
            self.ParameterSet, value=value, effective_from=effective_from, reason=reason,
            actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def in_force(self, on: date) -> InForce:
        # The latest start on or before the date; for one start, the value set last (a fix).
        candidates = [v for v in self.values if v[0] <= on.isoformat()]
        best = max(candidates, key=lambda v: (v[0], v[2])) if candidates else None
        if best is None:
            raise DomainError(
                f"No value of {self.name} is in force on {on.isoformat()}; "
                "set it under /api/v1/parameters first",
                field=self.name,
                code="parameter_missing",
            )
        return InForce(self.name, best[1], best[2], best[0])


def find_schedule(
    repository: Repository[UUID], district: str, name: str
) -> ParameterSchedule | None:
    """The district's schedule of one parameter, or None when it has never been set."""
    try:
        found: Aggregate = repository.get(parameter_id(district, name))
    except AggregateNotFoundError:
        return None
    assert isinstance(found, ParameterSchedule)
    return found


def in_force(
    repository: Repository[UUID], district: str, names: list[str], on: date
) -> dict[str, InForce]:
    """Each named parameter's value on `on`; a DomainError for one never set or not yet set."""
    found: dict[str, InForce] = {}
    for name in names:
        schedule = find_schedule(repository, district, name)
        if schedule is None:
            raise DomainError(
                f"the parameter {name} has never been set; set it under /api/v1/parameters",
                field=name,
                code="parameter_missing",
            )
        found[name] = schedule.in_force(on)
    return found
