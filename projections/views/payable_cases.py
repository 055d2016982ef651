"""payable_cases: which confirmed cases could be paid, on what schedule, to which account?

Payroll runs read it instead of loading every case aggregate; the schedule is the domain's own
BenefitSchedule, so the view decides each month exactly as the aggregate would.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from uuid import UUID

from domain.assistance.benefit_schedule import BenefitSchedule
from domain.assistance.case import AssistanceCase
from domain.deaths.notification import DeathNotification
from domain.payroll.commands import PayableCase
from domain.shared.errors import Unavailable
from domain.shared.personal_data import fallback_owner
from projections import tracking
from projections.buffer import Lookup, Rows
from projections.store import Database, Tx
from projections.tracking import wait_for_position
from projections.view import Projection, handles

#: The schedules a batch changes, read in one query (`prefetch`).
SCHEDULES = Lookup("payable_cases", "case_id", "case_id, schedule")
#: The case events that change a schedule.
CHANGES = (
    AssistanceCase.EligibilityConfirmed, AssistanceCase.BenefitAdjusted,
    AssistanceCase.EarlyWarningRaised, AssistanceCase.BenefitSuspended,
    AssistanceCase.BenefitResumed, AssistanceCase.MemberDeathRecorded,
    AssistanceCase.GradualExitStarted, AssistanceCase.PayeeChanged,
    AssistanceCase.BenefitTerminated,
)  # fmt: skip


class PayableCases(Projection):
    name = "payable_cases"
    tables = ("payable_cases", "payable_deaths")

    @handles(AssistanceCase.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        payee = getattr(e, "payee", None)
        counted = [m["person_id"] for m in e.members if m["counted"]]
        schedule = BenefitSchedule(counted=counted, payee=(payee or {}).get("person_id"))
        raw = tx.memo[("payable_cases", str(e.originator_id))] = json.dumps(schedule.to_json())
        Rows.of(tx, "payable_cases", "case_id").insert(tx, {  # sent with the batch's others
            "case_id": str(e.originator_id), "programme": e.programme, "street": e.street,
            "schedule": raw, "payee": self._payee(payee, e.originator_id), "position": position,
        })  # fmt: skip

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """The schedules a batch's case events change, in one read, not one a case."""
        SCHEDULES.prefetch(tx, (
            key for _, e in todo
            if isinstance(e, CHANGES)
            and ("payable_cases", key := str(e.originator_id)) not in tx.memo
        ))  # fmt: skip

    def _change(self, tx: Tx, e: Any, position: int, change: Any, confirmed: bool = False) -> None:
        memo = ("payable_cases", str(e.originator_id))  # only this view writes the schedule
        raw = tx.memo.get(memo)
        if raw is None:  # read by the batch's prefetch (or now); then kept in the memo
            row = SCHEDULES.get(tx, memo[1])
            if row is None:
                raise LookupError(f"case {memo[1]} has no payable schedule")
            raw = row["schedule"]
        schedule = BenefitSchedule.from_json(json.loads(raw))
        change(schedule)
        raw = tx.memo[memo] = json.dumps(schedule.to_json())
        changes: dict[str, Any] = {"schedule": raw, "position": position}
        if confirmed:
            changes.update(confirmed_on=e.occurred_on, confirmed_position=position)
        Rows.of(tx, "payable_cases", "case_id").update(tx, memo[1], changes)

    @handles(AssistanceCase.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        def start(s: BenefitSchedule) -> None:
            s.start(e.first_paid_month, e.monthly_amount_fen)
            s.record_standards(e.parameters)

        self._change(tx, e, position, start, True)

    @handles(AssistanceCase.BenefitAdjusted)
    def adjusted(self, tx: Tx, e: Any, position: int) -> None:
        def adjust(s: BenefitSchedule) -> None:
            s.adjust(e.effective_month, e.monthly_amount_fen)
            s.record_standards(getattr(e, "parameters", None))  # absent from older events

        self._change(tx, e, position, adjust)

    @handles(AssistanceCase.EarlyWarningRaised)
    def warned(self, tx: Tx, e: Any, position: int) -> None:
        parameters = getattr(e, "parameters", None)  # a standard_review names its version
        if parameters:
            self._change(tx, e, position, lambda s: s.record_standards(parameters))

    @handles(AssistanceCase.BenefitSuspended)
    def suspended(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.suspend(e.from_month))

    @handles(AssistanceCase.BenefitResumed)
    def resumed(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.resume(e.from_month))

    @handles(AssistanceCase.MemberDeathRecorded)
    def member_died(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.record_death(e.person_id, e.death_month))

    @handles(AssistanceCase.GradualExitStarted)
    def gradual_exit(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.end_gradual_exit(e.until_month))

    def _payee(self, payee: Any, case_id: Any) -> str | None:
        """The payee as JSON, its account sealed with the payee's key."""
        return json.dumps(self.sealed_blocks(payee, fallback_owner(case_id))) if payee else None

    @handles(AssistanceCase.PayeeChanged)
    def payee_changed(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.change_payee(e.payee["person_id"]))
        Rows.of(tx, "payable_cases", "case_id").update(
            tx, str(e.originator_id), {"payee": self._payee(e.payee, e.originator_id)}
        )

    @handles(DeathNotification.DeathReported)
    def death_reported(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "INSERT INTO payable_deaths (notification_id, person_id, position) VALUES (%s, %s, %s)",
            (str(e.originator_id), e.person_id, position),
        )

    @handles(DeathNotification.DeathVerified)
    def death_verified(self, tx: Tx, e: Any, position: int) -> None:
        tx.execute(
            "UPDATE payable_deaths SET death_month = %s, position = %s WHERE notification_id = %s",
            (e.date_of_death[:7], position, str(e.originator_id)),
        )

    @handles(AssistanceCase.BenefitTerminated)
    def terminated(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.terminate(e.effective_month))


class PayableCasesView:
    """The domain's PayableCases, read once the view has caught up with the ledger."""

    def __init__(
        self, db: Database, timeout: float = 30.0, progressed: threading.Condition | None = None
    ):
        self.db = db
        self.timeout = timeout
        self.progressed = progressed

    def confirmed(self, programme: str, up_to: int) -> tuple[list[PayableCase], int]:
        names = [PayableCases.name]
        if not wait_for_position(self.db, names, up_to, self.timeout, self.progressed):
            raise Unavailable(
                "the payable-cases view is behind the ledger; try the run again in a moment",
                code="views_behind",
            )
        position = tracking.position(self.db, PayableCases.name)
        rows = self.db.query(
            "SELECT case_id, programme, street, schedule, payee, confirmed_position"
            " FROM payable_cases"
            " WHERE programme = %s AND confirmed_on IS NOT NULL ORDER BY case_id",
            (programme,),
        )
        verified = {
            r["person_id"]: r["death_month"]
            for r in self.db.query(
                "SELECT person_id, death_month FROM payable_deaths WHERE death_month IS NOT NULL"
            )
        }
        cases = [
            PayableCase(
                case_id=UUID(r["case_id"]),
                programme=r["programme"],
                street=r["street"],
                schedule=_with_deaths(
                    BenefitSchedule.from_json(json.loads(r["schedule"])), verified
                ),
                payee=json.loads(r["payee"]) if r["payee"] else None,
                confirmed_position=int(r["confirmed_position"] or 0),
            )
            for r in rows
        ]
        return cases, position


def _with_deaths(schedule: BenefitSchedule, verified: dict[str, str]) -> BenefitSchedule:
    schedule.learn_deaths(verified)
    return schedule
