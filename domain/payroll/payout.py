"""Payout (DOMAIN.md 3.3): one per case and benefit month, so scheduling twice is one payout."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared.errors import DomainError, InvalidInput
from domain.shared.values import Json


def payout_id(case_id: UUID, month: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:payout:{case_id}:{month}")


class Payout(Aggregate):
    """scheduled -> settled | failed; failed -> (reissued) scheduled; settled -> reversed."""

    class Event(Aggregate.Event):
        """Every event says who recorded it (`actor`) and on which day it happened."""

        actor: Json
        occurred_on: str

    class PayoutScheduled(Aggregate.Created):
        case_id: UUID
        month: str
        programme: str
        street: str
        amount_fen: int
        payee: Json
        computed_from_position: int
        run_id: UUID
        actor: Json
        occurred_on: str

    class PayoutSettled(Event):
        bank_reference: str

        def apply(self, payout: Payout) -> None:
            payout.status = "settled"

    class PayoutFailed(Event):
        reason: str

        def apply(self, payout: Payout) -> None:
            payout.status = "failed"

    class PayoutReissued(Event):
        reason: str
        payee: Json | None

        def apply(self, payout: Payout) -> None:
            payout.status = "scheduled"

    class PayoutReversed(Event):
        reason: str

        def apply(self, payout: Payout) -> None:
            payout.status = "reversed"

    class OverpaymentRecovered(Event):
        amount_fen: int
        reason: str

        def apply(self, payout: Payout) -> None:
            payout.recovered_fen += self.amount_fen

    @staticmethod
    def create_id(case_id: UUID, month: str, **_: Any) -> UUID:
        return payout_id(case_id, month)

    @event(PayoutScheduled)
    def __init__(
        self,
        case_id: UUID,
        month: str,
        programme: str,
        street: str,
        amount_fen: int,
        payee: Json,
        computed_from_position: int,
        run_id: UUID,
        actor: Json,
        occurred_on: str,
    ):
        self.case_id = case_id
        self.month = month
        self.payee_person: str | None = payee.get("person_id")  # who a reissue pays
        self.amount_fen = amount_fen
        self.run_id = run_id
        self.status = "scheduled"
        self.recovered_fen = 0

    def settle(self, bank_reference: str, actor: Json, occurred_on: str) -> None:
        self._require("scheduled", "settle")
        if not bank_reference.strip():
            raise InvalidInput("a settled payout needs the bank reference", field="bank_reference")
        self.trigger_event(
            self.PayoutSettled, bank_reference=bank_reference, actor=actor, occurred_on=occurred_on
        )

    def fail(self, reason: str, actor: Json, occurred_on: str) -> None:
        self._require("scheduled", "record a failure of")
        if not reason.strip():
            raise InvalidInput("a failed payout needs the bank's reason", field="reason")
        self.trigger_event(self.PayoutFailed, reason=reason, actor=actor, occurred_on=occurred_on)

    def reissue(self, reason: str, payee: Json | None, actor: Json, occurred_on: str) -> None:
        self._require("failed", "reissue")
        if not reason.strip():
            raise InvalidInput("a reissue needs a reason", field="reason")
        self.trigger_event(
            self.PayoutReissued, reason=reason, payee=payee, actor=actor, occurred_on=occurred_on
        )

    def reverse(self, reason: str, actor: Json, occurred_on: str) -> None:
        self._require("settled", "reverse")
        if not reason.strip():
            raise InvalidInput("a reversal needs a reason", field="reason")
        self.trigger_event(self.PayoutReversed, reason=reason, actor=actor, occurred_on=occurred_on)

    def recover(self, amount_fen: int, reason: str, actor: Json, occurred_on: str) -> None:
        if self.status not in ("settled", "reversed"):
            raise DomainError(
                f"only money paid out can be recovered; the payout is {self.status}",
                code="wrong_status",
            )
        outstanding = self.amount_fen - self.recovered_fen
        if not 0 < amount_fen <= outstanding:
            raise InvalidInput(
                f"the recovery must be between 1 and {outstanding} fen (paid, not yet recovered)",
                field="amount_fen",
            )
        if not reason.strip():
            raise InvalidInput("a recovery needs a reason", field="reason")
        self.trigger_event(
            self.OverpaymentRecovered, amount_fen=amount_fen, reason=reason, actor=actor,
            occurred_on=occurred_on,
        )  # fmt: skip

    def _require(self, status: str, doing: str) -> None:
        if self.status != status:
            raise DomainError(
                f"cannot {doing} a payout that is {self.status} (needs {status})",
                code="wrong_status",
            )


#: The payout events that change a payout already scheduled (the views read its row for them).
CHANGES = (
    Payout.PayoutSettled, Payout.PayoutFailed, Payout.PayoutReissued, Payout.PayoutReversed,
    Payout.OverpaymentRecovered,
)  # fmt: skip
