"""A13 temporary-assistance abuse: advance aid left without paperwork, grants over the cap.

Three defects: advance aid (先行救助) whose paperwork is not completed by its `paperwork_due`
(N calendar days, `temporary.paperwork_days`): fires on the first business day after, or at a
late completion, and the paperwork cures it (resolved, on record); a grant over the cap in
force without a case conference (legacy data: the write side refuses it); and several grants
to one household (sharing a member) within `temporary.repeat_window_days` (90 when never
set) before the latest, whose sum exceeds the cap in force at the latest.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from domain.shared.clock import BusinessDay
from domain.shared.parameters import ParameterSchedule
from domain.temporary.case import TemporaryAssistanceCase
from domain.temporary.limits import REPEAT_WINDOW_DEFAULT_DAYS, REPEAT_WINDOW_PARAMETER, yuan
from projections.audit.rule import AuditRule
from projections.store import Row, Tx
from projections.view import handles

Case = TemporaryAssistanceCase


class TemporaryAssistanceAbuse(AuditRule):
    name = "audit_a13"
    tables = ("audit_a13_cases", "audit_a13_grants", "audit_a13_windows", "audit_a13_schedules")
    rule = "A13"
    severity = "high"
    title = "temporary-assistance abuse"
    title_zh = "临时救助违规"

    # -- the window parameter -------------------------------------------------------------

    @handles(ParameterSchedule.ParameterScheduleOpened)
    def opened(self, tx: Tx, e: Any, position: int) -> None:
        if e.name == REPEAT_WINDOW_PARAMETER:
            tx.execute(
                "INSERT INTO audit_a13_schedules (schedule_id) VALUES (%s)", [str(e.originator_id)]
            )

    @handles(ParameterSchedule.ParameterSet)
    def parameter_set(self, tx: Tx, e: Any, position: int) -> None:
        known = tx.scalar(
            "SELECT schedule_id FROM audit_a13_schedules WHERE schedule_id = %s",
            [str(e.originator_id)],
        )
        if known is not None:
            tx.execute(
                "INSERT INTO audit_a13_windows (version, effective_from, days) VALUES (%s, %s, %s)",
                [e.originator_version, e.effective_from, e.value],
            )

    def _window_days(self, tx: Tx, on: str) -> int:
        rows = tx.query(
            "SELECT days FROM audit_a13_windows WHERE effective_from <= %s"
            " ORDER BY effective_from DESC, version DESC LIMIT 1",
            [on],
        )
        return int(rows[0]["days"]) if rows else REPEAT_WINDOW_DEFAULT_DAYS

    # -- the cases ------------------------------------------------------------------------

    @handles(Case.HelpRequested)
    def requested(self, tx: Tx, e: Any, position: int) -> None:
        household = sorted(m["person_id"] for m in e.members)
        tx.execute(
            "INSERT INTO audit_a13_cases (case_id, street, household, paperwork_due, fired,"
            " evidence) VALUES (%s, %s, %s, NULL, 0, %s)",
            [str(e.originator_id), e.street, json.dumps(household), json.dumps([position])],
        )

    def _case(self, tx: Tx, e: Any) -> Row | None:
        found = tx.query("SELECT * FROM audit_a13_cases WHERE case_id = %s", [str(e.originator_id)])
        return found[0] if found else None

    @handles(Case.AdvanceAidGranted)
    def advanced(self, tx: Tx, e: Any, position: int) -> None:
        case = self._case(tx, e)
        if case is None:
            return
        evidence = [*json.loads(case["evidence"]), position]
        tx.execute(
            "UPDATE audit_a13_cases SET paperwork_due = %s, evidence = %s WHERE case_id = %s",
            [e.paperwork_due, json.dumps(evidence), case["case_id"]],
        )
        self._granted(tx, e, position, case, "advance aid")

    @handles(Case.GrantApproved)
    def approved(self, tx: Tx, e: Any, position: int) -> None:
        case = self._case(tx, e)
        if case is not None:
            self._granted(tx, e, position, case, "a grant")

    @handles(Case.PaperworkCompleted)
    def documented(self, tx: Tx, e: Any, position: int) -> None:
        case = self._case(tx, e)
        if case is None or case["paperwork_due"] is None:
            return
        late = e.occurred_on > case["paperwork_due"]
        if late and not case["fired"]:
            self._overdue(tx, position, case, f"completed late, on {e.occurred_on}", e.occurred_on)
        if late or case["fired"]:
            self.cured(tx, position, key=f"{case['case_id']}:paperwork")
        tx.execute(
            "UPDATE audit_a13_cases SET paperwork_due = NULL WHERE case_id = %s", [case["case_id"]]
        )

    @handles(BusinessDay.Began)
    def day(self, tx: Tx, e: Any, position: int) -> None:
        """Every paperwork due before this day and not completed fires (one day catches up)."""
        overdue = tx.query(
            "SELECT * FROM audit_a13_cases WHERE fired = 0 AND paperwork_due < %s"
            " ORDER BY paperwork_due, case_id",
            [e.date],
        )
        for case in overdue:
            self._overdue(tx, position, case, f"still not completed on {e.date}", e.date)

    def _overdue(self, tx: Tx, position: int, case: Row, state: str, on: str) -> None:
        tx.execute("UPDATE audit_a13_cases SET fired = 1 WHERE case_id = %s", [case["case_id"]])
        self.found(
            tx, position, key=f"{case['case_id']}:paperwork", street=case["street"],
            case_id=case["case_id"], evidence=json.loads(case["evidence"]), occurred_on=on,
            summary=(
                f"the paperwork of advance aid, due by {case['paperwork_due']}, was {state}"
            ),
        )  # fmt: skip

    # -- the cap ----------------------------------------------------------------------------

    def _granted(self, tx: Tx, e: Any, position: int, case: Row, what: str) -> None:
        case_id, street, on = case["case_id"], case["street"], e.occurred_on
        if e.amount_fen > e.cap_fen and not e.case_conference:
            self.found(
                tx, position, key=f"{case_id}:cap", street=street, case_id=case_id,
                evidence=[], occurred_on=on,
                summary=(
                    f"{what} of {yuan(e.amount_fen)} is over the cap of {yuan(e.cap_fen)} "
                    "without a case conference decision (一事一议)"
                ),
            )  # fmt: skip
        tx.execute(
            "INSERT INTO audit_a13_grants (case_id, household, granted_on, amount_fen, position)"
            " VALUES (%s, %s, %s, %s, %s)",
            [case_id, case["household"], on, e.amount_fen, position],
        )
        days = self._window_days(tx, on)
        since = (date.fromisoformat(on) - timedelta(days=days)).isoformat()
        members = set(json.loads(case["household"]))
        grants = [
            g for g in tx.query(
                "SELECT * FROM audit_a13_grants WHERE granted_on >= %s AND granted_on <= %s",
                [since, on],
            )
            if members & set(json.loads(g["household"]))
        ]  # fmt: skip
        total = sum(int(g["amount_fen"]) for g in grants)
        if len(grants) >= 2 and total > e.cap_fen:
            self.found(
                tx, position, key=f"{case_id}:repeat", street=street, case_id=case_id,
                evidence=[int(g["position"]) for g in grants], occurred_on=on,
                summary=(
                    f"{len(grants)} temporary grants to one household within {days} days "
                    f"total {yuan(total)}, over the cap of {yuan(e.cap_fen)}"
                ),
            )  # fmt: skip
