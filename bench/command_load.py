"""The load both paths of bench/commands.py share (and bench/verify.py): the applications,
and N cases run on T threads, each command's latency and the CPU used meanwhile."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from scratch_database import progress_bar
from serving import postgres_cpu, process_cpu

from domain.shared.identity import make_id_number

OFFSET = 5_000_000  # the second bare run's cases: other people (ID numbers) than the first's
BUSINESS_DAY = "2024-03-04"  # a Monday, a working day
STREET = "南大街街道"
COMMUNITY = "西瀛里社区"
DISTRICT = "320404"


# -- test data ------------------------------------------------------------------------------


def application(index: int, occurred_on: str = BUSINESS_DAY) -> dict[str, Any]:
    """A one-person DIBAO application; `index` makes the ID number unique (valid check digit)."""
    birth = date(1960, 1, 1) + timedelta(days=index // 1000)
    return {
        "programme": "DIBAO",
        "street": STREET,
        "community": COMMUNITY,
        "channel": "counter",
        "kin_of_staff": False,
        "occurred_on": occurred_on,
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
