"""A new standard (提标) applied to active cases: the Ledger's batch and per-case commands."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.assistance.case import AssistanceCase
from domain.payroll.commands import PayrollCommands
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.parameters import ParameterSchedule, parameter_id
from domain.shared.values import Actor, add_months

CASE_BATCH = 100  # case aggregates per transaction when a new standard is applied
#: The standards a yearly change (提标) recomputes, and the programmes whose gap they set.
STANDARD_PROGRAMMES = {"dibao.standard": ("DIBAO",), "tekun.standard": ("TEKUN",)}
#: The standard each of those programmes' cases follow.
CASE_STANDARDS = {p: name for name, ps in STANDARD_PROGRAMMES.items() for p in ps}
STANDARD_ACTOR = Actor("standard-change", "system", "钟楼区民政局")


@dataclass(frozen=True)
class StandardChangeResult:
    """What applying a standard change did: cases looked at, adjusted, flagged for review."""

    name: str
    version: int
    effective_month: str
    cases: int
    adjusted: int
    flagged: int


def effective_month(effective_from: str) -> str:
    """A change from the 1st counts from that month; from any other day, from the next."""
    month = effective_from[:7]
    return month if effective_from.endswith("-01") else add_months(month, 1)


@dataclass(frozen=True)
class CaseStandardsResult:
    """What bringing one case up to its standards did: the versions applied, by outcome."""

    case_id: UUID
    adjusted: tuple[int, ...] = ()
    flagged: tuple[int, ...] = ()


def standard_month(
    values: list[tuple[str, int, int]], version: int, first_month: str
) -> str | None:
    """The month a standard version counts from for a case first paid in `first_month`.

    None when another version is in force that month (a later start, or a fix of the same
    start), so a superseded or backdated value never overrides the one in force.
    """
    found = [v for v in values if v[2] == version]
    if not found:
        return None
    month = max(effective_month(found[0][0]), first_month)
    started = [v for v in values if v[0] <= f"{month}-01"]
    in_force = max(started, key=lambda v: (v[0], v[2]))
    return month if in_force[2] == version else None


class StandardCommands(PayrollCommands):
    # -- a new standard (提标) --------------------------------------------------------------

    def apply_standard_change(
        self, name: str, version: int, up_to: int | None = None, occurred_on: str | None = None,
        actor: Actor = STANDARD_ACTOR,
    ) -> StandardChangeResult:  # fmt: skip
        """Recompute every active case of the standard's programmes; safe to repeat.

        With `up_to` (the change's own position, as the reaction process passes it), only
        cases confirmed before it; without, every active case still on an older version.
        """
        if name not in STANDARD_PROGRAMMES:
            raise InvalidInput(
                f"name must be one of {', '.join(STANDARD_PROGRAMMES)}", field="name"
            )
        schedule = self.load(parameter_id(self.district, name), ParameterSchedule, "parameter")
        found = [v for v in schedule.values if v[2] == version]
        if not found:
            raise NotFound(f"{name} has no version {version}", field="version")
        effective_from, value, _ = found[0]
        month = effective_month(effective_from)
        on = occurred_on or date.today().isoformat()
        assert self.payables is not None, "the Ledger needs its payable_cases view"
        ids: list[UUID] = []
        for programme in STANDARD_PROGRAMMES[name]:
            cases, _ = self.payables.confirmed(programme, up_to or self.latest_position())
            ids += [
                c.case_id for c in cases
                if (c.schedule.terminated_from is None or c.schedule.terminated_from > month)
                and (up_to is None or c.confirmed_position <= up_to)
                and c.schedule.standards.get(name, 0) < version
                and c.schedule.first_month is not None
                and standard_month(schedule.values, version, c.schedule.first_month) is not None
            ]  # fmt: skip
        outcomes: Counter[str] = Counter()
        for start in range(0, len(ids), CASE_BATCH):
            while True:
                loaded = [self._load_case(i) for i in ids[start : start + CASE_BATCH]]
                done = [
                    (c, c.apply_standard(actor.as_dict(), on, name, version, value, month))
                    for c in loaded
                ]
                changed = [c for c, outcome in done if outcome]
                if changed:
                    try:
                        self.save(*changed)
                    except IntegrityError:  # a caseworker changed one of them meanwhile: reload
                        continue
                    self.saved()
                outcomes.update(outcome for _, outcome in done if outcome)
                break
        return StandardChangeResult(
            name, version, month, len(ids), outcomes["adjusted"], outcomes["flagged"]
        )

    def apply_standards_to_case(
        self, case_id: UUID, occurred_on: str | None = None, actor: Actor = STANDARD_ACTOR
    ) -> CaseStandardsResult:
        """Recompute one case under every standard in force since it was first paid; repeatable.

        Whenever each version was recorded: a standard set in advance (the July raise
        recorded in January) is older than a case assessed and confirmed in March, so
        `apply_standard_change` never sees that case.
        """
        on = occurred_on or date.today().isoformat()
        while True:
            case = self._load_case(case_id)
            name = CASE_STANDARDS.get(case.programme)
            first = case.benefit.first_month
            if name is None or first is None or case.status not in ("active", "suspended"):
                return CaseStandardsResult(case_id)
            schedule = self.load(parameter_id(self.district, name), ParameterSchedule, "parameter")
            outcomes: list[tuple[int, str]] = []
            for _, value, version in sorted(schedule.values, key=lambda v: v[2]):
                month = standard_month(schedule.values, version, first)
                if month is None:
                    continue
                outcome = case.apply_standard(actor.as_dict(), on, name, version, value, month)
                if outcome:
                    outcomes.append((version, outcome))
            if outcomes:
                try:
                    self.save(case)
                except IntegrityError:  # a caseworker changed the case meanwhile: reload
                    continue
                self.saved()
            return CaseStandardsResult(
                case_id,
                tuple(v for v, o in outcomes if o == "adjusted"),
                tuple(v for v, o in outcomes if o == "flagged"),
            )

    def _load_case(self, case_id: UUID) -> AssistanceCase:
        return self.load(case_id, AssistanceCase, "case")
