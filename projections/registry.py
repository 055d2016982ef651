"""Every view the runner maintains, in one list (rebuild and status use the names)."""

from __future__ import annotations

from projections.audit.registry import all_rules
from projections.view import Projection
from projections.views.audit_findings import AuditFindings
from projections.views.bed_conversions import BedConversions
from projections.views.case_counts import CaseCounts
from projections.views.case_summary import CaseSummary
from projections.views.case_timeline import CaseTimeline
from projections.views.death_notifications import DeathNotifications
from projections.views.institutions import Institutions
from projections.views.organizations import Organizations
from projections.views.payable_cases import PayableCases
from projections.views.payout_totals import PayoutTotals
from projections.views.payouts import Payouts
from projections.views.payroll_runs import PayrollRuns
from projections.views.person_enrolment import PersonEnrolment
from projections.views.temporary_assistance import TemporaryAssistance
from projections.views.village_conversions import VillageConversions


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
        *all_rules(),
        AuditFindings(),  # from the findings the audit process raises from the rules' matches
        CaseCounts(),  # the caseload and the KPIs' case figures, as counters
        PayoutTotals(),  # payoutTotals and the KPIs' settled payouts, as counters
    ]
