"""PayrollRun (DOMAIN.md 3.3): the payouts of one programme and month, approved and reconciled.

The run records each batch of payouts it schedules in the same transaction as the payouts, so
a run killed half-way resumes from what it recorded, and two schedulers never double a payout.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import DomainError
from domain.shared.values import Json


def run_id(district: str, programme: str, month: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:payroll:{district}:{programme}:{month}")


class PayrollRun(Aggregate):
    """started -> scheduled (any number of times) -> approved -> reconciled."""

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

    class PayrollRunStarted(Aggregate.Created):
        district: str
        programme: str
        month: str
        actor: Json
        occurred_on: str

    class PayoutsAdded(Event):
        payouts: dict[str, int]
        position: int

        def apply(self, run: PayrollRun) -> None:
            for key, amount in self.payouts.items():
                run.payouts[key] = [amount, "pending"]

    class PayrollRunScheduled(Event):
        scheduled: int
        existing: int
        skipped: dict[str, int]
        payouts: int
        total_fen: int

        def apply(self, run: PayrollRun) -> None:
            run.status = "scheduled"

    class PayrollRunApproved(Event):
        payouts: int
        total_fen: int

        def apply(self, run: PayrollRun) -> None:
            run.status = "approved"

    class SettlementRecorded(Event):
        file_sha256: str
        settled: list[str]
        failed: list[str]
        settled_fen: int
        failed_fen: int

        def apply(self, run: PayrollRun) -> None:
            run.settlements.add(self.file_sha256)
            for key in self.settled:
                run.payouts[key][1] = "settled"
            for key in self.failed:
                run.payouts[key][1] = "failed"

    class PayoutReopened(Event):
        payout: str
        amount_fen: int

        def apply(self, run: PayrollRun) -> None:
            run.payouts[self.payout][1] = "pending"

    class PayrollRunReconciled(Event):
        payouts: int
        settled_fen: int

        def apply(self, run: PayrollRun) -> None:
            run.status = "reconciled"

    @staticmethod
    def create_id(district: str, programme: str, month: str, **_: Any) -> UUID:
        return run_id(district, programme, month)

    @event(PayrollRunStarted)
    def __init__(self, district: str, programme: str, month: str, actor: Json, occurred_on: str):
        self.programme = programme
        self.month = month
        self.status = "started"
        #: payout id (hex) -> [amount_fen, outcome: pending | settled | failed]
        self.payouts: dict[str, list[Any]] = {}
        self.settlements: set[str] = set()

    def add_payouts(
        self, payouts: dict[str, int], position: int, actor: Json, occurred_on: str
    ) -> None:
        self._require_open()
        fresh = {k: v for k, v in payouts.items() if k not in self.payouts}
        if fresh:
            self.trigger_event(
                self.PayoutsAdded, payouts=fresh, position=position, actor=actor,
                occurred_on=occurred_on,
            )  # fmt: skip

    def record_scheduling(
        self, scheduled: int, existing: int, skipped: dict[str, int], actor: Json, occurred_on: str
    ) -> None:
        self._require_open()
        total = sum(a for a, _ in self.payouts.values())
        self.trigger_event(
            self.PayrollRunScheduled, scheduled=scheduled, existing=existing, skipped=skipped,
            payouts=len(self.payouts), total_fen=total, actor=actor, occurred_on=occurred_on,
        )  # fmt: skip

    def approve(self, actor: Json, occurred_on: str) -> None:
        if self.status != "scheduled":
            raise DomainError(
                f"only a scheduled run can be approved; this one is {self.status}",
                code="wrong_status",
            )
        total = sum(a for a, _ in self.payouts.values())
        self.trigger_event(
            self.PayrollRunApproved, payouts=len(self.payouts), total_fen=total, actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip

    def record_settlement(
        self, file_sha256: str, settled: list[str], failed: list[str], actor: Json,
        occurred_on: str,
    ) -> None:  # fmt: skip
        if self.status != "approved":
            raise DomainError(
                f"a settlement file is taken only for an approved run; this one is {self.status}",
                code="wrong_status",
            )
        if file_sha256 in self.settlements:
            raise DomainError("this settlement file was already recorded", code="duplicate_file")
        settled_fen = sum(self.payouts[k][0] for k in settled)
        failed_fen = sum(self.payouts[k][0] for k in failed)
        self.trigger_event(
            self.SettlementRecorded, file_sha256=file_sha256, settled=settled, failed=failed,
            settled_fen=settled_fen, failed_fen=failed_fen, actor=actor, occurred_on=occurred_on,
        )  # fmt: skip
        if all(outcome == "settled" for _, outcome in self.payouts.values()):
            paid = sum(a for a, _ in self.payouts.values())
            self.trigger_event(
                self.PayrollRunReconciled, payouts=len(self.payouts), settled_fen=paid,
                actor=actor, occurred_on=occurred_on,
            )  # fmt: skip

    def reopen(self, payout: str, actor: Json, occurred_on: str) -> None:
        """A failed payout is reissued: it is pending again until a later file settles it."""
        if self.payouts.get(payout, [0, ""])[1] != "failed":
            raise DomainError(
                "only a failed payout of this run can be reopened", code="wrong_status"
            )
        self.trigger_event(
            self.PayoutReopened, payout=payout, amount_fen=self.payouts[payout][0], actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip

    def _require_open(self) -> None:
        if self.status not in ("started", "scheduled"):
            raise DomainError(
                f"the run is {self.status}: an approved run is corrected only by new events "
                "(reissue, reverse, recover), not by scheduling again",
                code="run_approved",
            )
