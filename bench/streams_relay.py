"""bench/streams.py's second part: `ledger relay` into JetStream against a bare publish loop.

On a fresh PostgreSQL database filled with bench/commands.py's bare-library load (submit +
accept, two events per case), under a district id of the bench's own (so the relay's subjects,
`caseledger.<district>.>`, overlap no other stream on the server), it:

1. runs `ledger relay --nats URL --stream <scratch>` in a subprocess and, polling the scratch
   stream's state every 20 ms, times the messages from the first one seen to the last (the
   relay's start-up, its imports and the stream's creation, left out); reads them back
   (subject, payload, headers) and checks they are every event once, in position order;
2. publishes the same payloads under the same subjects (prefixed), with the same
   `Nats-Msg-Id` and `Ledger-Position` headers, into another scratch stream with a bare
   nats-py loop: `await js.publish()` one after another (one round trip each: the plain
   loop), then again pipelined with `js.publish_async()` (for reference);
3. does both again, in turn, `rounds` times (the machine is shared: the medians are
   reported, each round's rates kept in the JSON), deleting every scratch stream.

The aim: the relay within 2x of the plain loop's rate.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import nats
import psycopg
from bare import bare_library
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError
from scratch_database import fresh_database
from serving import ledger_command, terminate

AIM_RELAY = 2.0  # the bare loop's rate over the relay's, at most
HEADERS = ("Nats-Msg-Id", "Ledger-Position")  # what the bare loop sends of the relay's headers


@dataclass
class RelayResult:
    """Rates per round (relay, then the bare loops, in turn), and their medians."""

    events: int = 0
    relay: list[float] = field(default_factory=list)  # events/s
    bare: list[float] = field(default_factory=list)
    pipelined: list[float] = field(default_factory=list)
    in_order: bool = True

    @property
    def relay_rate(self) -> float:
        return statistics.median(self.relay) if self.relay else 0.0

    @property
    def bare_rate(self) -> float:
        return statistics.median(self.bare) if self.bare else 0.0

    @property
    def pipelined_rate(self) -> float:
        return statistics.median(self.pipelined) if self.pipelined else 0.0

    @property
    def ratio(self) -> float:
        """The plain loop's rate over the relay's (the aim: at most 2)."""
        return self.bare_rate / self.relay_rate if self.relay_rate else 0.0


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """LEDGER_* settings for what this process builds meanwhile (Settings read them)."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def nats_reachable(nats_url: str) -> str | None:
    """None when NATS answers at `nats_url` with JetStream on, else why not."""

    async def check() -> None:
        nc = await nats.connect(nats_url, connect_timeout=3, max_reconnect_attempts=0,
                                allow_reconnect=False)  # fmt: skip
        try:
            await nc.jetstream().account_info()
        finally:
            await nc.close()

    try:
        asyncio.run(check())
    except Exception as e:  # any failure to reach it means: no relay measurement
        return f"{type(e).__name__}: {str(e)[:200]}"
    return None


async def watch_stream(
    js: JetStreamContext, stream: str, total: int, proc: subprocess.Popen[bytes], timeout: float
) -> tuple[int, float]:
    """Messages counted from the first seen to `total`, and the seconds they took."""
    deadline = time.monotonic() + timeout
    first: tuple[int, float] | None = None
    count = 0
    while time.monotonic() < deadline:
        try:
            count = (await js.stream_info(stream)).state.messages
        except NotFoundError:
            count = 0
        now = time.perf_counter()
        if count and first is None:
            first = (count, now)
        if count >= total:
            break
        if proc.poll() is not None:
            raise RuntimeError(f"ledger relay stopped (exit {proc.returncode}) at {count}")
        await asyncio.sleep(0.02)
    if first is None or count < total:
        raise RuntimeError(f"the relay published {count} of {total} messages in {timeout:.0f} s")
    return count - first[0], time.perf_counter() - first[1]


async def read_back(js: JetStreamContext, stream: str, subjects: str,
                    total: int) -> list[Msg]:  # fmt: skip
    sub = await js.subscribe(
        subjects, stream=stream, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
    )
    found: list[Msg] = []
    try:
        while len(found) < total:
            found.append(await sub.next_msg(timeout=10))
    finally:
        await sub.unsubscribe()
    return found


