"""Rebuild benchmark: `ledger rebuild`'s path over a log of a few thousand cases (PostgreSQL).

    scripts/with-postgres .venv/bin/python bench/rebuild.py [--cases 5000] [--profile]

Set-up (untimed), in a fresh database dropped at the end: the demo district (every kind of
event, `--households`), then `--cases` active DIBAO cases driven through their own domain
methods and saved 200 per `ledger.save()` (bench/payroll.py's builder, eight events each),
then one payroll run for those cases (a payout event each).

Measured, each on the same log, by the runner's rebuild path (`runner.reset()` then
`runner.run_once()`, as `ledger rebuild` does):

1. a plain rebuild: events per second over the whole log, its first and last fifth, and the
   first and last fifth of the bulk cases' events (like with like: only the view tables grew);
   with `--drop-index NAME`, first the same rebuild with that index dropped (and then put
   back): the baseline, on the same log in the same run;
2. the same rebuild with every view statement timed (count, total, mean, keyed by its SQL),
   and PostgreSQL's own count of sequential scans per table over it (pg_stat_user_tables);
   then EXPLAIN of each statement with the parameters it was first run with, naming any
   `Seq Scan` on a table;
3. with `--profile`, the rebuild again under cProfile (its top functions by own time).

It prints tables and writes JSON (`--json`, var/bench/rebuild.json by default). Exit status 1 on
any error, 0 otherwise (a measurement, no aim).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import re
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from payroll import APPROVER, PROGRAMME, RUN_DAY, RUN_MONTH, catch_up_views, create_cases
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database, progress_bar

from api.container import Container, build
from api.demo.district import DemoDistrict
from api.settings import Settings
from projections import store

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
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


def rebuild(container: Container, label: str) -> list[tuple[float, int]]:
    """Reset every view and catch up; return (seconds since start, position) per batch."""
    runner = container.runner
    head = container.ledger.latest_position()
    samples: list[tuple[float, int]] = []
    with progress_bar(28) as bar:
        task = bar.add_task(label, total=head)
        start = time.perf_counter()
        runner.reset()
        samples.append((time.perf_counter() - start, 0))

        def progress(_: str, position: int, __: int) -> None:
            samples.append((time.perf_counter() - start, position))
            bar.update(task, completed=position)

        runner.run_once(progress, processes=False)
    if runner.failed:
        raise RuntimeError(f"a view failed: {runner.failed}")
    return samples


def at(samples: list[tuple[float, int]], position: float) -> float:
    """When the rebuild passed `position` (linear between the batches around it)."""
    for (t0, p0), (t1, p1) in itertools.pairwise(samples):
        if p0 <= position <= p1:
            return t0 if p1 == p0 else t0 + (t1 - t0) * (position - p0) / (p1 - p0)
    return samples[-1][0]


def rates(samples: list[tuple[float, int]], marks: dict[str, int]) -> dict[str, dict[str, float]]:
    head = marks["head"]
    first, last = marks["demo_end"], marks["cases_end"]
    fifth, cases_fifth = head / 5, (last - first) / 5
    spans = {
        "whole log": (0, head),
        "first fifth of the log": (0, fifth),
        "last fifth of the log": (head - fifth, head),
        "first fifth of the bulk cases": (first, first + cases_fifth),
        "last fifth of the bulk cases": (last - cases_fifth, last),
        "payroll run (payouts)": (last, head),
    }
    result = {}
    for name, (p0, p1) in spans.items():
        seconds = at(samples, p1) - at(samples, p0)
        result[name] = {"events": p1 - p0, "seconds": seconds, "rate": (p1 - p0) / seconds}
    return result


# -- statements ------------------------------------------------------------------------------


def key_of(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r"\((?:%s, )+%s\)", "(%s, ...)", sql)


@contextmanager
def timed_statements() -> Iterator[dict[str, dict[str, Any]]]:
    """Time every view statement (Tx.execute/executemany) while the block runs."""
    seen: dict[str, dict[str, Any]] = {}
    execute, executemany = store.Tx.execute, store.Tx.executemany

    def note(sql: str, params: Sequence[Any], seconds: float, rows: int) -> None:
        entry = seen.setdefault(key_of(sql), {"sql": sql, "params": params, "calls": 0, "rows": 0,
                                             "seconds": 0.0})  # fmt: skip
        entry["calls"] += 1
        entry["rows"] += rows
        entry["seconds"] += seconds

    def timed_execute(self: store.Tx, sql: str, params: Sequence[Any] = ()) -> None:
        start = time.perf_counter()
        execute(self, sql, params)
        note(sql, tuple(params), time.perf_counter() - start, 1)

    def timed_executemany(self: store.Tx, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        start = time.perf_counter()
        executemany(self, sql, rows)
        if rows:
            note(sql, tuple(rows[0]), time.perf_counter() - start, len(rows))

    store.Tx.execute = timed_execute  # type: ignore[method-assign]
    store.Tx.executemany = timed_executemany  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        store.Tx.execute, store.Tx.executemany = execute, executemany  # type: ignore[method-assign]


def explain(container: Container, statements: dict[str, dict[str, Any]]) -> None:
    """EXPLAIN each statement with its first parameters (in a transaction rolled back)."""
    for entry in statements.values():
        sql = entry["sql"].strip()
        # The reset's DELETE of a whole table scans it by design: not a lookup.
        whole = re.match(r"(?is)^delete from \w+$", sql)
        if whole or not re.match(r"(?is)^(select|update|delete|insert)\b", sql):
            entry["plan"], entry["seq_scans"] = "", []
            continue
        try:
            rows = container.db.query(f"EXPLAIN {sql}", entry["params"])
            plan = "\n".join(r["QUERY PLAN"] for r in rows)
        except Exception as e:  # a statement EXPLAIN cannot take: say so, go on
            plan = f"(no plan: {type(e).__name__})"
        entry["plan"], entry["seq_scans"] = plan, sorted(set(SEQ_SCAN.findall(plan)))


def table_scans(container: Container) -> list[dict[str, Any]]:
    time.sleep(2)  # PostgreSQL 15 flushes each backend's table statistics within a second
    return container.db.query(
        "SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) AS idx_scan, n_live_tup"
        " FROM pg_stat_user_tables WHERE seq_scan > 0 AND seq_tup_read > 0"
        " ORDER BY seq_tup_read DESC"
    )


# -- reporting -------------------------------------------------------------------------------


def without_indexes(container: Container, names: list[str], marks: dict[str, int]) -> Any:
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
        rates_without = rates(rebuild(container, "rebuild without " + ", ".join(names)), marks)
    finally:
        with container.db.transaction() as tx:
            for row in found:
                tx.execute(row["indexdef"])
    print_rates(rates_without, "rebuild of every view without " + ", ".join(names))
    return {"indexes": names, "rates": rates_without}


def print_rates(found: dict[str, dict[str, float]], title: str) -> None:
    table = Table(title=title)
    for name in ("span", "events", "seconds", "events/s"):
        table.add_column(name, justify="left" if name == "span" else "right")
    for name, r in found.items():
        table.add_row(name, f"{r['events']:,.0f}", f"{r['seconds']:.2f}", f"{r['rate']:,.0f}")
    out.print(table)


def print_statements(statements: dict[str, dict[str, Any]], top: int) -> None:
    table = Table(title=f"view statements during one rebuild (top {top} by total time)", width=160)
    for name in ("statement", "calls", "rows", "total s", "mean ms", "seq scan on"):
        table.add_column(name, justify="left" if name in ("statement", "seq scan on") else "right")
    ranked = sorted(statements.values(), key=lambda e: -e["seconds"])[:top]
    for e in ranked:
        table.add_row(
            key_of(e["sql"])[:110], f"{e['calls']:,}", f"{e['rows']:,}", f"{e['seconds']:.2f}",
            f"{1000 * e['seconds'] / e['calls']:.3f}", ", ".join(e.get("seq_scans", [])),
        )  # fmt: skip
    out.print(table)


def print_scans(scans: list[dict[str, Any]]) -> None:
    table = Table(title="sequential scans during that rebuild (pg_stat_user_tables)")
    for name in ("table", "seq scans", "rows read by them", "index scans", "rows now"):
        table.add_column(name, justify="left" if name == "table" else "right")
    for s in scans:
        table.add_row(s["relname"], f"{s['seq_scan']:,}", f"{s['seq_tup_read']:,}",
                      f"{s['idx_scan']:,}", f"{s['n_live_tup']:,}")  # fmt: skip
    out.print(table)


def profile(container: Container, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    rebuild(container, "rebuild under cProfile")
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=5000, help="bulk active DIBAO cases")
    parser.add_argument("--households", type=int, default=120, help="demo households first")
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
    started = time.perf_counter()
    marks = build_log(container, args.households, args.cases)
    err.print(f"set-up: {marks['head']:,} events in {time.perf_counter() - started:.0f} s")
    result: dict[str, Any] = {"cases": args.cases, "households": args.households, "marks": marks}
    if args.drop_index:
        result["without"] = without_indexes(container, args.drop_index, marks)
    found = rates(rebuild(container, "rebuild (plain)"), marks)
    print_rates(found, "rebuild of every view (runner.reset + run_once)")
    container.db.query("SELECT pg_stat_reset()")
    with timed_statements() as statements:
        rebuild(container, "rebuild (statements timed)")
    scans = table_scans(container)
    explain(container, statements)
    print_statements(statements, args.top)
    print_scans(scans)
    result |= {
        "rates": found,
        "statements": sorted(
            ({k: v for k, v in e.items() if k != "params"} for e in statements.values()),
            key=lambda e: -e["seconds"],
        ),
        "table_scans": scans,
    }  # fmt: skip
    if args.profile:
        result["profile"] = profile(container, 25)
        out.print(result["profile"])
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    try:
        with fresh_database(admin_url, f"caseledger_bench_{os.getpid()}_rebuild") as url:
            settings = Settings(database_url=url, run_projections=False, load_demo_when_empty=False)
            container = build(settings)
            try:
                result = measure(container, args)
            finally:
                container.close()
    except Exception as e:  # any failure is an error of the run
        err.print(f"[red]benchmark failed: {type(e).__name__}: {e}[/]")
        return 1
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    err.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
