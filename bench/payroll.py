"""Payroll benchmark: a ledger payroll run against the same payouts saved one by one.

Run on PostgreSQL (never part of the test suite):

    scripts/with-postgres .venv/bin/python bench/payroll.py [--cases 20000] [--sample 2000]

It creates a fresh database through the admin URL in LEDGER_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres) and drops it at the end.

Set-up (timed apart, not part of the measured numbers): `--cases` active DIBAO cases, each a
real `AssistanceCase` aggregate driven through its own domain methods (submit, accept, economic
check, home visit, assessment, public notice posted and closed, confirmed by an approver who did
not investigate) and saved 200 aggregates per `ledger.save()`: real events in the real store,
just not one HTTP command each. Then the views are built with the projection runner, so
`payable_cases` has caught up, and the runner is started in the background as `ledger serve`
does (the run waits for the view to reach the ledger's head, its own first event included).

Measured, on the same database:

* payroll run: `Ledger.start_payroll_run("DIBAO", "2024-05", ...)` for every case, reading the
  `payable_cases` view and saving the payouts 500 per transaction with the run; then checked:
  every payout scheduled, a repeat schedules none, the event store holds them.
* one by one (bare library): for another month, the same cases (read once from the view,
  untimed), one `Payout` aggregate each, saved with `ledger.save(payout)`, one transaction
  each; a sample of `--sample` payouts is timed.

It prints payouts per second for both paths and their ratio (aims: the run >= 5,000 payouts/s
and >= 10x the one-by-one path). Exit status: 0 when every step succeeded (aims met or not:
this is a measurement), 1 on any error (set-up, a failed check, an exception).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

from command_load import application as command_application
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database, progress_bar

from api.container import Container, build
from api.settings import Settings
from domain.assistance.assessment import (
    required_parameters,
    review_interval_months,
)
from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from domain.payroll.commands import PayableCase, RunResult
from domain.payroll.payout import Payout
from domain.payroll.run import run_id
from domain.shared.household import check_application
from domain.shared.values import Actor

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AIM_RATE = 5000.0  # payouts per second of the payroll run
AIM_RATIO = 10.0  # payroll run / one by one
PROGRAMME = "DIBAO"
RUN_MONTH, RUN_DAY = "2024-05", date(2024, 5, 20)
BASELINE_MONTH, BASELINE_DAY = "2024-06", "2024-05-21"
PROFILE_MONTH, PROFILE_DAY = "2024-07", date(2024, 6, 20)
SAVE_BATCH = 200  # case aggregates per ledger.save() in the set-up
DISTRICT = "320404"
STREET = "南大街街道"
COMMUNITY = "西瀛里社区"
WORKER = Actor("bench-worker", "caseworker", STREET)
APPROVER = Actor("bench-approver", "approver", "钟楼区民政局")
ADMIN = Actor("bench-admin", "admin", "钟楼区民政局")
PARAMETERS = [  # as in tests/builders.py: what a DIBAO assessment needs
    ("dibao.standard", 108000, "2023-07-01"),
    ("dibao.standard", 111000, "2024-07-01"),
    ("assets.deposit_months", 24, "2023-01-01"),
    ("assets.max_real_estate_units", 1, "2023-01-01"),
]
#: The procedure's dates (tests/builders.py PROCEDURE): confirmed 2024-03-14, paid from 2024-04.
SUBMITTED, ACCEPTED, CHECKED, VISITED, ASSESSED = (
    "2024-03-01", "2024-03-01", "2024-03-04", "2024-03-05", "2024-03-06",
)  # fmt: skip
NOTICE_FROM, NOTICE_TO, CONFIRMED = "2024-03-07", "2024-03-13", "2024-03-14"

out = Console()
err = Console(stderr=True)


class BenchError(Exception):
    """A step of the benchmark went wrong (not a missed aim)."""


# -- databases ------------------------------------------------------------------------------


# -- set-up: active cases through their own domain methods ----------------------------------


def application(index: int) -> dict[str, Any]:
    """bench/commands.py's one-person DIBAO application, submitted on the payroll's day."""
    return command_application(index, occurred_on=SUBMITTED)


def active_case(ledger: Ledger, index: int, params: dict[str, Any]) -> AssistanceCase:
    """One case from submission to confirmation, as the Ledger's commands would drive it."""
    worker, approver = WORKER.as_dict(), APPROVER.as_dict()
    app = application(index)
    members = check_application(app, ledger.pseudonyms)
    applicant = members[0]["person_id"]
    case = AssistanceCase(
        programme=app["programme"], district=ledger.district, street=app["street"],
        community=app["community"], members=members, channel=app["channel"],
        kin_of_staff=app["kin_of_staff"], actor=worker, occurred_on=app["occurred_on"],
        payee={"person_id": applicant, "personal": {"bank_account": f"6222{index:015d}"}},
    )  # fmt: skip
    case.accept(actor=worker, occurred_on=ACCEPTED)
    income = (index % 5) * 10000  # 0 to 400 yuan a month: amounts differ from case to case
    case.complete_economic_check(
        actor=worker, occurred_on=CHECKED,
        incomes=[{"person_id": applicant, "declared_fen": income, "verified_fen": income}],
        property={}, public_servant_match=False, data_source="核对平台",
    )  # fmt: skip
    case.conduct_home_visit(worker, VISITED, ["inv-a", "inv-b"], False, "as declared")
    case.assess_household(worker, ASSESSED, params, [])  # the parameters read once, not per case
    case.post_public_notice(worker, ASSESSED, NOTICE_FROM, NOTICE_TO)
    case.close_public_notice(worker, NOTICE_TO, [])
    interval = review_interval_months(case.programme, False, case.able_to_work)
    case.confirm(approver, CONFIRMED, interval)
    return case


