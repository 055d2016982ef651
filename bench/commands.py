"""Command-side benchmark: HTTP commands against the same commands on the bare library.

Run on PostgreSQL (never part of the test suite):

    scripts/with-postgres .venv/bin/python bench/commands.py [--cases 1000] [--threads 8]

It creates two fresh databases through the admin URL in LEDGER_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres), one per path so both start empty, and drops
them at the end.

* bare library: the `AssistanceCase` aggregate and `Ledger.save()` only (two saves per case:
  submitted, then accepted); no HTTP, no pydantic, no auth, no enrolment check, no projections.
* HTTP: the real app served by uvicorn (by default `ledger serve` in a subprocess, as in
  production, with its projections running), driven by one keep-alive httpx client per thread:
  POST /api/v1/cases, then POST /api/v1/cases/{id}/accept.

It prints commands per second for both paths and their ratio (the aim is HTTP/bare >= 0.7).
Exit status: 0 when every command succeeded (aim met or not: this is a measurement), 1 when
any command failed (a non-2xx answer or an exception), 2 when the set-up failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import psycopg
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database, progress_bar

from api.auth import issue_token
from api.container import build
from api.settings import Settings
from domain.assistance.case import AssistanceCase
from domain.shared.household import check_application
from domain.shared.identity import make_id_number
from domain.shared.values import Actor

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AIM = 0.7
BUSINESS_DAY = "2024-03-04"  # a Monday, a working day
STREET = "南大街街道"
COMMUNITY = "西瀛里社区"
DISTRICT = "320404"

out = Console()
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
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.samples) < 5:
                self.samples.append(message)

    @property
    def rate(self) -> float:
        return self.commands / self.seconds if self.seconds else 0.0


Worker = Callable[[list[Any], Outcome, Callable[[], None]], int]


def process_cpu(pid: int | None = None) -> float:
    """CPU seconds (user + system) used so far by this process or by `pid` (Linux /proc)."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
        start, cpu = time.perf_counter(), process_cpu()
        for t in pool:
            t.join()
        outcome.seconds = time.perf_counter() - start
        outcome.cpu_here = process_cpu() - cpu
    outcome.commands = sum(done)
    return outcome


# -- the bare library -----------------------------------------------------------------------


def bare_library(url: str, warm: list[int], timed: list[int], threads: int) -> Outcome:
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
        ok = 0
        for app in share:
            try:
                case = AssistanceCase(
                    programme=app["programme"], district=ledger.district, street=app["street"],
                    community=app["community"], members=app["members"], channel=app["channel"],
                    kin_of_staff=app["kin_of_staff"], actor=actor,
                    occurred_on=app["occurred_on"],
                )  # fmt: skip
                ledger.save(case)
                ok += 1
                case.accept(actor=actor, occurred_on=BUSINESS_DAY)
                ledger.save(case)
                ok += 1
            except Exception as e:
                outcome.fail(f"{type(e).__name__}: {e}")
            tick()
        return ok

    try:
        warm_apps, timed_apps = prepare(warm), prepare(timed)
        if warm_apps:
            run_threads("bare library: warm-up", warm_apps, threads, worker)
        return run_threads("bare library", timed_apps, threads, worker)
    finally:
        container.close()


# -- HTTP -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, alive: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the server stopped while starting")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {base}/readyz within {timeout:.0f} s")


def ledger_command() -> list[str]:
    """The `ledger` command of this Python (its script beside it, else through the module)."""
    ledger_bin = Path(sys.executable).with_name("ledger")
    if ledger_bin.exists():
        return [str(ledger_bin)]
    return [sys.executable, "-c", "from api.cli import main; main()"]


