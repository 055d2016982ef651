"""Every view the runner maintains, in one list (rebuild and status use the names)."""

from __future__ import annotations

from projections.base import Projection
from projections.bed_conversions import BedConversions
from projections.case_summary import CaseSummary
from projections.case_timeline import CaseTimeline
from projections.death_notifications import DeathNotifications
from projections.institutions import Institutions
from projections.organizations import Organizations
from projections.payable_cases import PayableCases
from projections.payouts import Payouts
from projections.payroll_runs import PayrollRuns
from projections.person_enrolment import PersonEnrolment
from projections.temporary_assistance import TemporaryAssistance
from projections.village_conversions import VillageConversions


def all_projections() -> list[Projection]:
    return [
        CaseSummary(),
        CaseTimeline(),
        PersonEnrolment(),
        DeathNotifications(),
        PayableCases(),
        Payouts(),
        PayrollRuns(),
        TemporaryAssistance(),
        Institutions(),
        BedConversions(),
        Organizations(),
        VillageConversions(),
    ]
