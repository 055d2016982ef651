"""A case's due dates from their basis, in one place: the case records them, views recompute them.

A date is provisional when its working days run through a year with no holiday notice yet
(counted Monday to Friday); it is recomputed once that year's notice is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.assistance.rules import (
    CASE_DAYS,
    DECISION_DAYS,
    DENIAL_NOTICE_DAYS,
    EXTENDED_CASE_DAYS,
    INVESTIGATION_DAYS,
)
from domain.shared.working_days import WorkingDayCalendar

#: Due-date name -> (the basis date it counts from, working days); `case_due` uses 45 if extended.
BASIS = {
    "investigation_due": ("accepted_on", INVESTIGATION_DAYS),
    "decision_due": ("submitted_on", DECISION_DAYS),
    "case_due": ("submitted_on", CASE_DAYS),
    "denial_notice_due": ("decided_on", DENIAL_NOTICE_DAYS),
}


def due_dates(
    calendar: WorkingDayCalendar, basis: Mapping[str, Any], extended: bool = False,
    names: tuple[str, ...] = tuple(BASIS),
) -> tuple[dict[str, str], list[str]]:  # fmt: skip
    """The named due dates whose basis is known, and which of them are provisional."""
    dates: dict[str, str] = {}
    provisional: list[str] = []
    for name in names:
        source, days = BASIS[name]
        start = basis.get(source)
        if not start:
            continue
        if name == "case_due" and extended:
            days = EXTENDED_CASE_DAYS
        due, guessed = calendar.due(date.fromisoformat(start), days)
        dates[name] = due.isoformat()
        if guessed:
            provisional.append(name)
    return dates, provisional
