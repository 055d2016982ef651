"""payable_cases: which confirmed cases could be paid, on what schedule, to which account?

Payroll runs read it instead of loading every case aggregate; the schedule is the domain's own
BenefitSchedule, so the view decides each month exactly as the aggregate would.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from uuid import UUID

from domain.assistance_case import AssistanceCase as C
from domain.benefit_schedule import BenefitSchedule
from domain.errors import Unavailable
from domain.payroll_commands import PayableCase
from projections import tracking
from projections.base import Projection, handles
from projections.db import Database, Tx
from projections.tracking import wait_for_position


class PayableCases(Projection):
    name = "payable_cases"
    tables = ("payable_cases",)

    @handles(C.ApplicationSubmitted)
    def submitted(self, tx: Tx, e: Any, position: int) -> None:
        payee = getattr(e, "payee", None)
        counted = [m["person_id"] for m in e.members if m["counted"]]
        tx.execute(
            "INSERT INTO payable_cases (case_id, programme, street, schedule, payee, position)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (
                str(e.originator_id), e.programme, e.street,
                json.dumps(BenefitSchedule(counted=counted).to_json()),
                json.dumps(payee) if payee else None, position,
            ),
        )  # fmt: skip

    def _change(self, tx: Tx, e: Any, position: int, change: Any, confirmed: bool = False) -> None:
        raw = tx.scalar(
            "SELECT schedule FROM payable_cases WHERE case_id = %s", (str(e.originator_id),)
        )
        schedule = BenefitSchedule.from_json(json.loads(raw))
        change(schedule)
        extra = ", confirmed_on = %s" if confirmed else ""
        params: list[Any] = [json.dumps(schedule.to_json()), position]
        if confirmed:
            params.append(e.occurred_on)
        tx.execute(
            f"UPDATE payable_cases SET schedule = %s, position = %s{extra} WHERE case_id = %s",
            [*params, str(e.originator_id)],
        )

    @handles(C.EligibilityConfirmed)
    def confirmed(self, tx: Tx, e: Any, position: int) -> None:
        self._change(
            tx, e, position, lambda s: s.start(e.first_paid_month, e.monthly_amount_fen), True
        )

    @handles(C.BenefitAdjusted)
    def adjusted(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.adjust(e.effective_month, e.monthly_amount_fen))

    @handles(C.BenefitSuspended)
    def suspended(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.suspend(e.from_month))

    @handles(C.BenefitResumed)
    def resumed(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.resume(e.from_month))

    @handles(C.MemberDeathRecorded)
    def member_died(self, tx: Tx, e: Any, position: int) -> None:
        self._change(tx, e, position, lambda s: s.record_death(e.person_id, e.death_month))

    @handles(C.BenefitTerminated)
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
            "SELECT case_id, programme, street, schedule, payee FROM payable_cases"
            " WHERE programme = %s AND confirmed_on IS NOT NULL ORDER BY case_id",
            (programme,),
        )
        cases = [
            PayableCase(
                case_id=UUID(r["case_id"]),
                programme=r["programme"],
                street=r["street"],
                schedule=BenefitSchedule.from_json(json.loads(r["schedule"])),
                payee=json.loads(r["payee"]) if r["payee"] else None,
            )
            for r in rows
        ]
        return cases, position