@contextmanager
def serve_subprocess(url: str, secret: str, log: Path) -> Iterator[tuple[str, int | None]]:
    """`ledger serve`, as in production (its uvicorn logs at info, access log included)."""
    port = free_port()
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": url,
        "LEDGER_LOAD_DEMO_WHEN_EMPTY": "false",
        "LEDGER_RUN_PROJECTIONS": "true",
        "LEDGER_JWT_SECRET": secret,
    }
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [*ledger_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, lambda: proc.poll() is None)
            yield base, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def serve_thread(url: str, secret: str) -> Iterator[tuple[str, int | None]]:
    """uvicorn in a thread of this process (shares the GIL with the client threads)."""
    import uvicorn

    from api.app import create_app

    settings = Settings(database_url=url, run_projections=True, jwt_secret=SecretStr(secret))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, thread.is_alive)
        yield base, None
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def http(
    base: str, server_pid: int | None, token: str, warm: list[int], timed: list[int], threads: int,
    on_answer: Callable[[httpx.Response], None] | None = None,
) -> Outcome:  # fmt: skip
    """The HTTP load; `on_answer` sees every answer as it arrives (bench/streams.py's clock)."""
    headers = {"Authorization": f"Bearer {token}"}
    hooks = {"response": [on_answer]} if on_answer else {}
    if not Path(f"/proc/{server_pid}/stat").exists():
        server_pid = None  # no /proc (not Linux): leave the server's CPU out

    def worker(share: list[dict[str, Any]], outcome: Outcome, tick: Callable[[], None]) -> int:
        ok = 0
        with httpx.Client(base_url=base, headers=headers, timeout=60, event_hooks=hooks) as client:
            for app in share:
                try:
                    r = client.post("/api/v1/cases", json=app)
                    if not r.is_success:
                        outcome.fail(f"submit: {r.status_code} {r.text[:300]}")
                        continue
                    ok += 1
                    case_id = r.json()["id"]
                    r = client.post(
                        f"/api/v1/cases/{case_id}/accept", json={"occurred_on": BUSINESS_DAY}
                    )
                    if not r.is_success:
                        outcome.fail(f"accept: {r.status_code} {r.text[:300]}")
                        continue
                    ok += 1
                except httpx.HTTPError as e:
                    outcome.fail(f"{type(e).__name__}: {e}")
                finally:
                    tick()
        return ok

    warm_apps = [application(i) for i in warm]
    timed_apps = [application(i) for i in timed]
    if warm_apps:
        run_threads("HTTP: warm-up", warm_apps, threads, worker)
    before = process_cpu(server_pid) if server_pid else 0.0
    outcome = run_threads("HTTP", timed_apps, threads, worker)
    if server_pid:
        outcome.cpu_server = process_cpu(server_pid) - before
    return outcome


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=1000, help="timed cases per path (default 1000)")
    p.add_argument("--threads", type=int, default=8, help="concurrent callers (default 8)")
    p.add_argument("--warmup", type=int, default=50, help="untimed cases first (default 50)")
    p.add_argument(
        "--server", choices=["subprocess", "thread"], default="subprocess",
        help="subprocess: `ledger serve`, as in production (default); "
        "thread: uvicorn in this process, sharing its GIL with the clients",
    )  # fmt: skip
    args = p.parse_args(argv)
    if args.cases < 1 or args.threads < 1 or args.warmup < 0:
        p.error("--cases and --threads must be at least 1, --warmup at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    secret = Settings().jwt_secret.get_secret_value()
    token = issue_token(secret, "bench-worker", "caseworker", STREET, ttl_hours=2)
    cores = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    server_label = "ledger serve subprocess" if args.server == "subprocess" else "uvicorn thread"

    warm = list(range(args.warmup))
    timed = list(range(args.warmup, args.warmup + args.cases))
    host = urlparse(admin_url).hostname
    err.print(
        f"[bold]caseledger command benchmark[/]: {args.cases} cases (2 commands each) per path, "
        f"{args.threads} threads, {args.warmup} warm-up cases; PostgreSQL on {host}; "
        f"HTTP server: {server_label}"
    )
    pid = os.getpid()
    logdir = Path(tempfile.mkdtemp(prefix="caseledger-bench-"))
    try:
        with fresh_database(admin_url, f"caseledger_bench_{pid}_bare") as bare_url:
            bare = bare_library(bare_url, warm, timed, args.threads)
        with fresh_database(admin_url, f"caseledger_bench_{pid}_http") as http_url:
            if args.server == "subprocess":
                server = serve_subprocess(http_url, secret, logdir / "server.log")
            else:
                server = serve_thread(http_url, secret)
            with server as (base, server_pid):
                over_http = http(base, server_pid, token, warm, timed, args.threads)
    except (psycopg.Error, RuntimeError, OSError) as e:
        err.print(f"[red]set-up failed: {type(e).__name__}: {e}[/]")
        log = logdir / "server.log"
        if log.exists():
            err.print(log.read_text(errors="replace")[-3000:])
        return 2
    finally:
        shutil.rmtree(logdir, ignore_errors=True)

    table = Table(title="Command throughput (submit + accept)")
    table.add_column("path")
    table.add_column("commands", justify="right")
    table.add_column("errors", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("commands/s", justify="right")
    table.add_column("CPU ms/command", justify="right")
    for name, o in [("bare library", bare), ("HTTP", over_http)]:
        per = 1000 / o.commands if o.commands else 0.0
        if o.cpu_server is None:
            cpu = f"{o.cpu_here * per:.2f}"
        else:
            cpu = f"{o.cpu_server * per:.2f} + {o.cpu_here * per:.2f}"
        row = [name, str(o.commands), str(o.errors), f"{o.seconds:.2f}", f"{o.rate:,.0f}", cpu]
        table.add_row(*row)
    out.print(table)

    ratio = over_http.rate / bare.rate if bare.rate else 0.0
    verdict = "[green]meets[/]" if ratio >= AIM else "[red]misses[/]"
    out.print(f"ratio HTTP / bare: [bold]{ratio:.2f}[/] ({verdict} the aim of {AIM})")
    out.print(f"cores: {cores} (usable by this process: {usable}); threads: {args.threads}")
    where = "server + clients" if args.server == "subprocess" else "one process, both"
    out.print(
        f"CPU ms/command: Python CPU only, PostgreSQL's not counted (HTTP: {where}); "
        "one server process can use at most one core's worth of Python (the GIL)."
    )
    if args.server == "thread":
        out.print(
            "note: the server ran as a thread of this process, so it shares one GIL with the "
            "client threads; with few cores that weighs on the HTTP rate."
        )
    else:
        out.print(
            "note: the server ran as `ledger serve` in its own process (as in production: "
            "projections running, uvicorn logging at info with its access log); the clients, "
            "the server and PostgreSQL share the machine's cores."
        )

    errors = bare.errors + over_http.errors
    if errors:
        out.print(f"[red]{errors} command(s) failed[/]; first ones:")
        for message in bare.samples + over_http.samples:
            out.print(f"  {message}", markup=False)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
