"""GraphQL limits benchmark: the queries that stalled the server, with the limits off and on.

Run on SQLite with the demo district (never part of the test suite):

    .venv/bin/python bench/graphql_limits.py [--aliases 5000] [--off-aliases 1000] [--mb 20]
                                             [--json bench-graphql-limits.json]

It loads the demo into a fresh SQLite file (`ledger demo`, untimed), then serves it three
times with `ledger serve` in a subprocess, as in production:

* off: `LEDGER_GRAPHQL_LIMITS=false` and `LEDGER_MAX_REQUEST_BYTES=0` (the server before);
* GraphQL limits only: `LEDGER_MAX_REQUEST_BYTES=0` (the document-size limit alone);
* on: the defaults.

Against each it times two requests, as a supervisor:

* (a) N aliases of `cases(first: 100) { edges { node { id status street } } }` (`--aliases`;
  with the limits off `--off-aliases`, because 5,000 take minutes there: say which you ran);
* (b) a GraphQL document of `--mb` MB (`{ __typename }` and blank space to that size);
* (c) 40 aliases of the same (a document small enough for the size limits: the alias limit);
* (d) `cases(first: 500)` with four fields of every case's timeline (the cost limit).

While each request runs, another thread asks `GET /healthz` every 50 ms and records how long
each answer took: the worst shows how long the server stalled for everyone else. The server's
resident memory (VmRSS) is read before and after each request.

It prints a table and writes the same numbers as JSON. Exit status: 0 when every request got an
answer (whatever it was: this is a measurement), 1 when one failed outright, 2 when the set-up
failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from serving import free_port, terminate, wait_until_up

from api.auth import issue_token
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ALIAS = "a{i}: cases(first: 100) {{ edges {{ node {{ id status street }} }} }}"
#: Over the cost limit alone: 1 + 1 + 2 x 500 + 4 x 500 x 50 = 101,002 fields.
COSTLY = (
    "{ cases(first: 500) { edges { node { timeline { version eventType actorUser summary } } } } }"
)
CONFIGS = {
    "off": {"LEDGER_GRAPHQL_LIMITS": "false", "LEDGER_MAX_REQUEST_BYTES": "0"},
    "GraphQL limits only": {"LEDGER_MAX_REQUEST_BYTES": "0"},
    "on": {},
}
out = Console(width=150)
err = Console(stderr=True)


@dataclass
class Measured:
    config: str
    request: str
    status: int | None = None
    answer: str = ""
    seconds: float = 0.0
    body_bytes: int = 0
    healthz_ms: list[float] = field(default_factory=list)
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0

    @property
    def healthz_worst(self) -> float:
        return max(self.healthz_ms, default=0.0)

    @property
    def healthz_median(self) -> float:
        return statistics.median(self.healthz_ms) if self.healthz_ms else 0.0

    def as_json(self) -> dict[str, Any]:
        found = asdict(self)
        del found["healthz_ms"]
        found.update(
            healthz_answers=len(self.healthz_ms),
            healthz_worst_ms=round(self.healthz_worst, 1),
            healthz_median_ms=round(self.healthz_median, 1),
            seconds=round(self.seconds, 3),
        )
        return found


def ledger(*args: str) -> list[str]:
    return [sys.executable, "-c", "from api.cli import main; main()", *args]


def environment(url: str, extra: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ, "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": url,
        "LEDGER_LOAD_DEMO_WHEN_EMPTY": "false", **extra,
    }  # fmt: skip


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@contextmanager
def serving(url: str, extra: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            ledger("serve", "--host", "127.0.0.1", "--port", str(port)),
            env=environment(url, extra), stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, lambda: proc.poll() is None)
            yield base, proc.pid
        finally:
            terminate(proc)


def probe(base: str, stop: threading.Event, found: list[float]) -> None:
    """GET /healthz every 50 ms until stopped; each answer's latency in ms."""
    with httpx.Client(base_url=base, timeout=600) as client:
        while not stop.is_set():
            started = time.perf_counter()
            with suppress(httpx.HTTPError):
                client.get("/healthz")
            found.append((time.perf_counter() - started) * 1000)
            stop.wait(0.05)


