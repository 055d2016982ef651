"""A new standard (提标) applied to active cases: the Ledger's batch and per-case commands."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.assistance.case import AssistanceCase
from domain.assistance.standards import CASE_STANDARDS as CASE_STANDARDS  # re-exported
from domain.assistance.standards import STANDARD_ACTOR as STANDARD_ACTOR  # re-exported
from domain.assistance.standards import bring_up_to_standards
from domain.assistance.standards import effective_month as effective_month  # re-exported
from domain.assistance.standards import standard_month as standard_month  # re-exported
from domain.payroll.commands import PayrollCommands
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.parameters import ParameterSchedule, parameter_id
from domain.shared.values import Actor

CASE_BATCH = 100  # case aggregates per transaction when a new standard is applied
#: The standards a yearly change (提标) recomputes, and the programmes whose gap they set.
STANDARD_PROGRAMMES = {"dibao.standard": ("DIBAO",), "tekun.standard": ("TEKUN",)}


@dataclass(frozen=True)
class StandardChangeResult:
    """What applying a standard change did: cases looked at, adjusted, flagged for review."""

    name: str
    version: int
    effective_month: str
    cases: int
    adjusted: int
    flagged: int


@dataclass(frozen=True)
class CaseStandardsResult:
    """What bringing one case up to its standards did: the versions applied, by outcome."""

    case_id: UUID
    adjusted: tuple[int, ...] = ()
    flagged: tuple[int, ...] = ()


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
        self.authorize(actor)
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
        return self.apply_standards_to_cases({case_id: occurred_on}, actor)[0]

    def apply_standards_to_cases(
        self, cases: dict[UUID, str | None], actor: Actor = STANDARD_ACTOR
    ) -> list[CaseStandardsResult]:
        """`apply_standards_to_case` for many cases (each with its business date), saved
        CASE_BATCH per transaction as a standard change is."""
        self.authorize(actor)
        ids = list(cases)
        results: list[CaseStandardsResult] = []
        for start in range(0, len(ids), CASE_BATCH):
            chunk = ids[start : start + CASE_BATCH]
            while True:
                schedules: dict[str, ParameterSchedule] = {}
                loaded = [self._load_case(i) for i in chunk]
                done = [(c, self._bring_up(c, cases[c.id], actor, schedules)) for c in loaded]
                changed = [c for c, outcomes in done if outcomes]
                if changed:
                    try:
                        self.save(*changed)
                    except IntegrityError:  # a caseworker changed one of them meanwhile: reload
                        continue
                    self.saved()
                results += [
                    CaseStandardsResult(
                        c.id,
                        tuple(v for v, o in outcomes if o == "adjusted"),
                        tuple(v for v, o in outcomes if o == "flagged"),
                    )
                    for c, outcomes in done
                ]
                break
        return results

    def _bring_up(
        self,
        case: AssistanceCase,
        occurred_on: str | None,
        actor: Actor,
        schedules: dict[str, ParameterSchedule],
    ) -> list[tuple[int, str]]:
        """Apply to one loaded case every standard version in force from its first paid month."""
        name = CASE_STANDARDS.get(case.programme)
        if name is None:
            return []
        if name not in schedules:
            key = parameter_id(self.district, name)
            schedules[name] = self.load(key, ParameterSchedule, "parameter")
        on = occurred_on or date.today().isoformat()
        return bring_up_to_standards(case, schedules[name].values, actor, on)

    def _load_case(self, case_id: UUID) -> AssistanceCase:
        return self.load(case_id, AssistanceCase, "case")
