"""Every view the runner maintains, in one list (rebuild and status use the names)."""

from __future__ import annotations

from projections.base import Projection
from projections.case_summary import CaseSummary
from projections.case_timeline import CaseTimeline
from projections.payable_cases import PayableCases
from projections.payouts import Payouts
from projections.payroll_runs import PayrollRuns
from projections.person_enrolment import PersonEnrolment
from projections.temporary_assistance import TemporaryAssistance


def all_projections() -> list[Projection]:
    return [
        CaseSummary(),
        CaseTimeline(),
        PersonEnrolment(),
        PayableCases(),
        Payouts(),
        PayrollRuns(),
        TemporaryAssistance(),
    ]
