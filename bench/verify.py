"""Verifier benchmark: full verification of the log against merely reading the same rows.

Run on PostgreSQL (never part of the test suite):

    scripts/with-postgres .venv/bin/python bench/verify.py [--events 100000] [--load-cases 1000]

The issue's size is `--events 1000000` (about 10 minutes of set-up on 2 cores). It creates
fresh databases through the admin URL in LEDGER_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres) and drops them at the end. With
`--database-url URL` (`make bench SIZE=province`) it measures that populated ledger instead,
kept as it is: what is not sealed yet is sealed first (timed: the sealer's rate at that size)
and a checkpoint signed with `--signing-key-file`; the lag under load still uses a scratch
database.

Set-up (timed apart): real events of real aggregates (DIBAO cases submitted and accepted,
through the ledger's own mapper, so sealed personal data and all) are copied under fresh
aggregate ids up to `--events` stored events, inserted with the library's recorder 2,000 per
transaction; then the ledger's sealer seals them all and signs a checkpoint.

Measured, on the same database, in the same run:

* read: the rows the verifier reads (events, leaves and nodes), with the verifier's own
  readers, in the same order and batches, hashing nothing; and the event rows alone.
* verify: `verifier.log.verify_log`, every leaf recomputed, the tree rebuilt and compared
  with every stored node, the checkpoints checked (aims: >= 50,000 events/s and within 2x of
  the read).
* one inclusion proof: produced by the ledger (`projections.chain.proofs.inclusion`), and
  checked by the verifier (signature and path; aim: under 1 ms), on a sample of positions.
* the sealer's lag under bench/commands.py's write load (its bare-library submit + accept on
  8 threads), on a fresh database with the projections running as in `ledger serve`: how far
  the sealed head trails the recorded one, in events and in seconds.

It prints a table and writes the numbers as JSON to var/bench/verify.json. Exit status: 0
when every step succeeded (aims met or not: this is a measurement), 1 when the verification
failed, 2 when the set-up failed.
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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
from command_load import BUSINESS_DAY, STREET, application, run_threads
from eventsourcing.persistence import StoredEvent
from rich.console import Console
from rich.table import Table
from scratch_database import fresh_database, progress_bar

from api.container import Container, build
from api.settings import Settings
from api.signing import signer
from domain.assistance.case import AssistanceCase
from domain.shared.household import check_application
from domain.shared.values import Actor
from projections.chain import nodes, proofs
from verifier.log import HeldCheckpoint, verify_log
from verifier.note import VerifierKey
from verifier.proofs import check_inclusion
from verifier.rows import LogRows

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AIM_RATE = 50_000.0  # events verified per second
AIM_RATIO = 2.0  # verify time / read time, at most
AIM_CHECK_MS = 1.0  # one inclusion proof checked
TEMPLATE_CASES = 200  # real cases whose events are copied
INSERT_BATCH = 2_000  # the library pipelines one statement per event: a larger one stalls
OUT = Path("var/bench/verify.json")
out, err = Console(), Console(stderr=True)


@dataclass
class Results:
    events: int = 0
    setup_seconds: float = 0.0
    seal_seconds: float = 0.0
    read_all_seconds: float = 0.0
    read_events_seconds: float = 0.0
    verify_seconds: float = 0.0
    produce_ms: list[float] = field(default_factory=list)
    check_ms: list[float] = field(default_factory=list)
    lag_events: list[int] = field(default_factory=list)
    lag_seconds: list[float] = field(default_factory=list)
    load_commands: int = 0
    load_seconds: float = 0.0

    def rate(self, seconds: float) -> float:
        return self.events / seconds if seconds else 0.0


def _settings(url: str, key_file: Path, projections: bool) -> Settings:
    return Settings(
        database_url=url, run_projections=projections, load_demo_when_empty=False,
        signing_key_file=key_file, checkpoint_every=100_000, checkpoint_seconds=3600,
    )  # fmt: skip


def template_events(container: Container) -> list[StoredEvent]:
    """The stored events of real submitted-and-accepted cases, as the mapper writes them."""
    ledger = container.ledger
    actor = Actor("bench-worker", "caseworker", STREET).as_dict()
    found: list[StoredEvent] = []
    for i in range(TEMPLATE_CASES):
        app = application(i)
        members = check_application(app, ledger.pseudonyms)
        case = AssistanceCase(
            programme=app["programme"], district=ledger.district, street=app["street"],
            community=app["community"], members=members, channel=app["channel"],
            kin_of_staff=app["kin_of_staff"], actor=actor, occurred_on=app["occurred_on"],
        )  # fmt: skip
        case.accept(actor=actor, occurred_on=BUSINESS_DAY)
        found.extend(ledger.mapper.to_stored_event(e) for e in case.collect_events())
    return found


def fill(container: Container, events: int) -> None:
    """`events` stored events: the templates again and again, each copy under a fresh id."""
    templates = template_events(container)
    recorder = container.ledger.recorder
    written = 0
    with progress_bar() as bar:
        task = bar.add_task("inserting events", total=events)
        while written < events:
            batch: list[StoredEvent] = []
            ids: dict[Any, uuid.UUID] = {}
            while len(batch) < min(INSERT_BATCH, events - written):
                t = templates[len(batch) % len(templates)]
                if t.originator_version == 1 or t.originator_id not in ids:
                    ids[t.originator_id] = uuid.uuid4()
                batch.append(
                    StoredEvent(ids[t.originator_id], t.originator_version, t.topic, t.state)
                )
            recorder.insert_events(batch)
            written += len(batch)
            bar.update(task, completed=written)


def seal(container: Container, events: int) -> None:
    with progress_bar() as bar:
        task = bar.add_task("sealing", total=events, completed=nodes.size(container.db))
        while container.sealer.run_once():
            bar.update(task, completed=nodes.size(container.db))
        bar.update(task, completed=events)
        container.checkpointer.cut(force=True)


def read_rows(url: str, everything: bool) -> int:
    """Read what the verifier reads, with its readers, hashing nothing."""
    count = 0
    with LogRows(url) as rows:
        for _ in rows.events():
            count += 1
        if everything:
            for _ in rows.leaves():
                pass
            level, found = 1, True
            while found:
                found = sum(1 for _ in rows.nodes(level)) > 0  # reads the whole level
                level += 1
    return count


def measure_log(url: str, key: VerifierKey, held: str, r: Results) -> bool:
    read_rows(url, everything=True)  # warm-up: every measurement then reads from a warm cache
    start = time.perf_counter()
    read_rows(url, everything=False)
    r.read_events_seconds = time.perf_counter() - start
    start = time.perf_counter()
    read_rows(url, everything=True)
    r.read_all_seconds = time.perf_counter() - start
    with LogRows(url) as rows, progress_bar() as bar:
        task = bar.add_task("verifying", total=r.events)
        start = time.perf_counter()
        report = verify_log(
            rows, key, [HeldCheckpoint("bench", held)],
            lambda done, total: bar.update(task, completed=done, total=total),
        )  # fmt: skip
        r.verify_seconds = time.perf_counter() - start
    if not report.ok:
        err.print(f"[red]verification failed: {report.first_failure()}[/]")
    return report.ok


def measure_proofs(container: Container, key: VerifierKey, r: Results, samples: int) -> None:
    db = container.db
    with LogRows(container.settings.database_url) as rows:
        events = {e.position: e for e in _sample(rows, samples)}
    for position, event in events.items():
        start = time.perf_counter()
        text = proofs.inclusion(db, position)
        r.produce_ms.append((time.perf_counter() - start) * 1000)
        leaf = event.leaf_hash()
        start = time.perf_counter()
        check_inclusion(text, leaf, key)
        r.check_ms.append((time.perf_counter() - start) * 1000)


def _sample(rows: LogRows, samples: int) -> list[Any]:
    every = max(1, rows.event_count() // samples)
    return [e for i, e in enumerate(rows.events()) if i % every == 0][:samples]


def measure_lag(admin_url: str, key_file: Path, cases: int, r: Results) -> None:
    """bench/commands.py's bare-library load, with the projections running as in serve."""
    name = f"caseledger_bench_{os.getpid()}_lag"
    with fresh_database(admin_url, name) as url:
        container = build(_settings(url, key_file, projections=True))
        container.runner.start()
        stop = threading.Event()

        def watch() -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                pending: list[tuple[float, int]] = []
                deadline: float | None = None
                while not stop.is_set() or pending:
                    now = time.perf_counter()
                    head = conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone()
                    leaf = conn.execute("SELECT max(position) FROM merkle_leaves").fetchone()
                    head_p, sealed_p = (head or [0])[0] or 0, (leaf or [0])[0] or 0
                    sealed_count = conn.execute("SELECT count(*) FROM merkle_leaves").fetchone()
                    events = conn.execute("SELECT count(*) FROM ledger_events").fetchone()
                    r.lag_events.append(int((events or [0])[0]) - int((sealed_count or [0])[0]))
                    pending.append((now, head_p))
                    while pending and pending[0][1] <= sealed_p:
                        r.lag_seconds.append(now - pending.pop(0)[0])
                    if stop.is_set():
                        deadline = deadline or now + 60
                        if now > deadline:
                            break
                    time.sleep(0.1)

        watcher = threading.Thread(target=watch, name="lag-watch")
        try:
            ledger = container.ledger
            actor = Actor("bench-worker", "caseworker", STREET).as_dict()
            apps = [application(10_000 + i) for i in range(cases)]

            def worker(share: list[dict[str, Any]], outcome: Any, tick: Any) -> int:
                ok = 0
                for app in share:
                    members = check_application(app, ledger.pseudonyms)
                    case = AssistanceCase(
                        programme=app["programme"], district=ledger.district,
                        street=app["street"], community=app["community"], members=members,
                        channel=app["channel"], kin_of_staff=app["kin_of_staff"], actor=actor,
                        occurred_on=app["occurred_on"],
                    )  # fmt: skip
                    ledger.save(case)
                    case.accept(actor=actor, occurred_on=BUSINESS_DAY)
                    ledger.save(case)
                    ok += 2
                    tick()
                return ok

            watcher.start()
            outcome = run_threads("write load (sealer lag)", apps, 8, worker)
            r.load_commands, r.load_seconds = outcome.commands, outcome.seconds
        finally:
            stop.set()
            watcher.join(timeout=120)
            container.close()