async def bare_loops(js: JetStreamContext, messages: list[Msg], stream: str,
                     r: RelayResult) -> None:  # fmt: skip
    """The same payloads, subjects (prefixed) and ids, into a stream of their own (a fresh
    one each loop: the duplicate window would drop a message id sent before)."""

    def headers(m: Msg) -> dict[str, str]:
        return {k: v for k, v in (m.headers or {}).items() if k in HEADERS}

    prefix = stream.lower()
    for rates, pipelined in ((r.bare, False), (r.pipelined, True)):
        await js.add_stream(name=stream, subjects=[f"{prefix}.>"])
        try:
            start = time.perf_counter()
            if pipelined:
                futures = [
                    await js.publish_async(f"{prefix}.{m.subject}", m.data, headers=headers(m))
                    for m in messages
                ]
                await asyncio.gather(*futures)
            else:
                for m in messages:
                    await js.publish(f"{prefix}.{m.subject}", m.data, headers=headers(m))
            rates.append(len(messages) / (time.perf_counter() - start))
        finally:
            await js.delete_stream(stream)


async def relay_once(js: JetStreamContext, cmd: list[str], env: dict[str, str], stream: str,
                     events: int, log: Path, r: RelayResult) -> list[Msg]:  # fmt: skip
    """One run of `ledger relay` into a new stream: its rate, and the messages in order."""
    with log.open("ab") as sink:
        proc = subprocess.Popen(
            [*cmd, "--stream", stream], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            count, seconds = await watch_stream(
                js, stream, events, proc, timeout=max(120.0, events / 50)
            )
        finally:
            terminate(proc)
    r.relay.append(count / seconds if seconds else 0.0)
    subjects = f"caseledger.{env['LEDGER_DISTRICT']}.>"
    messages = await read_back(js, stream, subjects, events)
    positions = [int((m.headers or {}).get("Ledger-Position", 0)) for m in messages]
    r.in_order &= positions == sorted(set(positions)) and len(positions) == events
    return messages


async def relay_and_bare(url: str, nats_url: str, ledger: dict[str, str], events: int,
                         rounds: int, log: Path, r: RelayResult,
                         from_start: bool = False) -> None:  # fmt: skip
    nc = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=0)
    js = nc.jetstream(timeout=10)
    name = ledger["LEDGER_DISTRICT"]
    env = {**os.environ, **ledger, "LEDGER_DATABASE_URL": url}
    cmd = [*ledger_command(), "relay", "--nats", nats_url]
    streams = [f"BENCH_RELAY_{name}_{i}" for i in range(rounds)] + [f"BENCH_BARE_{name}"]
    try:
        for i, stream in enumerate(streams[:-1]):
            # Each round a new stream: the relay keeps its position in the ledger, so it is
            # told to trust the (empty) stream and start from the first event again.
            again = ["--from-start"] if i or from_start else []
            messages = await relay_once(js, [*cmd, *again], env, stream, events, log, r)
            await js.delete_stream(stream)
            await bare_loops(js, messages, streams[-1], r)
    finally:
        for stream in streams:
            with suppress(NotFoundError):
                await js.delete_stream(stream)
        await nc.close()


def measure_relay(admin_url: str, nats_url: str, events: int, rounds: int, threads: int,
                  logdir: Path, given: str | None = None) -> RelayResult:  # fmt: skip
    """Fill a scratch database with `events` events; relay them, then the bare loops, in
    turn, `rounds` times. With `given` (a populated ledger), relay its first `events` events
    instead, each round from the start."""
    if given:
        ledger = {
            "LEDGER_DISTRICT": os.environ.get("LEDGER_DISTRICT", "320404"),
            "LEDGER_SIGNING_KEY_FILE": os.environ.get("LEDGER_SIGNING_KEY_FILE", ""),
        }
        with psycopg.connect(given) as conn:
            row = conn.execute("SELECT COALESCE(MAX(notification_id), 0) FROM ledger_events")
            head = int(next(iter(row.fetchone() or (0,))))
        r = RelayResult(events=min(events, head))
        log = logdir / "relay.log"
        asyncio.run(
            relay_and_bare(given, nats_url, ledger, r.events, rounds, log, r, from_start=True)
        )
        return r
    ledger = {  # a district id of this run's own, and so a signing key of its own
        "LEDGER_DISTRICT": f"9{os.getpid() % 100_000:05d}",
        "LEDGER_SIGNING_KEY_FILE": str(logdir / "relay-signing-key"),
    }
    # bare_library runs the commands twice (one transaction a save, then the group commit):
    # a quarter of `events` cases, two events each, each way.
    cases = list(range(100_000, 100_000 + (events + 3) // 4))
    with fresh_database(admin_url, f"caseledger_bench_{os.getpid()}_relay") as url:
        with environment(ledger):
            filled = list(bare_library(url, [], {threads: cases}).values())
        if any(o.errors for o in filled):
            samples = [s for o in filled for s in o.samples]
            raise RuntimeError(f"filling the relay's database: {samples[:1]}")
        r = RelayResult(events=sum(o.commands for o in filled))
        log = logdir / "relay.log"
        asyncio.run(relay_and_bare(url, nats_url, ledger, r.events, rounds, log, r))
    return r
