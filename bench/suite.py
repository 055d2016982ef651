"""The benchmark suite: every benchmark in turn, each against its baselines, at one size.

    scripts/with-postgres .venv/bin/python bench/suite.py [--size quick|province] [--only NAME,...]

`make bench` runs the quick size (each benchmark's own scratch databases, a few minutes in
all); `make bench SIZE=province` the province size: the province-year of bench/generate.py
(65,000 cases, about 2.05 million events; resumable, so a second run only measures) in the
database `--province-url` (default postgresql://postgres@127.0.0.1:5432/caseledger_province,
made when missing), then the rebuild, GraphQL, verification and streams benchmarks on it, and
the command-side ones (HTTP commands, payroll, a standard change) at their own sizes.

Each benchmark prints its own table (every figure beside the baseline measured in the same
run, and their ratio) and writes its JSON under var/bench/; the suite prints which ran, how
long each took and where its JSON is, and writes var/bench/suite.json. Exit status: 1 when any
benchmark failed (its own exit status is in the table), else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from psycopg import sql
from rich.console import Console
from rich.table import Table

BENCH = Path(__file__).resolve().parent
DEFAULT_PROVINCE_URL = "postgresql://postgres@127.0.0.1:5432/caseledger_province"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PROVINCE_CASES = 100_000  # the province: about 3.1 million events (31.5 events a case)
OUT = Path("var/bench/suite.json")
out, err = Console(), Console(stderr=True)


@dataclass
class Step:
    name: str
    argv: list[str]
    json: str  # the file the benchmark writes (var/bench/...)
    #: Run on the province's ledger (its key, the clock off); else on scratch databases.
    province: bool = False
    status: int | None = None
    seconds: float = 0.0


def steps(size: str, province_url: str, shards: int) -> list[Step]:
    if size == "quick":
        return [
            Step("commands", ["commands.py"], "commands.json"),
            Step("payroll", ["payroll.py"], "payroll.json"),
            Step("standard change", ["standard_change.py"], "standard_change.json"),
            Step("verify", ["verify.py"], "verify.json"),
            Step(
                "rebuild", ["rebuild.py", "--drop-index", "person_enrolment_case"], "rebuild.json"
            ),
            Step("online rebuild", ["online_rebuild.py", "--rounds", "1"], "online_rebuild.json"),
            Step("graphql", ["graphql.py", "--quick"], "graphql.json"),
            Step("streams", ["streams.py", "--quick"], "streams.json"),
        ]
    on = ["--database-url", province_url]
    return [
        Step(
            "generate",
            ["generate.py", "--cases", str(PROVINCE_CASES), "--shards", str(shards), *on],
            "generate.json",
            province=True,
        ),
        Step("settle", ["suite.py", "--settle", province_url], "suite.json", province=True),
        Step("rebuild", ["rebuild.py", *on], "rebuild.json", province=True),
        Step("graphql", ["graphql.py", *on], "graphql.json", province=True),
        Step("verify", ["verify.py", *on], "verify.json", province=True),
        Step("streams", ["streams.py", *on], "streams.json", province=True),
        Step("commands", ["commands.py"], "commands.json"),
        Step("payroll", ["payroll.py"], "payroll.json"),
        Step("standard change", ["standard_change.py"], "standard_change.json"),
    ]


def ensure_database(url: str, admin_url: str) -> None:
    """Make the province's database when it is missing (its events come from the generator)."""
    name = (urlparse(url).path or "/").lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found is None:
            err.print(f"creating the database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            # A benchmark's data, rebuilt from the generator at will: commits need not wait
            # for the disk (the generator's rate, not the ledger's, is what this changes).
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(
                    sql.Identifier(name)
                )
            )


