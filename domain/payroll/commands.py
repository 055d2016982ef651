"""The payout commands of the Ledger: payroll runs, bank settlement, reissue, reverse, recover."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.assistance.assessment import PROGRAMMES
from domain.assistance.benefit_schedule import BenefitSchedule
from domain.assistance.case import AssistanceCase
from domain.payroll.payout import Payout, payout_id
from domain.payroll.run import PayrollRun
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.ledger_base import CommandResult, LedgerBase, Options
from domain.shared.parameters import ParameterSchedule, parameter_id
from domain.shared.values import Actor, Json, add_months, check_month, control_character, month_of
from domain.shared.vocabulary import SETTLEMENT_OUTCOMES

T = TypeVar("T", bound=Aggregate)
BATCH = 500  # payouts per transaction: one transaction per payout caps a run at ~700/s
CASE_BATCH = 100  # case aggregates per transaction when a new standard is applied
#: The standards a yearly change (提标) recomputes, and the programmes whose gap they set.
STANDARD_PROGRAMMES = {"dibao.standard": ("DIBAO",), "tekun.standard": ("TEKUN",)}
#: The standard each of those programmes' cases follow.
CASE_STANDARDS = {p: name for name, ps in STANDARD_PROGRAMMES.items() for p in ps}
STANDARD_ACTOR = Actor("standard-change", "system", "钟楼区民政局")
SETTLEMENT_COLUMNS = ["payout_id", "status", "amount_fen", "bank_reference", "reason"]


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
class StandardChangeResult:
    """What applying a standard change did: cases looked at, adjusted, flagged for review."""

    name: str
    version: int
    effective_month: str
    cases: int
    adjusted: int
    flagged: int


def effective_month(effective_from: str) -> str:
    """A change from the 1st counts from that month; from any other day, from the next."""
    month = effective_from[:7]
    return month if effective_from.endswith("-01") else add_months(month, 1)


@dataclass(frozen=True)
class CaseStandardsResult:
    """What bringing one case up to its standards did: the versions applied, by outcome."""

    case_id: UUID
    adjusted: tuple[int, ...] = ()
    flagged: tuple[int, ...] = ()


def standard_month(
    values: list[tuple[str, int, int]], version: int, first_month: str
) -> str | None:
    """The month a standard version counts from for a case first paid in `first_month`.

    None when another version is in force that month (a later start, or a fix of the same
    start), so a superseded or backdated value never overrides the one in force.
    """
    found = [v for v in values if v[2] == version]
    if not found:
        return None
    month = max(effective_month(found[0][0]), first_month)
    started = [v for v in values if v[0] <= f"{month}-01"]
    in_force = max(started, key=lambda v: (v[0], v[2]))
    return month if in_force[2] == version else None


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

    # -- a new standard (提标) --------------------------------------------------------------

    def apply_standard_change(
        self, name: str, version: int, up_to: int | None = None, occurred_on: str | None = None,
        actor: Actor = STANDARD_ACTOR,
    ) -> StandardChangeResult:  # fmt: skip
        """Recompute every active case of the standard's programmes; safe to repeat.

        With `up_to` (the change's own position, as the reaction process passes it), only
        cases confirmed before it; without, every active case still on an older version.
        """
        if name not in STANDARD_PROGRAMMES:
            raise InvalidInput(
                f"name must be one of {', '.join(STANDARD_PROGRAMMES)}", field="name"
            )
        schedule = self.load(parameter_id(self.district, name), ParameterSchedule, "parameter")
        found = [v for v in schedule.values if v[2] == version]
        if not found:
            raise NotFound(f"{name} has no version {version}", field="version")
        effective_from, value, _ = found[0]
        month = effective_month(effective_from)
        on = occurred_on or date.today().isoformat()
        assert self.payables is not None, "the Ledger needs its payable_cases view"
        ids: list[UUID] = []
        for programme in STANDARD_PROGRAMMES[name]:
            cases, _ = self.payables.confirmed(programme, up_to or self.latest_position())
            ids += [
                c.case_id for c in cases
                if (c.schedule.terminated_from is None or c.schedule.terminated_from > month)
                and (up_to is None or c.confirmed_position <= up_to)
                and c.schedule.standards.get(name, 0) < version
                and c.schedule.first_month is not None
                and standard_month(schedule.values, version, c.schedule.first_month) is not None
            ]  # fmt: skip
        outcomes: Counter[str] = Counter()
        for start in range(0, len(ids), CASE_BATCH):
            while True:
                loaded = [self._load_case(i) for i in ids[start : start + CASE_BATCH]]
                done = [
                    (c, c.apply_standard(actor.as_dict(), on, name, version, value, month))
                    for c in loaded
                ]
                changed = [c for c, outcome in done if outcome]
                if changed:
                    try:
                        self.save(*changed)
                    except IntegrityError:  # a caseworker changed one of them meanwhile: reload
                        continue
                    self.saved()
                outcomes.update(outcome for _, outcome in done if outcome)
                break
        return StandardChangeResult(
            name, version, month, len(ids), outcomes["adjusted"], outcomes["flagged"]
        )

    def apply_standards_to_case(
        self, case_id: UUID, occurred_on: str | None = None, actor: Actor = STANDARD_ACTOR
    ) -> CaseStandardsResult:
        """Recompute one case under every standard in force since it was first paid; repeatable.

        Whenever each version was recorded: a standard set in advance (the July raise
        recorded in January) is older than a case assessed and confirmed in March, so
        `apply_standard_change` never sees that case.
        """
        on = occurred_on or date.today().isoformat()
        while True:
            case = self._load_case(case_id)
            name = CASE_STANDARDS.get(case.programme)
            first = case.benefit.first_month
            if name is None or first is None or case.status not in ("active", "suspended"):
                return CaseStandardsResult(case_id)
            schedule = self.load(parameter_id(self.district, name), ParameterSchedule, "parameter")
            outcomes: list[tuple[int, str]] = []
            for _, value, version in sorted(schedule.values, key=lambda v: v[2]):
                month = standard_month(schedule.values, version, first)
                if month is None:
                    continue
                outcome = case.apply_standard(actor.as_dict(), on, name, version, value, month)
                if outcome:
                    outcomes.append((version, outcome))
            if outcomes:
                try:
                    self.save(case)
                except IntegrityError:  # a caseworker changed the case meanwhile: reload
                    continue
                self.saved()
            return CaseStandardsResult(
                case_id,
                tuple(v for v, o in outcomes if o == "adjusted"),
                tuple(v for v, o in outcomes if o == "flagged"),
            )

    def _load_case(self, case_id: UUID) -> AssistanceCase:
        return self.load(case_id, AssistanceCase, "case")

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
            payee = {"personal": {"bank_account": payee_account}} if payee_account else None
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


def parse_settlement(csv_text: str, run: PayrollRun) -> dict[str, tuple[str, str, str]]:
    """Check every line against the run; refuse the whole file if any line is wrong."""
    rows = _settlement_rows(csv_text)
    if not rows or [c.strip() for c in rows[0]] != SETTLEMENT_COLUMNS:
        raise InvalidInput(
            "the settlement file must start with the header " + ",".join(SETTLEMENT_COLUMNS),
            field="file",
        )
    problems: list[dict[str, object]] = []
    outcomes: dict[str, tuple[str, str, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        reason = _line_problem(row, run, outcomes)
        if reason:
            problems.append({"line": number, "reason": reason})
            continue
        key = UUID(row[0].strip()).hex
        outcomes[key] = (row[1].strip(), row[3].strip(), row[4].strip())
    if problems:
        raise InvalidInput(
            f"the settlement file has {len(problems)} bad line(s); nothing was recorded",
            field="file",
            code="settlement_rejected",
            details=problems,
        )
    return outcomes


def _settlement_rows(csv_text: str) -> list[list[str]]:
    """The file's lines as cells; refuse one the CSV reader cannot split (a bare CR, a NUL)."""
    reader = csv.reader(io.StringIO(csv_text.strip()))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error:
        raise InvalidInput(
            f"the settlement file cannot be read at line {reader.line_num}: a carriage return "
            "or control character inside a line (end lines with CRLF or LF only)",
            field="file",
            code="settlement_rejected",
            details=[{"line": reader.line_num, "reason": "a line break inside an unquoted cell"}],
        ) from None
    for number, row in enumerate(rows, start=1):
        if any(control_character(cell) for cell in row):
            raise InvalidInput(
                f"the settlement file has a control character at line {number}",
                field="file",
                code="settlement_rejected",
                details=[{"line": number, "reason": "a control character inside a cell"}],
            )
    return rows


def _line_problem(row: list[str], run: PayrollRun, seen: dict[str, Any]) -> str | None:
    if len(row) != len(SETTLEMENT_COLUMNS):
        return f"expected {len(SETTLEMENT_COLUMNS)} columns, found {len(row)}"
    ident, status, amount, reference, reason = (c.strip() for c in row)
    try:
        key = UUID(ident).hex
    except ValueError:
        return "payout_id is not a payout id"
    if key in seen:
        return "the payout appears twice in the file"
    if key not in run.payouts:
        return "the payout is not part of this run"
    expected, outcome = run.payouts[key]
    if outcome != "pending":
        return f"the payout is already {outcome}"
    if status not in SETTLEMENT_OUTCOMES:
        return "status must be settled or failed"
    if not amount.isdigit() or int(amount) != expected:
        return f"amount_fen {amount or '(empty)'} disagrees with the payout ({expected})"
    if status == "settled" and not reference:
        return "a settled line needs the bank reference"
    if status == "failed" and not reason:
        return "a failed line needs the reason"
    return None
