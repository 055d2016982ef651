"""The payout commands of the Ledger: payroll runs, bank settlement, reissue, reverse, recover."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.assistance.assessment import PROGRAMMES
from domain.assistance.benefit_schedule import BenefitSchedule
from domain.payroll.payout import Payout, payout_id
from domain.payroll.run import PayrollRun
from domain.payroll.settlement import parse_settlement
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.ledger_base import CommandResult, LedgerBase, Options
from domain.shared.values import Actor, Json, add_months, check_month, month_of

T = TypeVar("T", bound=Aggregate)
BATCH = 500  # payouts per transaction: one transaction per payout caps a run at ~700/s


@dataclass(frozen=True)
class PayableCase:
    """What a payroll run needs of a case, read from the `payable_cases` view."""

    case_id: UUID
    programme: str
    street: str
    schedule: BenefitSchedule
    payee: Json | None
    confirmed_position: int = 0  # where its confirmation is in the ledger


class PayableCases(Protocol):
    """Confirmed cases of a programme, caught up to `up_to`; returns them and the position."""

    def confirmed(self, programme: str, up_to: int) -> tuple[list[PayableCase], int]: ...


@dataclass(frozen=True)
class RunResult:
    id: UUID
    version: int
    position: int
    scheduled: int
    existing: int
    payouts: int
    total_fen: int
    skipped: dict[str, int] = field(default_factory=dict)


class PayrollCommands(LedgerBase):
    payables: PayableCases | None = None

    def get_run(self, run: UUID, expected_version: int | None = None) -> PayrollRun:
        return self.load(run, PayrollRun, "payroll run", expected_version)

    def get_payout(self, payout: UUID) -> Payout:
        return self.load(payout, Payout, "payout")

    # -- scheduling -------------------------------------------------------------------------

    def start_payroll_run(self, programme: str, month: str, actor: Actor, today: date) -> RunResult:
        """Schedule every due payout of a programme and month; safe to repeat or run twice."""
        self.authorize(actor)
        if programme not in PROGRAMMES:
            raise InvalidInput(
                f"programme must be one of {', '.join(PROGRAMMES)}", field="programme"
            )
        check_month(month, "month")
        if month > add_months(month_of(today), 1):
            raise InvalidInput("a run may be scheduled at most for next month", field="month")
        who, on = actor.as_dict(), today.isoformat()
        up_to = self.latest_position()  # before the run's own first event: cases are what count
        run = self._open_run(programme, month, who, on)
        run.add_payouts({}, 0, who, on)  # refuses early when the run is already approved
        assert self.payables is not None, "the Ledger needs its payable_cases view"
        cases, position = self.payables.confirmed(programme, up_to)

        skipped: Counter[str] = Counter()
        due: list[tuple[PayableCase, int]] = []
        for case in cases:
            amount, reason = case.schedule.payable(month)
            if reason is None and case.payee is None:
                reason = "no payee account is recorded"
            if reason is not None:
                skipped[reason] += 1
            else:
                due.append((case, amount))

        scheduled = existing = 0
        for start in range(0, len(due), BATCH):
            chunk = due[start : start + BATCH]
            while True:
                fresh = [
                    (c, a) for c, a in chunk if payout_id(c.case_id, month).hex not in run.payouts
                ]
                payouts = [
                    Payout(c.case_id, month, c.programme, c.street, a, c.payee or {}, position,
                           run.id, who, on)
                    for c, a in fresh
                ]  # fmt: skip
                run.add_payouts({p.id.hex: p.amount_fen for p in payouts}, position, who, on)
                try:
                    self.save(run, *payouts)
                except IntegrityError:  # another scheduler added to the run: see what it did
                    run = self.get_run(run.id)
                    continue
                scheduled += len(payouts)
                existing += len(chunk) - len(fresh)
                break
            self.saved()
        return self._finish_scheduling(run, scheduled, existing, dict(skipped), who, on)

    def _open_run(self, programme: str, month: str, who: Json, on: str) -> PayrollRun:
        try:
            return self.get_run(PayrollRun.create_id(self.district, programme, month))
        except NotFound:
            run = PayrollRun(self.district, programme, month, who, on)
            try:
                self.save(run)
            except IntegrityError:  # started at the same moment by someone else
                return self.get_run(run.id)
            self.saved()
            return run

    def _finish_scheduling(
        self, run: PayrollRun, scheduled: int, existing: int, skipped: dict[str, int],
        who: Json, on: str,
    ) -> RunResult:  # fmt: skip
        while True:
            run.record_scheduling(scheduled, existing, skipped, who, on)
            try:
                recordings = self.save(run)
                break
            except IntegrityError:
                run = self.get_run(run.id)
        self.saved()
        return RunResult(
            id=run.id,
            version=run.version,
            position=recordings[-1].notification.id,
            scheduled=scheduled,
            existing=existing,
            payouts=len(run.payouts),
            total_fen=sum(a for a, _ in run.payouts.values()),
            skipped=skipped,
        )

    def approve_payroll_run(
        self, run: UUID, actor: Actor, on: str, expected_version: int | None = None
    ) -> CommandResult:
        def act() -> Aggregate:
            found = self.get_run(run, expected_version)
            found.approve(actor.as_dict(), on)
            return found

        return self.execute(act, actor=actor)

    # -- the bank's settlement file -----------------------------------------------------------

    def record_settlement(
        self, run: UUID, csv_text: str, actor: Actor, on: str, expected_version: int | None = None
    ) -> CommandResult:
        """All or nothing: a file with any bad line is refused whole, naming every bad line."""

        def act() -> tuple[Aggregate, ...]:
            found = self.get_run(run, expected_version)
            outcomes = parse_settlement(csv_text, found)
            payouts = []
            for key, (status, reference, reason) in outcomes.items():
                payout = self.get_payout(UUID(key))
                if status == "settled":
                    payout.settle(reference, actor.as_dict(), on)
                else:
                    payout.fail(reason, actor.as_dict(), on)
                payouts.append(payout)
            settled = [k for k, o in outcomes.items() if o[0] == "settled"]
            failed = [k for k, o in outcomes.items() if o[0] == "failed"]
            digest = hashlib.sha256(csv_text.encode()).hexdigest()
            found.record_settlement(digest, settled, failed, actor.as_dict(), on)
            return (found, *payouts)

        return self.execute(act, actor=actor)

    # -- corrections by new events --------------------------------------------------------------

    def reissue_payout(
        self, payout: UUID, actor: Actor, *, occurred_on: str, reason: str,
        payee_account: str | None = None, **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Reissue a failed payout, optionally to a new account; it reopens in its run."""

        def act(found: Payout) -> Aggregate:
            who = actor.as_dict()
            payee = (
                {"person_id": found.payee_person, "personal": {"bank_account": payee_account}}
                if payee_account
                else None
            )
            found.reissue(reason, payee, who, occurred_on)
            run = self.get_run(found.run_id)
            run.reopen(found.id.hex, who, occurred_on)
            return run

        payload = {"occurred_on": occurred_on, "reason": reason, "payee_account": payee_account}
        return self.change(
            payout, Payout, "payout", act, actor, command="reissue", payload=payload, **options
        )

    def reverse_payout(
        self, payout: UUID, actor: Actor, *, occurred_on: str, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Reverse a settled payout, with the reason."""
        return self.change(
            payout, Payout, "payout", lambda p: p.reverse(reason, actor.as_dict(), occurred_on),
            actor, command="reverse", payload={"occurred_on": occurred_on, "reason": reason},
            **options,
        )  # fmt: skip

    def recover_overpayment(
        self, payout: UUID, actor: Actor, *, occurred_on: str, amount_fen: int, reason: str,
        **options: Unpack[Options],
    ) -> CommandResult:  # fmt: skip
        """Record an overpayment of a payout recovered, in fen."""
        payload = {"occurred_on": occurred_on, "amount_fen": amount_fen, "reason": reason}
        return self.change(
            payout, Payout, "payout",
            lambda p: p.recover(amount_fen, reason, actor.as_dict(), occurred_on), actor,
            command="recover", payload=payload, **options,
        )  # fmt: skip
