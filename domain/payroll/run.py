"""PayrollRun (DOMAIN.md 3.3): the payouts of one programme and month, approved and reconciled.

The run records each batch of payouts it schedules in the same transaction as the payouts, so
a run killed half-way resumes from what it recorded, and two schedulers never double a payout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import DomainError
from domain.shared.values import Json


def run_id(district: str, programme: str, month: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:payroll:{district}:{programme}:{month}")


class PayrollRun(Aggregate):
    """started -> scheduled (any number of times) -> approved -> reconciled."""

    if TYPE_CHECKING:  # the @event decorators below create these classes at runtime
        PayrollRunStarted: ClassVar[type[Aggregate.Event]]
        PayoutsAdded: ClassVar[type[Aggregate.Event]]
        PayrollRunScheduled: ClassVar[type[Aggregate.Event]]
        PayrollRunApproved: ClassVar[type[Aggregate.Event]]
        SettlementRecorded: ClassVar[type[Aggregate.Event]]
        PayoutReopened: ClassVar[type[Aggregate.Event]]
        PayrollRunReconciled: ClassVar[type[Aggregate.Event]]

    @staticmethod
    def create_id(district: str, programme: str, month: str, **_: Any) -> UUID:
        return run_id(district, programme, month)

    @event("PayrollRunStarted")
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
            self._add(fresh, position, actor, occurred_on)

    @event("PayoutsAdded")
    def _add(self, payouts: dict[str, int], position: int, actor: Json, occurred_on: str) -> None:
        for key, amount in payouts.items():
            self.payouts[key] = [amount, "pending"]

    def record_scheduling(
        self, scheduled: int, existing: int, skipped: dict[str, int], actor: Json, occurred_on: str
    ) -> None:
        self._require_open()
        total = sum(a for a, _ in self.payouts.values())
        self._scheduled(scheduled, existing, skipped, len(self.payouts), total, actor, occurred_on)

    @event("PayrollRunScheduled")
    def _scheduled(
        self, scheduled: int, existing: int, skipped: dict[str, int], payouts: int,
        total_fen: int, actor: Json, occurred_on: str,
    ) -> None:  # fmt: skip
        self.status = "scheduled"

    def approve(self, actor: Json, occurred_on: str) -> None:
        if self.status != "scheduled":
            raise DomainError(
                f"only a scheduled run can be approved; this one is {self.status}",
                code="wrong_status",
            )
        total = sum(a for a, _ in self.payouts.values())
        self._approve(len(self.payouts), total, actor, occurred_on)

    @event("PayrollRunApproved")
    def _approve(self, payouts: int, total_fen: int, actor: Json, occurred_on: str) -> None:
        self.status = "approved"

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
        self._settlement(file_sha256, settled, failed, settled_fen, failed_fen, actor, occurred_on)
        if all(outcome == "settled" for _, outcome in self.payouts.values()):
            paid = sum(a for a, _ in self.payouts.values())
            self._reconciled(len(self.payouts), paid, actor, occurred_on)

    @event("SettlementRecorded")
    def _settlement(
        self, file_sha256: str, settled: list[str], failed: list[str], settled_fen: int,
        failed_fen: int, actor: Json, occurred_on: str,
    ) -> None:  # fmt: skip
        self.settlements.add(file_sha256)
        for key in settled:
            self.payouts[key][1] = "settled"
        for key in failed:
            self.payouts[key][1] = "failed"

    @event("PayrollRunReconciled")
    def _reconciled(self, payouts: int, settled_fen: int, actor: Json, occurred_on: str) -> None:
        self.status = "reconciled"

    def reopen(self, payout: str, actor: Json, occurred_on: str) -> None:
        """A failed payout is reissued: it is pending again until a later file settles it."""
        if self.payouts.get(payout, [0, ""])[1] != "failed":
            raise DomainError(
                "only a failed payout of this run can be reopened", code="wrong_status"
            )
        self._reopen(payout, self.payouts[payout][0], actor, occurred_on)

    @event("PayoutReopened")
    def _reopen(self, payout: str, amount_fen: int, actor: Json, occurred_on: str) -> None:
        self.payouts[payout][1] = "pending"

    def _require_open(self) -> None:
        if self.status not in ("started", "scheduled"):
            raise DomainError(
                f"the run is {self.status}: an approved run is corrected only by new events "
                "(reissue, reverse, recover), not by scheduling again",
                code="run_approved",
            )
