"""Rebuild benchmark: `ledger rebuild` of every view against its two baselines (PostgreSQL).

    scripts/with-postgres .venv/bin/python bench/rebuild.py [--cases 5000] [--profile]
    .venv/bin/python bench/rebuild.py --database-url URL [--limit-events N]

The log: by default a fresh database (dropped at the end) holding the demo district (every
kind of event, `--households`), `--cases` active DIBAO cases driven through their own domain
methods and saved 200 per `ledger.save()` (bench/payroll.py's builder, eight events each), and
one payroll run for those cases (a payout event each). With `--database-url`, an existing
populated ledger (e.g. bench/generate.py's province): its events are only read, but its view
tables are cleared and rebuilt (a bench database; never a live one). `--limit-events N`
bounds every phase to the log's first N notifications.

Measured on the same log in the same run, each with its events per second and its peak
resident memory (the high-water mark of that phase alone, from /proc):

1. baseline (a): reading and decoding the log (`select_notifications` and
   `mapper.to_domain_event`, 5,000 a batch), no view written: the floor;
2. baseline (b): every view's handlers driven by the library's own per-event runner
   (`eventsourcing.projection.ProjectionRunner`, one transaction per event, its own tracking
   table, dropped after) over the first `--baseline-events` notifications (it is slow);
3. with `--old-path`, our runner as it was before batching (one transaction per view per
   500 events) over the same first `--baseline-events`;
4. the rebuild: `runner.reset()` then `runner.run_once()`, as `ledger rebuild` does, with
   its rate over the whole log and its spans (first and last fifth; in the scratch mode the
   bulk cases' first and last fifth and the payroll run), and the memory along the way.

`--statements` adds a rebuild with every view statement timed (count, total, mean, by SQL),
PostgreSQL's count of sequential scans per table (pg_stat_user_tables) and EXPLAIN of each
statement; `--profile` one more under cProfile (its top functions by own time); `--drop-index
NAME` first a rebuild with that index dropped (then put back). It prints tables with ratios
and writes JSON (`--json`, var/bench/rebuild.json by default). Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

from payroll import APPROVER, PROGRAMME, RUN_DAY, RUN_MONTH, catch_up_views, create_cases
from rebuild_baselines import (
    Peak,
    count_notifications,
    current_rss_mb,
    library_runner,
    position_of_nth,
    read_and_decode,
)
from rebuild_statements import (
    explain,
    print_rates,
    print_scans,
    print_statements,
    table_scans,
    timed_statements,
)
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database, progress_bar

from api.container import Container, build
from api.demo.district import DemoDistrict
from api.settings import Settings

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
out = Console()
err = Console(stderr=True)


# -- set-up ----------------------------------------------------------------------------------


def build_log(container: Container, households: int, cases: int) -> dict[str, int]:
    ledger = container.ledger
    container.runner.start()  # the demo's payroll runs and death process read views
    with progress_bar(28) as bar:
        task = bar.add_task("set-up: demo district", total=households)
        DemoDistrict(ledger).load(
            households, lambda done, total: bar.update(task, completed=done, total=total)
        )
    container.runner.stop()
    demo_end = ledger.latest_position()
    create_cases(ledger, cases)
    cases_end = ledger.latest_position()
    catch_up_views(container, "set-up: views for payroll")
    ledger.start_payroll_run(PROGRAMME, RUN_MONTH, APPROVER, RUN_DAY)
    return {"demo_end": demo_end, "cases_end": cases_end, "head": ledger.latest_position()}


# -- the rebuild -----------------------------------------------------------------------------


def rebuild(
    container: Container, label: str, stop: int | None = None, memory: list[float] | None = None
) -> list[tuple[float, int]]:
    """Reset every view and catch up (to `stop`); return (seconds since start, position) per
    batch, and the resident memory at each batch in `memory`."""
    runner = container.runner
    head = stop if stop is not None else container.ledger.latest_position()
    samples: list[tuple[float, int]] = []
    with progress_bar(28) as bar:
        task = bar.add_task(label, total=head)
        start = time.perf_counter()
        runner.reset()
        samples.append((time.perf_counter() - start, 0))

        def progress(_: str, position: int, __: int) -> None:
            samples.append((time.perf_counter() - start, position))
            if memory is not None:
                memory.append(current_rss_mb())
            bar.update(task, completed=position)

        runner.run_once(progress, processes=False, until=stop)
    if runner.failed:
        raise RuntimeError(f"a view failed: {runner.failed}")
    return samples


def old_path(container: Container, stop: int, events: int) -> dict[str, Any]:
    """Our runner as before batching: each view's 500 events in a transaction of its own."""
    runner = container.runner
    saved = runner.batched, runner.catch_up_batch_size
    runner.batched, runner.catch_up_batch_size = False, runner.batch_size
    peak = Peak()
    peak.start()
    try:
        samples = rebuild(container, "baseline: runner before", stop)
    finally:
        runner.batched, runner.catch_up_batch_size = saved
    seconds = samples[-1][0]
    return {"events": events, "seconds": seconds, "rate": events / seconds,
            "peak_rss_mb": peak.mb()}  # fmt: skip


