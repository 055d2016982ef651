"""Command-side benchmark: HTTP commands against the same commands on the bare library.

Run on PostgreSQL (never part of the test suite):

    scripts/with-postgres .venv/bin/python bench/commands.py [--cases 150] [--clients 1,4,16]
        [--workers 2] [--json var/bench/commands.json]

It creates two fresh databases through the admin URL in LEDGER_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres), one per path so both start empty, and drops
them at the end (a scratch benchmark: it writes, so it never runs against an existing ledger).

For each number of concurrent clients (1, 4 and 16 by default), each path runs `--cases`
cases, two commands each (submit, then accept), and reports the rate, the median and the
95th-percentile latency of one command:

* bare library: the `AssistanceCase` aggregate and `Ledger.save()` only, in-process threads;
  no HTTP, no pydantic, no auth, no enrolment check. Twice: with the library's one
  transaction a save (the baseline of the ratios), then with the Ledger's group commit.
* HTTP: the real app served by `ledger serve [--workers N]` in a subprocess, as in production
  (its projections running), driven by one keep-alive client per thread (bench/keepalive.py):
  POST /api/v1/cases, then POST /api/v1/cases/{id}/accept.
* transport floor: GET /healthz from the same clients at the same concurrency, as many
  requests as the HTTP path's commands: what HTTP alone costs here.

It prints a table and writes JSON with each ratio (HTTP / bare: the aim is >= 0.7 with 16
clients; HTTP / floor). Exit status: 0 when every command succeeded (aim met or not: this is a
measurement), 1 when any command failed (a non-2xx answer or an exception), 2 when the set-up
failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
from bare import bare_library
from command_load import BUSINESS_DAY, STREET, Outcome, application, run_threads
from keepalive import Answer, KeepAlive, TransportError
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database
from serving import process_cpu, serve_subprocess, serve_thread

from api.auth import issue_token
from api.settings import Settings

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AIM = 0.7

out = Console(width=150)
err = Console(stderr=True)


# -- HTTP -----------------------------------------------------------------------------------


def http(
    base: str, server_pid: int | None, token: str, warm: list[int], levels: dict[int, list[int]],
    on_answer: Callable[[Answer], None] | None = None,
) -> dict[int, Outcome]:  # fmt: skip
    """The HTTP load; `on_answer` sees every answer as it arrives (bench/streams.py's clock)."""
    headers = {"Authorization": f"Bearer {token}"}
    if not Path(f"/proc/{server_pid}/stat").exists():
        server_pid = None  # no /proc (not Linux): leave the server's CPU out

    def worker(share: list[dict[str, Any]], outcome: Outcome, tick: Callable[[], None]) -> int:
        ok, took = 0, []
        with KeepAlive(base, headers, timeout=60, on_answer=on_answer) as client:
            for app in share:
                try:
                    t0 = time.perf_counter()
                    r = client.post("/api/v1/cases", json=app)
                    t1 = time.perf_counter()
                    if not r.is_success:
                        outcome.fail(f"submit: {r.status_code} {r.text[:300]}")
                        continue
                    ok += 1
                    case_id = r.json()["id"]
                    r = client.post(
                        f"/api/v1/cases/{case_id}/accept", json={"occurred_on": BUSINESS_DAY}
                    )
                    took += [t1 - t0, time.perf_counter() - t1]
                    if not r.is_success:
                        outcome.fail(f"accept: {r.status_code} {r.text[:300]}")
                        continue
                    ok += 1
                except TransportError as e:
                    outcome.fail(f"{type(e).__name__}: {e}")
                finally:
                    tick()
        with outcome.lock:
            outcome.latencies += took
        return ok

    if warm:
        run_threads("HTTP: warm-up", [application(i) for i in warm], 4, worker)
    found = {}
    for clients, indexes in levels.items():
        before = process_cpu(server_pid) if server_pid else 0.0
        found[clients] = run_threads(f"HTTP ×{clients}", [application(i) for i in indexes],
                                     clients, worker)  # fmt: skip
        if server_pid:
            found[clients].cpu_server = process_cpu(server_pid) - before
    return found


def floor(base: str, server_pid: int | None, levels: dict[int, int]) -> dict[int, Outcome]:
    """GET /healthz from the same kind of clients: the transport's rate, no command at all."""

    def worker(share: list[int], outcome: Outcome, tick: Callable[[], None]) -> int:
        ok, took = 0, []
        with KeepAlive(base, timeout=60) as client:
            for _ in share:
                try:
                    t0 = time.perf_counter()
                    r = client.get("/healthz")
                    took.append(time.perf_counter() - t0)
                    if r.is_success:
                        ok += 1
                    else:
                        outcome.fail(f"healthz: {r.status_code}")
                except TransportError as e:
                    outcome.fail(f"{type(e).__name__}: {e}")
                tick()
        with outcome.lock:
            outcome.latencies += took
        return ok

    found = {}
    for clients, requests in levels.items():
        before = process_cpu(server_pid) if server_pid else 0.0
        found[clients] = run_threads(f"GET /healthz ×{clients}", list(range(requests)), clients,
                                     worker)  # fmt: skip
        if server_pid:
            found[clients].cpu_server = process_cpu(server_pid) - before
    return found


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--cases",
        type=int,
        default=150,
        help="timed cases (2 commands each) per path and concurrency (default 150)",
    )
    p.add_argument(
        "--clients", default="1,4,16", help="concurrent clients, comma-separated (default 1,4,16)"
    )
    p.add_argument("--warmup", type=int, default=30, help="untimed cases first (default 30)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API worker processes of the served app (ledger serve --workers N)",
    )
    p.add_argument(
        "--server",
        choices=["subprocess", "thread"],
        default="subprocess",
        help="subprocess: `ledger serve`, as in production (default); "
        "thread: uvicorn in this process, sharing its GIL with the clients",
    )
    p.add_argument("--json", type=Path, default=Path("var/bench/commands.json"))
    args = p.parse_args(argv)
    try:
        args.levels = [int(c) for c in args.clients.split(",")]
    except ValueError:
        p.error("--clients takes numbers, e.g. 1,4,16")
    if args.cases < 1 or args.warmup < 0 or args.workers < 1 or min(args.levels) < 1:
        p.error("--cases, --workers and each of --clients must be at least 1, --warmup 0+")
    if args.server == "thread" and args.workers > 1:
        p.error("--workers needs --server subprocess")
    return args  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    secret = Settings().jwt_secret.get_secret_value()
    token = issue_token(secret, "bench-worker", "caseworker", STREET, ttl_hours=2)
    cores = os.cpu_count() or 1
    server_label = (
        f"ledger serve --workers {args.workers}" if args.server == "subprocess"
        else "uvicorn thread"
    )  # fmt: skip

    warm = list(range(args.warmup))
    levels: dict[int, list[int]] = {}
    at = args.warmup
    for clients in args.levels:
        levels[clients] = list(range(at, at + args.cases))
        at += args.cases
    host = urlparse(admin_url).hostname
    err.print(
        f"[bold]caseledger command benchmark[/]: {args.cases} cases (2 commands each) per path "
        f"and concurrency {args.levels}; PostgreSQL on {host}; HTTP server: {server_label}"
    )
    pid = os.getpid()
    logdir = Path(tempfile.mkdtemp(prefix="caseledger-bench-"))
    try:
        with fresh_database(admin_url, f"h4_bench_{pid}_bare") as bare_url:
            bare = bare_library(bare_url, warm, levels)
        with fresh_database(admin_url, f"h4_bench_{pid}_http") as http_url:
            if args.server == "subprocess":
                server = serve_subprocess(http_url, secret, logdir / "server.log", args.workers)
            else:
                server = serve_thread(http_url, secret)
            with server as (base, server_pid):
                over_http = http(base, server_pid, token, warm, levels)
                bare_http = floor(base, server_pid, {c: 2 * args.cases for c in args.levels})
    except (psycopg.Error, RuntimeError, OSError) as e:
        err.print(f"[red]set-up failed: {type(e).__name__}: {e}[/]")
        log = logdir / "server.log"
        if log.exists():
            err.print(log.read_text(errors="replace")[-3000:])
        return 2
    finally:
        shutil.rmtree(logdir, ignore_errors=True)

    table = Table(title=f"Commands (submit + accept), {server_label}")
    for column in ["clients", "path", "commands", "errors", "commands/s", "median ms", "p95 ms",
                   "CPU ms/command", "PostgreSQL CPU ms", "vs bare", "vs floor"]:  # fmt: skip
        table.add_column(column, justify="left" if column == "path" else "right")
    result: dict[str, Any] = {
        "cases": args.cases, "workers": args.workers, "server": args.server, "cores": cores,
        "aim": AIM, "levels": {},
    }  # fmt: skip
    for clients in args.levels:
        lib, gc = bare[clients, False], bare[clients, True]
        h, f = over_http[clients], bare_http[clients]
        to_bare = h.rate / lib.rate if lib.rate else 0.0
        to_gc = h.rate / gc.rate if gc.rate else 0.0
        to_floor = h.rate / f.rate if f.rate else 0.0
        rows = [
            ("bare library (one transaction a save)", lib, "1.00", ""),
            ("bare library, group commit", gc, f"{gc.rate / lib.rate if lib.rate else 0:.2f}", ""),
            ("HTTP", h, f"{to_bare:.2f}", f"{to_floor:.2f}"),
            ("GET /healthz (the floor)", f, "", "1.00"),
        ]  # fmt: skip
        for name, o, vs_bare, vs_floor in rows:
            per = 1000 / o.commands if o.commands else 0.0
            cpu = f"{o.cpu_here * per:.2f}"
            if o.cpu_server is not None:
                cpu = f"{o.cpu_server * per:.2f} + {o.cpu_here * per:.2f}"
            pg = "" if o.cpu_postgres is None else f"{o.cpu_postgres * per:.2f}"
            table.add_row(
                str(clients), name, str(o.commands), str(o.errors), f"{o.rate:,.0f}",
                f"{o.percentile(50):.1f}", f"{o.percentile(95):.1f}", cpu, pg, vs_bare, vs_floor,
            )  # fmt: skip
        table.add_section()
        result["levels"][str(clients)] = {
            "bare": lib.summary(),
            "bare_group_commit": {**gc.summary(), "saves_per_commit": round(gc.batch or 0.0, 2)},
            "http": h.summary(), "floor": f.summary(),
            "http_vs_bare": round(to_bare, 3), "http_vs_bare_group_commit": round(to_gc, 3),
            "http_vs_floor": round(to_floor, 3),
        }  # fmt: skip
    out.print(table)
    top = max(args.levels)
    ratio = result["levels"][str(top)]["http_vs_bare"]
    verdict = "[green]meets[/]" if ratio >= AIM else "[red]misses[/]"
    out.print(f"HTTP / bare with {top} clients: [bold]{ratio:.2f}[/] ({verdict} the aim of {AIM})")
    out.print(
        f"cores: {cores}; CPU ms/command = server (all its processes) + clients (Python); "
        "PostgreSQL CPU ms = this machine's PostgreSQL processes per command (blank when it "
        "is remote); the clients, the server and PostgreSQL share the cores. "
        "Saves per group commit (bare): "
        + ", ".join(f"{c}: {bare[c, True].batch or 0:.1f}" for c in args.levels)
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    err.print(f"wrote {args.json}")

    errors = sum(o.errors for d in (bare, over_http, bare_http) for o in d.values())
    if errors:
        out.print(f"[red]{errors} command(s) failed[/]; first ones:")
        for d in (bare, over_http, bare_http):
            for o in d.values():
                for message in o.samples:
                    out.print(f"  {message}", markup=False)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
