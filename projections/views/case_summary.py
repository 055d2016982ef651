"""case_summary: where does each case stand, and is it late? One row per case."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.assistance.case import AssistanceCase
from domain.assistance.deadlines import BASIS, due_dates
from domain.shared.holiday_calendar import HolidayCalendar
from projections.buffer import Rows
from projections.keyset import Keyset
from projections.store import Database, Row, Tx
from projections.view import Projection, handles, recorded_at
from projections.views.case_deadlines import OVERDUE_SQL, any_part_sql, missed_sql, view_calendar

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
    tables = ("case_summary", "case_summary_calendar")
    row_table = "case_summary"
    row_key = "case_id"

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        applicant = next((m for m in e.members if m["counted"]), e.members[0])
        values = [
            str(e.originator_id), e.programme, e.district, e.street, e.community, "submitted",
            e.channel, int(e.kin_of_staff), len(e.members),
            sum(1 for m in e.members if m["counted"]),
            self.sealed(applicant["person_id"], applicant["personal"]["name"]),
            self.sealed(applicant["person_id"], applicant["personal"]["id_number"]),
            e.occurred_on, e.originator_version, position, recorded_at(e),
        ]  # fmt: skip
        tx.memo[("case_summary.investigation_started_on", str(e.originator_id))] = None
        Rows.of(tx, self.row_table, self.row_key).insert(
            tx, dict(zip(COLUMNS, values, strict=True))
        )

    @handles(AssistanceCase.ApplicationAccepted)
    def accepted(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="accepted", accepted_on=e.occurred_on,
            investigation_due=e.investigation_due, decision_due=e.decision_due,
            case_due=e.case_due, provisional=json.dumps(sorted(_provisional(e))),
        )  # fmt: skip
        if _provisional(e):  # a notice may have been recorded meanwhile
            self._recompute(tx, "case_id = %s", [str(e.originator_id)])

    @handles(AssistanceCase.EconomicCheckCompleted, AssistanceCase.HomeVisitConducted)
    def investigated(self, tx: Tx, e: Any, position: int) -> None:
        memo = ("case_summary.investigation_started_on", str(e.originator_id))
        if memo in tx.memo:  # only this handler writes it
            started = tx.memo[memo]
        else:
            started = tx.scalar(
                "SELECT investigation_started_on FROM case_summary WHERE case_id = %s", (memo[1],)
            )
        started = tx.memo[memo] = started or e.occurred_on
        self._update(tx, e, position, investigation_started_on=started)

    @handles(AssistanceCase.HouseholdAssessed)
    def assessed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, income_per_head_fen=e.income_per_head_fen,
            monthly_amount_fen=e.total_fen, parameters=json.dumps(e.parameters),
            notice_from=None, notice_to=None, notice_closed_on=None,
        )  # fmt: skip

    @handles(AssistanceCase.PublicNoticePosted)
    def notice_posted(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, notice_from=e.posted_from, notice_to=e.posted_to,
            notice_closed_on=None,
        )  # fmt: skip

    @handles(AssistanceCase.PublicNoticeClosed)
    def notice_closed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, notice_closed_on=e.occurred_on)

    @handles(AssistanceCase.ProcessingExtended)
    def extended(self, tx: Tx, e: Any, position: int) -> None:
        guessed = self._provisional_of(tx, e) - {"case_due"} | _provisional(e)
        self._update(
            tx,
            e,
            position,
            extended=1,
            case_due=e.case_due,
            provisional=json.dumps(sorted(guessed)),
        )
        if "case_due" in guessed:
            self._recompute(tx, "case_id = %s", [str(e.originator_id)])

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="active", decided_on=e.occurred_on,
            monthly_amount_fen=e.monthly_amount_fen, first_paid_month=e.first_paid_month,
            next_review_due=e.next_review_due, parameters=json.dumps(e.parameters),
        )  # fmt: skip

    @handles(AssistanceCase.EligibilityDenied)
    def denied(self, tx: Tx, e: Any, position: int) -> None:
        guessed = self._provisional_of(tx, e) - {"denial_notice_due"}
        if "notice_due" in _provisional(e):
            guessed.add("denial_notice_due")
        self._update(
            tx, e, position, status="denied", decided_on=e.occurred_on,
            denial_notice_due=e.notice_due, provisional=json.dumps(sorted(guessed)),
        )  # fmt: skip
        if "denial_notice_due" in guessed:
            self._recompute(tx, "case_id = %s", [str(e.originator_id)])

    @handles(AssistanceCase.PeriodicReviewCompleted)
    def reviewed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, next_review_due=e.next_review_due)

    @handles(AssistanceCase.BenefitAdjusted)
    def adjusted(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, monthly_amount_fen=e.monthly_amount_fen)

    @handles(AssistanceCase.BenefitSuspended)
    def suspended(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="suspended", suspended_from=e.from_month)

    @handles(AssistanceCase.BenefitResumed)
    def resumed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, status="active", suspended_from=None)

    @handles(AssistanceCase.GradualExitStarted)
    def gradual_exit(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position, gradual_exit_until=e.until_month)

    @handles(AssistanceCase.EarlyWarningRaised, AssistanceCase.EarlyWarningResolved)
    def warning(self, tx: Tx, e: Any, position: int) -> None:
        delta = 1 if isinstance(e, AssistanceCase.EarlyWarningRaised) else -1
        count = tx.scalar(
            "SELECT open_warnings FROM case_summary WHERE case_id = %s", (str(e.originator_id),)
        )
        self._update(tx, e, position, open_warnings=int(count or 0) + delta)

    @handles(AssistanceCase.MemberDeathRecorded)
    def member_died(self, tx: Tx, e: Any, position: int) -> None:
        due = tx.scalar(
            "SELECT next_review_due FROM case_summary WHERE case_id = %s", (str(e.originator_id),)
        )
        self._update(tx, e, position, next_review_due=min(due or e.review_due, e.review_due))

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        self._update(
            tx, e, position, status="terminated", terminated_month=e.effective_month,
            termination_reason=e.reason_code,
        )  # fmt: skip

    @handles(AssistanceCase.ChangeReported)
    def changed(self, tx: Tx, e: Any, position: int) -> None:
        self._update(tx, e, position)

    # -- the holiday calendar: recompute due dates, never rewrite an event --------------------

    @handles(HolidayCalendar.NoticeRecorded)
    def notice_recorded(self, tx: Tx, e: Any, position: int) -> None:
        """Keep the notice, then recompute the dates it may change: the provisional ones, and
        (for a correction) any whose working days run through that year."""
        tx.execute(
            "INSERT INTO case_summary_calendar (year, off, work, reference, position)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (year) DO UPDATE SET off = excluded.off,"
            " work = excluded.work, reference = excluded.reference, position = excluded.position",
            (e.year, json.dumps(e.off), json.dumps(e.work), e.reference, position),
        )
        since, until = f"{e.year - 1}-12-01", f"{e.year}-12-31"
        dues = " OR ".join(f"{name} >= %s" for name in BASIS)
        self._recompute(
            tx, f"provisional <> '[]' OR (submitted_on <= %s AND ({dues}))",
            [until, *[since] * len(BASIS)],
        )  # fmt: skip

    @staticmethod
    def _provisional_of(tx: Tx, e: Any) -> set[str]:
        stored = tx.scalar(
            "SELECT provisional FROM case_summary WHERE case_id = %s", (str(e.originator_id),)
        )
        return set(json.loads(stored or "[]"))

    def _recompute(self, tx: Tx, where: str, params: list[Any]) -> None:
        """Due dates from their stored basis with the calendar this view knows."""
        rows = tx.query(f"SELECT * FROM case_summary WHERE {where}", params)
        if not rows:
            return
        calendar = view_calendar(tx)
        for row in rows:
            names = tuple(n for n in BASIS if row.get(n))
            dates, guessed = due_dates(calendar, row, bool(row["extended"]), names)
            changes = {**dates, "provisional": json.dumps(sorted(guessed))}
            if all(row.get(k) == v for k, v in changes.items()):
                continue
            sets = ", ".join(f"{k} = %s" for k in changes)
            tx.execute(
                f"UPDATE case_summary SET {sets} WHERE case_id = %s",
                [*changes.values(), row["case_id"]],
            )


def _provisional(e: Any) -> set[str]:
    # Events stored before provisional dates existed have no such field: nothing provisional.
    return set(getattr(e, "provisional", ()) or ())


# -- queries ------------------------------------------------------------------------------


def get(db: Database, case_id: str) -> Row | None:
    rows = db.query("SELECT * FROM case_summary WHERE case_id = %s", (case_id,))
    return rows[0] if rows else None


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
    now = filters.get("overdue_now")
    part = None if now is None else "open" if now else "late"
    if filters.get("overdue_deadline"):
        clause = missed_sql(filters["overdue_deadline"], part).replace("%(today)s", "%s")
        params.extend([today.isoformat()] * clause.count("%s"))
        where.append(clause)
    elif now is not None:
        clause = any_part_sql(bool(now)).replace("%(today)s", "%s")
        params.extend([today.isoformat()] * clause.count("%s"))
        where.append(clause)
    return Keyset(db, "case_summary", "case_id", " AND ".join(where), tuple(params))


GROUPS = {"programme", "street", "status", "community"}


def caseload(db: Database, group_by: list[str], street: str | None = None) -> list[Row]:
    """Counts grouped as asked, over the district or one street (a street-bound reader)."""
    columns = [g for g in group_by if g in GROUPS] or ["programme"]
    cols = ", ".join(columns)
    where = "WHERE street = %s " if street is not None else ""
    return db.query(
        f"SELECT {cols}, COUNT(*) AS cases, SUM(counted_members) AS people, "
        f"SUM(CASE WHEN status = 'active' THEN monthly_amount_fen ELSE 0 END) AS monthly_fen "
        f"FROM case_summary {where}GROUP BY {cols} ORDER BY {cols}",
        (street,) if street is not None else (),
    )
