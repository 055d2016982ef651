"""Which standard (提标) counts for a case from which month, and bringing a case up to it.

Shared by the confirmation (a standard set in advance is applied in the same save, so no
later process has to write to a freshly confirmed case) and by the payroll area's batch
commands that apply a new standard to every active case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.shared.values import Actor, add_months

if TYPE_CHECKING:
    from domain.assistance.case import AssistanceCase

#: The standard each programme's cases follow (DIBAO_EDGE and HARDSHIP have no gap part).
CASE_STANDARDS = {"DIBAO": "dibao.standard", "TEKUN": "tekun.standard"}
#: The recompute is recorded as the ledger's own, computed, act.
STANDARD_ACTOR = Actor("standard-change", "system", "钟楼区民政局")


def effective_month(effective_from: str) -> str:
    """A change from the 1st counts from that month; from any other day, from the next."""
    month = effective_from[:7]
    return month if effective_from.endswith("-01") else add_months(month, 1)


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


def bring_up_to_standards(
    case: AssistanceCase, values: list[tuple[str, int, int]], actor: Actor, occurred_on: str
) -> list[tuple[int, str]]:
    """Apply every standard version in force in some month from the case's first paid month.

    `values` is the standard's schedule (effective from, value, version); returns the
    versions applied and how ("adjusted" or "flagged"). Repeatable: a version already
    applied records nothing.
    """
    name = CASE_STANDARDS.get(case.programme)
    first = case.benefit.first_month
    if name is None or first is None or case.status not in ("active", "suspended"):
        return []
    outcomes: list[tuple[int, str]] = []
    for _, value, version in sorted(values, key=lambda v: v[2]):
        month = standard_month(values, version, first)
        if month is None:
            continue
        outcome = case.apply_standard(actor.as_dict(), occurred_on, name, version, value, month)
        if outcome:
            outcomes.append((version, outcome))
    return outcomes