def create_cases(ledger: Ledger, count: int) -> None:
    for name, value, effective_from in PARAMETERS:
        ledger.set_parameter(name, value, effective_from, "bench standard", ADMIN, "2023-01-01")
    names = required_parameters(PROGRAMME, set())
    params: dict[str, Any] = dict(ledger.parameters_in_force(names, date.fromisoformat(ASSESSED)))
    with progress_bar(28) as bar:
        task = bar.add_task("set-up: active cases", total=count)
        for first in range(0, count, SAVE_BATCH):
            last = min(count, first + SAVE_BATCH)
            cases = [active_case(ledger, i, params) for i in range(first, last)]
            ledger.save(*cases)
            bar.advance(task, len(cases))


def catch_up_views(container: Container, label: str) -> None:
    """Build the views in this thread (the runner is not started yet)."""
    head = container.ledger.latest_position()
    with progress_bar(28) as bar:
        task = bar.add_task(label, total=head)

        def progress(_: str, position: int, __: int) -> None:
            bar.update(task, completed=position)

        container.runner.run_once(progress)
        bar.update(task, completed=head)
    if container.runner.failed:
        raise BenchError(f"a projection failed: {container.runner.failed}")


def wait_for_views(container: Container, label: str, timeout: float = 900.0) -> float:
    """Wait until the background runner has applied everything recorded so far."""
    start = time.perf_counter()
    head = container.ledger.latest_position()
    runner = container.runner
    with progress_bar(28) as bar:
        base = min(runner.positions().values())
        task = bar.add_task(label, total=max(head - base, 0))
        while True:
            if runner.failed:
                raise BenchError(f"a projection failed: {runner.failed}")
            behind = min(runner.positions().values())
            bar.update(task, completed=min(max(behind - base, 0), head - base))
            if behind >= head:
                break
            if time.perf_counter() - start > timeout:
                raise BenchError(f"the views did not catch up within {timeout:.0f} s")
            time.sleep(0.1)
    return time.perf_counter() - start


