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
  (its projections running), driven by one keep-alive httpx client per thread:
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
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import psycopg
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database, progress_bar
from serving import postgres_cpu, process_cpu, serve_subprocess, serve_thread

from api.auth import issue_token
from api.container import build
from api.settings import Settings
from domain.assistance.case import AssistanceCase
from domain.shared.household import check_application
from domain.shared.identity import make_id_number
from domain.shared.values import Actor

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AIM = 0.7
OFFSET = 5_000_000  # the second bare run's cases: other people (ID numbers) than the first's
BUSINESS_DAY = "2024-03-04"  # a Monday, a working day
STREET = "南大街街道"
COMMUNITY = "西瀛里社区"
DISTRICT = "320404"

out = Console(width=150)
err = Console(stderr=True)


# -- test data ------------------------------------------------------------------------------


def application(index: int) -> dict[str, Any]:
    """A one-person DIBAO application; `index` makes the ID number unique (valid check digit)."""
    birth = date(1960, 1, 1) + timedelta(days=index // 1000)
    return {
        "programme": "DIBAO",
        "street": STREET,
        "community": COMMUNITY,
        "channel": "counter",
        "kin_of_staff": False,
        "occurred_on": BUSINESS_DAY,
        "members": [
            {
                "name": f"测试{index}",
                "id_number": make_id_number(DISTRICT, birth, index % 1000),
                "relation": "self",
                "counted": True,
                "excluded_reason": None,
                "able_to_work": False,
            }
        ],
    }


def split(items: list[Any], parts: int) -> list[list[Any]]:
    """Deal `items` round-robin into `parts` nearly equal lists."""
    return [items[i::parts] for i in range(parts)]


# -- databases ------------------------------------------------------------------------------


# -- running N cases on T threads -----------------------------------------------------------


@dataclass
class Outcome:
    commands: int = 0
    seconds: float = 0.0
    errors: int = 0
    cpu_here: float = 0.0  # CPU seconds of this process during the timed part
    cpu_server: float | None = None  # CPU seconds of the server process, when it is another
    cpu_postgres: float | None = None  # CPU seconds of this machine's PostgreSQL processes
    batch: float | None = None  # saves per group commit (bare library)
    samples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds, one per command
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.samples) < 5:
                self.samples.append(message)

    @property
    def rate(self) -> float:
        return self.commands / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """The q-th percentile of one command's latency, in milliseconds."""
        if len(self.latencies) < 2:
            return 1000 * (self.latencies[0] if self.latencies else 0.0)
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return 1000 * cuts[int(q) - 1]

    def summary(self) -> dict[str, Any]:
        return {
            "commands": self.commands, "errors": self.errors, "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1), "median_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2), "cpu_client_s": round(self.cpu_here, 3),
            "cpu_server_s": None if self.cpu_server is None else round(self.cpu_server, 3),
            "cpu_postgres_s": None if self.cpu_postgres is None else round(self.cpu_postgres, 3),
        }  # fmt: skip


Worker = Callable[[list[Any], Outcome, Callable[[], None]], int]


def run_threads(label: str, items: list[Any], threads: int, worker: Worker) -> Outcome:
    """Give each thread its share of `items`; time from the start barrier to the last join."""
    outcome = Outcome()
    done = [0] * threads
    barrier = threading.Barrier(threads + 1)
    with progress_bar(24) as bar:
        task = bar.add_task(label, total=len(items))

        def run(i: int, share: list[Any]) -> None:
            barrier.wait()
            try:
                done[i] = worker(share, outcome, lambda: bar.advance(task))
            except Exception as e:  # a worker that dies is an error, not a crash of the bench
                outcome.fail(f"{type(e).__name__}: {e}")

        pool = [
            threading.Thread(target=run, args=(i, share), name=f"bench-{i}")
            for i, share in enumerate(split(items, threads))
        ]
        for t in pool:
            t.start()
        barrier.wait()
        start, cpu, pg = time.perf_counter(), process_cpu(), postgres_cpu()
        for t in pool:
            t.join()
        outcome.seconds = time.perf_counter() - start
        outcome.cpu_here = process_cpu() - cpu
        pg_after = postgres_cpu()
        if pg is not None and pg_after is not None:
            outcome.cpu_postgres = pg_after - pg
    outcome.commands = sum(done)
    return outcome