def at(samples: list[tuple[float, int]], position: float) -> float:
    """When the rebuild passed `position` (linear between the batches around it)."""
    for (t0, p0), (t1, p1) in itertools.pairwise(samples):
        if p0 <= position <= p1:
            return t0 if p1 == p0 else t0 + (t1 - t0) * (position - p0) / (p1 - p0)
    return samples[-1][0]


def rates(
    samples: list[tuple[float, int]], head: int, marks: dict[str, int] | None
) -> dict[str, dict[str, float]]:
    """Rates over spans of positions (`events` counts positions: a hole is rare)."""
    fifth = head / 5
    spans = {
        "whole log": (0, head),
        "first fifth of the log": (0, fifth),
        "last fifth of the log": (head - fifth, head),
    }
    if marks is not None:
        first, last = marks["demo_end"], marks["cases_end"]
        cases_fifth = (last - first) / 5
        spans |= {
            "first fifth of the bulk cases": (first, first + cases_fifth),
            "last fifth of the bulk cases": (last - cases_fifth, last),
            "payroll run (payouts)": (last, head),
        }
    result = {}
    for name, (p0, p1) in spans.items():
        seconds = at(samples, p1) - at(samples, p0)
        result[name] = {"events": p1 - p0, "seconds": seconds,
                        "rate": (p1 - p0) / seconds if seconds else 0.0}  # fmt: skip
    return result


def without_indexes(container: Container, names: list[str], marks: dict[str, int] | None) -> Any:
    """The plain rebuild with these indexes dropped, then put back as they were (the baseline
    of the same log, in the same run)."""
    found = container.db.query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [names]
    )
    if len(found) != len(names):
        raise RuntimeError(f"no such index among {names}")
    with container.db.transaction() as tx:
        for row in found:
            tx.execute(f"DROP INDEX {row['indexname']}")
    try:
        head = container.ledger.latest_position()
        samples = rebuild(container, "rebuild without " + ", ".join(names))
        rates_without = rates(samples, head, marks)
    finally:
        with container.db.transaction() as tx:
            for row in found:
                tx.execute(row["indexdef"])
    print_rates(rates_without, "rebuild of every view without " + ", ".join(names))
    return {"indexes": names, "rates": rates_without}


def profile(container: Container, top: int, stop: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    rebuild(container, "rebuild under cProfile", stop)
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def print_summary(phases: dict[str, dict[str, Any]]) -> None:
    """Each baseline against the rebuild over the same span of the log."""
    table = Table(title="rebuild of every view against its baselines (same log, same run)")
    for name in ("phase", "events", "seconds", "events/s", "rebuild / it", "peak RSS MB"):
        table.add_column(name, justify="left" if name == "phase" else "right")
    for name, p in phases.items():
        same = [
            q for k, q in phases.items() if k.startswith("rebuild") and q["events"] == p["events"]
        ]
        ours = same[0] if same else phases["rebuild"]
        ratio = "" if name.startswith("rebuild") else f"{ours['rate'] / p['rate']:.2f}x"
        table.add_row(name, f"{p['events']:,}", f"{p['seconds']:.1f}", f"{p['rate']:,.0f}",
                      ratio, f"{p['peak_rss_mb']:.0f}")  # fmt: skip
    out.print(table)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=5000, help="bulk active DIBAO cases")
    parser.add_argument("--households", type=int, default=120, help="demo households first")
    parser.add_argument(
        "--database-url", default=None, metavar="URL",
        help="an existing populated ledger: its views are cleared and rebuilt, nothing dropped",
    )  # fmt: skip
    parser.add_argument(
        "--limit-events", type=int, default=None, metavar="N",
        help="only the log's first N notifications (every phase)",
    )  # fmt: skip
    parser.add_argument(
        "--baseline-events", type=int, default=20000, metavar="N",
        help="the library runner's (and --old-path's) share: the first N notifications",
    )  # fmt: skip
    parser.add_argument("--old-path", action="store_true", help="also our runner before batching")
    parser.add_argument("--statements", action="store_true", help="a rebuild, statements timed")
    parser.add_argument("--profile", action="store_true", help="one more rebuild, profiled")
    parser.add_argument(
        "--drop-index",
        action="append",
        default=[],
        metavar="NAME",
        help="first rebuild once without this index (repeatable): the baseline, same log",
    )
    parser.add_argument("--top", type=int, default=15, help="rows of the statement table")
    parser.add_argument("--json", type=Path, default=Path("var/bench/rebuild.json"))
    return parser.parse_args(argv)