def timed(base: str, pid: int, token: str, config: str, name: str, body: bytes) -> Measured:
    m = Measured(config=config, request=name, body_bytes=len(body))
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    m.rss_before_mb = rss_mb(pid)
    stop = threading.Event()
    prober = threading.Thread(target=probe, args=(base, stop, m.healthz_ms), daemon=True)
    prober.start()
    time.sleep(0.2)  # a few idle answers first
    started = time.perf_counter()
    try:
        r = httpx.post(f"{base}/graphql", content=body, headers=headers, timeout=900)
        m.seconds = time.perf_counter() - started
        m.status = r.status_code
        m.answer = describe(r)
    except httpx.HTTPError as e:
        m.seconds = time.perf_counter() - started
        m.answer = f"{type(e).__name__}"
    time.sleep(0.2)
    stop.set()
    prober.join(timeout=600)
    m.rss_after_mb = rss_mb(pid)
    return m


def describe(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return f"{len(r.content):,} bytes, not JSON"
    if r.status_code != 200:
        return str(body.get("code") or body.get("title"))
    errors = body.get("errors") or []
    if errors:
        return str((errors[0].get("extensions") or {}).get("code") or errors[0]["message"][:40])
    return f"data, {len(r.content) / 1e6:,.1f} MB"


def aliases_body(n: int) -> bytes:
    query = "{ " + " ".join(ALIAS.format(i=i) for i in range(n)) + " }"
    return json.dumps({"query": query}).encode()


def document_body(mb: int) -> bytes:
    query = "{ __typename }"
    return json.dumps({"query": query + " " * (mb * 1_000_000 - len(query))}).encode()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--aliases", type=int, default=5000, help="aliases with limits (5000)")
    p.add_argument(
        "--off-aliases", type=int, default=1000,
        help="aliases with the limits off (default 1000: 5,000 take minutes there)",
    )  # fmt: skip
    p.add_argument("--mb", type=int, default=20, help="size of the big document in MB (20)")
    p.add_argument("--json", type=Path, default=Path("bench-graphql-limits.json"))
    p.add_argument("--only", choices=sorted(CONFIGS), action="append", help="run only these")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    secret = Settings().jwt_secret.get_secret_value()
    token = issue_token(secret, "bench-supervisor", "supervisor", None, ttl_hours=2)
    work = Path(tempfile.mkdtemp(prefix="caseledger-bench-limits-"))
    url = f"sqlite:///{work}/ledger.sqlite3"
    results: list[Measured] = []
    try:
        err.print("[bold]caseledger GraphQL limits benchmark[/]: loading the demo (untimed)")
        subprocess.run(ledger("demo"), env=environment(url, {}), cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        for config, extra in CONFIGS.items():
            if args.only and config not in args.only:
                continue
            n = args.off_aliases if config == "off" else args.aliases
            requests = [
                (f"{n:,} aliases of cases(first: 100)", aliases_body(n)),
                (f"{args.mb} MB document", document_body(args.mb)),
                ("40 aliases of cases(first: 100)", aliases_body(40)),
                ("cases(first: 500) with timelines", json.dumps({"query": COSTLY}).encode()),
            ]
            with serving(url, extra, work / f"{config}.log") as (base, pid):
                for name, body in requests:
                    err.print(f"  {config}: {name} ...")
                    results.append(timed(base, pid, token, config, name, body))
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        err.print(f"[red]set-up failed: {type(e).__name__}: {e}[/]")
        for log in work.glob("*.log"):
            err.print(log.read_text(errors="replace")[-2000:])
        return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = Table(title="GraphQL limits: the stalling queries, limits off and on")
    for column in ("limits", "request", "status", "answer", "seconds", "/healthz worst ms",
                   "/healthz median ms", "server RSS MB before → after"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("limits", "request", "answer")
                         else "right")  # fmt: skip
    for m in results:
        table.add_row(
            m.config, m.request, str(m.status or "-"), m.answer, f"{m.seconds:.3f}",
            f"{m.healthz_worst:,.0f}", f"{m.healthz_median:,.0f}",
            f"{m.rss_before_mb:,.0f} → {m.rss_after_mb:,.0f}",
        )  # fmt: skip
    out.print(table)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    out.print(f"cores usable: {cores}; SQLite with the demo district; `ledger serve` subprocess")
    args.json.write_text(json.dumps([m.as_json() for m in results], indent=2) + "\n")
    out.print(f"written: {args.json}")
    return 1 if any(m.status is None for m in results) else 0


if __name__ == "__main__":
    sys.exit(main())
