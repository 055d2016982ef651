"""GraphQL read benchmark: each supervisor's query over real HTTP against its direct SQL.

    scripts/with-postgres .venv/bin/python bench/graphql.py [--cases 2000] [--threads 8]
        [--requests 40] [--database-url URL] [--json var/bench/graphql.json]

Scratch mode (the default) writes a province-year with bench/generate.py's Generator into a
fresh database (through the admin URL in LEDGER_TEST_POSTGRES_URL), catches the views up and
drops the database at the end. `--database-url URL` uses an existing populated database
instead: nothing is dropped and no event is written (the views are caught up first, which
only writes view rows when they are behind, e.g. a view added since the log was written).

The real app is served by `ledger serve` in a subprocess (or uvicorn in a thread) and asked
over HTTP by `--threads` keep-alive clients, `--requests` times each, with a supervisor's
token of the whole district. For every query the same answer is computed by direct SQL over
the view rows (psycopg, the same threads), and checked equal to the GraphQL answer; the
GraphQL floor is `{ __typename }` over the same HTTP path. The aim (issue 12) is
GraphQL p95 <= 3 x (SQL p95 + floor p95), a case by id under 25 ms and the district KPIs
under 100 ms at the 95th percentile.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from graphql_load import Latencies, Measured, measure
from graphql_questions import AIM_CASE_MS, AIM_KPIS_MS, AIM_RATIO, DEFAULT_ADMIN_URL
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database, progress_bar
from serving import serve_subprocess as serve_process
from serving import serve_thread

from api.auth import issue_token
from api.container import build
from api.settings import Settings
from projections.backends import DatabaseUrl
from projections.store import Database

out = Console(width=150)
err = Console(stderr=True)

# -- the database ---------------------------------------------------------------------------


def generate(url: str, cases: int, seed: int) -> int:
    """Write a province-year of `cases` cases into the empty database; catch up the views."""
    from bench.generate import Generator

    container = build(Settings(database_url=url, run_projections=False))
    try:
        with progress_bar(36) as bar:
            Generator(container, cases, seed).run(bar)
        catch_up(container, processes=True)
        return int(container.ledger.latest_position())
    finally:
        container.close()


def catch_up(container: Any, processes: bool) -> None:
    head = int(container.ledger.latest_position())
    with progress_bar(36) as bar:
        task = bar.add_task("views: catching up", total=head)

        def progress(_what: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        container.runner.run_once(progress, processes=processes)
        bar.update(task, completed=head)


def existing(url: str) -> int:
    container = build(Settings(database_url=url, run_projections=False))
    try:
        catch_up(container, processes=False)  # never a command on someone's database
        return int(container.ledger.latest_position())
    finally:
        container.close()


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=2000, help="scratch mode: cases (default 2000)")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--threads", type=int, default=8, help="concurrent callers (default 8)")
    p.add_argument("--requests", type=int, default=40, help="requests per caller (default 40)")
    p.add_argument("--quick", action="store_true", help="500 cases, 15 requests per caller")
    p.add_argument(
        "--database-url",
        default=None,
        help="an existing populated PostgreSQL database (kept; no event written)",
    )
    p.add_argument("--server", choices=["subprocess", "thread"], default="subprocess")
    p.add_argument(
        "--workers", type=int, default=1,
        help="API worker processes of the served app (ledger serve --workers N; PostgreSQL)",
    )  # fmt: skip
    p.add_argument("--scratch-name", default=None, help="scratch mode: the database's name")
    p.add_argument("--json", type=Path, default=Path("var/bench/graphql.json"))
    p.add_argument(
        "--baseline-code",
        type=Path,
        default=None,
        help="first measure `ledger serve` from this checkout (e.g. the code before "
        "a change), on the same database, for a before/after table",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.cases, args.requests = 500, 15
    if args.workers < 1 or (args.workers > 1 and args.server == "thread"):
        p.error("--workers must be at least 1, and above 1 needs --server subprocess")
    return args


def cpu(found: Latencies) -> str:
    return "" if found.server_cpu_ms is None else f"{found.server_cpu_ms:.1f}"


def report(
    args: argparse.Namespace, events: int, floor: Latencies, results: list[Measured]
) -> dict[str, Any]:
    table = Table(title=f"GraphQL over HTTP against direct SQL, {events:,} events, "
                        f"{args.threads} concurrent callers")  # fmt: skip
    for name in ("query", "GraphQL p50 ms", "GraphQL p95 ms", "SQL p50 ms", "SQL p95 ms",
                 "GraphQL / (SQL + floor), p95", "server CPU ms/req", "same answer"):  # fmt: skip
        table.add_column(name, justify="left" if name == "query" else "right")
    table.add_row("floor { __typename }", f"{floor.median:.1f}", f"{floor.ms(0.95):.1f}",
                  "", "", "", cpu(floor), "")  # fmt: skip
    rows = []
    for m in results:
        ratio = m.ratio(floor)
        mark = "green" if ratio <= AIM_RATIO else "red"
        table.add_row(
            m.name, f"{m.graphql.median:.1f}", f"{m.graphql.ms(0.95):.1f}",
            f"{m.sql.median:.2f}", f"{m.sql.ms(0.95):.2f}", f"[{mark}]{ratio:.2f}[/]",
            cpu(m.graphql), "yes" if m.same_answer else "[red]NO[/]",
        )  # fmt: skip
        rows.append({
            "query": m.name, "graphql_p50_ms": round(m.graphql.median, 2),
            "graphql_p95_ms": round(m.graphql.ms(0.95), 2), "sql_p50_ms": round(m.sql.median, 3),
            "sql_p95_ms": round(m.sql.ms(0.95), 3), "ratio_p95": round(ratio, 2),
            "server_cpu_ms": m.graphql.server_cpu_ms,
            "same_answer": m.same_answer, "errors": m.graphql.errors + m.sql.errors,
        })  # fmt: skip
    out.print(table)
    case, kpis = results[0], results[3]
    all_met = all(r["ratio_p95"] <= AIM_RATIO for r in rows)
    out.print(
        f"aims: case by id p95 {case.graphql.ms(0.95):.1f} ms (aim < {AIM_CASE_MS:.0f}); "
        f"supervisionKpis p95 {kpis.graphql.ms(0.95):.1f} ms (aim < {AIM_KPIS_MS:.0f}); every "
        f"ratio <= {AIM_RATIO:.0f}: {'yes' if all_met else 'no'}"
    )
    out.print(f"cores: {os.cpu_count()}; server: {args.server}, {args.workers} worker(s); "
              f"{args.requests} requests x "
              f"{args.threads} callers per row; SQL: psycopg from the same threads")  # fmt: skip
    return {
        "benchmark": "graphql", "events": events, "threads": args.threads,
        "requests_per_thread": args.requests, "server": args.server, "workers": args.workers,
        "database": "existing" if args.database_url else f"scratch, {args.cases} cases",
        "floor_p50_ms": round(floor.median, 2), "floor_p95_ms": round(floor.ms(0.95), 2),
        "floor_server_cpu_ms": floor.server_cpu_ms,
        "queries": rows, "aims": {"ratio": AIM_RATIO, "case_p95_ms": AIM_CASE_MS,
                                  "kpis_p95_ms": AIM_KPIS_MS},
    }  # fmt: skip


#: `ledger serve` catches the views and processes up before it answers: on a large log that
#: has not been served yet, minutes.
STARTUP_SECONDS = 3600.0


def serve_subprocess(
    url: str, secret: str, log: Path, workers: int = 1
) -> AbstractContextManager[tuple[str, int | None]]:
    """`ledger serve` in a subprocess, as in production (bench/commands.py's, a longer wait)."""
    return serve_process(url, secret, log, workers, startup_timeout=STARTUP_SECONDS)


@contextmanager
def code_from(directory: Path | None) -> Iterator[None]:
    """`ledger serve` from another checkout's code (PYTHONPATH), e.g. the code before a change."""
    if directory is None:
        yield
        return
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(directory.resolve())
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before


def run(args: argparse.Namespace, url: str, events: int) -> int:
    secret = Settings().jwt_secret.get_secret_value()
    token = issue_token(secret, "bench-supervisor", "supervisor", None, ttl_hours=2)
    db = Database(DatabaseUrl.parse(url), pool_size=args.threads + 2)
    log = Path(f"/tmp/caseledger-bench-graphql-{os.getpid()}.log")
    baseline: list[Measured] = []
    try:
        if args.baseline_code:
            with (
                code_from(args.baseline_code),
                serve_subprocess(url, secret, log, args.workers) as (base, _),
            ):
                err.print(f"baseline: the server from {args.baseline_code}")
                _, baseline = measure(base, _, token, db, args.threads, args.requests)
        server = serve_subprocess(url, secret, log, args.workers) \
            if args.server == "subprocess" else \
            serve_thread(url, secret)  # fmt: skip
        with server as (base, pid):
            floor, results = measure(base, pid, token, db, args.threads, args.requests)
    finally:
        db.close()
    figures = report(args, events, floor, results)
    if baseline:
        figures["baseline"] = compare(args.baseline_code, baseline, results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n")
    out.print(f"written {args.json}")
    failed = [m for m in results if m.graphql.errors or m.sql.errors or not m.same_answer]
    for m in failed:
        out.print(f"[red]{m.name}[/]: {m.graphql.samples + m.sql.samples or 'answers differ'}")
    return 1 if failed else 0


def compare(code: Path, before: list[Measured], after: list[Measured]) -> dict[str, Any]:
    table = Table(title=f"GraphQL p95 before (server from {code}) and after, same database")
    for name in ("query", "before p50 ms", "before p95 ms", "after p50 ms", "after p95 ms",
                 "after / before, p95", "server CPU ms/req before", "after"):  # fmt: skip
        table.add_column(name, justify="left" if name == "query" else "right")
    rows = []
    for b, a in zip(before, after, strict=True):
        ratio = a.graphql.ms(0.95) / b.graphql.ms(0.95) if b.graphql.ms(0.95) else 0.0
        table.add_row(
            b.name, f"{b.graphql.median:.1f}", f"{b.graphql.ms(0.95):.1f}",
            f"{a.graphql.median:.1f}", f"{a.graphql.ms(0.95):.1f}", f"{ratio:.2f}",
            cpu(b.graphql), cpu(a.graphql),
        )  # fmt: skip
        rows.append({"query": b.name, "before_p50_ms": round(b.graphql.median, 2),
                     "before_p95_ms": round(b.graphql.ms(0.95), 2),
                     "after_p50_ms": round(a.graphql.median, 2),
                     "after_p95_ms": round(a.graphql.ms(0.95), 2),
                     "after_over_before_p95": round(ratio, 2),
                     "before_server_cpu_ms": b.graphql.server_cpu_ms,
                     "after_server_cpu_ms": a.graphql.server_cpu_ms,
                     "before_same_answer": b.same_answer})  # fmt: skip
    out.print(table)
    return {"code": str(code), "queries": rows}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.database_url:
            return run(args, args.database_url, existing(args.database_url))
        admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
        name = args.scratch_name or f"caseledger_bench_{os.getpid()}_graphql"
        with fresh_database(admin_url, name) as url:
            err.print(f"generating {args.cases} cases into a scratch database")
            return run(args, url, generate(url, args.cases, args.seed))
    except (psycopg.Error, RuntimeError, OSError) as e:
        err.print(f"[red]failed: {type(e).__name__}: {e}[/]")
        return 2


if __name__ == "__main__":
    sys.exit(main())
