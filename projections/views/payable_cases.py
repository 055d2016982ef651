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
from projections.buffer import Owned
from projections.store import Database, Tx
from projections.tracking import wait_for_position
from projections.view import Projection, handles

#: The cases' schedules (only this view writes them): a batch's read in one query
#: (`prefetch`), written with the batch's other writes, remembered as written.
SCHEDULES = Owned("payable_cases", "case_id", "case_id, schedule")
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
        SCHEDULES.insert(tx, {
            "case_id": str(e.originator_id), "programme": e.programme, "street": e.street,
            "schedule": json.dumps(schedule.to_json()),
            "payee": self._payee(payee, e.originator_id), "position": position,
        })  # fmt: skip

    def prefetch(self, tx: Tx, todo: list[tuple[int, Any]]) -> None:
        """The schedules a batch's case events change, in one read, not one a case."""
        SCHEDULES.prefetch(tx, (str(e.originator_id) for _, e in todo if isinstance(e, CHANGES)))

    def _change(self, tx: Tx, e: Any, position: int, change: Any, confirmed: bool = False) -> None:
        case_id = str(e.originator_id)
        row = SCHEDULES.get(tx, case_id)  # read by the batch's prefetch, or as last written
        if row is None:
            raise LookupError(f"case {case_id} has no payable schedule")
        schedule = BenefitSchedule.from_json(json.loads(row["schedule"]))
        change(schedule)
        changes: dict[str, Any] = {"schedule": json.dumps(schedule.to_json()), "position": position}
        if confirmed:
            changes.update(confirmed_on=e.occurred_on, confirmed_position=position)
        SCHEDULES.update(tx, case_id, changes)

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
        SCHEDULES.update(tx, str(e.originator_id), {"payee": self._payee(e.payee, e.originator_id)})

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
