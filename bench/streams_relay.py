"""bench/streams.py's second part: `ledger relay` into JetStream against a bare publish loop.

On a fresh PostgreSQL database filled with bench/commands.py's bare-library load (submit +
accept, two events per case), under a district id of the bench's own (so the relay's subjects,
`caseledger.<district>.>`, overlap no other stream on the server), it:

1. runs `ledger relay --nats URL --stream <scratch>` in a subprocess and, polling the scratch
   stream's state every 20 ms, times the messages from the first one seen to the last (the
   relay's start-up, its imports and the stream's creation, left out);
2. reads the relay's messages back (subject, payload, headers) and publishes the same payloads
   under the same subjects (prefixed) into a second scratch stream with a bare nats-py loop:
   `await js.publish()` one after another (one round trip each: the plain loop), then again
   pipelined with `js.publish_async()` (for reference);
3. deletes both scratch streams.

The aim: the relay within 2x of the plain loop's rate.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import nats
from commands import bare_library
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError
from scratch_database import fresh_database

AIM_RELAY = 2.0  # the bare loop's rate over the relay's, at most
HEADERS = ("Nats-Msg-Id", "Ledger-Position")  # what the bare loop sends of the relay's headers


@dataclass
class RelayResult:
    events: int = 0
    relayed: int = 0
    relay_seconds: float = 0.0
    bare_seconds: float = 0.0
    pipelined_seconds: float = 0.0
    in_order: bool = False
    error: str | None = None

    @staticmethod
    def _rate(count: int, seconds: float) -> float:
        return count / seconds if seconds else 0.0

    @property
    def relay_rate(self) -> float:
        return self._rate(self.relayed, self.relay_seconds)

    @property
    def bare_rate(self) -> float:
        return self._rate(self.relayed, self.bare_seconds)

    @property
    def pipelined_rate(self) -> float:
        return self._rate(self.relayed, self.pipelined_seconds)

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


def relay_command() -> list[str]:
    ledger_bin = Path(sys.executable).with_name("ledger")
    if ledger_bin.exists():
        return [str(ledger_bin)]
    return [sys.executable, "-c", "from api.cli import main; main()"]


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


async def bare_loops(js: JetStreamContext, messages: list[Msg],
                     prefix: str, r: RelayResult) -> None:  # fmt: skip
    def headers(m: Msg) -> dict[str, str]:
        return {k: v for k, v in (m.headers or {}).items() if k in HEADERS}

    start = time.perf_counter()
    for m in messages:
        await js.publish(f"{prefix}.plain.{m.subject}", m.data, headers=headers(m))
    r.bare_seconds = time.perf_counter() - start
    start = time.perf_counter()
    futures = [
        await js.publish_async(f"{prefix}.pipelined.{m.subject}", m.data, headers=headers(m))
        for m in messages
    ]
    await asyncio.gather(*futures)
    r.pipelined_seconds = time.perf_counter() - start


async def relay_and_bare(url: str, nats_url: str, ledger: dict[str, str], events: int,
                         log: Path, r: RelayResult) -> None:  # fmt: skip
    nc = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=0)
    js = nc.jetstream(timeout=10)
    name = ledger["LEDGER_DISTRICT"]
    relay_stream, bare_stream, prefix = f"BENCH_RELAY_{name}", f"BENCH_BARE_{name}", f"bench{name}"
    env = {**os.environ, **ledger, "LEDGER_DATABASE_URL": url}
    cmd = [*relay_command(), "relay", "--nats", nats_url, "--stream", relay_stream]
    try:
        with log.open("wb") as sink:
            proc = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT)
            try:
                r.relayed, r.relay_seconds = await watch_stream(
                    js, relay_stream, events, proc, timeout=max(120.0, events / 50)
                )
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        messages = await read_back(js, relay_stream, f"caseledger.{name}.>", events)
        positions = [int((m.headers or {}).get("Ledger-Position", 0)) for m in messages]
        r.in_order = positions == sorted(positions) and len(set(positions)) == len(positions)
        await js.add_stream(name=bare_stream, subjects=[f"{prefix}.>"])
        await bare_loops(js, messages, prefix, r)
    finally:
        for stream in (relay_stream, bare_stream):
            with suppress(NotFoundError):
                await js.delete_stream(stream)
        await nc.close()


def measure_relay(admin_url: str, nats_url: str, events: int, threads: int,
                  logdir: Path) -> RelayResult:  # fmt: skip
    """Fill a scratch database with `events` events, relay them, then the bare loops."""
    r = RelayResult(events=events)
    ledger = {  # a district id of this run's own, and so a signing key of its own
        "LEDGER_DISTRICT": f"9{os.getpid() % 100_000:05d}",
        "LEDGER_SIGNING_KEY_FILE": str(logdir / "relay-signing-key"),
    }
    cases = list(range(100_000, 100_000 + (events + 1) // 2))
    with fresh_database(admin_url, f"caseledger_bench_{os.getpid()}_relay") as url:
        with environment(ledger):
            filled = bare_library(url, [], cases, threads)
        if filled.errors:
            raise RuntimeError(f"filling the relay's database: {filled.samples[:1]}")
        log = logdir / "relay.log"
        asyncio.run(relay_and_bare(url, nats_url, ledger, filled.commands, log, r))
    r.events = filled.commands
    return r
