"""bench/streams.py's first part: one latency run (one backend, one stream) against a server.

The subscribers run in a process of their own (bench/streams_clients.py); the write load is
bench/commands.py's HTTP load from this process, every answer timed as it arrives (its
`id` and `version` name the events the command wrote: `<id>/<version>`, the CloudEvent id).
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from commands import http
from keepalive import Answer
from serving import process_cpu

AIM_P95_MS = 250.0
CLIENTS = Path(__file__).with_name("streams_clients.py")


@dataclass
class Latency:
    backend: str
    kind: str
    subscribers: int = 0
    commands: int = 0
    seconds: float = 0.0
    errors: int = 0  # failed commands and subscribers that ended with an error
    missed: int = 0  # (subscriber, event) pairs not received, received twice or out of order
    events: int = 0  # distinct events measured (written after the clients were live)
    answered: int = 0  # of them, written by a command of the load (the others: reactions)
    from_time: list[float] = field(default_factory=list)  # ms, receipt − CloudEvent time
    from_answer: list[float] = field(default_factory=list)  # ms, receipt − command answered
    #: From the load's start until every client had everything: seconds, CPU seconds used
    #: by the server and by the clients' process.
    window: float = 0.0
    server_cpu: float | None = None
    clients_cpu: float = 0.0
    samples: list[str] = field(default_factory=list)

    @property
    def command_rate(self) -> float:
        return self.commands / self.seconds if self.seconds else 0.0

    @property
    def written_rate(self) -> float:
        """Events measured per second of the load."""
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def delivered_rate(self) -> float:
        """The same events per second until the last client had them all (below the
        written rate: the stream fell behind the load, and its latency grows with the run)."""
        return self.events / self.window if self.window else 0.0

    @staticmethod
    def quantiles(values: list[float]) -> tuple[float, float, float]:
        """Median, 95th percentile and the largest (0s when there is nothing)."""
        if not values:
            return 0.0, 0.0, 0.0
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return statistics.median(ordered), p95, ordered[-1]

    def summary(self) -> dict[str, Any]:
        t, a = self.quantiles(self.from_time), self.quantiles(self.from_answer)
        return {
            "backend": self.backend, "stream": self.kind, "subscribers": self.subscribers,
            "commands": self.commands, "seconds": self.seconds, "errors": self.errors,
            "commands_per_s": self.command_rate, "events": self.events,
            "written_per_s": self.written_rate, "delivered_per_s": self.delivered_rate,
            "answered_events": self.answered, "deliveries": len(self.from_time),
            "missed": self.missed, "server_cpu_seconds": self.server_cpu,
            "clients_cpu_seconds": self.clients_cpu, "window_seconds": self.window,
            "from_time_ms": {"median": t[0], "p95": t[1], "max": t[2]},
            "from_answer_ms": {"median": a[0], "p95": a[1], "max": a[2]},
            "samples": self.samples,
        }  # fmt: skip


class Answers:
    """The time each command's events were answered, by CloudEvent id (`<aggregate>/<v>`).

    With a `rate` (commands per second, all threads together) it also paces the load: the
    thread that read an answer waits for its next turn before it sends the next command.
    """

    def __init__(self, rate: float = 0.0) -> None:
        self.at: dict[str, float] = {}
        self.last_position = 0
        self._versions: dict[str, int] = {}
        self._lock = threading.Lock()
        self._every = 1 / rate if rate else 0.0
        self._next = time.monotonic()

    def __call__(self, response: Answer) -> None:
        at = time.time()
        try:
            self._record(at, response)
        finally:
            self._pace()

    def _pace(self) -> None:
        if not self._every:
            return
        with self._lock:
            self._next = max(self._next + self._every, time.monotonic())
            turn = self._next
        time.sleep(max(0.0, turn - time.monotonic()))

    def _record(self, at: float, response: Answer) -> None:
        if not response.is_success:
            return
        body = response.json()
        aggregate, version = str(body["id"]), int(body["version"])
        with self._lock:
            before = self._versions.get(aggregate, 0)
            for v in range(before + 1, version + 1):  # every event the command wrote
                self.at[f"{aggregate}/{v}"] = at
            self._versions[aggregate] = version
            self.last_position = max(self.last_position, int(body["position"]))


def start_clients(kind: str, base: str, token: str, n: int, after: int,
                  out: Path) -> tuple[subprocess.Popen[str], str]:  # fmt: skip
    cmd = [sys.executable, str(CLIENTS), "--kind", kind, "--base", base, "--token", token,
           "--subscribers", str(n), "--after", str(after), "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()  # type: ignore[union-attr]
    try:
        line = lines.get(timeout=90)
    except queue.Empty:
        line = ""
    if not line.startswith("ready "):
        proc.kill()
        raise RuntimeError(f"the {kind} clients did not start: {line.strip() or 'no answer'}")
    return proc, line.strip()


def tally(r: Latency, found: dict[str, Any], answers: Answers, live_at: float) -> None:
    """Latencies of the events made once every client was live (at `live_at`); every event
    after the first (the one that showed a client was live) counts as missed when a client
    did not receive it once, in order."""
    start = int(found["after"]) + 1
    r.clients_cpu, r.window = float(found["cpu_seconds"]), float(found["seconds"])
    events: dict[int, tuple[str, float]] = {}
    for position, (event_id, stamp) in found["events"].items():
        made = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
        events[int(position)] = (str(event_id), made)
    everything = {p for p in events if p > start}
    answered = {events[p][0] for p in everything} & answers.at.keys()
    measured = {p for p in everything if events[p][1] >= live_at}
    r.events, r.answered = len(measured), len({events[p][0] for p in measured} & answered)
    missing_everywhere = [i for i in answers.at if i not in answered]
    for client in found["clients"]:
        if client["error"] or client["closed"]:
            r.errors += 1
            if len(r.samples) < 5:
                r.samples.append(f"subscriber: {client['error'] or client['closed']}")
        positions: list[int] = client["positions"]
        if positions != sorted(set(positions)):
            r.missed += len(positions) - len(set(positions)) or 1
        got = set(positions)
        r.missed += len(everything - got) + len(missing_everywhere)
        for position, received in zip(positions, client["received"], strict=True):
            if position not in measured:
                continue
            event_id, made = events[position]
            r.from_time.append((received - made) * 1000)
            if event_id in answers.at:
                r.from_answer.append((received - answers.at[event_id]) * 1000)


def measure_latency(backend: str, kind: str, base: str, server_pid: int | None, writer: str,
                    reader: str, args: argparse.Namespace, logdir: Path) -> Latency:  # fmt: skip
    r = Latency(backend, kind)
    warm = Answers()
    warm_up = http(base, None, writer, [], {args.threads: list(range(args.warmup))}, warm)[
        args.threads
    ]
    if warm_up.errors or not warm.last_position:
        raise RuntimeError(f"the warm-up failed: {warm_up.samples[:1]}")
    results = logdir / f"clients-{backend}-{kind}.json"
    proc, ready = start_clients(
        kind, base, reader, args.subscribers, warm.last_position - 1, results
    )
    live_at = time.time()
    try:
        r.subscribers = int(ready.split()[1])
        if r.subscribers < args.subscribers:
            why = ready.split(maxsplit=2)[2:]
            raise RuntimeError(
                f"{kind}: {r.subscribers} of {args.subscribers} clients live {''.join(why)}"
            )
        answers = Answers(args.rate)
        timed = list(range(args.warmup, args.warmup + args.cases))
        before = process_cpu(server_pid) if server_pid else None
        load = http(base, server_pid, writer, [], {args.threads: timed}, answers)[args.threads]
        r.commands, r.seconds = load.commands, load.seconds
        r.errors += load.errors
        r.samples += load.samples[:3]
        assert proc.stdin is not None
        proc.stdin.write(f"until {answers.last_position}\n")
        proc.stdin.flush()
        proc.wait(timeout=180)
        if before is not None and server_pid:
            r.server_cpu = process_cpu(server_pid) - before
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0 or not results.exists():
        raise RuntimeError(f"the {kind} clients failed (exit {proc.returncode})")
    tally(r, json.loads(results.read_text()), answers, live_at)
    return r
