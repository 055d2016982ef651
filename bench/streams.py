"""Integrator streams benchmark: commit-to-delivery latency and the NATS relay's rate.

Run (never part of the test suite):

    scripts/with-postgres .venv/bin/python bench/streams.py [--quick] [--subscribers 100]

1. Latency, for each backend (PostgreSQL, SQLite) and each stream (server-sent events, the
   GraphQL subscription): on a fresh database, `ledger serve` in a subprocess (as
   bench/commands.py serves it), `--subscribers` clients of one stream in one separate asyncio
   process (bench/streams_clients.py), then bench/commands.py's HTTP write load (submit +
   accept on `--threads` threads) from this process. Each event received is timed against
   two clocks of the one machine (time.time() in every process):
   * its CloudEvent `time`: the event's timestamp, taken when the command made it, just
     before the commit: receipt − time is an upper bound of commit-to-delivery, and covers
     every event; the aim (p95 under 250 ms) is judged on it;
   * the answer to the command that wrote it, as the load's client read it: receipt − answer
     is a lower bound (the commit came before the answer; a subscriber can even be sent the
     event before the writer has its answer, so it can be negative).
   Every subscriber must receive every event after its start once, in order.
2. The relay (bench/streams_relay.py): `ledger relay` into a scratch JetStream stream against a
   bare nats-py publish loop of the same payloads, in the same run (aim: within 2x).

It prints a table and writes the numbers as JSON to var/bench/streams.json. Exit status: 0
when every step succeeded (aims met or not: this is a measurement), 1 when an event was not
delivered, a command failed or the relay lost or reordered a message, 2 when the set-up
failed (a server, the clients, PostgreSQL or NATS).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from command_load import STREET
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database
from serving import serve_subprocess
from streams_latency import AIM_P95_MS, Latency, measure_latency
from streams_relay import AIM_RELAY, RelayResult, measure_relay, nats_reachable

from api.auth import issue_token
from api.settings import Settings

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_NATS_URL = "nats://127.0.0.1:4222"
OUT = Path("var/bench/streams.json")
out, err = Console(width=max(Console().width, 150)), Console(stderr=True)  # the table is wide


@contextmanager
def database(backend: str, admin_url: str, name: str, scratch: Path, given: str | None) -> Any:
    if given:  # a populated ledger (the province): measured as it is, never dropped
        yield given
    elif backend == "postgres":
        with fresh_database(admin_url, name) as url:
            yield url
    else:
        folder = scratch / name
        folder.mkdir()
        yield f"sqlite:///{folder / 'ledger.sqlite3'}"


def latency_runs(args: argparse.Namespace, admin_url: str, logdir: Path) -> list[Latency]:
    secret = Settings().jwt_secret.get_secret_value()
    writer = issue_token(secret, "bench-worker", "caseworker", STREET, ttl_hours=2)
    reader = issue_token(secret, "bench-reader", "supervisor", None, ttl_hours=2)
    found = []
    for backend in args.backends:
        for kind in args.streams:
            name = f"caseledger_bench_{os.getpid()}_{kind}"
            err.print(f"[bold]{backend}, {kind}[/]: {args.subscribers} subscribers")
            with database(backend, admin_url, name, logdir, args.database_url) as url:
                log = logdir / f"server-{backend}-{kind}.log"
                # On a populated ledger the server runs as an API worker beside a projection
                # worker would: the streams read the log, not the views, which a province's
                # ledger may not have built yet.
                projections = args.database_url is None
                with serve_subprocess(url, secret, log, projections=projections) as (base, pid):
                    found.append(
                        measure_latency(backend, kind, base, pid, writer, reader, args, logdir)
                    )
    return found


def report(runs: list[Latency], relay: RelayResult | None, args: argparse.Namespace) -> None:
    table = Table(title=f"Commit to delivery, {args.subscribers} subscribers per stream (ms)")
    columns = ("backend", "stream", "cmd/s", "events", "written/s", "delivered/s", "median", "p95",
               f"p95 < {AIM_P95_MS:.0f}", "answer med", "answer p95", "missed",
               "CPU s srv/cli", "took s")  # fmt: skip
    for c in columns:
        table.add_column(c, justify="left" if c in ("backend", "stream") else "right")
    for r in runs:
        t, a = r.quantiles(r.from_time), r.quantiles(r.from_answer)
        aim = "[green]meets[/]" if t[1] < AIM_P95_MS else "[red]misses[/]"
        table.add_row(
            r.backend, r.kind, f"{r.command_rate:,.0f}", f"{r.events:,}",
            f"{r.written_rate:,.0f}", f"{r.delivered_rate:,.0f}", f"{t[0]:.0f}",
            f"{t[1]:.0f}", aim, f"{a[0]:.0f}", f"{a[1]:.0f}", str(r.missed),
            f"{r.server_cpu or 0:.1f}/{r.clients_cpu:.1f}", f"{r.window:.1f}",
        )  # fmt: skip
    out.print(table)
    out.print(
        "median, p95: ms from the CloudEvent `time` (the event made, just before its commit: "
        "an upper bound); answer: ms from the command's answer read by the writer (a lower "
        "bound); events: written while the clients were live, each received by every client "
        "(written/s: during the load; delivered/s: until every client had them all); "
        "took: from the load's start until every client had every event; CPU: seconds of it "
        "used by the server and by the clients' process."
    )
    if relay is not None:
        verdict = "[green]meets[/]" if relay.ratio <= AIM_RELAY else "[red]misses[/]"
        out.print(
            f"relay into JetStream: [bold]{relay.relay_rate:,.0f}[/] events/s "
            f"({relay.events:,} events, median of {len(relay.relay)}); bare nats-py publish "
            f"loop {relay.bare_rate:,.0f}/s (pipelined with publish_async: "
            f"{relay.pipelined_rate:,.0f}/s); bare / relay [bold]{relay.ratio:.2f}[/] "
            f"({verdict} the aim of <= {AIM_RELAY:.0f})"
        )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    out.print(
        f"cores usable: {cores}; server, subscribers, write load, PostgreSQL share them; load "
        f"average at the start {args.load_before}, at the end {load} (other work on the machine "
        "shows there)"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    given = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    data: dict[str, Any] = {"args": given, "load_average_end": load, "cores": cores}
    data["latency"] = [r.summary() for r in runs]
    if relay is not None:
        data["relay"] = asdict(relay) | {
            "relay_per_s": relay.relay_rate, "bare_per_s": relay.bare_rate,
            "pipelined_per_s": relay.pipelined_rate, "bare_over_relay": relay.ratio,
        }  # fmt: skip
    OUT.write_text(json.dumps(data, indent=2) + "\n")
    out.print(f"written: {OUT}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--quick", action="store_true", help="about a minute: 60 cases per run, 4,000 relayed"
    )
    p.add_argument("--subscribers", type=int, default=100, help="clients per stream (100)")
    p.add_argument("--cases", type=int, help="cases of write load per run (default 500)")
    p.add_argument("--threads", type=int, default=8, help="write-load threads (default 8)")
    p.add_argument(
        "--rate", type=float, default=0.0, help="commands/s, all threads (default 0: unpaced)"
    )
    p.add_argument("--warmup", type=int, default=10, help="cases before the clients connect")
    p.add_argument("--backends", default="postgres,sqlite", help="postgres,sqlite (both)")
    p.add_argument("--streams", default="sse,graphql", help="sse,graphql (both)")
    p.add_argument("--relay-events", type=int, help="events relayed (default 10,000; 0: none)")
    p.add_argument("--relay-rounds", type=int, help="relay, then bare loop, N times (3)")
    p.add_argument("--nats", default=os.environ.get("LEDGER_TEST_NATS_URL") or DEFAULT_NATS_URL)
    p.add_argument(
        "--database-url", default=None,
        help="a populated PostgreSQL ledger (the province) to measure as it is: the write load "
             "adds its cases to it and the relay relays its first --relay-events events",
    )  # fmt: skip
    p.add_argument(
        "--signing-key-file",
        type=Path,
        default=Path(os.environ.get("LEDGER_SIGNING_KEY_FILE", "var/bench/province-signing-key")),
        help="with --database-url: the key its checkpoints are signed with (bench/verify.py's)",
    )
    args = p.parse_args(argv)
    if args.database_url:
        args.backends = "postgres"
    args.cases = args.cases if args.cases is not None else (60 if args.quick else 500)
    if args.relay_events is None:
        args.relay_events = 4_000 if args.quick else 10_000
    if args.relay_rounds is None:
        args.relay_rounds = 1 if args.quick else 3
    args.backends = [b for b in args.backends.split(",") if b]
    args.streams = [s for s in args.streams.split(",") if s]
    if not set(args.backends) <= {"postgres", "sqlite"}:
        p.error("--backends: postgres and/or sqlite")
    if not set(args.streams) <= {"sse", "graphql"}:
        p.error("--streams: sse and/or graphql")
    if args.subscribers < 1 or args.cases < 1 or args.threads < 1 or args.relay_events < 0:
        p.error("--subscribers, --cases and --threads must be at least 1, --relay-events >= 0")
    if args.rate < 0 or args.relay_rounds < 1:
        p.error("--rate must be at least 0, --relay-rounds at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    err.print(
        f"[bold]caseledger streams benchmark[/]: {args.cases} cases of load per run, "
        f"{args.subscribers} subscribers, {args.relay_events} events relayed; PostgreSQL on "
        f"{urlparse(admin_url).hostname}, NATS at {args.nats}"
    )
    logdir = Path(tempfile.mkdtemp(prefix="caseledger-bench-streams-"))
    # Every subscriber is the one user bench-reader: the servers let it hold them all (a
    # user's streams are otherwise capped at 20, LEDGER_STREAM_MAX_PER_USER).
    os.environ["LEDGER_STREAM_MAX_PER_USER"] = str(max(args.subscribers, 20))
    if args.database_url:  # its checkpoints' key, for `ledger serve` and `ledger relay`
        args.signing_key_file.parent.mkdir(parents=True, exist_ok=True)
        os.environ["LEDGER_SIGNING_KEY_FILE"] = str(args.signing_key_file.resolve())
    relay: RelayResult | None = None
    try:
        runs = latency_runs(args, admin_url, logdir)
        unreachable = nats_reachable(args.nats) if args.relay_events else None
        if unreachable:
            err.print(f"[yellow]relay not measured: no JetStream at {args.nats} ({unreachable})[/]")
        elif args.relay_events:
            relay = measure_relay(
                admin_url, args.nats, args.relay_events, args.relay_rounds, args.threads, logdir,
                given=args.database_url,
            )  # fmt: skip
    except Exception as e:  # a server, the clients, PostgreSQL, NATS, a setting: the set-up
        err.print(f"[red]set-up failed: {type(e).__name__}: {e}[/]")
        for log in sorted(logdir.glob("*.log")):
            err.print(f"[bold]{log.name}[/] (last lines):")
            err.print(log.read_text(errors="replace")[-2000:], markup=False)
        return 2
    finally:
        shutil.rmtree(logdir, ignore_errors=True)
    report(runs, relay, args)
    failed = [r for r in runs if r.missed or r.errors]
    for r in failed:
        out.print(f"[red]{r.backend} {r.kind}: {r.missed} missed, {r.errors} failed[/]")
        for message in r.samples:
            out.print(f"  {message}", markup=False)
    if relay is not None and not relay.in_order:
        out.print("[red]the relay's messages are not in position order, or repeat one[/]")
    return 1 if failed or (relay is not None and not relay.in_order) else 0


if __name__ == "__main__":
    sys.exit(main())
