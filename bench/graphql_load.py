"""The GraphQL benchmark's load (bench/graphql.py): keep-alive callers on threads, their
latencies, the server's CPU a request, and each question measured against its SQL."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql_questions import FLOOR_QUERY, questions
from keepalive import KeepAlive
from scratch_database import progress_bar
from serving import process_cpu

from projections.store import Database

# -- load -----------------------------------------------------------------------------------


@dataclass
class Latencies:
    seconds: list[float] = field(default_factory=list)
    #: CPU milliseconds the server process used per request (None: a thread, or no /proc).
    server_cpu_ms: float | None = None
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.samples) < 3:
                self.samples.append(message)

    def ms(self, q: float) -> float:
        if not self.seconds:
            return 0.0
        ordered = sorted(self.seconds)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def median(self) -> float:
        return 1000 * statistics.median(self.seconds) if self.seconds else 0.0


def under_load(
    label: str, threads: int, requests: int, make: Callable[[], AbstractContextManager[Any]],
    call: Callable[[Any], None],
) -> Latencies:  # fmt: skip
    """`threads` callers, each with its own client (`make`), `requests` calls each, timed one by
    one after a start barrier (and two untimed calls each, to warm the connections)."""
    found = Latencies()
    barrier = threading.Barrier(threads)
    with progress_bar(36) as bar:
        task = bar.add_task(label, total=threads * requests)

        def run() -> None:
            try:
                with make() as client:
                    for _ in range(2):
                        call(client)
                    barrier.wait()
                    mine = []
                    for _ in range(requests):
                        start = time.perf_counter()
                        call(client)
                        mine.append(time.perf_counter() - start)
                        bar.advance(task)
                    with found.lock:
                        found.seconds.extend(mine)
            except Exception as e:  # a caller that fails is counted, not a crash of the bench
                found.fail(f"{type(e).__name__}: {e}")
                barrier.abort()

        pool = [threading.Thread(target=run, name=f"bench-{i}") for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    return found


def graphql_call(query: str, variables: dict[str, Any]) -> Callable[[KeepAlive], None]:
    body = {"query": query, "variables": variables}

    def call(client: KeepAlive) -> None:
        r = client.post("/graphql", json=body)
        if r.status_code != 200 or r.json().get("errors"):
            raise RuntimeError(f"{r.status_code} {r.text[:300]}")

    return call


@dataclass
class Measured:
    name: str
    graphql: Latencies
    sql: Latencies
    same_answer: bool

    def ratio(self, floor: Latencies) -> float:
        base = self.sql.ms(0.95) + floor.ms(0.95)
        return self.graphql.ms(0.95) / base if base else 0.0


def server_cpu(pid: int | None, load: Callable[[], Latencies]) -> Latencies:
    """Run `load`, noting the server's CPU per request: steadier than latency on a busy box."""
    if pid is None or not Path(f"/proc/{pid}/stat").exists():
        return load()
    before = process_cpu(pid)
    found = load()
    if found.seconds:
        found.server_cpu_ms = 1000 * (process_cpu(pid) - before) / len(found.seconds)
    return found


def measure(
    base: str, pid: int | None, token: str, db: Database, threads: int, requests: int
) -> tuple[Latencies, list[Measured]]:
    headers = {"Authorization": f"Bearer {token}"}

    def client() -> KeepAlive:
        return KeepAlive(base, headers, timeout=120)

    class Same(AbstractContextManager[Database]):
        def __exit__(self, *exc: object) -> None:
            return None

        def __enter__(self) -> Database:
            return db

    floor = server_cpu(pid, lambda: under_load(
        "GraphQL floor { __typename }", threads, requests, client, graphql_call(FLOOR_QUERY, {})
    ))  # fmt: skip
    results = []
    for q in questions(db):
        with client() as c:
            answer = c.post("/graphql", json={"query": q.query, "variables": q.variables}).json()
        if answer.get("errors"):
            raise RuntimeError(f"{q.name}: {answer['errors']}")
        same = q.shape(answer["data"]) == q.sql(db)
        call = graphql_call(q.query, q.variables)
        over_http = server_cpu(pid, lambda: under_load(
            f"GraphQL {q.name}", threads, requests, client, call  # noqa: B023 (called at once)
        ))  # fmt: skip
        by_sql = under_load(f"SQL {q.name}", threads, requests, Same, q.sql)
        results.append(Measured(q.name, over_http, by_sql, same))
    return floor, results