def measure(container: Container, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"database": "given" if args.database_url else "scratch"}
    marks: dict[str, int] | None = None
    if args.database_url is None:
        started = time.perf_counter()
        marks = build_log(container, args.households, args.cases)
        err.print(f"set-up: {marks['head']:,} events in {time.perf_counter() - started:.0f} s")
        result |= {"cases": args.cases, "households": args.households, "marks": marks}
    head = container.ledger.latest_position()
    stop = position_of_nth(container, args.limit_events) if args.limit_events else head
    events = count_notifications(container, stop)
    base_stop = position_of_nth(container, min(args.baseline_events, events))
    base_events = count_notifications(container, base_stop)
    result["log"] = {"head": head, "stop": stop, "events": events,
                     "baseline_stop": base_stop, "baseline_events": base_events}  # fmt: skip
    if args.drop_index:
        result["without"] = without_indexes(container, args.drop_index, marks)
    phases: dict[str, dict[str, Any]] = {}
    phases["read + decode (a)"] = read_and_decode(container, stop)
    phases["library per-event runner (b)"] = library_runner(container, base_stop, base_events)
    if args.old_path:
        phases["our runner before batching"] = old_path(container, base_stop, base_events)
    peak, memory = Peak(), []
    peak.start()
    samples = rebuild(container, "rebuild (all views)", stop, memory)
    seconds = samples[-1][0]
    phases["rebuild"] = {"events": events, "seconds": seconds, "rate": events / seconds,
                         "peak_rss_mb": peak.mb()}  # fmt: skip
    if base_stop < stop:  # the rebuild over the baselines' span, like for like
        early = at(samples, base_stop)
        phases["rebuild, the baselines' span"] = {
            "events": base_events, "seconds": early, "rate": base_events / early,
            "peak_rss_mb": phases["rebuild"]["peak_rss_mb"],
        }  # fmt: skip
    half = len(memory) // 2
    result["rebuild_rss_mb"] = {
        "first half, max": max(memory[:half], default=0.0),
        "second half, max": max(memory[half:], default=0.0),
        "end": memory[-1] if memory else 0.0,
    }
    result["phases"] = phases
    result["fallbacks"] = container.runner.fallbacks  # batches redone view by view: 0 expected
    result["rates"] = rates(samples, stop, marks if stop == head else None)
    print_rates(result["rates"], "the rebuild's spans (runner.reset + run_once)")
    print_summary(phases)
    out.print(f"shared batches redone view by view: {container.runner.fallbacks}")
    out.print("resident memory during the rebuild (MB): " + ", ".join(
        f"{k} {v:.0f}" for k, v in result["rebuild_rss_mb"].items()))  # fmt: skip
    if args.statements and container.db.dialect == "postgres":
        container.db.query("SELECT pg_stat_reset()")
        with timed_statements() as statements:
            rebuild(container, "rebuild (statements timed)", stop)
        scans = table_scans(container)
        explain(container, statements)
        print_statements(statements, args.top)
        print_scans(scans)
        result["statements"] = sorted(
            ({k: v for k, v in e.items() if k != "params"} for e in statements.values()),
            key=lambda e: -e["seconds"],
        )
        result["table_scans"] = scans
    if args.profile:
        result["profile"] = profile(container, 25, stop)
        out.print(result["profile"])
    return result


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(database_url=url, run_projections=False, load_demo_when_empty=False)
    container = build(settings)
    try:
        return measure(container, args)
    finally:
        container.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    try:
        if args.database_url:
            result = run(args.database_url, args)
        else:
            with fresh_database(admin_url, f"caseledger_bench_{os.getpid()}_rebuild") as url:
                result = run(url, args)
    except Exception as e:  # any failure is an error of the run
        err.print(f"[red]benchmark failed: {type(e).__name__}: {e}[/]")
        return 1
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    err.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