def wait_for_listener(container: Container, timeout: float = 10.0) -> None:
    """Wait until the runner LISTENs, as in a long-running server.

    The run saves its PayrollRunStarted event, then waits for payable_cases to reach it; a
    NOTIFY sent before the LISTEN connection is open is lost and the wait takes a poll interval.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listening = container.db.scalar(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE %s",
            ("LISTEN %",),
        )
        if listening:
            return
        time.sleep(0.05)
    err.print("[yellow]the projection runner is not listening yet; going on[/]")


# -- the measured paths ----------------------------------------------------------------------


@dataclass
class Timed:
    path: str
    payouts: int
    seconds: float
    month: str
    note: str = ""

    @property
    def rate(self) -> float:
        return self.payouts / self.seconds if self.seconds else 0.0


def payroll_run(ledger: Ledger, label: str, expected_batches: int) -> tuple[RunResult, float]:
    """Time one start_payroll_run; the bar moves on each batch the ledger commits."""
    with progress_bar(28) as bar:
        task = bar.add_task(label, total=expected_batches)

        def tick() -> None:
            bar.advance(task)

        ledger.listeners.append(tick)
        try:
            start = time.perf_counter()
            result = ledger.start_payroll_run(PROGRAMME, RUN_MONTH, APPROVER, RUN_DAY)
            seconds = time.perf_counter() - start
        finally:
            ledger.listeners.remove(tick)
        bar.update(task, completed=expected_batches)
    return result, seconds


def scheduled_in_store(container: Container) -> int:
    return int(
        container.db.scalar(
            "SELECT count(*) FROM ledger_events WHERE topic LIKE %s", ("%Payout.PayoutScheduled",)
        )
        or 0
    )


def check(ok: bool, message: str, problems: list[str]) -> None:
    out.print(f"  {'[green]ok[/]' if ok else '[red]FAILED[/]'}  {message}")
    if not ok:
        problems.append(message)


def one_by_one(ledger: Ledger, cases: list[PayableCase], position: int) -> Timed:
    """The bare library: one Payout aggregate and one ledger.save() (one transaction) each."""
    who, on = APPROVER.as_dict(), BASELINE_DAY
    run = run_id(ledger.district, PROGRAMME, BASELINE_MONTH)
    with progress_bar(28) as bar:
        task = bar.add_task("one by one (bare library)", total=len(cases))
        start = time.perf_counter()
        for c in cases:
            amount, reason = c.schedule.payable(BASELINE_MONTH)
            if reason is not None:
                raise BenchError(f"case {c.case_id} is not payable in {BASELINE_MONTH}: {reason}")
            payout = Payout(c.case_id, BASELINE_MONTH, c.programme, c.street, amount,
                            c.payee or {}, position, run, who, on)  # fmt: skip
            ledger.save(payout)
            bar.advance(task)
        seconds = time.perf_counter() - start
    return Timed("one by one (bare library)", len(cases), seconds, BASELINE_MONTH,
                 "scheduled, 1 transaction each")  # fmt: skip


def profile_run(ledger: Ledger, top: int) -> None:
    """cProfile one more run (another month, untimed) and print where its time goes."""
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    result = ledger.start_payroll_run(PROGRAMME, PROFILE_MONTH, APPROVER, PROFILE_DAY)
    profiler.disable()
    seconds = time.perf_counter() - start
    out.print(
        f"\n[bold]profile[/] of start_payroll_run for {PROFILE_MONTH} (under cProfile, "
        f"so slower): {result.scheduled} payouts in {seconds:.2f} s"
    )
    for order in ("tottime", "cumulative"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.strip_dirs().sort_stats(order).print_stats(top)
        out.print(f"[bold]top {top} by {order}[/]")
        out.print(buffer.getvalue().split("\n\n", 1)[-1].rstrip(), markup=False, highlight=False)


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--cases", type=int, default=20000, help="active cases (default 20000)")
    p.add_argument(
        "--sample", type=int, default=2000,
        help="payouts timed on the one-by-one path (default 2000; at most --cases)",
    )  # fmt: skip
    p.add_argument(
        "--profile", type=int, default=0, metavar="N",
        help="after the measurements, cProfile one more run and print the top N functions",
    )  # fmt: skip
    args = p.parse_args(argv)
    if args.cases < 1 or args.sample < 1 or args.profile < 0:
        p.error("--cases and --sample must be at least 1, --profile at least 0")
    args.sample = min(args.sample, args.cases)
    return args


def server_settings(container: Container) -> str:
    """What bounds the one-by-one path: each commit waits for its WAL flush when these are on."""
    names = ["server_version", "fsync", "synchronous_commit"]
    rows = container.db.query(
        "SELECT name, setting FROM pg_settings WHERE name IN (%s, %s, %s)", names
    )
    found = {r["name"]: r["setting"] for r in rows}
    return ", ".join(f"{n}={found.get(n, '?')}" for n in names)


def measure(container: Container, args: argparse.Namespace) -> tuple[list[Timed], list[str]]:
    ledger = container.ledger
    problems: list[str] = []
    out.print(f"PostgreSQL: {server_settings(container)}")
    batches = -(-args.cases // 500)

    start = time.perf_counter()
    create_cases(ledger, args.cases)
    cases_seconds = time.perf_counter() - start
    start = time.perf_counter()
    catch_up_views(container, "set-up: views")
    views_seconds = time.perf_counter() - start
    events = ledger.latest_position()
    out.print(
        f"set-up (not measured): {args.cases:,} active cases, {events:,} events, in "
        f"{cases_seconds:.1f} s ({events / cases_seconds:,.0f} events/s); "
        f"views built in {views_seconds:.1f} s"
    )
    container.runner.start()  # as `ledger serve` does: tails the log, woken by NOTIFY
    wait_for_listener(container)

    run, run_seconds = payroll_run(ledger, "payroll run", batches)
    timed = [Timed("payroll run (ledger)", run.scheduled, run_seconds, RUN_MONTH, "scheduled")]
    out.print(f"payroll run {RUN_MONTH}: {run.scheduled:,} payouts in {run_seconds:.2f} s")
    check(run.scheduled == args.cases, f"{run.scheduled:,} payouts scheduled", problems)
    check(
        not run.skipped,
        f"no case skipped {run.skipped}" if run.skipped else "no case skipped",
        problems,
    )
    stored = scheduled_in_store(container)
    check(stored == args.cases, f"{stored:,} PayoutScheduled events in ledger_events", problems)

    caught_up = wait_for_views(container, "views catch up")
    out.print(f"views caught up with the run {caught_up:.1f} s after it returned (not measured)")
    payouts_view = int(
        container.db.scalar("SELECT count(*) FROM payouts WHERE month = %s", (RUN_MONTH,)) or 0
    )
    check(payouts_view == args.cases, f"{payouts_view:,} rows in the payouts view", problems)

    again, again_seconds = payroll_run(ledger, "payroll run again", batches)
    timed.append(Timed("same run again (idempotent)", again.existing, again_seconds, RUN_MONTH,
                       f"found existing, {again.scheduled} new"))  # fmt: skip
    check(
        again.scheduled == 0 and again.existing == args.cases,
        f"the repeat scheduled {again.scheduled} and found {again.existing:,} existing",
        problems,
    )
    stored = scheduled_in_store(container)
    check(stored == args.cases, f"still {stored:,} PayoutScheduled events", problems)

    assert ledger.payables is not None
    payable, position = ledger.payables.confirmed(PROGRAMME, ledger.latest_position())
    sample = payable[: args.sample]
    timed.append(one_by_one(ledger, sample, position))
    stored = scheduled_in_store(container)
    expected = args.cases + len(sample)
    check(stored == expected, f"{stored:,} PayoutScheduled events after the sample", problems)

    if args.profile:
        wait_for_views(container, "views catch up")
        profile_run(ledger, args.profile)
    return timed, problems


def report(timed: list[Timed], args: argparse.Namespace) -> None:
    table = Table(title=f"Payroll: {args.cases:,} active {PROGRAMME} cases on PostgreSQL")
    table.add_column("path")
    table.add_column("month")
    table.add_column("payouts", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("payouts/s", justify="right")
    table.add_column("what")
    for t in timed:
        row = [t.path, t.month, f"{t.payouts:,}", f"{t.seconds:.2f}", f"{t.rate:,.0f}", t.note]
        table.add_row(*row)
    out.print(table)

    run, baseline = timed[0], timed[-1]
    ratio = run.rate / baseline.rate if baseline.rate else 0.0

    def verdict(ok: bool) -> str:
        return "[green]meets[/]" if ok else "[red]misses[/]"

    out.print(
        f"payroll run: [bold]{run.rate:,.0f}[/] payouts/s "
        f"({verdict(run.rate >= AIM_RATE)} the aim of {AIM_RATE:,.0f}/s)"
    )
    out.print(
        f"ratio payroll run / one by one: [bold]{ratio:.1f}x[/] "
        f"({verdict(ratio >= AIM_RATIO)} the aim of {AIM_RATIO:.0f}x)"
    )
    cores = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    out.print(f"cores: {cores} (usable by this process: {usable})")
    out.print(
        "note: the run's time includes waiting for the payable_cases view and reading it; "
        "the projection runner tails the log in a background thread during both timed paths "
        "(as in `ledger serve`), sharing the GIL and the cores with them and PostgreSQL."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    host = urlparse(admin_url).hostname
    err.print(
        f"[bold]caseledger payroll benchmark[/]: {args.cases:,} active cases, one-by-one sample "
        f"{args.sample:,}, PostgreSQL on {host}"
    )
    try:
        with fresh_database(admin_url, f"caseledger_bench_{os.getpid()}_payroll") as url:
            settings = Settings(database_url=url, run_projections=False, load_demo_when_empty=False)
            container = build(settings)
            try:
                timed, problems = measure(container, args)
            finally:
                container.close()
    except Exception as e:  # any failure is an error of the run, not a missed aim
        err.print(f"[red]benchmark failed: {type(e).__name__}: {e}[/]")
        return 1
    report(timed, args)
    if problems:
        out.print(f"[red]{len(problems)} check(s) failed:[/] " + "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
