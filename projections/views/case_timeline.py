"""case_timeline: what happened to a case, who did it and when, in readable lines.

Lines never contain personal data: they are shown to every role and copied into reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from domain.assistance.case import AssistanceCase
from projections.buffer import Rows
from projections.store import Database, Row, Tx
from projections.view import Projection, handles, recorded_at

CHINA = ZoneInfo("Asia/Shanghai")


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f} yuan"


def _provisional(e: Any) -> str:
    """As recorded: a date counted Mon-Fri for want of its year's notice (the case view
    recomputes it once the notice is recorded; this history does not change)."""
    names = getattr(e, "provisional", ())
    return f" (provisional: {', '.join(n.replace('_', ' ') for n in names)})" if names else ""


SUMMARIES: dict[type, Any] = {
    AssistanceCase.ApplicationSubmitted: lambda e: (
        f"{e.programme} application submitted via {e.channel} in {e.street} {e.community}, "
        f"{sum(1 for m in e.members if m['counted'])} of {len(e.members)} members counted"
        + ("; a member is kin of staff" if e.kin_of_staff else "")
    ),
    AssistanceCase.ApplicationAccepted: lambda e: (
        f"Accepted; investigation due {e.investigation_due}, decision due {e.decision_due}, "
        f"case due {e.case_due}" + _provisional(e)
    ),
    AssistanceCase.EconomicCheckCompleted: lambda e: f"Economic check completed ({e.data_source})",
    AssistanceCase.HomeVisitConducted: lambda e: (
        f"Home visit by {', '.join(e.investigators)}" + (" (district)" if e.district_level else "")
    ),
    AssistanceCase.HouseholdAssessed: lambda e: (
        f"Assessed: income per head {_yuan(e.income_per_head_fen)} against "
        f"{_yuan(e.threshold_fen)}; "
        + (f"proposed {_yuan(e.total_fen)} a month" if e.eligible else "not eligible")
    ),
    AssistanceCase.PublicNoticePosted: lambda e: (
        f"Public notice posted {e.posted_from} to {e.posted_to}"
    ),
    AssistanceCase.PublicNoticeClosed: lambda e: (
        f"Public notice closed with {len(e.objections)} objection(s)"
        if e.objections
        else "Public notice closed without objections"
    ),
    AssistanceCase.ProcessingExtended: lambda e: (
        f"Processing extended to {e.case_due}{_provisional(e)}: {e.reason}"
    ),
    AssistanceCase.EligibilityConfirmed: lambda e: (
        f"Eligibility confirmed by {e.approver}: {_yuan(e.monthly_amount_fen)} a month "
        f"from {e.first_paid_month}"
    ),
    AssistanceCase.EligibilityDenied: lambda e: f"Eligibility denied: {'; '.join(e.reasons)}",
    AssistanceCase.ChangeReported: lambda e: f"Change reported: {e.description}",
    AssistanceCase.PeriodicReviewCompleted: lambda e: (
        f"Periodic review; next due {e.next_review_due}"
    ),
    AssistanceCase.BenefitAdjusted: lambda e: (
        f"Benefit set to {_yuan(e.monthly_amount_fen)} from {e.effective_month}: {e.reason}"
    ),
    AssistanceCase.BenefitSuspended: lambda e: f"Benefit suspended from {e.from_month}: {e.reason}",
    AssistanceCase.BenefitResumed: lambda e: f"Benefit resumed from {e.from_month}",
    AssistanceCase.GradualExitStarted: lambda e: (
        f"Gradual exit {e.from_month} to {e.until_month} ({e.months} months)"
    ),
    AssistanceCase.EarlyWarningRaised: lambda e: f"Early warning raised: {e.kind}",
    AssistanceCase.EarlyWarningResolved: lambda e: f"Early warning resolved: {e.resolution}",
    AssistanceCase.MemberDeathRecorded: lambda e: (
        f"Verified death of a counted member: {e.consequence}"
    ),
    AssistanceCase.BenefitTerminated: lambda e: (
        f"Benefit terminated from {e.effective_month}: {e.reason_code}"
    ),
    AssistanceCase.PayeeChanged: lambda e: (
        "New payee account recorded (payouts held for it resume)"
    ),
}


LINE_COLUMNS = (
    "position", "case_id", "version", "event_type", "occurred_on", "recorded_at", "backdated",
    "actor_user", "actor_role", "actor_unit", "summary",
)  # fmt: skip


class CaseTimeline(Projection):
    name = "case_timeline"
    tables = ("case_timeline",)

    @handles(*SUMMARIES)
    def line(self, tx: Tx, e: Any, position: int) -> None:
        when = recorded_at(e)
        # Back-dated: the business date is before the day it was recorded, in the bureau's zone.
        recorded_day = e.timestamp.astimezone(CHINA).date().isoformat()
        # Nothing reads the timeline while the views are written: a batch's lines go in
        # together, a few multi-row INSERTs instead of one statement a line.
        line = (
            position, str(e.originator_id), e.originator_version, type(e).__name__,
            e.occurred_on, when, int(e.occurred_on < recorded_day), e.actor["user"],
            e.actor["role"], e.actor.get("unit"), SUMMARIES[type(e)](e),
        )  # fmt: skip
        Rows.of(tx, "case_timeline", "position").insert(
            tx, dict(zip(LINE_COLUMNS, line, strict=True))
        )


def for_case(db: Database, case_id: str) -> list[Row]:
    return db.query("SELECT * FROM case_timeline WHERE case_id = %s ORDER BY version", (case_id,))


def for_cases(db: Database, case_ids: Sequence[str]) -> dict[str, list[Row]]:
    """The timelines of many cases in one query, so a page of cases costs one round trip."""
    if not case_ids:
        return {}
    marks = ", ".join(["%s"] * len(case_ids))
    rows = db.query(
        f"SELECT * FROM case_timeline WHERE case_id IN ({marks}) ORDER BY case_id, version",
        list(case_ids),
    )
    found: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        found[row["case_id"]].append(row)
    return dict(found)