# -- the bare library -----------------------------------------------------------------------


def bare_library(
    url: str, warm: list[int], levels: dict[int, list[int]]
) -> dict[tuple[int, bool], Outcome]:
    """The same two commands on `Ledger.save()` alone, at each concurrency (threads), with
    the library's one transaction a save (False) and with the Ledger's group commit (True)."""
    container = build(Settings(database_url=url, run_projections=False))
    ledger = container.ledger
    actor = Actor("bench-worker", "caseworker", STREET).as_dict()

    def prepare(indexes: list[int]) -> list[dict[str, Any]]:
        # What the ledger would record: members as checked (person ids, personal data apart).
        found = []
        for i in indexes:
            app = application(i)
            found.append({**app, "members": check_application(app, ledger.pseudonyms)})
        return found

    def worker(share: list[dict[str, Any]], outcome: Outcome, tick: Callable[[], None]) -> int:
        ok, took = 0, []
        for app in share:
            try:
                t0 = time.perf_counter()
                case = AssistanceCase(
                    programme=app["programme"], district=ledger.district, street=app["street"],
                    community=app["community"], members=app["members"], channel=app["channel"],
                    kin_of_staff=app["kin_of_staff"], actor=actor,
                    occurred_on=app["occurred_on"],
                )  # fmt: skip
                ledger.save(case)
                t1 = time.perf_counter()
                ok += 1
                case.accept(actor=actor, occurred_on=BUSINESS_DAY)
                ledger.save(case)
                took += [t1 - t0, time.perf_counter() - t1]
                ok += 1
            except Exception as e:
                outcome.fail(f"{type(e).__name__}: {e}")
            tick()
        with outcome.lock:
            outcome.latencies += took
        return ok

    try:
        if warm:
            run_threads("bare library: warm-up", prepare(warm), 4, worker)
        committer = ledger.committer
        assert committer is not None
        found: dict[tuple[int, bool], Outcome] = {}
        for clients, indexes in levels.items():
            # The library's own save (one transaction each), then with the group commit.
            ledger.committer = None
            found[clients, False] = run_threads(
                f"bare, one tx a save ×{clients}", prepare([i + OFFSET for i in indexes]),
                clients, worker,
            )  # fmt: skip
            ledger.committer = committer
            saves, commits = committer.saves, committer.commits
            found[clients, True] = run_threads(
                f"bare, group commit ×{clients}", prepare(indexes), clients, worker
            )
            made = committer.commits - commits
            found[clients, True].batch = (committer.saves - saves) / made if made else 0.0
        return found
    finally:
        container.close()


# -- HTTP -----------------------------------------------------------------------------------


def http(
    base: str, server_pid: int | None, token: str, warm: list[int], levels: dict[int, list[int]],
    on_answer: Callable[[httpx.Response], None] | None = None,
) -> dict[int, Outcome]:  # fmt: skip
    """The HTTP load; `on_answer` sees every answer as it arrives (bench/streams.py's clock)."""
    headers = {"Authorization": f"Bearer {token}"}
    hooks = {"response": [on_answer]} if on_answer else {}
    if not Path(f"/proc/{server_pid}/stat").exists():
        server_pid = None  # no /proc (not Linux): leave the server's CPU out

    def worker(share: list[dict[str, Any]], outcome: Outcome, tick: Callable[[], None]) -> int:
        ok, took = 0, []
        with httpx.Client(base_url=base, headers=headers, timeout=60, event_hooks=hooks) as client:
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
                except httpx.HTTPError as e:
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
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in share:
                try:
                    t0 = time.perf_counter()
                    r = client.get("/healthz")
                    took.append(time.perf_counter() - t0)
                    if r.is_success:
                        ok += 1
                    else:
                        outcome.fail(f"healthz: {r.status_code}")
                except httpx.HTTPError as e:
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
