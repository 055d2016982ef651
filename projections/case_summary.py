"""case_summary: where does each case stand, and is it late? One row per case."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.assistance_case import AssistanceCase as C
from projections.base import Projection, handles, recorded_at
from projections.db import Database, Keyset, Row, Tx

COLUMNS = [
    "case_id",
    "programme",
    "district",
    "street",
    "community",
    "status",
    "channel",
    "kin_of_staff",
    "household_size",
    "counted_members",
    "applicant_name",
    "applicant_id_number",
    "submitted_on",
    "version",
    "position",
    "updated_at",
]


class CaseSummary(Projection):
    name = "case_summary"
    tables = ("case_summary",)
    row_table = "case_summary"
    row_key = "case_id"

    @handles(C.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        applicant = next((m for m in e.members if m["counted"]), e.members[0])
        values = [
            str(e.originator_id), e.programme, e.district, e.street, e.community, "submitted",
            e.channel, int(e.kin_of_staff), len(e.members),
            sum(1 for m in e.members if m["counted"]),
            applicant["personal"]["name"], applicant["personal"]["id_number"],
            e.occurred_on, e.originator_version, position, recorded_at(e),
        ]  # fmt: skip
        tx.execute(
            f"INSERT INTO case_summary ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            values,
        )

    @handles(C.ApplicationAccepted)
    def accepted(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="accepted", accepted_on=e.occurred_on,
            investigation_due=e.investigation_due, decision_due=e.decision_due,
            case_due=e.case_due,
        )  # fmt: skip

    @handles(C.EconomicCheckCompleted, C.HomeVisitConducted)
    def investigated(self, tx: Tx, e: Any, position: int) -> None:
        started = tx.scalar(
            "SELECT investigation_started_on FROM case_summary WHERE case_id = %s",
            (str(e.originator_id),),
        )
        self._update(tx, e, position, investigation_started_on=started or e.occurred_on)

    @handles(C.HouseholdAssessed)
    def assessed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, income_per_head_fen=e.income_per_head_fen,
            monthly_amount_fen=e.total_fen, parameters=json.dumps(e.parameters),
            notice_from=None, notice_to=None, notice_closed_on=None,
        )  # fmt: skip

    @handles(C.PublicNoticePosted)
    def notice_posted(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, notice_from=e.posted_from, notice_to=e.posted_to,
            notice_closed_on=None,
        )  # fmt: skip

    @handles(C.PublicNoticeClosed)
    def notice_closed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, notice_closed_on=e.occurred_on)

    @handles(C.ProcessingExtended)
    def extended(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, extended=1, case_due=e.case_due)

    @handles(C.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="active", decided_on=e.occurred_on,
            monthly_amount_fen=e.monthly_amount_fen, first_paid_month=e.first_paid_month,
            next_review_due=e.next_review_due, parameters=json.dumps(e.parameters),
        )  # fmt: skip

    @handles(C.EligibilityDenied)
    def denied(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="denied", decided_on=e.occurred_on)

    @handles(C.PeriodicReviewCompleted)
    def reviewed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, next_review_due=e.next_review_due)

    @handles(C.BenefitAdjusted)
    def adjusted(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, monthly_amount_fen=e.monthly_amount_fen)

    @handles(C.BenefitSuspended)
    def suspended(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="suspended", suspended_from=e.from_month)

    @handles(C.BenefitResumed)
    def resumed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="active", suspended_from=None)

    @handles(C.GradualExitStarted)
    def gradual_exit(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, gradual_exit_until=e.until_month)

    @handles(C.EarlyWarningRaised, C.EarlyWarningResolved)
    def warning(self, tx: Tx, e: Any, position: int) -> None:
        delta = 1 if isinstance(e, C.EarlyWarningRaised) else -1
        count = tx.scalar(
            "SELECT open_warnings FROM case_summary WHERE case_id = %s", (str(e.originator_id),)
        )
        self._update(tx, e, position, open_warnings=int(count or 0) + delta)

    @handles(C.MemberDeathRecorded)
    def member_died(self, tx: Tx, e: Any, position: int) -> None:
        due = tx.scalar(
            "SELECT next_review_due FROM case_summary WHERE case_id = %s", (str(e.originator_id),)
        )
        self._update(tx, e, position, next_review_due=min(due or e.review_due, e.review_due))

    @handles(C.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="terminated", terminated_month=e.effective_month,
            termination_reason=e.reason_code,
        )  # fmt: skip

    @handles(C.ChangeReported)
    def changed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position)


# -- queries ------------------------------------------------------------------------------

OVERDUE_SQL = (
    "((investigation_due IS NOT NULL AND ((investigation_started_on IS NULL "
    "AND investigation_due < %(today)s) OR investigation_started_on > investigation_due))"
    " OR (decision_due IS NOT NULL AND ((decided_on IS NULL AND decision_due < %(today)s)"
    " OR decided_on > decision_due))"
    " OR (status IN ('submitted', 'accepted') AND case_due < %(today)s)"
    " OR (status IN ('active', 'suspended') AND next_review_due < %(today)s))"
)


def overdue_flags(row: Row, today: date) -> dict[str, bool]:
    """Late is allowed but visible [law]: which deadline is missed, as of today."""
    t = today.isoformat()
    inv_due, started = row.get("investigation_due"), row.get("investigation_started_on")
    dec_due, decided = row.get("decision_due"), row.get("decided_on")
    case_due = row.get("case_due")
    open_ = row["status"] in ("submitted", "accepted")
    return {
        "investigation": bool(
            inv_due and ((not started and inv_due < t) or (started or "") > inv_due)
        ),
        "decision": bool(dec_due and ((not decided and dec_due < t) or (decided or "") > dec_due)),
        "case": bool(case_due and ((open_ and case_due < t) or (decided or "") > case_due)),
        "review": bool(
            row["status"] in ("active", "suspended")
            and row.get("next_review_due")
            and row["next_review_due"] < t
        ),
    }


def get(db: Database, case_id: str) -> Row | None:
    rows = db.query("SELECT * FROM case_summary WHERE case_id = %s", (case_id,))
    return rows[0] if rows else None


def search(
    db: Database, filters: dict[str, Any], today: date, after: str | None, limit: int
) -> tuple[list[Row], int]:
    """Cases matching the filter, keyset-paged on the (stable) case id; and the total."""
    cases = matching(db, filters, today)
    return cases.page(after, limit), cases.count()


def matching(db: Database, filters: dict[str, Any], today: date) -> Keyset:
    """Cases matching the filter, to page on the (stable) case id and count when asked."""
    where, params = ["1=1"], []
    for column in ("programme", "street", "status", "community"):
        if filters.get(column):
            where.append(f"{column} = %s")
            params.append(filters[column])
    if filters.get("confirmed_in"):
        where.append("first_paid_month IS NOT NULL AND decided_on >= %s AND decided_on <= %s")
        params += [f"{filters['confirmed_in']}-01-01", f"{filters['confirmed_in']}-12-31"]
    if filters.get("overdue") is not None:
        clause = OVERDUE_SQL.replace("%(today)s", "%s")
        params.extend([today.isoformat()] * clause.count("%s"))
        where.append(clause if filters["overdue"] else f"NOT {clause}")
    return Keyset(db, "case_summary", "case_id", " AND ".join(where), tuple(params))


GROUPS = {"programme", "street", "status", "community"}


def caseload(db: Database, group_by: list[str]) -> list[Row]:
    columns = [g for g in group_by if g in GROUPS] or ["programme"]
    cols = ", ".join(columns)
    return db.query(
        f"SELECT {cols}, COUNT(*) AS cases, SUM(counted_members) AS people, "
        f"SUM(CASE WHEN status = 'active' THEN monthly_amount_fen ELSE 0 END) AS monthly_fen "
        f"FROM case_summary GROUP BY {cols} ORDER BY {cols}"
    )