def analyse(url: str) -> None:
    """Fresh planner statistics: this machine's PostgreSQL runs without autovacuum."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def settle(url: str, key_file: Path) -> None:
    """Bring the generated ledger to what `ledger serve` would make of it: the views, and the
    processes that act on them (a verified death ends its case), caught up, and the log
    sealed. The generator keeps only the payroll's view current; without this step the first
    benchmark to serve it would spend its time, and write events, catching up."""
    from scratch_database import progress_bar

    from api.container import build
    from api.settings import Settings

    settings = Settings(
        database_url=url, signing_key_file=key_file, load_demo_when_empty=False, clock=False
    )
    container = build(settings)
    try:
        with progress_bar() as bar:
            task = bar.add_task("settling: views, processes, seal", total=None)

            def progress(_: str, position: int, head: int) -> None:
                bar.update(task, completed=position, total=head)

            while container.runner.run_once(progress):
                pass  # again while the processes acted (their commands are new events)
        if container.runner.failed:
            raise RuntimeError(f"a view or process failed: {container.runner.failed}")
    finally:
        container.close()


def run(step: Step, province_env: dict[str, str]) -> None:
    """The step in a process of its own; a province step with the province's key and the
    clock off. A scratch step never gets that key: its servers would sign their own
    checkpoints with it, and the key's memory of its last checkpoint would then no longer
    be the province's (the next server on the province refuses to sign)."""
    err.rule(f"[bold]{step.name}[/]: bench/{' '.join(step.argv)}")
    start = time.perf_counter()
    env = {**os.environ, **(province_env if step.province else {})}
    step.status = subprocess.call(
        [sys.executable, str(BENCH / step.argv[0]), *step.argv[1:]], env=env
    )
    step.seconds = time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", choices=["quick", "province"], default="quick")
    p.add_argument("--province-url", default=DEFAULT_PROVINCE_URL)
    p.add_argument("--shards", type=int, default=3, help="the generator's processes (3)")
    p.add_argument("--only", default="", help="these benchmarks only (comma-separated names)")
    p.add_argument(
        "--signing-key-file", type=Path, default=None,
        help="the province ledger's checkpoint key, for every benchmark on it (default "
             "var/bench/DBNAME-signing-key: one key a database, so a key's memory of its last "
             "checkpoint never meets another database)",
    )  # fmt: skip
    p.add_argument("--settle", metavar="URL", help=argparse.SUPPRESS)  # the settle step
    args = p.parse_args(argv)
    if args.settle:
        settle(args.settle, Path(os.environ["LEDGER_SIGNING_KEY_FILE"]))
        return 0
    chosen = steps(args.size, args.province_url, args.shards)
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = wanted - {s.name for s in chosen}
        if unknown:
            p.error(f"--only: unknown {sorted(unknown)}; known: {[s.name for s in chosen]}")
        chosen = [s for s in chosen if s.name in wanted]
    admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    if args.signing_key_file is None:
        name = (urlparse(args.province_url).path or "/").lstrip("/") or "province"
        args.signing_key_file = Path(f"var/bench/{name}-signing-key")
    province_env: dict[str, str] = {}
    if args.size == "province":
        ensure_database(args.province_url, admin_url)
        # The province's benchmarks' servers and relays sign with its ledger's key, and none
        # records today as a business day in a ledger of 2024 (the clock is off).
        args.signing_key_file.parent.mkdir(parents=True, exist_ok=True)
        province_env = {
            "LEDGER_SIGNING_KEY_FILE": os.environ.get("LEDGER_SIGNING_KEY_FILE")
            or str(args.signing_key_file.resolve()),
            "LEDGER_CLOCK": os.environ.get("LEDGER_CLOCK") or "false",
        }
    for step in chosen:
        if step.name != "generate" and any(s.name == "generate" and s.status for s in chosen):
            step.status = None  # not run: a benchmark of a half-written year says nothing
            continue
        run(step, province_env)
        if step.name in ("generate", "settle") and step.status == 0:
            analyse(args.province_url)
    table = Table(title=f"Benchmarks, {args.size} size")
    for column in ("benchmark", "exit", "seconds", "figures (JSON)"):
        table.add_column(column, justify="right" if column in ("exit", "seconds") else "left")
    for step in chosen:
        status = "[green]0[/]" if step.status == 0 else f"[red]{step.status}[/]"
        if step.status is None:
            status = "[yellow]not run[/] (the generator failed)"
        table.add_row(step.name, status, f"{step.seconds:,.0f}", f"var/bench/{step.json}")
    out.print(table)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = {"size": args.size, "steps": [asdict(s) for s in chosen],
            "cores": os.cpu_count(), "load_average_end": os.getloadavg()}  # fmt: skip
    OUT.write_text(json.dumps(data, indent=2) + "\n")
    return 0 if all(s.status == 0 for s in chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
