"""Standard-change benchmark: a new DIBAO standard (提标) applied to every active case.

Run on PostgreSQL (never part of the test suite):

    scripts/with-postgres .venv/bin/python bench/standard_change.py [--cases 5000] [--sample 500]

Set-up as in bench/payroll.py (`--cases` active DIBAO cases through their own domain methods,
assessed under 108,000 fen), views built. Then `dibao.standard` is raised to 114,000 fen from
2024-08-01 and, with the reaction process taken out of the runner so that nothing races the
measurement, timed on the same database:

* batched: `Ledger.apply_standard_change("dibao.standard", v)`, which reads the active cases
  from `payable_cases` and saves the recomputed cases 100 aggregates per transaction; then
  checked: every case adjusted, a repeat adjusts none, the August run pays the new amounts.
* one by one: after a further raise, a sample of `--sample` cases loaded, recomputed and saved
  one `ledger.save(case)` (one transaction) each.

It prints cases per second for both and their ratio. Exit status: 0 when every step succeeded,
1 on any error or failed check.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date

from payroll import ADMIN, APPROVER, PROGRAMME, catch_up_views, create_cases
from rich.console import Console
from scratch_database import fresh_database

from api.container import Container, build
from api.settings import Settings
from domain.assistance.case import AssistanceCase
from domain.ledger import Ledger
from projections.reactions.standard_changes import StandardChanges

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RAISED, AGAIN = 114_000, 117_000
out = Console()
err = Console(stderr=True)


def expected_august_total(cases: int) -> int:
    """bench/payroll.py gives case i an income of (i % 5) x 10,000 fen, one person each."""
    return sum(RAISED - (i % 5) * 10_000 for i in range(cases))


def one_by_one(ledger: Ledger, version: int, sample: int) -> float:
    assert ledger.payables is not None
    cases, _ = ledger.payables.confirmed(PROGRAMME, ledger.latest_position())
    start = time.perf_counter()
    for c in cases[:sample]:
        case = ledger.repository.get(c.case_id)
        assert isinstance(case, AssistanceCase)
        case.apply_standard(APPROVER.as_dict(), "2024-08-20", "dibao.standard", version, AGAIN,
                            "2024-09")  # fmt: skip
        ledger.save(case)
    return time.perf_counter() - start


def measure(container: Container, args: argparse.Namespace) -> list[str]:
    ledger, problems = container.ledger, []

    def check(ok: bool, message: str) -> None:
        out.print(f"  {'[green]ok[/]' if ok else '[red]FAILED[/]'}  {message}")
        if not ok:
            problems.append(message)

    create_cases(ledger, args.cases)
    container.runner.processes = [
        p for p in container.runner.processes if not isinstance(p, StandardChanges)
    ]
    raised = ledger.set_parameter("dibao.standard", RAISED, "2024-08-01", "bench 提标", ADMIN,
                                  "2024-07-20")  # fmt: skip
    catch_up_views(container, "set-up: views")

    start = time.perf_counter()
    result = ledger.apply_standard_change(
        "dibao.standard", raised.version, occurred_on="2024-07-21"
    )
    batched = time.perf_counter() - start
    check(result.adjusted == args.cases, f"{result.adjusted:,} cases adjusted from 2024-08")
    catch_up_views(container, "views catch up")
    start = time.perf_counter()
    again = ledger.apply_standard_change("dibao.standard", raised.version)
    repeat = time.perf_counter() - start
    check(again.adjusted == 0, f"the repeat adjusted {again.adjusted}")
    august = ledger.start_payroll_run(PROGRAMME, "2024-08", APPROVER, date(2024, 8, 20))
    expected = expected_august_total(args.cases)
    check(august.total_fen == expected, f"the August run pays {august.total_fen:,} fen")

    further = ledger.set_parameter("dibao.standard", AGAIN, "2024-09-01", "bench 提标 again",
                                   ADMIN, "2024-08-20")  # fmt: skip
    catch_up_views(container, "views catch up")
    single = one_by_one(ledger, further.version, args.sample)

    batched_rate, single_rate = args.cases / batched, args.sample / single
    out.print(f"batched: {args.cases:,} cases in {batched:.2f} s = {batched_rate:,.0f} cases/s;"
              f" the idempotent repeat took {repeat:.2f} s")  # fmt: skip
    out.print(f"one by one: {args.sample:,} cases in {single:.2f} s = {single_rate:,.0f} cases/s")
    out.print(f"ratio batched / one by one: [bold]{batched_rate / single_rate:.1f}x[/]")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--cases", type=int, default=5000)
    p.add_argument("--sample", type=int, default=500)
    args = p.parse_args(argv)
    args.sample = max(1, min(args.sample, args.cases))
    admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    try:
        with fresh_database(admin_url, f"caseledger_bench_{os.getpid()}_standard") as url:
            settings = Settings(database_url=url, run_projections=False, load_demo_when_empty=False)
            container = build(settings)
            try:
                problems = measure(container, args)
            finally:
                container.close()
    except Exception as e:  # any failure is an error of the run
        err.print(f"[red]benchmark failed: {type(e).__name__}: {e}[/]")
        return 1
    if problems:
        out.print(f"[red]{len(problems)} check(s) failed:[/] " + "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