def _ms(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(r: Results, args: argparse.Namespace) -> None:
    table = Table(title=f"Verifying the log: {r.events:,} events on PostgreSQL")
    for column in ("what", "seconds", "events/s", "note"):
        table.add_column(column, justify="left" if column in ("what", "note") else "right")
    read_all, verify = r.rate(r.read_all_seconds), r.rate(r.verify_seconds)
    ratio = r.verify_seconds / r.read_all_seconds if r.read_all_seconds else 0.0
    rows = [
        ("read the event rows", r.read_events_seconds, r.rate(r.read_events_seconds), ""),
        ("read events + leaves + nodes", r.read_all_seconds, read_all, "the baseline"),
        ("full verification", r.verify_seconds, verify,
         f"{ratio:.2f}x the read (aim <= {AIM_RATIO:.0f}x); aim >= {AIM_RATE:,.0f}/s"),
    ]  # fmt: skip
    for what, seconds, rate, note in rows:
        table.add_row(what, f"{seconds:.2f}", f"{rate:,.0f}", note)
    out.print(table)
    out.print(
        f"one inclusion proof ({len(r.check_ms)} samples): produced in "
        f"{statistics.median(r.produce_ms):.2f} ms median ({_ms(r.produce_ms, 0.95):.2f} p95), "
        f"checked in {statistics.median(r.check_ms):.3f} ms median "
        f"({_ms(r.check_ms, 0.95):.3f} p95; aim < {AIM_CHECK_MS} ms)"
    )
    if r.lag_events:
        out.print(
            f"sealer lag under load ({r.load_commands} commands in {r.load_seconds:.1f} s, "
            f"{r.load_commands / r.load_seconds:.0f}/s): events behind median "
            f"{statistics.median(r.lag_events):.0f}, max {max(r.lag_events)}; seconds from "
            f"recorded to sealed median {statistics.median(r.lag_seconds or [0]):.2f}, "
            f"max {max(r.lag_seconds or [0]):.2f} (sampled every 0.1 s)"
        )
    out.print(
        f"set-up: inserted in {r.setup_seconds:.1f} s, sealed in {r.seal_seconds:.1f} s "
        f"({r.rate(r.seal_seconds):,.0f} events/s); cores usable: {_cores()}"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(r) | {
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    }
    data |= {"verify_per_s": verify, "read_per_s": read_all}
    data |= {"verify_over_read": ratio}
    OUT.write_text(json.dumps(data, indent=2) + "\n")
    out.print(f"written: {OUT}")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def _database(given: str | None, admin_url: str) -> Iterator[str]:
    """The populated ledger given (kept), or a scratch one (dropped at the end)."""
    if given:
        yield given
        return
    with fresh_database(admin_url, f"caseledger_bench_{os.getpid()}_verify") as url:
        yield url


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=100_000, help="stored events (default 100000)")
    p.add_argument("--samples", type=int, default=500, help="inclusion proofs timed")
    p.add_argument(
        "--load-cases", type=int, default=1000, help="cases of write load (default 1000; 0: none)"
    )
    p.add_argument(
        "--database-url", default=None,
        help="verify this populated PostgreSQL ledger instead of a scratch one (it is sealed "
             "first where it is not yet, and a checkpoint signed: --signing-key-file); "
             "--events is then its head",
    )  # fmt: skip
    p.add_argument(
        "--signing-key-file",
        type=Path,
        default=Path(os.environ.get("LEDGER_SIGNING_KEY_FILE", "var/bench/province-signing-key")),
        help="with --database-url: the key its checkpoints are signed with (made if missing)",
    )
    args = p.parse_args(argv)
    if args.events < 1 or args.samples < 1 or args.load_cases < 0:
        p.error("--events and --samples must be at least 1, --load-cases at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("LEDGER_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL
    err.print(
        f"[bold]caseledger verifier benchmark[/]: "
        f"{'the ledger given' if args.database_url else f'{args.events:,} events'}; "
        f"PostgreSQL on {urlparse(args.database_url or admin_url).hostname}"
    )
    given = args.database_url
    # A scratch database's key (and the memory of its last checkpoint, kept beside it) lives
    # in a folder of its own, removed at the end: it never meets another database.
    scratch = Path(tempfile.mkdtemp(prefix="caseledger-bench-verify-"))
    scratch_key = scratch / "signing-key"
    key_file = args.signing_key_file if given else scratch_key
    r = Results(events=args.events)
    try:
        with _database(given, admin_url) as url:
            container = build(_settings(url, key_file, projections=False))
            try:
                start = time.perf_counter()
                if given:
                    r.events = args.events = container.ledger.latest_position()
                else:
                    fill(container, args.events)
                r.setup_seconds = time.perf_counter() - start
                start = time.perf_counter()
                seal(container, args.events)
                r.seal_seconds = time.perf_counter() - start
                key = VerifierKey.parse(signer(container.settings).verifier.text())
                held = container.db.scalar(
                    "SELECT note FROM merkle_checkpoints ORDER BY tree_size DESC LIMIT 1"
                )
                ok = measure_log(url, key, str(held), r)
                measure_proofs(container, key, r, args.samples)
            finally:
                container.close()
        if args.load_cases:
            measure_lag(admin_url, scratch_key, args.load_cases, r)
    except (psycopg.Error, RuntimeError, OSError) as e:
        err.print(f"[red]set-up failed: {type(e).__name__}: {e}[/]")
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report(r, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
